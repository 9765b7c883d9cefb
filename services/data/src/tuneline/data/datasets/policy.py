"""Does a version meet its use case's data policy? The answer is a list of reasons; empty means ready."""

from __future__ import annotations

from typing import Any

from tuneline.data.datasets.building import BuiltVersion
from tuneline.data.processing.records import RecordMode

# Which canonical record formats can train which task type.
COMPATIBLE_FORMATS: dict[str, tuple[RecordMode, ...]] = {
    "classification": (RecordMode.CLASSIFICATION, RecordMode.INSTRUCTION),
    "extraction": (RecordMode.INSTRUCTION, RecordMode.CONVERSATIONAL),
    "summarisation": (RecordMode.INSTRUCTION, RecordMode.CONVERSATIONAL),
    "generation": (RecordMode.INSTRUCTION, RecordMode.CONVERSATIONAL),
    "chat": (RecordMode.CONVERSATIONAL, RecordMode.INSTRUCTION),
}


def rejection_reasons(
    built: BuiltVersion,
    *,
    task_type: str,
    policy: dict[str, Any],
    sensitivity: dict[str, Any],
    labels: list[str],
    max_format_error_share: float,
) -> list[str]:
    report = built.report
    reasons: list[str] = []
    if built.record_count == 0:
        reasons.append("the version has no valid records")
    allowed = COMPATIBLE_FORMATS.get(task_type, ())
    if built.mode not in allowed:
        names = " or ".join(mode.value for mode in allowed)
        reasons.append(f"{built.mode.value} records cannot train a {task_type} use case (needs {names} records)")
    minimum = float(policy.get("min_quality_score", 60.0))
    if report.quality.score < minimum:
        reasons.append(f"quality score {report.quality.score} is below the use case's minimum {minimum:g}")
    reasons.extend(_threshold_reasons(built, policy))
    seen = report.records_seen
    if seen and report.format.error_count / seen > max_format_error_share:
        reasons.append(
            f"{report.format.error_count} of {seen} records are malformed "
            f"(more than {max_format_error_share:.0%}); first at {report.format.errors[0].location}"
        )
    if built.remaining_pii and built.pii_report is not None:
        types = ", ".join(f"{name}: {f.count}" for name, f in built.pii_report.entities.items())
        if policy.get("redaction", "none") != "none":
            reasons.append(f"{built.remaining_pii} personal-data findings remain after redaction ({types})")
        elif not sensitivity.get("pii"):
            # Personal data the use case did not declare: someone must decide (redact, or declare it).
            reasons.append(
                f"personal data found ({types}) but the use case declares none; redact a version "
                "(POST .../redact) or have the use case declare personal data"
            )
    if built.mode is RecordMode.CLASSIFICATION and labels:
        unknown = sorted(set(built.labels) - set(labels))
        if unknown:
            reasons.append(f"labels not in the use case's label set: {', '.join(unknown)}")
    counts = built.split_plan.report.counts
    for name in ("train", "validation"):
        if counts.get(name, 0) == 0:
            reasons.append(f"the {name} split is empty ({built.record_count} records are too few for the ratios)")
    return reasons


def _threshold_reasons(built: BuiltVersion, policy: dict[str, Any]) -> list[str]:
    """The use case's data-quality thresholds (`min_examples`, `max_duplicate_ratio`, `max_pii_ratio`)."""
    reasons: list[str] = []
    count = built.record_count
    min_examples = policy.get("min_examples")
    if min_examples is not None and 0 < count < int(min_examples):
        reasons.append(f"{count} records; the use case's policy needs at least {int(min_examples)} (min_examples)")
    duplicates = built.report.duplicates.exact_count + built.report.duplicates.near_count
    max_duplicates = policy.get("max_duplicate_ratio")
    if max_duplicates is not None and count and duplicates / count > float(max_duplicates):
        reasons.append(
            f"{duplicates} of {count} records ({duplicates / count:.1%}) are exact or near duplicates; the use case's "
            f"policy allows at most {float(max_duplicates):.1%} (max_duplicate_ratio): make a version without them "
            "(POST .../dedup)"
        )
    max_pii = policy.get("max_pii_ratio")
    with_pii = _records_with_pii_left(built)
    if max_pii is not None and count and with_pii / count > float(max_pii):
        reasons.append(
            f"{with_pii} of {count} records ({with_pii / count:.1%}) still hold personal data; the use case's policy "
            f"allows at most {float(max_pii):.1%} (max_pii_ratio): redact a version (POST .../redact)"
        )
    return reasons


def _records_with_pii_left(built: BuiltVersion) -> int:
    """Records that still hold personal data: none once redaction covered every finding; otherwise the records the
    scan found personal data in (an upper bound when a redaction covered only some of the entity types)."""
    if built.pii_report is None or built.remaining_pii == 0:
        return 0
    return built.pii_report.records_with_pii
