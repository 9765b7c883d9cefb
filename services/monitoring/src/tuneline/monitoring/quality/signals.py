"""Quality signals: thumbs up/down feedback, and correctness once ground truth arrives for a prediction.

Ground truth usually comes later (a ticket is resolved days after it was classified). Correctness is booked
in the bucket of the time the request was served, not when the truth arrived, so accuracy over time shows
how the model did on the traffic of that time. Labels are compared after trimming and case-folding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tuneline.monitoring.rollups.rollup import RollupKey


class Rating(StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Feedback:
    request_id: str
    key: RollupKey
    rating: Rating
    served_at: datetime

    def __post_init__(self) -> None:
        if not self.request_id:
            raise ValueError("request_id: must not be empty")
        if not isinstance(self.rating, Rating):
            try:
                object.__setattr__(self, "rating", Rating(self.rating))
            except ValueError:
                raise ValueError(f"rating: must be 'up' or 'down', got {self.rating!r}") from None
        if self.served_at.tzinfo is None:
            raise ValueError("served_at: must be timezone-aware (UTC)")


@dataclass(frozen=True, slots=True)
class Prediction:
    request_id: str
    key: RollupKey
    label: str
    served_at: datetime


def normalise_label(label: str) -> str:
    return " ".join(label.split()).casefold()


def is_correct(prediction: Prediction, truth_label: str) -> bool:
    return normalise_label(prediction.label) == normalise_label(truth_label)
