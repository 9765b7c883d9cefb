"""Erasure in monitoring, against real PostgreSQL and the Kafka-protocol broker: once the registry names the model
versions trained on the erased data (its erasure.applied), their logged prompts and outputs, feedback and roll-ups go
with the drift references of the erased dataset versions; other versions' stay; acknowledged once."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from tuneline.common.db import DeadLetterRecord, OutboxRecord, transaction
from tuneline.common.events import ERASURE_APPLIED, INFERENCE_LOGGED, ErasureApplied, InferenceLogged
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import eventually, running_app
from tuneline.monitoring.app import create_app
from tuneline.monitoring.drift.tables import DatasetReferenceRow
from tuneline.monitoring.rollups.tables import InferenceEventRow
from tuneline.monitoring.settings import MonitoringSettings

pytestmark = pytest.mark.integration

PLANTED = "Erika Mustermann asked about pump 4"


def logged(model: str, version: UUID) -> InferenceLogged:
    return InferenceLogged(
        producer="registry",
        request_id=str(uuid4()),
        model_name=model,
        version_id=version,
        latency_ms=12.0,
        tokens_in=10,
        tokens_out=5,
        occurred_at=datetime.now(UTC),
        prompt=PLANTED,
        output=f"reply to {PLANTED}",
    )


async def _acks(state, erasure_id: UUID) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    async with state.sessions() as session:
        rows = (await session.execute(sa.select(OutboxRecord).where(OutboxRecord.topic == "erasure.applied"))).scalars()
        return [p for p in (json.loads(r.payload) for r in rows) if p["erasure_id"] == str(erasure_id)]


async def _events(state, version: UUID) -> list[InferenceEventRow]:  # type: ignore[no-untyped-def]
    async with state.sessions() as session:
        stmt = sa.select(InferenceEventRow).where(InferenceEventRow.version == str(version))
        return list((await session.execute(stmt)).scalars().all())


async def test_the_registrys_acknowledgement_erases_logged_requests_and_references(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(MonitoringSettings, service_name="monitoring", run_background_loops=False)
    app = create_app(settings)
    model, erased_model, kept_model = f"clf-{uuid4().hex[:8]}", uuid4(), uuid4()
    dataset_version = uuid4()
    async with running_app(app):
        state = app.state.tuneline
        for version in (erased_model, kept_model):
            for _ in range(3):
                await publish_now(state.broker, INFERENCE_LOGGED, logged(model, version))
        await eventually(lambda: _events(state, kept_model), what="ingested requests")
        await eventually(lambda: _events(state, erased_model), what="ingested requests")
        async with transaction(state.sessions) as session:
            session.add(
                DatasetReferenceRow(
                    version_id=dataset_version,
                    dataset_id=uuid4(),
                    usecase_id=uuid4(),
                    version_number=1,
                    record_format="text",
                    ready_at=datetime.now(UTC),
                    profile={"vocabulary": {"erika": 3}},
                )
            )

            # a logged request of the erased version that failed to process: its prompt sits in a dead letter
            for version in (erased_model, kept_model):
                session.add(
                    DeadLetterRecord(
                        original_topic="inference.logged",
                        consumer_group="monitoring",
                        reason="could not be processed",
                        payload=logged(model, version).model_dump_json().encode(),
                    )
                )

        training_ack = ErasureApplied(
            producer="training",
            usecase_id=uuid4(),
            erasure_id=uuid4(),
            dataset_id=uuid4(),
            version_ids=[dataset_version],
            service="training",
        )
        registry_ack = training_ack.model_copy(
            update={
                "event_id": uuid4(),
                "service": "registry",
                "producer": "registry",
                "model_version_ids": [erased_model],
            }
        )
        await publish_now(state.broker, ERASURE_APPLIED, training_ack)  # another service's: not monitoring's cue
        await asyncio.sleep(1)
        assert await _acks(state, training_ack.erasure_id) == []

        await publish_now(state.broker, ERASURE_APPLIED, registry_ack)
        (ack,) = await eventually(lambda: _acks(state, registry_ack.erasure_id), timeout_s=30, what="acknowledged")
        assert ack["service"] == "monitoring"
        assert ack["counts"]["inference_events"] == 3 and ack["counts"]["references"] == 1
        assert ack["counts"]["dead_letters"] == 1
        async with state.sessions() as session:
            letters = (await session.execute(sa.select(DeadLetterRecord))).scalars().all()
        ours = [letter.payload.decode() for letter in letters if model in letter.payload.decode()]
        assert len(ours) == 1 and str(kept_model) in ours[0]  # the other version's dead letter stays
        assert await _events(state, erased_model) == []
        assert len(await _events(state, kept_model)) == 3
        async with state.sessions() as session:
            assert await session.get(DatasetReferenceRow, dataset_version) is None

        await publish_now(state.broker, ERASURE_APPLIED, registry_ack.model_copy(update={"event_id": uuid4()}))
        await asyncio.sleep(1.5)
        assert len(await _acks(state, registry_ack.erasure_id)) == 1


async def test_a_request_of_an_erased_version_that_arrives_after_the_erasure_is_not_stored(make_settings) -> None:  # type: ignore[no-untyped-def]
    """A request logged before the erasure and delivered after it (the router logs asynchronously) is dropped: the
    erased version's prompts do not come back."""
    settings = make_settings(MonitoringSettings, service_name="monitoring", run_background_loops=False)
    app = create_app(settings)
    model, erased_model, kept_model = f"clf-{uuid4().hex[:8]}", uuid4(), uuid4()
    async with running_app(app):
        state = app.state.tuneline
        registry_ack = ErasureApplied(
            producer="registry",
            usecase_id=uuid4(),
            erasure_id=uuid4(),
            dataset_id=uuid4(),
            version_ids=[uuid4()],
            service="registry",
            model_version_ids=[erased_model],
        )
        await publish_now(state.broker, ERASURE_APPLIED, registry_ack)
        await eventually(lambda: _acks(state, registry_ack.erasure_id), timeout_s=30, what="acknowledged")

        late = logged(model, erased_model)
        await publish_now(state.broker, INFERENCE_LOGGED, late)
        await publish_now(state.broker, INFERENCE_LOGGED, logged(model, kept_model))
        await eventually(lambda: _events(state, kept_model), what="the kept version's request ingested")
        assert await _events(state, erased_model) == []
