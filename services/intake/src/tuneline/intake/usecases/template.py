"""The architects' JSON intake template, accepted as-is and mapped onto the intake form.

The template is short (title, industry, problem_statement, data_sources, model, fine_tuning_type,
evaluation_metrics, expected_outcomes), so what it maps to is a draft: the fields it lacks (owner,
volumes, examples, ...) are asked for before submission. Form fields given next to the template's pass
through unchanged, so a template can be completed in the same payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tuneline.intake.form import DataSourceKind, FineTuningMethod, UseCaseForm, normalise_choice
from tuneline.intake.usecases.validation import FieldProblem, IntakeFormError, validate_draft

# template key → form key, for the keys whose names differ
_RENAMED = {"model": "candidate_base_model", "fine_tuning_type": "fine_tuning_method"}
_RENAMED_ALL = {**_RENAMED, "expected_outcomes": "expected_outcome"}
_TEMPLATE_ONLY = frozenset(_RENAMED_ALL)
TEMPLATE_KEYS = frozenset(
    {"title", "industry", "problem_statement", "data_sources", *_TEMPLATE_ONLY, "evaluation_metrics"}
)

# Words in a free-text source name that tell its kind; the first hit wins, in this order.
_KIND_WORDS: tuple[tuple[DataSourceKind, tuple[str, ...]], ...] = (
    (DataSourceKind.SENSOR, ("sensor", "telemetry", "iot")),
    (DataSourceKind.LOGS, ("log",)),
    (DataSourceKind.TICKETS, ("ticket",)),
    (DataSourceKind.ERP_EXPORT, ("erp", "sap")),
    (DataSourceKind.HUMAN_REPORTS, ("report", "note")),
    (DataSourceKind.DATABASE, ("database", "table", "sql")),
    (DataSourceKind.API, ("api",)),
    (DataSourceKind.DOCUMENTS, ("document", "manual", "pdf", "contract", "email")),
)

_METHOD_SPELLINGS = {"full_fine_tuning": "full", "full_finetuning": "full", "full_ft": "full"}


def is_template(payload: Mapping[str, Any]) -> bool:
    """The template is recognised by the keys the form spells differently."""
    return any(key in payload for key in _TEMPLATE_ONLY)


def guess_source_kind(name: str) -> DataSourceKind:
    lowered = name.lower()
    for kind, words in _KIND_WORDS:
        if any(word in lowered for word in words):
            return kind
    return DataSourceKind.OTHER


def _map_sources(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise IntakeFormError([FieldProblem("data_sources", "expected a list of data source names")])
    sources: list[Any] = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            sources.append({"name": item.strip(), "kind": guess_source_kind(item).value})
        elif isinstance(item, Mapping):  # already in the form's shape
            sources.append(dict(item))
        else:
            raise IntakeFormError([FieldProblem(f"data_sources[{i}]", "expected a non-empty name")])
    return sources


def _map_method(value: Any) -> str:
    key = normalise_choice(value)
    key = _METHOD_SPELLINGS.get(key, key) if isinstance(key, str) else key
    allowed = [m.value for m in FineTuningMethod]
    if key not in allowed:
        raise IntakeFormError(
            [FieldProblem("fine_tuning_type", f"unknown method {value!r}; expected one of LoRA, QLoRA, full")]
        )
    return str(key)


def from_template(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Map a template payload onto the form's field names (a draft, not yet validated)."""
    form_fields = set(UseCaseForm.model_fields)
    unknown = sorted(k for k in payload if k not in TEMPLATE_KEYS and k not in form_fields)
    if unknown:
        raise IntakeFormError([FieldProblem(k, "not a field of the intake template or form") for k in unknown])
    both = sorted(k for k, form_key in _RENAMED_ALL.items() if k in payload and form_key in payload)
    if both:
        raise IntakeFormError([FieldProblem(k, f"given twice, also as {_RENAMED_ALL[k]}") for k in both])
    draft: dict[str, Any] = {}
    for key, value in payload.items():
        if key == "data_sources":
            draft["data_sources"] = _map_sources(value)
        elif key == "fine_tuning_type":
            draft["fine_tuning_method"] = _map_method(value)
        elif key == "expected_outcomes":
            draft["expected_outcome"] = "; ".join(value) if isinstance(value, list) else value
        else:
            draft[_RENAMED.get(key, key)] = value
    return draft


def draft_from_payload(payload: Any) -> dict[str, Any]:
    """Accept either the intake form (possibly incomplete) or the architects' template; return a draft."""
    if isinstance(payload, Mapping) and is_template(payload):
        payload = from_template(payload)
    return validate_draft(payload)
