"""The demo's bundled material: forms intake accepts as complete, and datasets with exactly what was planted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tuneline.cli.demo.datasets import PLANTED_PII, write_maintenance_logs, write_quality_summaries
from tuneline.cli.demo.forms import classification_form, summarisation_form
from tuneline.common.samples import MAINTENANCE_LABELS
from tuneline.intake.form import UseCaseForm


@pytest.mark.parametrize("build", [classification_form, summarisation_form])
def test_demo_forms_are_complete_submittable_intake_forms(build) -> None:
    form = UseCaseForm.model_validate(build())
    assert form.candidate_base_model == "smollm2-135m-instruct"
    assert form.parameters == 135_000_000


def test_classification_form_declares_the_samples_label_set() -> None:
    assert UseCaseForm.model_validate(classification_form()).label_set == list(MAINTENANCE_LABELS)


def test_maintenance_logs_carry_the_planted_pii_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    planted = write_maintenance_logs(path, n=40, duplicates=5)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert planted == {"records": 45, "pii_records": 4, "duplicates": 5}
    assert len(records) == 45
    texts = [r["text"] for r in records]
    assert len(texts) - len(set(texts)) == 5
    assert sum(any(p in t for p in PLANTED_PII) for t in set(texts)) == len(PLANTED_PII)
    assert {r["label"] for r in records} <= set(MAINTENANCE_LABELS)


def test_too_few_records_to_plant_everything_is_refused() -> None:
    with pytest.raises(ValueError, match="n must be at least 10"):
        write_maintenance_logs(Path("unused.jsonl"), n=9)


def test_quality_summaries_are_instruction_records(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    assert write_quality_summaries(path, n=7) == {"records": 7}
    assert all(set(json.loads(line)) == {"prompt", "completion"} for line in path.read_text().splitlines())
