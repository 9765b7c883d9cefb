"""Text PostgreSQL can store: NUL characters and lone surrogates are stripped where text is ingested, and counted.

PostgreSQL refuses ``\\u0000`` in text and jsonb, and a lone UTF-16 surrogate (which ``json.loads`` happily
produces from ``"\\ud800"``) cannot even be encoded as UTF-8. One such character in a prompt, a label or a form
field used to fail the whole write: a batch of inference events was redelivered forever, an upload answered 500.
Every ingestion point cleans its text with these helpers and counts what it stripped
(``tuneline_text_sanitised_total{source, reason}``); ORM writes get the same cleaning as a last line of defence
(see :func:`clean_before_flush`).
"""

from __future__ import annotations

import re
from collections import Counter as Tally
from typing import Any, TypeVar

from prometheus_client import Counter
from pydantic import BaseModel

TEXT_SANITISED = Counter(
    "tuneline_text_sanitised",
    "Characters PostgreSQL refuses (NUL, lone surrogates), stripped from ingested text",
    ["source", "reason"],
)

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REASONS = {"\x00": "nul"}


def _reason(ch: str) -> str:
    return REASONS.get(ch, "lone_surrogate")


def clean_text(value: str, tally: Tally[str] | None = None) -> str:
    """`value` without NUL and lone surrogates; what was removed is added to `tally` by reason."""
    if _UNSTORABLE.search(value) is None:
        return value
    if tally is not None:
        for match in _UNSTORABLE.finditer(value):
            tally[_reason(match.group(0))] += 1
    return _UNSTORABLE.sub("", value)


def clean_value(value: Any, tally: Tally[str] | None = None) -> Any:
    """Strings, dict keys and values, and list items cleaned, without recursion (any nesting depth)."""
    if isinstance(value, str):
        return clean_text(value, tally)
    if not isinstance(value, (dict, list)):
        return value
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, value)]
    while stack:
        parent, key, item = stack.pop()
        if isinstance(item, dict):
            copy: dict[Any, Any] = {}
            parent[key] = copy
            for k, v in item.items():
                k = clean_text(k, tally) if isinstance(k, str) else k
                copy[k] = None
                stack.append((copy, k, v))
        elif isinstance(item, list):
            items: list[Any] = [None] * len(item)
            parent[key] = items
            stack.extend((items, i, v) for i, v in enumerate(item))
        else:
            parent[key] = clean_text(item, tally) if isinstance(item, str) else item
    return root[0]


def count(source: str, tally: Tally[str]) -> None:
    """Report what one ingestion point stripped (a no-op when nothing was)."""
    for reason, n in tally.items():
        if n:
            TEXT_SANITISED.labels(source, reason).inc(n)


M = TypeVar("M", bound=BaseModel)


def clean_model(model: M, source: str) -> M:
    """A copy of `model` with its text fields cleaned (the same object when there was nothing to strip)."""
    tally: Tally[str] = Tally()
    changes = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, (str, dict, list)):
            cleaned = clean_value(value, tally)
            if cleaned != value:
                changes[name] = cleaned
    if not changes:
        return model
    count(source, tally)
    return model.model_copy(update=changes)


def clean_before_flush(session: Any, _context: Any, _instances: Any) -> None:
    """SQLAlchemy ``before_flush`` hook: text and JSON attributes of new and changed rows, cleaned and counted
    under ``source=<table>.<column>``. Ingestion points clean first (and name their own source); this catches
    any path that reaches PostgreSQL without doing so."""
    import sqlalchemy as sa

    for instance in (*session.new, *session.dirty):
        state = sa.inspect(instance)
        table = getattr(state.mapper.local_table, "name", type(instance).__name__)
        for attribute in state.mapper.column_attrs:
            value = state.dict.get(attribute.key)  # loaded values only: never a lazy load inside a flush
            if not isinstance(value, (str, dict, list)):
                continue
            tally: Tally[str] = Tally()
            cleaned = clean_value(value, tally)
            if tally:
                setattr(instance, attribute.key, cleaned)
                count(f"{table}.{attribute.key}", tally)
