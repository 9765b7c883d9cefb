"""Text PostgreSQL refuses never stops inference ingestion: it is stripped and counted."""

from __future__ import annotations

from uuid import uuid4

import pytest
import sqlalchemy as sa

from tuneline.common.events import INFERENCE_LOGGED
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import eventually, running_app
from tuneline.common.text import TEXT_SANITISED
from tuneline.monitoring.app import create_app
from tuneline.monitoring.rollups.tables import InferenceEventRow

from .test_service_integration import inference, settings_for

pytestmark = pytest.mark.integration


async def test_prompt_with_nul_is_stored_stripped_and_counted_and_ingestion_goes_on(make_settings) -> None:
    app = create_app(settings_for(make_settings))
    model, version = f"clf-{uuid4().hex[:8]}", uuid4()
    counter = TEXT_SANITISED.labels("monitoring.inference", "nul")
    before = counter._value.get()
    async with running_app(app) as client:
        del client
        state = app.state.tuneline
        hostile = inference(model, version, output="Out\x00age").model_copy(update={"prompt": "line\x00 one\x00"})
        await publish_now(state.broker, INFERENCE_LOGGED, hostile)
        await publish_now(state.broker, INFERENCE_LOGGED, inference(model, version, output="billing"))

        async def stored() -> list[tuple[str | None, str | None]] | None:
            async with state.sessions() as session:
                rows = (
                    await session.execute(
                        sa.select(InferenceEventRow.prompt, InferenceEventRow.output).where(
                            InferenceEventRow.model_name == model
                        )
                    )
                ).all()
            return [tuple(r) for r in rows] if len(rows) == 2 else None

        rows = await eventually(stored, timeout_s=30, what="both events stored")
        assert sorted(rows, key=str) == sorted([("line one", "Outage"), (None, "billing")], key=str)
        assert counter._value.get() - before == 3
