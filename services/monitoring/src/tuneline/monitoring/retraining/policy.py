"""Retraining policy per use case: when drift or degraded quality calls for a new model, and how often.

A trigger leads to a retrain on the newest dataset version when one exists that the serving model was not
trained on; otherwise the data owner is asked for new data (retraining on the same data would reproduce the
same model). Both actions are rate-limited by a cooldown after the last action and a maximum number of
actions per sliding window, so a drift that persists while a retrain is under way cannot start a loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class RetrainTrigger(StrEnum):
    DRIFT = "drift"
    QUALITY_DEGRADATION = "quality_degradation"
    SCHEDULE = "schedule"


class RetrainAction(StrEnum):
    RETRAIN = "retrain"
    REQUEST_NEW_DATA = "request_new_data"
    SUPPRESSED = "suppressed"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class RetrainPolicy:
    usecase_id: str
    enabled: bool = True
    on_drift: bool = True
    on_quality_degradation: bool = True
    cooldown: timedelta = timedelta(hours=24)
    max_actions: int = 3
    window: timedelta = timedelta(days=7)
    # Periodic retraining on the newest data, independent of drift; None turns it off.
    schedule_every: timedelta | None = None

    def __post_init__(self) -> None:
        if not self.usecase_id:
            raise ValueError("usecase_id: must not be empty")
        if self.cooldown < timedelta(0):
            raise ValueError(f"cooldown: must be >= 0, got {self.cooldown}")
        if self.max_actions < 1:
            raise ValueError(f"max_actions: must be >= 1, got {self.max_actions}")
        if self.window <= timedelta(0):
            raise ValueError(f"window: must be positive, got {self.window}")
        if self.schedule_every is not None and self.schedule_every <= timedelta(0):
            raise ValueError(f"schedule_every: must be positive, got {self.schedule_every}")


@dataclass(frozen=True, slots=True)
class DatasetVersion:
    dataset_id: str
    version: str
    ready_at: datetime


@dataclass(frozen=True, slots=True)
class RetrainDecision:
    action: RetrainAction
    usecase_id: str
    trigger: RetrainTrigger
    reason: str
    decided_at: datetime
    dataset: DatasetVersion | None = None
    next_allowed_at: datetime | None = None

    @property
    def acts(self) -> bool:
        """True when something is sent (a retrain request or a request for data) and so counts for limits."""
        return self.action in (RetrainAction.RETRAIN, RetrainAction.REQUEST_NEW_DATA)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action.value,
            "usecase_id": self.usecase_id,
            "trigger": self.trigger.value,
            "reason": self.reason,
            "decided_at": self.decided_at.isoformat(),
            "dataset_id": self.dataset.dataset_id if self.dataset else None,
            "dataset_version": self.dataset.version if self.dataset else None,
            "next_allowed_at": self.next_allowed_at.isoformat() if self.next_allowed_at else None,
        }


def next_allowed_at(policy: RetrainPolicy, past_actions: Sequence[datetime], now: datetime) -> datetime | None:
    """When the next action may happen, or None if it may happen now."""
    limits: list[datetime] = []
    if past_actions:
        after_cooldown = max(past_actions) + policy.cooldown
        if after_cooldown > now:
            limits.append(after_cooldown)
    recent = sorted(t for t in past_actions if t > now - policy.window)
    if len(recent) >= policy.max_actions:
        # The window frees a slot when enough of the oldest recent actions have aged out of it.
        limits.append(recent[len(recent) - policy.max_actions] + policy.window)
    return max(limits) if limits else None


def schedule_due(policy: RetrainPolicy, last_retrain_at: datetime | None, now: datetime) -> bool:
    if policy.schedule_every is None or not policy.enabled:
        return False
    return last_retrain_at is None or now >= last_retrain_at + policy.schedule_every


def decide_retrain(
    policy: RetrainPolicy,
    trigger: RetrainTrigger,
    *,
    now: datetime,
    past_actions: Sequence[datetime],
    newest_dataset: DatasetVersion | None,
    trained_on: DatasetVersion | None,
    detail: str = "",
) -> RetrainDecision:
    """Decide what a trigger leads to; `past_actions` are the times of earlier decisions that acted."""
    because = f"{trigger.value}{': ' + detail if detail else ''}"

    def decision(action: RetrainAction, reason: str, **extra: Any) -> RetrainDecision:
        return RetrainDecision(
            action=action, usecase_id=policy.usecase_id, trigger=trigger, reason=reason, decided_at=now, **extra
        )

    if not policy.enabled:
        return decision(RetrainAction.IGNORED, f"retraining policy is disabled ({because})")
    if (trigger is RetrainTrigger.DRIFT and not policy.on_drift) or (
        trigger is RetrainTrigger.QUALITY_DEGRADATION and not policy.on_quality_degradation
    ):
        return decision(RetrainAction.IGNORED, f"policy does not retrain on {trigger.value}")
    wait_until = next_allowed_at(policy, past_actions, now)
    if wait_until is not None:
        return decision(
            RetrainAction.SUPPRESSED,
            f"rate limit (cooldown {policy.cooldown}, at most {policy.max_actions} per {policy.window}): {because}",
            next_allowed_at=wait_until,
        )
    if newest_dataset is not None and newest_dataset != trained_on:
        return decision(
            RetrainAction.RETRAIN,
            f"{because}; dataset {newest_dataset.dataset_id} v{newest_dataset.version} is newer than the "
            "serving model's training data",
            dataset=newest_dataset,
        )
    return decision(
        RetrainAction.REQUEST_NEW_DATA,
        f"{because}; no dataset version newer than the serving model's training data, "
        "new representative data is needed",
        dataset=trained_on,
    )
