"""A dataset version belongs to its use case's story: the data service keeps the approval's trace context
(usecase.approved, over the real broker) and links every version it records to it."""

from __future__ import annotations

import pytest

from tuneline.common.events import USECASE_APPROVED
from tuneline.common.messaging import publish_now
from tuneline.common.testing.fixtures import new_traceparent
from tuneline.common.testing.helpers import eventually
from tuneline.data.usecases.tables import DataUseCase

from ..conftest import approval
from .test_api_integration import tickets_csv

pytestmark = pytest.mark.integration


async def test_upload_links_its_version_to_the_approval_trace_and_dataset_ready_carries_the_upload(
    data_service, recorded_spans
) -> None:
    approval_trace, approval_context = new_traceparent()
    upload_trace, upload_context = new_traceparent()
    async with data_service() as svc:
        event = approval(labels=["hydraulic", "electrical"]).model_copy(update={"traceparent": approval_context})
        await publish_now(svc.state.broker, USECASE_APPROVED, event)

        async def recorded() -> DataUseCase | None:
            async with svc.state.sessions() as session:
                return await session.get(DataUseCase, event.usecase_id)

        usecase = await eventually(recorded, timeout_s=30, what="use case recorded")
        assert usecase.trace_context == approval_context
        dataset_id = await svc.create_dataset(usecase.usecase_id)
        r = await svc.client.post(
            f"/datasets/{dataset_id}/versions",
            files={"file": ("tickets.csv", tickets_csv())},
            data={"split": "80/10/10", "seed": "7"},
            headers={**svc.auth("data_owner"), "traceparent": upload_context},
        )
        assert r.status_code == 201, r.text

        spans = recorded_spans()
        [record] = [s for s in spans if s["name"] == "data.version.record" and s["trace_id"] == upload_trace]
        assert [link["trace_id"] for link in record["links"]] == [approval_trace]
        assert record["attributes"]["usecase_id"] == str(usecase.usecase_id)
        [ready] = await svc.outbox("dataset.ready", dataset_id)
        _, trace_id, span_id, _ = ready["traceparent"].split("-")
        assert (trace_id, span_id) == (upload_trace, record["span_id"]), "dataset.ready names the step that caused it"
