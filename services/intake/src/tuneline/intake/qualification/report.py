"""An assessment as plain JSON, the shape stored with the use case and returned by the API."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from tuneline.intake.qualification.assess import Assessment


def assessment_to_dict(a: Assessment) -> dict[str, Any]:
    checklist = a.checklist
    decision = a.decision
    costs = asdict(a.costs)
    costs["comparison"]["fine_tuning_cheaper"] = a.costs.comparison.fine_tuning_cheaper
    return {
        "checklist": {
            "verdict": checklist.verdict.value,
            "score": checklist.score,
            "items": [
                {"criterion": i.criterion.value, "score": i.score, "rating": i.rating.value, "reasons": list(i.reasons)}
                for i in checklist.items
            ],
        },
        "decision": {
            "recommended": decision.recommended.value,
            "fine_tune": decision.fine_tune,
            "summary": decision.summary,
            "why": list(decision.why),
            "scores": {k.value: v for k, v in decision.scores.items()},
            "ruled_out": {k.value: v for k, v in decision.ruled_out.items()},
            "factors": [
                {"name": f.name, "effects": {k.value: v for k, v in f.effects.items()}, "reason": f.reason}
                for f in decision.factors
            ],
        },
        "rice": {
            "reach": a.rice.reach,
            "impact": a.rice.impact.value,
            "confidence": a.rice.confidence.value,
            "effort_person_months": a.rice.effort_person_months,
            "score": a.rice.score,
        },
        "costs": costs,
    }
