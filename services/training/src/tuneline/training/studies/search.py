"""What a study may search and how: the searchable hyperparameters, a range or a list of choices for each, checked
against the ranges every job's hyperparameters are held to (``estimate.hyperparameters.RANGES``).

Pure: no Optuna here (``optuna_repository`` turns a `Dimension` into Optuna's distribution), so the rules read and
test on their own.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tuneline.common.errors import InvalidInput
from tuneline.training.estimate.hyperparameters import RANGES

Kind = Literal["int", "float"]

#: Hyperparameters a study may search, with the type the recipe takes.
SEARCHABLE: dict[str, Kind] = {
    "learning_rate": "float",
    "lora_rank": "int",
    "lora_alpha": "int",
    "epochs": "int",
    "general_replay": "float",
}
#: A learning rate spans orders of magnitude: searched on a log scale unless the range says otherwise.
LOG_BY_DEFAULT = frozenset({"learning_rate"})


class SearchRange(BaseModel):
    """One hyperparameter's search: a range (`low`..`high`, optionally on a log scale or in steps) or `choices`."""

    model_config = ConfigDict(extra="forbid")

    low: float | None = Field(default=None, description="Smallest value tried (inclusive).")
    high: float | None = Field(default=None, description="Largest value tried (inclusive).")
    log: bool | None = Field(
        default=None, description="Sample on a log scale (default: yes for learning_rate, no otherwise)."
    )
    step: float | None = Field(default=None, gt=0, description="Only values low + k × step (not with log).")
    choices: list[float] | None = Field(
        default=None, description="Try only these values (instead of low/high), e.g. LoRA ranks [8, 16, 32]."
    )


@dataclass(frozen=True)
class Dimension:
    """A validated search dimension: a range or a set of choices, typed as the recipe takes the value."""

    name: str
    kind: Kind
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: tuple[float, ...] | None = None

    def corners(self) -> tuple[float, ...]:
        """The extreme values a trial can get: the cheapest and dearest, the smallest and largest."""
        if self.choices is not None:
            return (min(self.choices), max(self.choices))
        assert self.low is not None and self.high is not None
        return (self.low, self.high)

    def typed(self, value: float) -> int | float:
        return int(value) if self.kind == "int" else float(value)


def dimensions(space: dict[str, SearchRange], fixed: dict[str, Any]) -> list[Dimension]:
    """Validate a study's search space; InvalidInput names the field at fault (`search_space.<name>.<part>`)."""
    if not space:
        raise InvalidInput(
            f"name at least one hyperparameter to search; searchable: {', '.join(SEARCHABLE)}", field="search_space"
        )
    out = []
    for name, search in space.items():
        field = f"search_space.{name}"
        kind = SEARCHABLE.get(name)
        if kind is None:
            raise InvalidInput(f"{name} cannot be searched; searchable: {', '.join(SEARCHABLE)}", field=field)
        if name in fixed:
            raise InvalidInput(
                f"{name} is searched ({field}); leave it out of the fixed hyperparameters",
                field=f"hyperparameters.{name}",
            )
        out.append(_choices(name, kind, search) if search.choices is not None else _range(name, kind, search))
    return out


def corner_points(dims: list[Dimension]) -> list[dict[str, int | float]]:
    """Every combination of the dimensions' extremes (at most 2^5 = 32): each must be a valid job."""
    names = [d.name for d in dims]
    extremes = [[d.typed(v) for v in dict.fromkeys(d.corners())] for d in dims]
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*extremes)]


def _choices(name: str, kind: Kind, search: SearchRange) -> Dimension:
    field = f"search_space.{name}"
    if search.low is not None or search.high is not None or search.log or search.step is not None:
        raise InvalidInput(f"{name}: give either choices or low/high, not both", field=field)
    assert search.choices is not None
    values = tuple(dict.fromkeys(search.choices))
    if len(values) < 2:
        raise InvalidInput(f"{name}: choices need at least two different values", field=f"{field}.choices")
    for value in values:
        _check_value(name, kind, value, f"{field}.choices")
    return Dimension(name, kind, choices=tuple(int(v) if kind == "int" else v for v in values))


def _range(name: str, kind: Kind, search: SearchRange) -> Dimension:
    field = f"search_space.{name}"
    if search.low is None or search.high is None:
        part = "low" if search.low is None else "high"
        raise InvalidInput(f"{name}: give low and high (or choices)", field=f"{field}.{part}")
    low, high = search.low, search.high
    _check_value(name, kind, low, f"{field}.low")
    _check_value(name, kind, high, f"{field}.high")
    if not low < high:
        raise InvalidInput(f"{name}: low ({low:g}) must be below high ({high:g})", field=f"{field}.high")
    log = search.log if search.log is not None else name in LOG_BY_DEFAULT
    if log and search.step is not None:
        raise InvalidInput(f"{name}: a log-scale range takes no step", field=f"{field}.step")
    if log and low <= 0:
        raise InvalidInput(f"{name}: a log-scale range needs low > 0", field=f"{field}.low")
    step = search.step
    if step is not None:
        if kind == "int" and step != int(step):
            raise InvalidInput(f"{name}: the step of an integer range is a whole number", field=f"{field}.step")
        if step > high - low:
            raise InvalidInput(f"{name}: step {step:g} is wider than the range", field=f"{field}.step")
    return Dimension(name, kind, low=low, high=high, log=log, step=step)


def _check_value(name: str, kind: Kind, value: float, field: str) -> None:
    low, high = RANGES[name]
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidInput(
            f"{name} must stay within {low:g} and {high:g} (the preset ranges), got {value:g}", field=field
        )
    if kind == "int" and value != int(value):
        raise InvalidInput(f"{name} takes whole numbers, got {value:g}", field=field)
