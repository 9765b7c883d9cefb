"""A job continues the story of the dataset version it trains on: queued under a span linked to the version's
trace, run by the worker as a continuation of that queueing, its events carrying it on (real PostgreSQL, the
tiny model in a training subprocess)."""

import pytest
import sqlalchemy as sa

from tuneline.common.db import transaction
from tuneline.common.testing.fixtures import new_traceparent
from tuneline.common.testing.helpers import bearer, eventually, running_app
from tuneline.training.app import create_app
from tuneline.training.jobs.tables import TrainingDatasetVersion

from .test_worker_integration import FAST_JOB, job_state, outbox_payloads, running_worker
from .test_worker_integration import settings as settings

pytestmark = pytest.mark.integration


async def test_worker_continues_the_trace_the_job_was_queued_under_linked_to_the_dataset_version(
    settings, seed_dataset, recorded_spans
) -> None:  # type: ignore[no-untyped-def]
    version_trace, version_context = new_traceparent()  # the trace dataset.ready arrived with
    request_trace, request_context = new_traceparent()  # the engineer's request that queues the job
    app = create_app(settings)
    async with running_app(app) as client:
        _, version_id = await seed_dataset(app)
        async with transaction(app.state.tuneline.sessions) as session:
            await session.execute(
                sa.update(TrainingDatasetVersion)
                .where(TrainingDatasetVersion.version_id == version_id)  # type: ignore[arg-type]
                .values(trace_context=version_context)
            )
        body = {"dataset_version_id": str(version_id), "preset": "quick_start", "hyperparameters": FAST_JOB}
        headers = {**bearer(settings, "ml_engineer"), "traceparent": request_context}
        response = await client.post("/jobs", json=body, headers=headers)
        assert response.status_code == 201, response.text
        job_id = str(response.json()["id"])

        async with running_worker(app, settings):

            async def done() -> dict | None:
                state = await job_state(client, settings, job_id)
                return state if state["status"] in ("succeeded", "failed") else None

            job = await eventually(done, timeout_s=240, interval_s=0.5, what="job finished")
        assert job["status"] == "succeeded", job["failure_reason"]

        spans = recorded_spans()
        # This job's queueing only: other tests' apps may still queue jobs in this process.
        queue = [
            s
            for s in spans
            if s["name"] == "training.job.queue" and s["attributes"].get("dataset_version_id") == str(version_id)
        ]
        assert [s["trace_id"] for s in queue] == [request_trace], "queued inside the request's trace"
        assert [link["trace_id"] for link in queue[0]["links"]] == [version_trace], "linked to the version"
        runs = [s for s in spans if s["name"] == "training.job.run" and s["attributes"].get("job_id") == job_id]
        assert [s["trace_id"] for s in runs] == [request_trace], "the worker continued the job's trace"
        run_children = [s for s in spans if s["parent_span_id"] == runs[0]["span_id"]]
        assert run_children, "the worker's own work (its SQL) is inside the run span"

        for topic in ("job.queued", "job.started", "job.completed"):
            events = await outbox_payloads(app, topic, job_id)
            assert events, topic
            assert all(e["traceparent"].split("-")[1] == request_trace for e in events), (topic, events)
