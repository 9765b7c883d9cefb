"""Quality score 0-100 as a weighted sum of component shares, each in [0, 1].

Weights (points out of 100):
- validity 25: records that parsed and mapped / all records seen
- completeness 15: records with no empty field / valid records
- length 15: records whose token count is within bounds / valid records
- uniqueness 20: records that are neither exact nor near duplicates / valid records
- toxicity 10: records without a toxicity flag / valid records
- language 5: records in the expected (else dominant) language / records whose language was determined
- balance 10: classification only, smallest class count / largest class count (0 with a single class)
For datasets other than classification, balance does not apply and the other weights are scaled up
proportionally so the total stays 100.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

WEIGHTS: dict[str, float] = {
    "validity": 25.0,
    "completeness": 15.0,
    "length": 15.0,
    "uniqueness": 20.0,
    "toxicity": 10.0,
    "language": 5.0,
    "balance": 10.0,
}


class ScoreComponent(BaseModel):
    weight: float = Field(description="Points this component can contribute (after rescaling).")
    value: float = Field(description="Share of the component that is satisfied, 0-1.")
    points: float = Field(description="weight × value")


class QualityScore(BaseModel):
    score: float = Field(description="0-100, rounded to one decimal")
    breakdown: dict[str, ScoreComponent]


def quality_score(values: dict[str, float | None]) -> QualityScore:
    """Combine component shares; a component whose value is None does not apply and is dropped."""
    applicable = {name: v for name, v in values.items() if v is not None and name in WEIGHTS}
    total_weight = sum(WEIGHTS[name] for name in applicable)
    if total_weight == 0:
        return QualityScore(score=0.0, breakdown={})
    scale = 100.0 / total_weight
    breakdown: dict[str, ScoreComponent] = {}
    for name, value in applicable.items():
        clipped = min(max(value, 0.0), 1.0)
        weight = WEIGHTS[name] * scale
        breakdown[name] = ScoreComponent(
            weight=round(weight, 3), value=round(clipped, 4), points=round(weight * clipped, 3)
        )
    score = sum(WEIGHTS[name] * scale * min(max(v, 0.0), 1.0) for name, v in applicable.items())
    return QualityScore(score=round(score, 1), breakdown=breakdown)
