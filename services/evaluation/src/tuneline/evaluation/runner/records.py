"""Held-out records as the runner reads them, with errors that name the record and field at fault.

Accepted shapes (one JSON object per record):
- ``{"text": str, "label": str}`` (the data service's classification records): the prompt is the shared
  ``classification_prompt`` the training recipe uses, so the tuned model sees the wording it was trained on;
- ``{"prompt": str, "completion": str}`` (``"input"``/``"output"`` are accepted as synonyms);
- ``{"messages": [{"role": ..., "content": ...}, ...]}``: the last ``assistant`` message is the reference,
  the messages before it form the prompt.
An optional ``"label"`` overrides the reference for classification; an optional ``"id"`` names the record
(default: its position). An optional ``"system"`` string is prepended as a system message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tuneline.common.samples import classification_prompt

ROLES = frozenset({"system", "user", "assistant"})


@dataclass(frozen=True)
class EvalRecord:
    id: str
    messages: list[dict[str, str]]
    reference: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def prompt_text(self) -> str:
        return "\n".join(m["content"] for m in self.messages)


def _text(row: Mapping[str, Any], names: Sequence[str], where: str) -> str:
    for name in names:
        if name in row:
            value = row[name]
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{where}: field {name!r} must be a non-empty string")
            return value
    raise ValueError(f"{where}: missing field {' or '.join(repr(n) for n in names)}")


def _from_messages(row: Mapping[str, Any], where: str) -> tuple[list[dict[str, str]], str]:
    messages = row["messages"]
    if not isinstance(messages, list) or not messages:
        raise ValueError(f"{where}: field 'messages' must be a non-empty list")
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping) or message.get("role") not in ROLES:
            raise ValueError(f"{where}: messages[{i}].role must be one of {sorted(ROLES)}")
        if not isinstance(message.get("content"), str):
            raise ValueError(f"{where}: messages[{i}].content must be a string")
    last = max((i for i, m in enumerate(messages) if m["role"] == "assistant"), default=None)
    if last is None or last == 0:
        raise ValueError(f"{where}: field 'messages' needs an assistant reply after at least one prompt message")
    prompt = [{"role": m["role"], "content": m["content"]} for m in messages[:last]]
    return prompt, messages[last]["content"]


def parse_record(row: Mapping[str, Any], position: int, labels: Sequence[str] = ()) -> EvalRecord:
    where = f"record {position}"
    if not isinstance(row, Mapping):
        raise ValueError(f"{where}: expected a JSON object, got {type(row).__name__}")
    if "text" in row and "label" in row:
        text = _text(row, ("text",), where)
        messages = [{"role": "user", "content": classification_prompt(text, list(labels))}]
        reference = _text(row, ("label",), where)
    elif "messages" in row:
        messages, reference = _from_messages(row, where)
    else:
        messages = [{"role": "user", "content": _text(row, ("prompt", "input"), where)}]
        reference = _text(row, ("completion", "output"), where)
    if "system" in row:
        messages.insert(0, {"role": "system", "content": _text(row, ("system",), where)})
    if "label" in row:
        reference = _text(row, ("label",), where)
    record_id = str(row.get("id", position))
    return EvalRecord(id=record_id, messages=messages, reference=reference.strip(), raw=dict(row))


def parse_records(rows: Sequence[Mapping[str, Any]], labels: Sequence[str] | None = None) -> list[EvalRecord]:
    """``labels`` are shown in classification prompts; default: the sorted distinct labels of the rows."""
    if not rows:
        raise ValueError("the held-out split is empty: nothing to evaluate")
    shown = (
        list(labels) if labels else sorted({str(r["label"]) for r in rows if isinstance(r, Mapping) and "label" in r})
    )
    return [parse_record(row, position, shown) for position, row in enumerate(rows)]
