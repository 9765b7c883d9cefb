"""One call that qualifies a complete intake form: costs, checklist, decision and RICE."""

from __future__ import annotations

from dataclasses import dataclass

from tuneline.intake.costing.estimate import CostAssumptions, CostEstimate, estimate_costs
from tuneline.intake.form import UseCaseForm
from tuneline.intake.qualification.checklist import Checklist, run_checklist
from tuneline.intake.qualification.decision import Decision, decide
from tuneline.intake.qualification.rice import RiceOverrides, RiceScore, derive_rice


@dataclass(frozen=True)
class Assessment:
    costs: CostEstimate
    checklist: Checklist
    decision: Decision
    rice: RiceScore


def assess(
    form: UseCaseForm, assumptions: CostAssumptions | None = None, rice_overrides: RiceOverrides | None = None
) -> Assessment:
    costs = estimate_costs(form, assumptions)
    checklist = run_checklist(form, costs)
    rice = derive_rice(
        tasks_per_month=costs.tasks_per_month,
        value_per_month_usd=costs.value_per_month_usd,
        checklist=checklist,
        method=form.fine_tuning_method,
        overrides=rice_overrides,
    )
    return Assessment(costs=costs, checklist=checklist, decision=decide(form, costs), rice=rice)
