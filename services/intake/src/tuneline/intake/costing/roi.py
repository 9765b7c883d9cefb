"""Value, payback and the 12-month comparison with prompting.

    value_per_month   = tasks_per_month × minutes_saved_per_task / 60 × hourly_cost_usd
    net_per_month     = value_per_month − running_cost_per_month
    payback_months    = upfront_usd / net_per_month            (never, when net_per_month ≤ 0)

Over ``months`` months:
    fine_tuning_total = training_cost + months × fine_tuned_monthly
    prompting_total   = months × prompting_monthly
    savings           = prompting_total − fine_tuning_total     (negative: prompting is cheaper)
    break_even_month  = training_cost / (prompting_monthly − fine_tuned_monthly)
                        (never, when the tuned model is not cheaper to run each month)
"""

from __future__ import annotations

from dataclasses import dataclass


def value_per_month(*, tasks_per_month: float, minutes_saved_per_task: float, hourly_cost_usd: float) -> float:
    for name, value in (
        ("tasks_per_month", tasks_per_month),
        ("minutes_saved_per_task", minutes_saved_per_task),
        ("hourly_cost_usd", hourly_cost_usd),
    ):
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
    return tasks_per_month * minutes_saved_per_task / 60 * hourly_cost_usd


def payback_months(*, upfront_usd: float, value_per_month: float, running_cost_per_month: float) -> float | None:
    """Months until the value earned pays back the upfront cost; None when it never does."""
    net = value_per_month - running_cost_per_month
    if upfront_usd <= 0:
        return 0.0
    if net <= 0:
        return None
    return upfront_usd / net


@dataclass(frozen=True)
class PromptingComparison:
    months: int
    fine_tuning_total_usd: float
    prompting_total_usd: float
    savings_usd: float  # prompting_total − fine_tuning_total
    break_even_month: float | None

    @property
    def fine_tuning_cheaper(self) -> bool:
        return self.savings_usd > 0


def compare_with_prompting(
    *, training_cost_usd: float, fine_tuned_monthly_usd: float, prompting_monthly_usd: float, months: int = 12
) -> PromptingComparison:
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    fine_tuning_total = training_cost_usd + months * fine_tuned_monthly_usd
    prompting_total = months * prompting_monthly_usd
    monthly_gain = prompting_monthly_usd - fine_tuned_monthly_usd
    return PromptingComparison(
        months=months,
        fine_tuning_total_usd=fine_tuning_total,
        prompting_total_usd=prompting_total,
        savings_usd=prompting_total - fine_tuning_total,
        break_even_month=training_cost_usd / monthly_gain if monthly_gain > 0 else None,
    )
