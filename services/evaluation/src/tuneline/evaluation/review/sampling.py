"""Blind side-by-side sampling: reviewers see outputs "A" and "B" without knowing which model wrote which.

The side each model takes is drawn per item and recorded, so ratings can be un-blinded afterwards and the
draw can be audited; a fixed seed makes the whole sample reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tuneline.evaluation.results import SampleResult

Side = Literal["A", "B"]
ModelName = Literal["base", "tuned"]


@dataclass(frozen=True)
class BlindItem:
    item_id: str
    record_id: str
    prompt: str
    reference: str
    output_a: str
    output_b: str
    tuned_side: Side  # recorded for un-blinding; never shown to a reviewer

    def model_of(self, side: str) -> ModelName:
        if side not in ("A", "B"):
            raise ValueError(f"side must be 'A' or 'B', got {side!r}")
        return "tuned" if side == self.tuned_side else "base"


def blind_sample(samples: Sequence[SampleResult], count: int, seed: int) -> list[BlindItem]:
    """Draw ``count`` records without replacement (all of them when fewer) and randomise sides per item."""
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    if not samples:
        raise ValueError("no evaluated samples to draw a review from")
    rng = random.Random(seed)
    chosen = rng.sample(range(len(samples)), min(count, len(samples)))
    items = []
    for position, index in enumerate(chosen):
        sample = samples[index]
        tuned_first = rng.random() < 0.5
        items.append(
            BlindItem(
                item_id=f"item-{position:04d}",
                record_id=sample.record_id,
                prompt=sample.prompt,
                reference=sample.reference,
                output_a=sample.tuned.output if tuned_first else sample.base.output,
                output_b=sample.base.output if tuned_first else sample.tuned.output,
                tuned_side="A" if tuned_first else "B",
            )
        )
    return items
