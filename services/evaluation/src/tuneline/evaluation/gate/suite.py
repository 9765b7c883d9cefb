"""The general-capability suite: short instructions with references, and general-text paragraphs.

Both ship as JSON-lines files next to this module (written for the project, no downloads). Each instruction
item has ``id, category, prompt, reference, match``; ``match`` says how an answer is checked:

- ``number``: the first number in the answer that does not also appear in the prompt equals the reference
  (so "7 + 5 = 12" counts for "What is 7 + 5?");
- ``contains``: the normalised reference occurs as a whole-word phrase in the normalised answer;
- ``contains_cased``: the reference occurs verbatim (for case-rewriting items);
- ``regex``: the reference is a regular expression searched case-insensitively;
- ``json``: the answer contains a JSON object holding every key/value of the reference object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from tuneline.evaluation.metrics.text import normalise

MATCH_KINDS = frozenset({"number", "contains", "contains_cased", "regex", "json"})
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_JSON_OBJECT = re.compile(r"\{.*?\}", re.DOTALL)


@dataclass(frozen=True)
class SuiteItem:
    id: str
    category: str
    prompt: str
    reference: str
    match: str


@dataclass(frozen=True)
class TextItem:
    id: str
    topic: str
    text: str


def _read_jsonl(name: str) -> list[dict[str, Any]]:
    content = resources.files("tuneline.evaluation.gate").joinpath("data", name).read_text(encoding="utf-8")
    rows = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise ValueError(f"{name} line {number}: invalid JSON: {error}") from error
    return rows


def parse_suite_item(row: dict[str, Any], where: str) -> SuiteItem:
    for field in ("id", "category", "prompt", "reference", "match"):
        if not isinstance(row.get(field), str) or not row[field]:
            raise ValueError(f"{where}: field {field!r} must be a non-empty string")
    if row["match"] not in MATCH_KINDS:
        raise ValueError(f"{where}: field 'match' is {row['match']!r}, expected one of {sorted(MATCH_KINDS)}")
    return SuiteItem(row["id"], row["category"], row["prompt"], row["reference"], row["match"])


def load_instruction_suite() -> list[SuiteItem]:
    return [
        parse_suite_item(row, f"general_suite.jsonl line {i}")
        for i, row in enumerate(_read_jsonl("general_suite.jsonl"), start=1)
    ]


def load_general_texts() -> list[TextItem]:
    return [TextItem(row["id"], row["topic"], row["text"]) for row in _read_jsonl("general_text.jsonl")]


def _number_matches(answer: str, item: SuiteItem) -> bool:
    in_prompt = set(_NUMBER.findall(item.prompt))
    candidates = [n for n in _NUMBER.findall(answer) if n not in in_prompt or item.reference in in_prompt]
    return bool(candidates) and float(candidates[0]) == float(item.reference)


def _json_matches(answer: str, reference: str) -> bool:
    expected = json.loads(reference)
    for candidate in _JSON_OBJECT.findall(answer):
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict) and all(value.get(k) == v for k, v in expected.items()):
            return True
    return False


def is_correct(answer: str, item: SuiteItem) -> bool:
    if item.match == "number":
        return _number_matches(answer, item)
    if item.match == "contains":
        return f" {normalise(item.reference)} " in f" {normalise(answer)} "
    if item.match == "contains_cased":
        return item.reference in answer
    if item.match == "regex":
        return re.search(item.reference, answer, re.IGNORECASE) is not None
    return _json_matches(answer, item.reference)


@dataclass(frozen=True)
class SuiteScore:
    score: float
    per_category: dict[str, float]
    correct: dict[str, bool]


def score_suite(items: Sequence[SuiteItem], answers: Sequence[str]) -> SuiteScore:
    """Score = share of items answered correctly; per category likewise."""
    if len(items) != len(answers):
        raise ValueError(f"{len(items)} suite items but {len(answers)} answers; they must pair up")
    if not items:
        raise ValueError("the suite is empty")
    correct = {item.id: is_correct(answer, item) for item, answer in zip(items, answers, strict=True)}
    categories: dict[str, list[bool]] = {}
    for item in items:
        categories.setdefault(item.category, []).append(correct[item.id])
    return SuiteScore(
        score=sum(correct.values()) / len(items),
        per_category={name: sum(hits) / len(hits) for name, hits in sorted(categories.items())},
        correct=correct,
    )
