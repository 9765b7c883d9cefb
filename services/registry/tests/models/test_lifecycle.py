from datetime import UTC, datetime, timedelta

import pytest

from tuneline.registry.models.lifecycle import (
    CANARY_ALIAS,
    PRODUCTION_ALIAS,
    EvaluationSummary,
    HumanReview,
    InvalidTransition,
    LifecycleError,
    Lineage,
    ModelPolicy,
    PromotionRefused,
    RegisteredModel,
    Stage,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PASSED = EvaluationSummary("ev-1", passed=True, reasons=("accuracy 0.98 >= 0.9",))
FAILED = EvaluationSummary("ev-2", passed=False, reasons=("general perplexity rose 2.1x",))


def lineage(n: int = 1) -> Lineage:
    return Lineage(base_model="smollm2-135m-instruct", adapter_uri=f"s3://adapters/job-{n}", job_id=f"job-{n}")


def staged(model: RegisteredModel, n: int = 1, evaluation: EvaluationSummary = PASSED) -> int:
    return model.register(lineage(n), T0, "registry", Stage.EVALUATION, evaluation).version


def in_production(model: RegisteredModel, n: int, at: datetime) -> int:
    v = staged(model, n)
    model.transition(v, Stage.STAGING, at, "alice")
    model.transition(v, Stage.PRODUCTION, at, "alice")
    return v


def test_versions_are_numbered_in_registration_order() -> None:
    model = RegisteredModel("maint")
    assert [model.register(lineage(i), T0, "x").version for i in range(3)] == [1, 2, 3]


def test_full_path_from_training_to_archived_is_allowed() -> None:
    model = RegisteredModel("maint")
    v = model.register(lineage(), T0, "x").version
    model.record_evaluation(v, PASSED)
    for stage in (Stage.EVALUATION, Stage.STAGING, Stage.PRODUCTION, Stage.DEPRECATED, Stage.ARCHIVED):
        model.transition(v, stage, T0, "alice")
    assert [c.to_stage for c in model.get(v).history] == [
        Stage.TRAINING,
        Stage.EVALUATION,
        Stage.STAGING,
        Stage.PRODUCTION,
        Stage.DEPRECATED,
        Stage.ARCHIVED,
    ]


def test_skipping_a_stage_is_refused_and_the_error_lists_the_allowed_targets() -> None:
    model = RegisteredModel("maint")
    v = model.register(lineage(), T0, "x").version
    with pytest.raises(InvalidTransition) as exc:
        model.transition(v, Stage.PRODUCTION, T0, "alice")
    assert exc.value.allowed == [Stage.ARCHIVED, Stage.EVALUATION]
    assert "allowed from training: archived, evaluation" in str(exc.value)
    assert model.get(v).stage is Stage.TRAINING


def test_archived_is_terminal() -> None:
    model = RegisteredModel("maint")
    v = model.register(lineage(), T0, "x").version
    model.transition(v, Stage.ARCHIVED, T0, "alice")
    with pytest.raises(InvalidTransition, match="none \\(terminal stage\\)"):
        model.transition(v, Stage.EVALUATION, T0, "alice")


def test_promotion_needs_a_passing_evaluation_and_names_why() -> None:
    model = RegisteredModel("maint")
    v = staged(model, evaluation=FAILED)
    model.transition(v, Stage.STAGING, T0, "alice")
    with pytest.raises(PromotionRefused) as exc:
        model.transition(v, Stage.PRODUCTION, T0, "alice")
    assert exc.value.reasons == ["evaluation ev-2 did not pass (general perplexity rose 2.1x)"]
    assert model.get(v).stage is Stage.STAGING
    assert PRODUCTION_ALIAS not in model.aliases


def test_promotion_without_any_evaluation_is_refused() -> None:
    model = RegisteredModel("maint")
    v = model.register(lineage(), T0, "x").version
    model.transition(v, Stage.EVALUATION, T0, "x")
    model.transition(v, Stage.STAGING, T0, "x")
    with pytest.raises(PromotionRefused, match="no evaluation recorded"):
        model.transition(v, Stage.PRODUCTION, T0, "alice")


def test_use_case_requiring_review_blocks_promotion_until_an_approving_review() -> None:
    model = RegisteredModel("maint", ModelPolicy(human_review_required=True))
    v = staged(model)
    model.transition(v, Stage.STAGING, T0, "alice")
    with pytest.raises(PromotionRefused, match="a human review is required and none is recorded"):
        model.transition(v, Stage.PRODUCTION, T0, "alice")
    model.record_review(v, HumanReview("bob", approved=False, at=T0))
    with pytest.raises(PromotionRefused, match="human review by bob did not approve"):
        model.transition(v, Stage.PRODUCTION, T0, "alice")
    # another reviewer's approval does not outvote bob under the default (unanimous) policy ...
    model.record_review(v, HumanReview("carol", approved=True, at=T0))
    with pytest.raises(PromotionRefused, match="1 of 2 reviewers approved, the policy needs 100%"):
        model.transition(v, Stage.PRODUCTION, T0, "alice")
    # ... bob changing his mind replaces his verdict
    model.record_review(v, HumanReview("bob", approved=True, at=T0 + timedelta(hours=1), comment="fixed"))
    assert [(r.reviewer, r.approved) for r in model.get(v).reviews] == [("carol", True), ("bob", True)]
    model.transition(v, Stage.PRODUCTION, T0, "alice")
    assert model.get(v).stage is Stage.PRODUCTION


def test_two_reviewer_policy_counts_distinct_reviewers_not_reviews() -> None:
    model = RegisteredModel("maint", ModelPolicy(human_review_required=True, review_min_reviewers=2))
    v = staged(model)
    model.transition(v, Stage.STAGING, T0, "alice")
    model.record_review(v, HumanReview("bob", approved=True, at=T0))
    model.record_review(v, HumanReview("bob", approved=True, at=T0 + timedelta(minutes=1)))
    assert model.serving_blockers(v) == ["needs 2 reviewers, has 1"]
    with pytest.raises(PromotionRefused, match="needs 2 reviewers, has 1"):
        model.transition(v, Stage.PRODUCTION, T0, "alice")
    model.record_review(v, HumanReview("carol", approved=True, at=T0))
    assert model.serving_blockers(v) == []


def test_agreement_threshold_is_the_share_of_distinct_reviewers_who_approved() -> None:
    policy = ModelPolicy(human_review_required=True, review_min_reviewers=3, review_min_agreement=0.66)
    model = RegisteredModel("maint", policy)
    v = staged(model)
    model.transition(v, Stage.STAGING, T0, "alice")
    for reviewer, approved in (("bob", True), ("carol", False), ("dana", False)):
        model.record_review(v, HumanReview(reviewer, approved=approved, at=T0))
    assert model.serving_blockers(v) == [
        "1 of 3 reviewers approved, the policy needs 66%; human review by carol, dana did not approve"
    ]
    model.record_review(v, HumanReview("dana", approved=True, at=T0))
    assert model.serving_blockers(v) == []  # 2 of 3 >= 66%


def test_no_review_names_the_count_the_policy_needs() -> None:
    model = RegisteredModel("maint", ModelPolicy(human_review_required=True, review_min_reviewers=2))
    v = staged(model)
    assert model.serving_blockers(v) == ["a human review is required and none is recorded (needs 2 reviewers, has 0)"]


def test_evaluation_asking_for_review_blocks_promotion_even_without_the_policy() -> None:
    model = RegisteredModel("maint")
    v = staged(model, evaluation=EvaluationSummary("ev-3", passed=True, review_required=True))
    model.transition(v, Stage.STAGING, T0, "alice")
    with pytest.raises(PromotionRefused, match="human review is required"):
        model.transition(v, Stage.PRODUCTION, T0, "alice")


def test_promoting_a_new_version_deprecates_the_old_one_and_moves_the_alias() -> None:
    model = RegisteredModel("maint")
    v1 = in_production(model, 1, T0)
    v2 = staged(model, 2)
    model.transition(v2, Stage.STAGING, T0, "alice")
    changes = model.transition(v2, Stage.PRODUCTION, T0 + timedelta(hours=1), "alice")
    assert [(c.from_stage, c.to_stage) for c in changes] == [
        (Stage.PRODUCTION, Stage.DEPRECATED),
        (Stage.STAGING, Stage.PRODUCTION),
    ]
    assert model.get(v1).stage is Stage.DEPRECATED
    assert model.aliases[PRODUCTION_ALIAS] == v2
    assert [mv.version for mv in model.versions.values() if mv.stage is Stage.PRODUCTION] == [v2]


def test_rollback_restores_the_version_that_most_recently_left_production() -> None:
    model = RegisteredModel("maint")
    in_production(model, 1, T0)
    v2 = in_production(model, 2, T0 + timedelta(hours=1))
    v3 = in_production(model, 3, T0 + timedelta(hours=2))
    rolled_back, restored = model.rollback(T0 + timedelta(hours=3), "monitoring", "canary error rate")
    assert (rolled_back.version, restored.version) == (v3, v2)
    assert model.aliases[PRODUCTION_ALIAS] == v2
    assert model.get(v3).stage is Stage.DEPRECATED
    assert "canary error rate" in model.get(v3).history[-1].reason


def test_rollback_with_nothing_to_return_to_is_refused() -> None:
    model = RegisteredModel("maint")
    in_production(model, 1, T0)
    with pytest.raises(LifecycleError, match="no deprecated version to roll back to"):
        model.rollback(T0, "alice", "bad")


def test_canary_alias_needs_a_staging_version_and_clears_on_promotion() -> None:
    model = RegisteredModel("maint")
    in_production(model, 1, T0)
    v2 = staged(model, 2)
    with pytest.raises(LifecycleError, match="canary alias needs a version in staging"):
        model.set_alias(CANARY_ALIAS, v2)
    model.transition(v2, Stage.STAGING, T0, "alice")
    model.set_alias(CANARY_ALIAS, v2)
    assert model.resolve(CANARY_ALIAS).version == v2
    model.transition(v2, Stage.PRODUCTION, T0 + timedelta(minutes=5), "alice")
    assert CANARY_ALIAS not in model.aliases
    assert model.resolve("production").version == v2


def test_production_alias_cannot_be_set_or_removed_by_hand() -> None:
    model = RegisteredModel("maint")
    v = in_production(model, 1, T0)
    with pytest.raises(LifecycleError, match="follows promotion"):
        model.set_alias(PRODUCTION_ALIAS, v)
    with pytest.raises(LifecycleError, match="cannot be removed"):
        model.remove_alias(PRODUCTION_ALIAS)


def test_archiving_a_version_drops_its_aliases() -> None:
    model = RegisteredModel("maint")
    v = staged(model)
    model.transition(v, Stage.STAGING, T0, "alice")
    model.set_alias("champion-candidate", v)
    model.transition(v, Stage.ARCHIVED, T0, "alice")
    assert model.aliases == {}


def test_naive_timestamps_are_refused() -> None:
    model = RegisteredModel("maint")
    with pytest.raises(LifecycleError, match="no timezone"):
        model.register(lineage(), datetime(2026, 1, 1), "x")


def test_registering_directly_into_staging_needs_a_passing_evaluation() -> None:
    model = RegisteredModel("maint")
    with pytest.raises(LifecycleError, match="passing evaluation"):
        model.register(lineage(), T0, "x", Stage.STAGING, FAILED)
    assert model.register(lineage(), T0, "x", Stage.STAGING, PASSED).stage is Stage.STAGING


def test_unknown_version_and_alias_are_named() -> None:
    model = RegisteredModel("maint")
    with pytest.raises(LifecycleError, match="model 'maint' has no version 7"):
        model.transition(7, Stage.ARCHIVED, T0, "x")
    with pytest.raises(LifecycleError, match="no alias 'beta'"):
        model.resolve("beta")
