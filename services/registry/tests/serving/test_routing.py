import random

import pytest

from tuneline.registry.deployments.plan import TrafficPlan, VersionRef
from tuneline.registry.serving.routing import choose_arm


class FixedRng(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value


PLAN = TrafficPlan.initial(VersionRef(1, "a", None)).start_canary(VersionRef(2, "b", None), 0.2).promote()
CANARY = TrafficPlan.initial(VersionRef(1, "a", None)).start_canary(VersionRef(2, "b", None), 0.2)


@pytest.mark.parametrize(("u", "arm"), [(0.0, "stable"), (0.7999, "stable"), (0.8001, "canary"), (0.9999, "canary")])
def test_arm_boundaries_follow_the_weights(u: float, arm: str) -> None:
    assert choose_arm(CANARY.arms(), FixedRng(u)).arm == arm


def test_zero_weight_previous_arm_is_never_chosen() -> None:
    assert {choose_arm(PLAN.arms(), FixedRng(u)).arm for u in (0.0, 0.5, 0.9999)} == {"stable"}
