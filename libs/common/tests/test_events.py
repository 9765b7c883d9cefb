"""The event catalogue: one valid example per topic, partition keys, the envelope, and the outbox type guard."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common import events as ev
from tuneline.common.messaging import add_event

U = UUID("11111111-1111-4111-8111-111111111111")  # use case
J = UUID("22222222-2222-4222-8222-222222222222")  # job
D = UUID("33333333-3333-4333-8333-333333333333")  # dataset
V = UUID("44444444-4444-4444-8444-444444444444")  # version
M = UUID("55555555-5555-4555-8555-555555555555")  # model / evaluation / alert / deployment
S = UUID("66666666-6666-4666-8666-666666666666")  # hyperparameter study

# One realistic payload per topic (envelope fields other than producer are left to their defaults).
EXAMPLES: dict[str, dict[str, Any]] = {
    "usecase.submitted": {
        "usecase_id": U,
        "title": "Classify maintenance logs",
        "industry": "manufacturing",
        "task_type": "classification",
        "submitted_by": "alice",
    },
    "usecase.approved": {
        "usecase_id": U,
        "title": "Classify maintenance logs",
        "industry": "manufacturing",
        "task_type": "classification",
        "base_model": "smollm2-135m-instruct",
        "method": "lora",
        "kpi_targets": {"accuracy": 0.9},
        "labels": ["electrical", "mechanical"],
        "approved_by": "rita",
    },
    "usecase.rejected": {"usecase_id": U, "reason": "no business owner", "rejected_by": "rita"},
    "usecase.retired": {
        "usecase_id": U,
        "reason": "replaced by a RAG assistant",
        "retired_by": "ada",
        "team": "plant-ops",
    },
    "usecase.erased": {"usecase_id": U, "reason": "GDPR art. 17 request #7", "erased_by": "ada", "team": "plant-ops"},
    "usecase.intake-requested": {
        "source_system": "servicenow",
        "external_ref": "RITM0012345",
        "requested_by": "bob",
        "form": {"title": "Summarise incidents"},
    },
    "dataset.ready": {
        "usecase_id": U,
        "dataset_id": D,
        "version_id": V,
        "version_number": 1,
        "content_hash": "ab" * 32,
        "record_format": "classification",
        "split_uris": {"train": "s3://b/train.jsonl", "validation": "s3://b/val.jsonl", "test": "s3://b/test.jsonl"},
        "record_counts": {"train": 80, "validation": 10, "test": 10},
        "token_stats": {"total": 4000, "mean": 40.0, "p95": 70.0, "max": 90, "tokenizer": "smollm2"},
        "fields": ["text", "label"],
        "labels": ["electrical", "mechanical"],
        "quality_score": 91.5,
    },
    "dataset.rejected": {"usecase_id": U, "dataset_id": D, "version_id": V, "reasons": ["too few records"]},
    "dataset.erased": {
        "usecase_id": U,
        "erasure_id": M,
        "dataset_id": D,
        "version_ids": [V],
        "whole_dataset": True,
        "team": "plant-ops",
        "requested_by": "alice",
        "reason": "GDPR art. 17 request #42",
    },
    "erasure.applied": {
        "usecase_id": U,
        "erasure_id": M,
        "dataset_id": D,
        "version_ids": [V],
        "service": "registry",
        "counts": {"archived": 1},
        "model_version_ids": [M],
    },
    "job.queued": {
        "usecase_id": U,
        "job_id": J,
        "dataset_version_id": V,
        "base_model": "smollm2-135m-instruct",
        "method": "lora",
    },
    "job.started": {"usecase_id": U, "job_id": J, "worker": "worker-1"},
    "job.progress": {"usecase_id": U, "job_id": J, "step": 10, "total_steps": 30, "epoch": 0.33, "train_loss": 1.2},
    "job.completed": {
        "usecase_id": U,
        "job_id": J,
        "dataset_id": D,
        "dataset_version_id": V,
        "task_type": "classification",
        "base_model": "smollm2-135m-instruct",
        "method": "lora",
        "adapter_uri": "s3://b/jobs/j/adapter",
    },
    "job.failed": {"usecase_id": U, "job_id": J, "reason": "out of memory"},
    "job.cancelled": {"usecase_id": U, "job_id": J, "cancelled_by": "alice"},
    "study.completed": {
        "usecase_id": U,
        "study_id": S,
        "best_job_id": J,
        "best_value": 0.42,
        "trials": {"complete": 3, "pruned": 1},
        "best_trial": {
            "producer": "training",
            "usecase_id": U,
            "job_id": J,
            "dataset_id": D,
            "dataset_version_id": V,
            "task_type": "classification",
            "base_model": "smollm2-135m-instruct",
            "method": "lora",
            "adapter_uri": "s3://b/jobs/j/adapter",
            "study_id": S,
        },
    },
    "evaluation.completed": {
        "usecase_id": U,
        "evaluation_id": M,
        "job_id": J,
        "dataset_version_id": V,
        "task_type": "classification",
        "base_model": "smollm2-135m-instruct",
        "adapter_uri": "s3://b/jobs/j/adapter",
        "passed": True,
        "reasons": ["accuracy 0.98 ≥ target 0.9"],
        "metrics_tuned": {"accuracy": 0.98},
    },
    "model.registered": {
        "usecase_id": U,
        "model_id": M,
        "version_id": V,
        "name": "maint-logs",
        "version": 1,
        "stage": "staging",
    },
    "model.promoted": {
        "usecase_id": U,
        "model_id": M,
        "version_id": V,
        "name": "maint-logs",
        "version": 1,
        "from_stage": "staging",
        "to_stage": "production",
        "promoted_by": "rita",
    },
    "deployment.updated": {
        "usecase_id": U,
        "model_id": M,
        "deployment_id": D,
        "name": "maint-logs",
        "canary_weight": 0.1,
        "status": "healthy",
    },
    "model.rolled_back": {
        "usecase_id": U,
        "model_id": M,
        "name": "maint-logs",
        "from_version_id": V,
        "to_version_id": None,
        "reason": "canary error rate",
    },
    "inference.logged": {
        "request_id": "req-1",
        "model_name": "maint-logs",
        "latency_ms": 12.5,
        "tokens_in": 30,
        "tokens_out": 4,
    },
    "drift.detected": {
        "usecase_id": U,
        "model_name": "maint-logs",
        "detector": "prompt_length_ks",
        "statistic": 0.4,
        "threshold": 0.2,
        "reference_size": 500,
        "window_size": 200,
    },
    "alert.raised": {
        "alert_id": M,
        "model_name": "maint-logs",
        "rule": "error_rate",
        "severity": "critical",
        "metric": "error_rate",
        "value": 0.2,
        "threshold": 0.05,
        "message": "error rate 20% > 5%",
        "action": "rollback_canary",
    },
    "retrain.requested": {"usecase_id": U, "reason": "drift detected"},
    "deadletter": {
        "original_topic": "job.queued",
        "consumer_group": "training",
        "reason": "invalid payload",
        "payload": "{}",
    },
}

# The id each topic's events are partitioned by (hand-picked from the examples above).
EXPECTED_KEYS: dict[str, str] = {
    "usecase.intake-requested": "RITM0012345",
    "job.queued": str(J),
    "job.started": str(J),
    "job.progress": str(J),
    "job.completed": str(J),
    "job.failed": str(J),
    "job.cancelled": str(J),
    "study.completed": str(S),
    "inference.logged": "maint-logs",
    "alert.raised": "maint-logs",
    "deadletter": "job.queued",
}


def _build(topic: ev.Topic[Any]) -> ev.Event:
    return topic.model(producer="unit-test", **EXAMPLES[topic.name])


def test_every_topic_has_an_example_here() -> None:
    assert set(EXAMPLES) == {t.name for t in ev.ALL_TOPICS}


def test_topic_names_are_unique_and_indexed() -> None:
    names = [t.name for t in ev.ALL_TOPICS]
    assert len(names) == len(set(names))
    assert all(ev.TOPICS_BY_NAME[n].name == n for n in names)


@pytest.mark.parametrize("topic", ev.ALL_TOPICS, ids=lambda t: t.name)
def test_model_validates_its_example_and_round_trips_as_json(topic: ev.Topic[Any]) -> None:
    event = _build(topic)
    assert event.type == topic.name, "an event's type is the name of the topic it travels on"
    wire = event.model_dump_json()
    again = topic.model.model_validate_json(wire)
    assert again == event
    body = json.loads(wire)
    for field in ("event_id", "type", "occurred_at", "producer", "schema_version", "usecase_id"):
        assert field in body, f"envelope field {field} missing from {topic.name}"
    assert body["producer"] == "unit-test"
    assert body["schema_version"] == ev.SCHEMA_VERSION


@pytest.mark.parametrize("topic", ev.ALL_TOPICS, ids=lambda t: t.name)
def test_partition_key_is_the_subject_id(topic: ev.Topic[Any]) -> None:
    expected = EXPECTED_KEYS.get(topic.name, str(U))
    assert topic.key_of(_build(topic)) == expected.encode()


def test_event_without_a_subject_has_no_key() -> None:
    event = ev.RetrainRequested(producer="p", usecase_id=U, reason="r")
    assert ev.RETRAIN_REQUESTED.key_of(event) == str(U).encode()
    logged = ev.InferenceLogged(producer="p", request_id="r", model_name="m", latency_ms=1, tokens_in=1, tokens_out=1)
    assert logged.usecase_id is None


def test_envelope_defaults_are_unique_ids_and_aware_utc_times() -> None:
    a = _build(ev.USECASE_SUBMITTED)
    b = _build(ev.USECASE_SUBMITTED)
    assert a.event_id != b.event_id
    assert a.occurred_at.tzinfo is not None
    assert a.occurred_at.utcoffset() == UTC.utcoffset(datetime.now(UTC))


def test_unknown_field_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError) as info:
        ev.JobFailed(producer="p", usecase_id=U, job_id=J, reason="x", surprise=1)  # type: ignore[call-arg]
    assert "surprise" in str(info.value)


def test_missing_payload_field_is_refused_naming_it() -> None:
    payload = {k: v for k, v in EXAMPLES["job.queued"].items() if k != "dataset_version_id"}
    with pytest.raises(ValidationError) as info:
        ev.JobQueued(producer="p", **payload)
    assert "dataset_version_id" in str(info.value)


def test_type_of_another_topic_is_refused() -> None:
    with pytest.raises(ValidationError):
        ev.JobFailed(producer="p", type="job.completed", usecase_id=U, job_id=J, reason="x")


def test_events_are_immutable() -> None:
    event = _build(ev.JOB_FAILED)
    with pytest.raises(ValidationError):
        event.reason = "changed"  # type: ignore[misc]


def test_value_bounds_are_enforced() -> None:
    with pytest.raises(ValidationError, match="canary_weight"):
        ev.DeploymentUpdated(producer="p", **{**EXAMPLES["deployment.updated"], "canary_weight": 1.5})


def test_lifecycle_topics_are_exactly_those_with_a_required_usecase() -> None:
    lifecycle = {t.name for t in ev.USECASE_LIFECYCLE_TOPICS}
    assert "usecase.submitted" in lifecycle and "job.completed" in lifecycle
    for name in ("inference.logged", "alert.raised", "usecase.intake-requested", "deadletter"):
        assert name not in lifecycle


async def test_add_event_refuses_an_event_of_another_topic() -> None:
    session = AsyncSession()  # never reaches the database: the type check comes first
    event = ev.JobFailed(producer="p", usecase_id=U, job_id=J, reason="x")
    with pytest.raises(TypeError) as info:
        await add_event(session, ev.JOB_COMPLETED, event)
    assert "JobFailed" in str(info.value) and "job.completed" in str(info.value)
    assert not session.new, "nothing was staged"
