import pytest

from tuneline.registry.deployments.plan import PlanError, TrafficPlan, VersionRef

V1 = VersionRef(1, "id-1", "/a/1")
V2 = VersionRef(2, "id-2", "/a/2")
V3 = VersionRef(3, "id-3", None)


def weights(plan: TrafficPlan) -> dict[str, tuple[int, float]]:
    return {a.arm: (a.version, a.weight) for a in plan.arms()}


def test_initial_plan_sends_everything_to_stable() -> None:
    assert weights(TrafficPlan.initial(V1)) == {"stable": (1, 1.0)}


def test_canary_takes_its_weight_from_stable() -> None:
    plan = TrafficPlan.initial(V1).start_canary(V2, 0.1)
    assert weights(plan) == {"stable": (1, pytest.approx(0.9)), "canary": (2, 0.1)}
    assert [w.version_id for w in plan.warm()] == ["id-1", "id-2"]


def test_weight_change_keeps_both_versions() -> None:
    plan = TrafficPlan.initial(V1).start_canary(V2, 0.1).set_canary_weight(0.5)
    assert weights(plan) == {"stable": (1, 0.5), "canary": (2, 0.5)}


def test_promotion_moves_all_traffic_and_keeps_old_stable_warm_at_zero() -> None:
    plan = TrafficPlan.initial(V1).start_canary(V2, 0.3).promote()
    assert weights(plan) == {"stable": (2, 1.0), "previous": (1, 0.0)}


def test_rollback_of_a_canary_returns_all_traffic_to_stable() -> None:
    plan, moved_from, moved_to = TrafficPlan.initial(V1).start_canary(V2, 0.3).rollback()
    assert weights(plan) == {"stable": (1, 1.0)}
    assert (moved_from.version, moved_to.version) == (2, 1)


def test_rollback_after_full_promotion_returns_to_the_previous_version() -> None:
    promoted = TrafficPlan.initial(V1).start_canary(V2, 0.3).promote()
    plan, moved_from, moved_to = promoted.rollback()
    assert weights(plan) == {"stable": (1, 1.0)}
    assert (moved_from.version, moved_to.version) == (2, 1)


def test_blue_green_switches_in_one_step_and_can_be_rolled_back() -> None:
    plan = TrafficPlan.initial(V1).blue_green(V3)
    assert weights(plan) == {"stable": (3, 1.0), "previous": (1, 0.0)}
    back, _, _ = plan.rollback()
    assert weights(back) == {"stable": (1, 1.0)}


def test_invalid_moves_are_refused_with_the_reason() -> None:
    plan = TrafficPlan.initial(V1)
    with pytest.raises(PlanError, match="no canary is deployed"):
        plan.set_canary_weight(0.2)
    with pytest.raises(PlanError, match="already the stable version"):
        plan.start_canary(V1, 0.2)
    with pytest.raises(PlanError, match="between 0 and 1"):
        plan.start_canary(V2, 1.5)
    with pytest.raises(PlanError, match="nothing to roll back"):
        plan.rollback()
    with pytest.raises(PlanError, match="no canary to promote"):
        plan.promote()


def test_each_arm_carries_its_versions_registration_trace_for_the_router_to_link_to() -> None:
    traced1 = VersionRef(1, "id-1", "/a/1", "00-" + "1" * 32 + "-" + "a" * 16 + "-01")
    traced2 = VersionRef(2, "id-2", "/a/2", "00-" + "2" * 32 + "-" + "b" * 16 + "-01")
    plan = TrafficPlan.initial(traced1).start_canary(traced2, 0.2)
    assert {a.arm: a.traceparent for a in plan.arms()} == {
        "stable": traced1.traceparent,
        "canary": traced2.traceparent,
    }
    assert traced1 == V1, "the trace context is not part of which version a reference names"
