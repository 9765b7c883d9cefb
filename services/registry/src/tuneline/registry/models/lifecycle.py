"""Model version lifecycle: stages, the transitions between them and the promotion rules.

Pure domain code (no I/O): a `RegisteredModel` aggregate owns its versions and aliases, so every rule that spans
versions ("only one version is in production", "the production alias follows promotion") is enforced in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Stage(StrEnum):
    TRAINING = "training"
    EVALUATION = "evaluation"
    STAGING = "staging"
    PRODUCTION = "production"
    DEPRECATED = "deprecated"
    ARCHIVED = "archived"


#: Allowed moves. Deprecated → production is how a rollback brings back the previous version; staging →
#: evaluation re-runs an evaluation; archived is terminal so an archived version can never serve again.
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.TRAINING: frozenset({Stage.EVALUATION, Stage.ARCHIVED}),
    Stage.EVALUATION: frozenset({Stage.STAGING, Stage.ARCHIVED}),
    Stage.STAGING: frozenset({Stage.PRODUCTION, Stage.EVALUATION, Stage.ARCHIVED}),
    Stage.PRODUCTION: frozenset({Stage.DEPRECATED}),
    Stage.DEPRECATED: frozenset({Stage.PRODUCTION, Stage.ARCHIVED}),
    Stage.ARCHIVED: frozenset(),
}

#: Aliases the platform moves itself; other aliases are free-form names people manage.
PRODUCTION_ALIAS = "production"
CANARY_ALIAS = "canary"


class LifecycleError(ValueError):
    """A lifecycle rule refused a change; the message says which rule."""


class InvalidTransition(LifecycleError):
    def __init__(self, version: int, current: Stage, target: Stage) -> None:
        self.version = version
        self.current = current
        self.target = target
        self.allowed = sorted(TRANSITIONS[current])
        allowed = ", ".join(s.value for s in self.allowed) or "none (terminal stage)"
        super().__init__(
            f"version {version}: cannot move from {current.value} to {target.value}; allowed from "
            f"{current.value}: {allowed}"
        )


class PromotionRefused(LifecycleError):
    def __init__(self, version: int, reasons: list[str]) -> None:
        self.version = version
        self.reasons = reasons
        super().__init__(f"version {version} cannot go to production: " + "; ".join(reasons))


class UnknownVersion(LifecycleError):
    def __init__(self, name: str, version: int) -> None:
        self.version = version
        super().__init__(f"model {name!r} has no version {version}")


@dataclass(frozen=True)
class EvaluationSummary:
    """What the registry keeps of an evaluation: enough to decide promotion and to write the model card."""

    evaluation_id: str
    passed: bool
    reasons: tuple[str, ...] = ()
    metrics_base: dict[str, float] = field(default_factory=dict)
    metrics_tuned: dict[str, float] = field(default_factory=dict)
    forgetting: dict[str, float] = field(default_factory=dict)
    review_required: bool = False


def needs_review(review_required_by_use_case: bool, evaluation: EvaluationSummary | None) -> bool:
    """A person must approve before production: the use case's policy says so, or the evaluation asked for it."""
    return review_required_by_use_case or (evaluation is not None and evaluation.review_required)


@dataclass(frozen=True)
class HumanReview:
    reviewer: str
    approved: bool
    at: datetime
    comment: str = ""


@dataclass(frozen=True)
class Lineage:
    """Where a version came from; ids are the other services' ids, kept as strings."""

    base_model: str
    adapter_uri: str | None
    usecase_id: str | None = None
    job_id: str | None = None
    dataset_version_id: str | None = None
    method: str = "lora"
    hyperparameters: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class StageChange:
    from_stage: Stage | None
    to_stage: Stage
    at: datetime
    actor: str
    reason: str = ""


@dataclass(frozen=True)
class ModelPolicy:
    """Per-model policy, normally copied from the use case's policy.

    When a review is required (by this policy or by the evaluation), it is satisfied only by at least
    `review_min_reviewers` distinct reviewers of whom at least `review_min_agreement` (a share, 0-1] approved.
    """

    human_review_required: bool = False
    auto_rollback: bool = True
    log_prompts: bool = False
    review_min_reviewers: int = 1
    review_min_agreement: float = 1.0


@dataclass
class ModelVersion:
    version: int
    lineage: Lineage
    stage: Stage
    evaluation: EvaluationSummary | None = None
    #: One verdict per reviewer (a second review by the same person replaces the first), in the order given.
    reviews: list[HumanReview] = field(default_factory=list)
    history: list[StageChange] = field(default_factory=list)

    @property
    def review(self) -> HumanReview | None:
        """The latest verdict (what the card and the job events show)."""
        return self.reviews[-1] if self.reviews else None

    def add_review(self, review: HumanReview) -> None:
        self.reviews = [r for r in self.reviews if r.reviewer != review.reviewer] + [review]

    def promotion_blockers(self, policy: ModelPolicy) -> list[str]:
        """Reasons this version may not serve traffic (production, blue/green or canary); empty when it may."""
        reasons: list[str] = []
        if self.evaluation is None:
            reasons.append("no evaluation recorded")
        elif not self.evaluation.passed:
            detail = "; ".join(self.evaluation.reasons) or "no reason given"
            reasons.append(f"evaluation {self.evaluation.evaluation_id} did not pass ({detail})")
        if needs_review(policy.human_review_required, self.evaluation):
            reasons.extend(review_blockers(self.reviews, policy))
        return reasons


def review_blockers(reviews: list[HumanReview], policy: ModelPolicy) -> list[str]:
    """What the recorded verdicts lack to satisfy the policy: distinct reviewers, then the share who approved."""
    needed = policy.review_min_reviewers
    if not reviews:
        return [f"a human review is required and none is recorded (needs {needed} {_reviewers(needed)}, has 0)"]
    reasons = []
    if len(reviews) < needed:
        reasons.append(f"needs {needed} {_reviewers(needed)}, has {len(reviews)}")
    approvals = sum(r.approved for r in reviews)
    # a small tolerance so 2 of 3 meets an agreement of 0.6667 written as a rounded share
    if approvals < policy.review_min_agreement * len(reviews) - 1e-9:
        against = ", ".join(r.reviewer for r in reviews if not r.approved)
        reasons.append(
            f"{approvals} of {len(reviews)} {_reviewers(len(reviews))} approved, the policy needs "
            f"{policy.review_min_agreement:.0%}; human review by {against} did not approve"
        )
    return reasons


def _reviewers(n: int) -> str:
    return "reviewer" if n == 1 else "reviewers"


@dataclass
class RegisteredModel:
    """A named model (one per use case and base) with its numbered versions and aliases."""

    name: str
    policy: ModelPolicy = field(default_factory=ModelPolicy)
    versions: dict[int, ModelVersion] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)
    #: Every stage change made through this object, in the order made (version number, change).
    journal: list[tuple[int, StageChange]] = field(default_factory=list)

    def register(
        self,
        lineage: Lineage,
        at: datetime,
        actor: str,
        stage: Stage = Stage.TRAINING,
        evaluation: EvaluationSummary | None = None,
    ) -> ModelVersion:
        """Adds the next version number. Registration may enter at training, evaluation or staging only."""
        if stage not in (Stage.TRAINING, Stage.EVALUATION, Stage.STAGING):
            raise LifecycleError(f"a new version cannot enter at stage {stage.value}; use training/evaluation/staging")
        if stage is Stage.STAGING and (evaluation is None or not evaluation.passed):
            raise LifecycleError("a new version can enter staging only with a passing evaluation")
        _require_aware(at)
        number = max(self.versions, default=0) + 1
        mv = ModelVersion(
            number, lineage, stage, evaluation, history=[StageChange(None, stage, at, actor, "registered")]
        )
        self.versions[number] = mv
        self.journal.append((number, mv.history[0]))
        return mv

    def get(self, version: int) -> ModelVersion:
        try:
            return self.versions[version]
        except KeyError:
            raise UnknownVersion(self.name, version) from None

    def resolve(self, ref: str | int) -> ModelVersion:
        """A version number, its string form, or an alias name."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            return self.get(int(ref))
        if ref not in self.aliases:
            raise LifecycleError(f"model {self.name!r} has no alias {ref!r}")
        return self.get(self.aliases[ref])

    @property
    def production(self) -> ModelVersion | None:
        number = self.aliases.get(PRODUCTION_ALIAS)
        return self.versions[number] if number is not None else None

    def record_evaluation(self, version: int, evaluation: EvaluationSummary) -> None:
        self.get(version).evaluation = evaluation

    def record_review(self, version: int, review: HumanReview) -> None:
        """Adds a reviewer's verdict; the same reviewer reviewing again replaces their earlier verdict."""
        _require_aware(review.at)
        self.get(version).add_review(review)

    def serving_blockers(self, version: int) -> list[str]:
        """Reasons `version` may not take any traffic under this model's policy (empty: it may)."""
        return self.get(version).promotion_blockers(self.policy)

    def transition(self, version: int, target: Stage, at: datetime, actor: str, reason: str = "") -> list[StageChange]:
        """Moves one version, applying side effects on others. Returns every change made, in order.

        Moving a version to production deprecates the one it replaces and moves the production alias; leaving
        production removes the alias (and any alias pointing at a version that gets archived).
        """
        mv = self.get(version)
        if target not in TRANSITIONS[mv.stage]:
            raise InvalidTransition(version, mv.stage, target)
        changes: list[StageChange] = []
        if target is Stage.PRODUCTION:
            blockers = mv.promotion_blockers(self.policy)
            if blockers:
                raise PromotionRefused(version, blockers)
            current = self.production
            if current is not None and current.version != version:
                changes.append(self._move(current, Stage.DEPRECATED, at, actor, f"replaced by version {version}"))
            changes.append(self._move(mv, target, at, actor, reason))
            self.aliases[PRODUCTION_ALIAS] = version
            if self.aliases.get(CANARY_ALIAS) == version:
                del self.aliases[CANARY_ALIAS]
            return changes
        changes.append(self._move(mv, target, at, actor, reason))
        if target in (Stage.DEPRECATED, Stage.ARCHIVED):
            for alias in [a for a, v in self.aliases.items() if v == version]:
                del self.aliases[alias]
        return changes

    def rollback(self, at: datetime, actor: str, reason: str) -> tuple[ModelVersion, ModelVersion]:
        """Production goes back to the most recently deprecated version. Returns (rolled back, restored)."""
        current = self.production
        if current is None:
            raise LifecycleError(f"model {self.name!r} has no production version to roll back")
        previous = self._previous_production(current.version)
        if previous is None:
            raise LifecycleError(f"model {self.name!r}: no deprecated version to roll back to")
        self._move(current, Stage.DEPRECATED, at, actor, f"rolled back: {reason}")
        self._move(previous, Stage.PRODUCTION, at, actor, f"restored by rollback of version {current.version}")
        self.aliases[PRODUCTION_ALIAS] = previous.version
        return current, previous

    def set_alias(self, alias: str, version: int) -> None:
        """Points a free alias (or 'canary') at a version; 'production' only moves through promotion."""
        if not alias or not alias.replace("-", "").replace("_", "").isalnum() or alias.isdigit():
            raise LifecycleError(f"alias {alias!r}: use letters, digits, '-' or '_', not only digits")
        if alias == PRODUCTION_ALIAS:
            raise LifecycleError("the 'production' alias follows promotion; promote a version instead")
        mv = self.get(version)
        if mv.stage in (Stage.ARCHIVED, Stage.TRAINING):
            raise LifecycleError(f"alias {alias!r} cannot point at version {version} in stage {mv.stage.value}")
        if alias == CANARY_ALIAS and mv.stage is not Stage.STAGING:
            raise LifecycleError(f"the canary alias needs a version in staging; version {version} is {mv.stage.value}")
        self.aliases[alias] = version

    def remove_alias(self, alias: str) -> None:
        if alias == PRODUCTION_ALIAS:
            raise LifecycleError("the 'production' alias cannot be removed by hand")
        self.aliases.pop(alias, None)

    def _previous_production(self, excluding: int) -> ModelVersion | None:
        """The deprecated version that most recently left production."""
        best: tuple[datetime, ModelVersion] | None = None
        for mv in self.versions.values():
            if mv.version == excluding or mv.stage is not Stage.DEPRECATED:
                continue
            left = [c.at for c in mv.history if c.from_stage is Stage.PRODUCTION]
            if left and (best is None or max(left) > best[0]):
                best = (max(left), mv)
        return best[1] if best else None

    def _move(self, mv: ModelVersion, target: Stage, at: datetime, actor: str, reason: str) -> StageChange:
        _require_aware(at)
        change = StageChange(mv.stage, target, at, actor, reason)
        mv.stage = target
        mv.history.append(change)
        self.journal.append((mv.version, change))
        return change


def _require_aware(at: datetime) -> None:
    # Naive datetimes are ambiguous and the database stores timestamptz; refuse them at the domain edge.
    if at.tzinfo is None or at.utcoffset() is None:
        raise LifecycleError(f"timestamp {at.isoformat()} has no timezone; use timezone-aware UTC")
