"""Map raw records onto a canonical shape: detect the mode, apply field mapping, report bad records.

Mode detection looks at the field names of the first records: ``messages`` → conversational; a prompt and
a completion field (or known aliases such as question/answer, instruction/response, input/output) →
instruction; a text and a label field → classification; a text field alone → text. An explicit mapping
``{canonical_field: source_field}`` overrides the aliases, e.g. ``{"prompt": "question", "completion": "answer"}``.
Structural problems (missing field, wrong type, bad role) drop the record and name the field; empty values
are kept and counted by the validation report (completeness), so nothing is silently discarded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tuneline.data.processing.errors import Location, RecordIssue
from tuneline.data.processing.parsers.base import ParsedItem, RawRecord
from tuneline.data.processing.records import (
    CANONICAL_FIELDS,
    MESSAGE_ROLES,
    CanonicalRecord,
    RecordMode,
)

ALIASES: dict[str, tuple[str, ...]] = {
    "prompt": ("prompt", "question", "instruction", "input", "query", "source_text"),
    "completion": ("completion", "answer", "response", "output", "target_text", "reply"),
    "messages": ("messages", "conversation", "conversations", "dialog", "dialogue"),
    "text": ("text", "content", "sentence", "document", "body", "input"),
    "label": ("label", "class", "category", "target", "intent", "labels"),
    "source": ("source", "file", "filename"),
    "page": ("page", "page_number"),
}
_DETECT_SAMPLE = 50
# ShareGPT-style exports name the roles differently.
_ROLE_ALIASES = {"human": "user", "gpt": "assistant", "bot": "assistant"}


@dataclass(frozen=True, slots=True)
class NormalisedRecord:
    record: CanonicalRecord
    location: Location


def _resolve(keys: Iterable[str], canonical: str, mapping: Mapping[str, str]) -> str | None:
    if canonical in mapping:
        return mapping[canonical] if mapping[canonical] in keys else None
    lowered = {key.lower(): key for key in keys}
    for alias in ALIASES[canonical]:
        if alias in lowered:
            return lowered[alias]
    return None


def detect_mode(key_sets: Iterable[Iterable[str]], mapping: Mapping[str, str] | None = None) -> RecordMode:
    """Choose the mode that fits most of the sampled records' field names."""
    mapping = mapping or {}
    votes = {mode: 0 for mode in RecordMode}
    for keys in key_sets:
        key_list = list(keys)
        if _resolve(key_list, "messages", mapping):
            votes[RecordMode.CONVERSATIONAL] += 1
        elif _resolve(key_list, "prompt", mapping) and _resolve(key_list, "completion", mapping):
            votes[RecordMode.INSTRUCTION] += 1
        elif _resolve(key_list, "text", mapping) and _resolve(key_list, "label", mapping):
            votes[RecordMode.CLASSIFICATION] += 1
        elif _resolve(key_list, "text", mapping):
            votes[RecordMode.TEXT] += 1
    best = max(votes, key=lambda mode: votes[mode])
    if votes[best] == 0:
        raise ValueError(
            "cannot detect the record format from the field names; expected prompt/completion, messages, "
            "text/label or text, or pass a field mapping"
        )
    return best


def validate_mapping(mode: RecordMode, mapping: Mapping[str, str]) -> None:
    allowed = CANONICAL_FIELDS[mode]
    for key, value in mapping.items():
        if key not in allowed:
            raise ValueError(f"mapping key '{key}' is not a {mode.value} field (expected one of {', '.join(allowed)})")
        if not isinstance(value, str) or not value:
            raise ValueError(f"mapping for '{key}' must name a source field")


class Normaliser:
    """Turns parsed items into canonical records of one mode; iterate :meth:`run` once."""

    def __init__(
        self,
        mode: RecordMode | None = None,
        mapping: Mapping[str, str] | None = None,
        *,
        default_source: str | None = None,
    ) -> None:
        self.mode = mode
        self.mapping = dict(mapping or {})
        self.default_source = default_source
        if mode is not None:
            validate_mapping(mode, self.mapping)

    def run(self, items: Iterable[ParsedItem]) -> Iterator[NormalisedRecord | RecordIssue]:
        iterator = iter(items)
        if self.mode is None:
            head: list[ParsedItem] = []
            for item in iterator:
                head.append(item)
                if sum(isinstance(i, RawRecord) for i in head) >= _DETECT_SAMPLE:
                    break
            keys = [item.fields.keys() for item in head if isinstance(item, RawRecord)]
            if keys:
                self.mode = detect_mode(keys, self.mapping)
                validate_mapping(self.mode, self.mapping)
            iterator = _chain(head, iterator)
        for item in iterator:
            if isinstance(item, RecordIssue):
                yield item
                continue
            yield self.convert(item)

    def convert(self, raw: RawRecord) -> NormalisedRecord | RecordIssue:
        assert self.mode is not None
        fields, where = raw.fields, raw.location
        if self.mode is RecordMode.CONVERSATIONAL:
            return self._conversation(fields, where)
        out: CanonicalRecord = {}
        for name in CANONICAL_FIELDS[self.mode]:
            key = _resolve(fields.keys(), name, self.mapping)
            if name in ("source", "page"):
                out[name] = fields.get(key) if key else (self.default_source if name == "source" else None)
                continue
            if key is None:
                source_name = self.mapping.get(name, name)
                return RecordIssue(where, "missing_field", "required field is missing", field=source_name)
            value = fields[key]
            if name == "label" and isinstance(value, (int, bool)) and not isinstance(value, float):
                value = str(value).lower() if isinstance(value, bool) else str(value)
            if value is None:
                value = ""
            if not isinstance(value, str):
                return RecordIssue(where, "wrong_type", f"expected a string, got {type(value).__name__}", field=key)
            out[name] = value
        if self.mode is RecordMode.TEXT:
            if out["source"] is not None and not isinstance(out["source"], str):
                return RecordIssue(where, "wrong_type", "expected a string", field="source")
            if out["page"] is not None and not (isinstance(out["page"], int) and not isinstance(out["page"], bool)):
                return RecordIssue(where, "wrong_type", "expected an integer page number", field="page")
        return NormalisedRecord(out, where)

    def _conversation(self, fields: dict[str, Any], where: Location) -> NormalisedRecord | RecordIssue:
        key = _resolve(fields.keys(), "messages", self.mapping)
        if key is None:
            return RecordIssue(where, "missing_field", "required field is missing", field="messages")
        messages = fields[key]
        if not isinstance(messages, list) or not messages:
            return RecordIssue(where, "wrong_type", "expected a non-empty list of messages", field=key)
        out: list[dict[str, str]] = []
        for index, message in enumerate(messages):
            path = f"{key}[{index}]"
            if not isinstance(message, dict):
                return RecordIssue(where, "wrong_type", "expected an object with role and content", field=path)
            raw_role = message.get("role", message.get("from"))
            content = message.get("content", message.get("value"))
            role = _ROLE_ALIASES.get(raw_role, raw_role) if isinstance(raw_role, str) else None
            if role is None or role not in MESSAGE_ROLES:
                return RecordIssue(
                    where, "bad_role", f"role must be one of {', '.join(MESSAGE_ROLES)}", field=f"{path}.role"
                )
            if content is None:
                content = ""
            if not isinstance(content, str):
                return RecordIssue(where, "wrong_type", "expected a string", field=f"{path}.content")
            out.append({"role": role, "content": content})
        roles = {message["role"] for message in out}
        if "user" not in roles or "assistant" not in roles:
            return RecordIssue(
                where, "incomplete_conversation", "needs at least one user and one assistant message", field=key
            )
        return NormalisedRecord({"messages": out}, where)


def _chain(head: list[ParsedItem], rest: Iterator[ParsedItem]) -> Iterator[ParsedItem]:
    yield from head
    yield from rest
