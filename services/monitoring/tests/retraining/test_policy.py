import itertools
from datetime import UTC, datetime, timedelta

import pytest

from tuneline.monitoring.retraining.policy import (
    DatasetVersion,
    RetrainAction,
    RetrainPolicy,
    RetrainTrigger,
    decide_retrain,
    next_allowed_at,
    schedule_due,
)

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
V1 = DatasetVersion("ds-1", "1", T0 - timedelta(days=30))
V2 = DatasetVersion("ds-1", "2", T0 - timedelta(days=1))
POLICY = RetrainPolicy(usecase_id="uc-1", cooldown=timedelta(hours=6), max_actions=3, window=timedelta(days=7))


def test_drift_with_a_newer_dataset_requests_a_retrain_on_it() -> None:
    decision = decide_retrain(
        POLICY, RetrainTrigger.DRIFT, now=T0, past_actions=[], newest_dataset=V2, trained_on=V1, detail="token PSI 0.41"
    )
    assert decision.action is RetrainAction.RETRAIN and decision.acts
    assert decision.dataset == V2
    assert decision.reason.startswith("drift: token PSI 0.41; dataset ds-1 v2 is newer")


def test_drift_without_newer_data_asks_the_data_owner() -> None:
    decision = decide_retrain(
        POLICY, RetrainTrigger.QUALITY_DEGRADATION, now=T0, past_actions=[], newest_dataset=V1, trained_on=V1
    )
    assert decision.action is RetrainAction.REQUEST_NEW_DATA and decision.acts
    assert "new representative data is needed" in decision.reason


def test_cooldown_suppresses_and_says_when_the_next_action_is_allowed() -> None:
    decision = decide_retrain(
        POLICY,
        RetrainTrigger.DRIFT,
        now=T0,
        past_actions=[T0 - timedelta(hours=2)],
        newest_dataset=V2,
        trained_on=V1,
    )
    assert decision.action is RetrainAction.SUPPRESSED and not decision.acts
    assert decision.next_allowed_at == T0 + timedelta(hours=4)


def test_window_cap_waits_for_the_oldest_action_to_age_out() -> None:
    past = [T0 - timedelta(days=6), T0 - timedelta(days=3), T0 - timedelta(days=1)]
    assert next_allowed_at(POLICY, past, T0) == T0 + timedelta(days=1)
    assert next_allowed_at(POLICY, past[1:], T0) is None


def test_persistent_drift_cannot_loop_retrains() -> None:
    """Drift reported every 10 minutes for 30 days: acts at most 3 times per 7 days and 6 h apart."""
    actions: list[datetime] = []
    now = T0
    while now < T0 + timedelta(days=30):
        decision = decide_retrain(
            POLICY, RetrainTrigger.DRIFT, now=now, past_actions=actions, newest_dataset=V2, trained_on=V1
        )
        if decision.acts:
            actions.append(now)
        now += timedelta(minutes=10)
    gaps = [b - a for a, b in itertools.pairwise(actions)]
    assert all(gap >= POLICY.cooldown for gap in gaps)
    for start in actions:
        assert sum(start <= t < start + POLICY.window for t in actions) <= POLICY.max_actions
    # bursts of 3 (0 h, 6 h, 12 h) starting on days 0, 7, 14, 21 and 28
    assert len(actions) == 15


def test_disabled_or_unsubscribed_triggers_are_ignored() -> None:
    off = RetrainPolicy(usecase_id="uc-1", enabled=False)
    assert (
        decide_retrain(off, RetrainTrigger.DRIFT, now=T0, past_actions=[], newest_dataset=V2, trained_on=V1).action
        is RetrainAction.IGNORED
    )
    quality_only = RetrainPolicy(usecase_id="uc-1", on_drift=False)
    decision = decide_retrain(
        quality_only, RetrainTrigger.DRIFT, now=T0, past_actions=[], newest_dataset=V2, trained_on=V1
    )
    assert decision.action is RetrainAction.IGNORED and decision.reason == "policy does not retrain on drift"


def test_schedule_is_due_after_its_period() -> None:
    weekly = RetrainPolicy(usecase_id="uc-1", schedule_every=timedelta(days=7))
    assert schedule_due(weekly, None, T0)
    assert not schedule_due(weekly, T0 - timedelta(days=6), T0)
    assert schedule_due(weekly, T0 - timedelta(days=7), T0)
    assert not schedule_due(POLICY, None, T0)


def test_policy_names_the_bad_field() -> None:
    with pytest.raises(ValueError, match="max_actions"):
        RetrainPolicy(usecase_id="u", max_actions=0)
    with pytest.raises(ValueError, match="usecase_id"):
        RetrainPolicy(usecase_id="")
