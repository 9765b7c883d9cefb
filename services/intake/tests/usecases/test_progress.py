from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from tuneline.common.events import (
    DeploymentUpdated,
    EvaluationCompleted,
    JobQueued,
    JobStarted,
    ModelPromoted,
    ModelRegistered,
)
from tuneline.intake.usecases.lifecycle import Action, Status
from tuneline.intake.usecases.progress import fold, headline, system_actions

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
UC, JOB, MODEL, V1, V2 = uuid4(), uuid4(), uuid4(), uuid4(), uuid4()


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _build():
    common = {"producer": "test", "usecase_id": UC}
    return [
        JobQueued(**common, occurred_at=at(1), job_id=JOB, dataset_version_id=uuid4(), base_model="m", method="lora"),
        JobStarted(**common, occurred_at=at(2), job_id=JOB, worker="w1"),
        EvaluationCompleted(
            **common,
            occurred_at=at(3),
            evaluation_id=uuid4(),
            job_id=JOB,
            dataset_version_id=uuid4(),
            task_type="classification",
            base_model="m",
            adapter_uri="file:///a",
            passed=True,
            reasons=["ok"],
            metrics_tuned={"accuracy": 0.95},
            metrics_base={"accuracy": 0.2},
        ),
        ModelRegistered(
            **common, occurred_at=at(4), model_id=MODEL, version_id=V1, name="tickets", version=1, stage="staging"
        ),
        ModelPromoted(
            **common,
            occurred_at=at(5),
            model_id=MODEL,
            version_id=V1,
            name="tickets",
            version=1,
            from_stage="staging",
            to_stage="production",
            promoted_by="rita",
        ),
        ModelRegistered(
            **common, occurred_at=at(6), model_id=MODEL, version_id=V2, name="tickets", version=2, stage="staging"
        ),
        DeploymentUpdated(
            **common,
            occurred_at=at(7),
            model_id=MODEL,
            deployment_id=uuid4(),
            name="tickets",
            stable_version_id=V1,
            canary_version_id=V2,
            canary_weight=0.1,
            status="healthy",
        ),
    ]


EVENTS = _build()


def events():
    return list(EVENTS)


def fold_all(sequence):
    progress: dict = {}
    for event in sequence:
        progress = fold(progress, event)
    return progress


def test_folding_in_any_order_or_twice_gives_the_same_progress():
    in_order = fold_all(events())
    for permutation in itertools.islice(itertools.permutations(events()), 0, 5040, 97):
        assert fold_all(permutation) == in_order
    assert fold_all(events() + events()[::-1]) == in_order


def test_the_latest_fact_sets_stage_and_sections_not_the_latest_arrival():
    progress = fold_all(events()[::-1])  # newest first
    assert progress["stage"]["label"] == "deployment healthy"
    assert progress["job"]["status"] == "started"  # job.started (09:02) beats job.queued (09:01)
    assert progress["deployment"]["canary_weight"] == 0.1


def test_promotion_that_arrives_before_registration_keeps_the_promoted_stage():
    registered, promoted = events()[3], events()[4]
    assert fold_all([promoted, registered])["models"][str(V1)]["stage"] == "production"


def test_headline_lists_versions_newest_first_with_production_and_metrics():
    view = headline(fold_all(events()))
    assert [(m["version"], m["stage"]) for m in view["model_versions"]] == [(2, "staging"), (1, "production")]
    assert view["production_version"] == 1
    assert view["headline_metrics"] == {"accuracy": 0.95}
    assert view["evaluation_passed"] is True
    assert view["deployment_status"] == "healthy"
    assert view["stage"] == "deployment healthy"


def test_downstream_work_moves_an_approved_use_case_forward_only():
    job_started, deployed = events()[1], events()[6]
    assert system_actions(Status.APPROVED, job_started) == (Action.START_WORK,)
    assert system_actions(Status.APPROVED, deployed) == (Action.START_WORK, Action.DEPLOY)
    assert system_actions(Status.IN_PROGRESS, deployed) == (Action.DEPLOY,)
    assert system_actions(Status.IN_PROGRESS, job_started) == ()
    assert system_actions(Status.DEPLOYED, job_started) == ()  # a late fact never moves a status back
    assert system_actions(Status.IN_REVIEW, job_started) == ()


def test_a_deployment_that_is_not_healthy_does_not_count_as_deployed():
    failing = events()[6].model_copy(update={"status": "failed"})
    assert system_actions(Status.IN_PROGRESS, failing) == ()
