"""Checking intake input: a draft may leave fields out, a submission may not; both name each bad field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from tuneline.intake.form import UseCaseForm


@dataclass(frozen=True)
class FieldProblem:
    field: str  # dotted path with list indexes, e.g. "objectives[0].kpis[1].target"
    message: str


class IntakeFormError(ValueError):
    """The input cannot be accepted; ``problems`` names every field at fault."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))


def field_path(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(form)"


# A draft is still being filled in: absent fields and lists not yet long enough are not errors yet.
_INCOMPLETE = frozenset({"missing", "too_short"})


def problems_from(error: ValidationError, *, allow_incomplete: bool = False) -> list[FieldProblem]:
    return [
        FieldProblem(field_path(e["loc"]), e["msg"])
        for e in error.errors(include_url=False)
        if not (allow_incomplete and e["type"] in _INCOMPLETE)
    ]


def _as_mapping(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise IntakeFormError([FieldProblem("(form)", "expected a JSON object with the form's fields")])
    return data


def validate_draft(data: Any) -> dict[str, Any]:
    """Accept an incomplete form: every field present must be valid, absent ones (and lists not yet
    long enough) are fine for now.

    Returns the draft as given (plain JSON), so it can be stored and completed later.
    """
    mapping = _as_mapping(data)
    try:
        UseCaseForm.model_validate(mapping)
    except ValidationError as exc:
        problems = problems_from(exc, allow_incomplete=True)
        if problems:
            raise IntakeFormError(problems) from exc
    return dict(mapping)


def validate_submission(data: Any) -> UseCaseForm:
    """A submission must be complete: every missing or invalid field is reported at once."""
    try:
        return UseCaseForm.model_validate(_as_mapping(data))
    except ValidationError as exc:
        raise IntakeFormError(problems_from(exc)) from exc
