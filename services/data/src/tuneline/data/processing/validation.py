"""Streaming validation of one dataset version: feed parsed items, then build the report.

Memory stays bounded for millions of records: token lengths live in a compact array, exact-duplicate
keys in one dict of ints, near-duplicate search is capped (see :mod:`dedup`), and examples are limited
to the first `max_examples` locations. Reports name locations and fields, never record content.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from tuneline.data.processing.dedup import DuplicateFinder
from tuneline.data.processing.errors import Location, RecordIssue
from tuneline.data.processing.language import UNDETERMINED, detect_language
from tuneline.data.processing.normalise import NormalisedRecord
from tuneline.data.processing.quality import QualityScore, quality_score
from tuneline.data.processing.records import CanonicalRecord, RecordMode, record_text, record_texts
from tuneline.data.processing.tokens import TokenCounter, simple_token_count
from tuneline.data.processing.toxicity import ToxicityScanner

_MAX_REMEMBERED_LOCATIONS = 100_000


@dataclass(frozen=True)
class ValidationConfig:
    min_tokens: int = 10
    max_tokens: int = 4000
    max_examples: int = 20
    near_duplicate_threshold: float = 0.9
    near_duplicate_max_records: int = 200_000
    near_duplicates: bool = True
    expected_language: str | None = None
    toxicity_extra_terms: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.min_tokens < 0 or self.max_tokens < self.min_tokens:
            raise ValueError("token bounds must satisfy 0 <= min_tokens <= max_tokens")


class IssueOut(BaseModel):
    location: str
    code: str
    message: str
    field: str | None = None


class FormatSection(BaseModel):
    error_count: int
    errors: list[IssueOut] = Field(description="The first errors, in file order")
    warning_count: int
    warnings: list[IssueOut]


class CompletenessSection(BaseModel):
    incomplete_records: int
    empty_by_field: dict[str, int]
    examples: list[str] = Field(description="Locations of the first incomplete records")


class TokenSection(BaseModel):
    min_bound: int
    max_bound: int
    count: int
    total: int
    min: int | None
    max: int | None
    mean: float | None
    p50: int | None
    p95: int | None
    below_min: int
    above_max: int
    examples: list[str] = Field(description="Locations of the first records out of bounds")


class BalanceSection(BaseModel):
    counts: dict[str, int]
    imbalance_ratio: float | None = Field(description="largest class count / smallest class count")
    majority_label: str | None
    minority_label: str | None


class DuplicateExample(BaseModel):
    location: str
    duplicate_of: str
    kind: str


class DuplicateSection(BaseModel):
    exact_count: int
    near_count: int
    near_threshold: float
    near_checked_records: int
    near_truncated: bool
    examples: list[DuplicateExample]


class ToxicitySection(BaseModel):
    method: str
    flagged_records: int
    by_category: dict[str, int]
    examples: list[str]


class LanguageSection(BaseModel):
    method: str
    distribution: dict[str, int]
    dominant: str | None
    expected: str | None
    off_language_records: int


class ValidationReport(BaseModel):
    mode: RecordMode | None
    records_seen: int
    valid_records: int
    format: FormatSection
    completeness: CompletenessSection
    tokens: TokenSection
    balance: BalanceSection | None
    duplicates: DuplicateSection
    toxicity: ToxicitySection
    language: LanguageSection
    quality: QualityScore


def _percentile(sorted_values: array, q: float) -> int | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return int(sorted_values[index])


@dataclass
class DatasetValidator:
    """Accumulates statistics; call :meth:`add_item` per parsed item, then :meth:`report`."""

    mode: RecordMode | None = None
    config: ValidationConfig = field(default_factory=ValidationConfig)
    token_counter: TokenCounter = simple_token_count
    duplicate_of: dict[int, int] = field(default_factory=dict)
    label_counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        cfg = self.config
        self._dups = DuplicateFinder(
            near_threshold=cfg.near_duplicate_threshold,
            near_max_records=cfg.near_duplicate_max_records,
            near_enabled=cfg.near_duplicates,
        )
        self._toxicity = ToxicityScanner(extra_terms=cfg.toxicity_extra_terms)
        self._errors: list[RecordIssue | IssueOut] = []
        self._warnings: list[RecordIssue | IssueOut] = []
        self.error_count = 0
        self.warning_count = 0
        self.valid = 0
        # Where the first records live, so duplicate examples can name the original's location.
        self._first_where: dict[int, str] = {}
        self._lengths: array = array("I")
        self._empty_by_field: Counter[str] = Counter()
        self._incomplete = 0
        self._incomplete_examples: list[str] = []
        self._out_of_bounds: list[str] = []
        self._below = 0
        self._above = 0
        self._exact = 0
        self._near = 0
        self._dup_examples: list[DuplicateExample] = []
        self._toxic = 0
        self._toxic_by_category: Counter[str] = Counter()
        self._toxic_examples: list[str] = []
        self._languages: Counter[str] = Counter()

    def add_items(self, items: Iterable[NormalisedRecord | RecordIssue]) -> None:
        for item in items:
            self.add_item(item)

    def add_item(self, item: NormalisedRecord | RecordIssue) -> None:
        if isinstance(item, RecordIssue):
            self.add_issue(item)
        else:
            self.add_record(item.record, item.location)

    def add_issue(self, issue: RecordIssue) -> None:
        if issue.severity == "warning":
            self.warning_count += 1
            if len(self._warnings) < self.config.max_examples:
                self._warnings.append(issue)
        else:
            self.error_count += 1
            if len(self._errors) < self.config.max_examples:
                self._errors.append(issue)

    def carry_format(self, section: FormatSection) -> None:
        """Take over parse errors and warnings found when the records were first read (re-validation of a
        stored version sees only the valid records, but its report should still count what was dropped)."""
        self.error_count += section.error_count
        self.warning_count += section.warning_count
        keep = self.config.max_examples
        self._errors.extend(section.errors[: max(keep - len(self._errors), 0)])
        self._warnings.extend(section.warnings[: max(keep - len(self._warnings), 0)])

    def add_record(self, record: CanonicalRecord, location: Location) -> int:
        """Account one valid record; returns its index in the dataset (0-based, in arrival order)."""
        if self.mode is None:
            raise ValueError("the validator needs the record mode before records arrive")
        index = self.valid
        self.valid += 1
        where = location.describe()
        keep = self.config.max_examples
        self._completeness(record, where, keep)
        text = record_text(record, self.mode)
        tokens = sum(self.token_counter(part) for part in record_texts(record, self.mode))
        self._lengths.append(tokens)
        if tokens < self.config.min_tokens or tokens > self.config.max_tokens:
            if tokens < self.config.min_tokens:
                self._below += 1
            else:
                self._above += 1
            if len(self._out_of_bounds) < keep:
                self._out_of_bounds.append(where)
        self._duplicates(index, text, where, keep)
        categories = self._toxicity.categories(text)
        if categories:
            self._toxic += 1
            self._toxic_by_category.update(categories)
            if len(self._toxic_examples) < keep:
                self._toxic_examples.append(where)
        self._languages[detect_language(text)] += 1
        if self.mode is RecordMode.CLASSIFICATION and record["label"].strip():
            # Unlabelled records are counted by completeness, not as a class of their own.
            self.label_counts[record["label"]] += 1
        return index

    def _completeness(self, record: CanonicalRecord, where: str, keep: int) -> None:
        empty: list[str] = []
        if self.mode is RecordMode.CONVERSATIONAL:
            empty = [f"messages[{i}].content" for i, m in enumerate(record["messages"]) if not m["content"].strip()]
        else:
            names = ("prompt", "completion") if self.mode is RecordMode.INSTRUCTION else ("text", "label")
            empty = [name for name in names if name in record and not str(record[name]).strip()]
        if empty:
            self._incomplete += 1
            self._empty_by_field.update("messages.content" if n.startswith("messages[") else n for n in empty)
            if len(self._incomplete_examples) < keep:
                self._incomplete_examples.append(f"{where}: empty {', '.join(empty)}")

    def _duplicates(self, index: int, text: str, where: str, keep: int) -> None:
        found = self._dups.add(index, text)
        if found is None:
            if len(self._first_where) < _MAX_REMEMBERED_LOCATIONS:
                self._first_where[index] = where
            return
        kind, first = found
        self.duplicate_of[index] = first
        if kind == "exact":
            self._exact += 1
        else:
            self._near += 1
        if len(self._dup_examples) < keep:
            original = self._first_where.get(first, f"record {first + 1}")
            self._dup_examples.append(DuplicateExample(location=where, duplicate_of=original, kind=kind))

    def report(self) -> ValidationReport:
        cfg = self.config
        lengths = array("I", sorted(self._lengths))
        valid = self.valid
        seen = valid + self.error_count
        balance = self._balance() if self.mode is RecordMode.CLASSIFICATION else None
        determined = {lang: n for lang, n in self._languages.items() if lang != UNDETERMINED}
        dominant = max(determined, key=lambda lang: determined[lang]) if determined else None
        target = cfg.expected_language or dominant
        in_language = determined.get(target, 0) if target else 0
        determined_total = sum(determined.values())
        share = (lambda n: 1.0 - n / valid) if valid else (lambda n: 0.0)
        score = quality_score(
            {
                "validity": valid / seen if seen else 0.0,
                "completeness": share(self._incomplete),
                "length": share(self._below + self._above),
                "uniqueness": share(self._exact + self._near),
                "toxicity": share(self._toxic),
                "language": in_language / determined_total if determined_total else (1.0 if valid else 0.0),
                "balance": _balance_value(balance) if balance is not None else None,
            }
        )
        return ValidationReport(
            mode=self.mode,
            records_seen=seen,
            valid_records=valid,
            format=FormatSection(
                error_count=self.error_count,
                errors=[_issue_out(i) for i in self._errors],
                warning_count=self.warning_count,
                warnings=[_issue_out(i) for i in self._warnings],
            ),
            completeness=CompletenessSection(
                incomplete_records=self._incomplete,
                empty_by_field=dict(self._empty_by_field),
                examples=self._incomplete_examples,
            ),
            tokens=TokenSection(
                min_bound=cfg.min_tokens,
                max_bound=cfg.max_tokens,
                count=len(lengths),
                total=int(sum(lengths)),
                min=int(lengths[0]) if lengths else None,
                max=int(lengths[-1]) if lengths else None,
                mean=round(sum(lengths) / len(lengths), 2) if lengths else None,
                p50=_percentile(lengths, 0.5),
                p95=_percentile(lengths, 0.95),
                below_min=self._below,
                above_max=self._above,
                examples=self._out_of_bounds,
            ),
            balance=balance,
            duplicates=DuplicateSection(
                exact_count=self._exact,
                near_count=self._near,
                near_threshold=cfg.near_duplicate_threshold,
                near_checked_records=self._dups.near_indexed,
                near_truncated=self._dups.near_truncated,
                examples=self._dup_examples,
            ),
            toxicity=ToxicitySection(
                method="curated lexicon, whole-word matching (see processing/toxicity.py for limits)",
                flagged_records=self._toxic,
                by_category=dict(self._toxic_by_category),
                examples=self._toxic_examples,
            ),
            language=LanguageSection(
                method="stop-word profiles for en, de, fr, es, it, pt, nl; 'und' when undetermined",
                distribution=dict(self._languages),
                dominant=dominant,
                expected=cfg.expected_language,
                off_language_records=determined_total - in_language,
            ),
            quality=score,
        )

    def _balance(self) -> BalanceSection:
        counts = self.label_counts
        if not counts:
            return BalanceSection(counts={}, imbalance_ratio=None, majority_label=None, minority_label=None)
        majority, most = counts.most_common()[0]
        minority, least = min(counts.items(), key=lambda item: (item[1], item[0]))
        return BalanceSection(
            counts=dict(sorted(counts.items())),
            imbalance_ratio=round(most / least, 4),
            majority_label=majority,
            minority_label=minority,
        )


def _balance_value(balance: BalanceSection) -> float:
    # One class cannot teach a classifier anything: that is the worst balance, not a perfect one.
    if len(balance.counts) < 2 or not balance.imbalance_ratio:
        return 0.0
    return 1.0 / balance.imbalance_ratio


def _issue_out(issue: RecordIssue | IssueOut) -> IssueOut:
    if isinstance(issue, IssueOut):
        return issue
    return IssueOut(location=issue.location.describe(), code=issue.code, message=issue.message, field=issue.field)
