"""The runner continues the trace an evaluation was queued under (job.completed's), so evaluation.completed and
everything the registry does with it stay in the use case's story (real PostgreSQL, a fast-failing run)."""

import json
from uuid import uuid4

import pytest
import sqlalchemy as sa

from tuneline.common.db import OutboxRecord, transaction
from tuneline.common.observability import continued_span
from tuneline.common.testing.fixtures import new_traceparent
from tuneline.common.testing.helpers import running_app
from tuneline.evaluation.app import create_app
from tuneline.evaluation.evaluations import repository, service
from tuneline.evaluation.runner.loop import EvaluationRunner

from ..evaluations.test_flow_integration import _settings, _stage_job

pytestmark = pytest.mark.integration


async def test_runner_continues_the_trace_the_evaluation_was_queued_under(
    make_settings, tiny_model_dir, zero_adapter_dir, recorded_spans
) -> None:  # type: ignore[no-untyped-def]
    job_trace, job_context = new_traceparent()
    settings = _settings(make_settings)
    app = create_app(settings)
    async with running_app(app):
        state = app.state.tuneline
        event = await _stage_job(state.store, tiny_model_dir, zero_adapter_dir)
        # an adapter that is not there: the run fails fast, which is enough to see whose trace it ran in
        event = event.model_copy(update={"adapter_uri": state.store.uri(f"jobs/{uuid4()}/adapter")})
        with continued_span("test.job.completed", job_context):  # as the consumer of job.completed runs
            async with transaction(state.sessions) as session:
                evaluation_id = await service.schedule_for_job(session, settings, event)
        async with state.sessions() as session:
            run = await repository.get_run(session, evaluation_id)
        assert run is not None and run.trace_context is not None and run.trace_context.split("-")[1] == job_trace

        assert await EvaluationRunner(settings, state.sessions, state.store).tick()
        runs = [s for s in recorded_spans() if s["name"] == "evaluation.run"]
        assert [s["trace_id"] for s in runs if s["attributes"]["evaluation_id"] == str(evaluation_id)] == [job_trace]
        async with state.sessions() as session:
            rows = (
                (await session.execute(sa.select(OutboxRecord).where(OutboxRecord.topic == "evaluation.completed")))
                .scalars()
                .all()
            )
        mine = [json.loads(r.payload) for r in rows if json.loads(r.payload)["evaluation_id"] == str(evaluation_id)]
        assert mine and all(p["traceparent"].split("-")[1] == job_trace for p in mine), mine
