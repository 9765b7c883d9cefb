"""Choosing the arm that answers a request, by the weights in the router's current config."""

from __future__ import annotations

import random

from tuneline.registry.serving.spec import ArmSpec


def choose_arm(arms: list[ArmSpec], rng: random.Random) -> ArmSpec:
    """Weighted choice; arms with weight 0 (kept warm for rollback) are never chosen."""
    live = [a for a in arms if a.weight > 0]
    if not live:
        raise ValueError("no arm has a positive weight")
    point = rng.random() * sum(a.weight for a in live)
    for arm in live:
        point -= arm.weight
        if point < 0:
            return arm
    return live[-1]  # float rounding left a sliver past the last boundary
