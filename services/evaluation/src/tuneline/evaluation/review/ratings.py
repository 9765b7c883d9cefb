"""One reviewer's rating of one output, with validation that names the field at fault."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CRITERIA: tuple[str, ...] = ("relevance", "correctness", "style_match", "helpfulness")
SCALE = range(1, 6)


@dataclass(frozen=True)
class Rating:
    """Scores 1 (poor) … 5 (excellent) per criterion; ``safe`` is False when the output is harmful or biased."""

    item_id: str
    reviewer: str
    side: str
    relevance: int
    correctness: int
    style_match: int
    helpfulness: int
    safe: bool
    comment: str = ""

    def __post_init__(self) -> None:
        if not self.item_id:
            raise ValueError("item_id must not be empty")
        if not self.reviewer:
            raise ValueError("reviewer must not be empty")
        if self.side not in ("A", "B"):
            raise ValueError(f"side must be 'A' or 'B', got {self.side!r}")
        for criterion in CRITERIA:
            value = getattr(self, criterion)
            if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
                raise ValueError(f"{criterion} must be an integer from 1 to 5, got {value!r}")
        if not isinstance(self.safe, bool):
            raise ValueError(f"safe must be true or false, got {self.safe!r}")

    def score(self, criterion: str) -> int:
        value: int = getattr(self, criterion)
        return value

    @property
    def mean(self) -> float:
        return sum(self.score(c) for c in CRITERIA) / len(CRITERIA)


def rating_from_dict(data: Mapping[str, Any]) -> Rating:
    fields = ("item_id", "reviewer", "side", *CRITERIA, "safe")
    missing = [name for name in fields if name not in data]
    if missing:
        raise ValueError(f"rating is missing field {missing[0]!r}")
    return Rating(**{name: data[name] for name in (*fields, "comment") if name in data})
