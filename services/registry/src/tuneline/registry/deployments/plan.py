"""Traffic plans: which versions of a model serve, with what weights, and the one-call moves between plans.

A plan is immutable; every operation returns a new plan, which the controller turns into router and model
server user_configs and applies in one step. The version that last served all traffic is kept loaded as
`previous` (weight 0), so a rollback after a full promotion or a blue/green switch is one reconfigure away.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tuneline.registry.serving.spec import ArmSpec, WarmAdapter


class PlanError(ValueError):
    pass


@dataclass(frozen=True)
class VersionRef:
    version: int
    version_id: str
    adapter_uri: str | None
    # The version's registration trace (serving links its first request to it); not part of a version's identity.
    traceparent: str | None = field(default=None, compare=False)
    # The version's PromptTemplate, for /v1/classify.
    prompt_template: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class TrafficPlan:
    stable: VersionRef
    canary: VersionRef | None = None
    canary_weight: float = 0.0
    previous: VersionRef | None = None

    @classmethod
    def initial(cls, version: VersionRef) -> TrafficPlan:
        return cls(stable=version)

    def start_canary(self, version: VersionRef, weight: float) -> TrafficPlan:
        if version.version_id == self.stable.version_id:
            raise PlanError(f"version {version.version} is already the stable version")
        _check_weight(weight)
        return replace(self, canary=version, canary_weight=weight)

    def set_canary_weight(self, weight: float) -> TrafficPlan:
        if self.canary is None:
            raise PlanError("no canary is deployed; start a canary first")
        _check_weight(weight)
        return replace(self, canary_weight=weight)

    def promote(self) -> TrafficPlan:
        """The canary takes all traffic; the old stable version stays loaded as `previous`."""
        if self.canary is None:
            raise PlanError("no canary to promote")
        return TrafficPlan(stable=self.canary, previous=self.stable)

    def blue_green(self, version: VersionRef) -> TrafficPlan:
        """All traffic moves to `version` in one switch; the old stable version stays loaded as `previous`."""
        if version.version_id == self.stable.version_id:
            raise PlanError(f"version {version.version} already takes all traffic")
        return TrafficPlan(stable=version, previous=self.stable)

    def rollback(self) -> tuple[TrafficPlan, VersionRef, VersionRef]:
        """Undo the last move: drop a canary, or return to `previous`. Returns (plan, moved from, moved to)."""
        if self.canary is not None:
            return TrafficPlan(stable=self.stable, previous=self.previous), self.canary, self.stable
        if self.previous is not None:
            return TrafficPlan(stable=self.previous), self.stable, self.previous
        raise PlanError("nothing to roll back to: no canary and no previous version")

    def arms(self) -> list[ArmSpec]:
        arms = [_arm("stable", self.stable, 1.0 - (self.canary_weight if self.canary else 0.0))]
        if self.canary is not None:
            arms.append(_arm("canary", self.canary, self.canary_weight))
        if self.previous is not None:
            arms.append(_arm("previous", self.previous, 0.0))
        return arms

    def warm(self) -> list[WarmAdapter]:
        refs = [r for r in (self.stable, self.canary, self.previous) if r is not None]
        return [WarmAdapter(version_id=r.version_id, adapter_uri=r.adapter_uri) for r in refs]


def _arm(name: str, ref: VersionRef, weight: float) -> ArmSpec:
    return ArmSpec.model_validate(
        {
            "arm": name,
            "version": ref.version,
            "version_id": ref.version_id,
            "adapter_uri": ref.adapter_uri,
            "weight": weight,
            "traceparent": ref.traceparent,
            "prompt_template": ref.prompt_template,
        }
    )


def _check_weight(weight: float) -> None:
    if not 0.0 <= weight <= 1.0:
        raise PlanError(f"canary weight must be between 0 and 1, got {weight}")
