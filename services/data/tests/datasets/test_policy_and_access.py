from pathlib import Path

import pytest

from tuneline.common.auth import Principal, Role
from tuneline.common.errors import Forbidden
from tuneline.data.datasets import access
from tuneline.data.datasets.building import BuildOptions, build_version, write_records
from tuneline.data.datasets.policy import rejection_reasons
from tuneline.data.datasets.tables import Dataset, DatasetVersion
from tuneline.data.pii.redaction import RedactionMode, RedactionPolicy
from tuneline.data.pii.regex_scanner import RegexPiiScanner
from tuneline.data.processing.records import RecordMode
from tuneline.data.processing.splits import SplitSpec
from tuneline.data.processing.tokens import simple_token_count
from tuneline.data.processing.validation import ValidationConfig


def _build(tmp_path: Path, records: list[dict], mode: RecordMode, **options) -> object:
    source = tmp_path / "in.jsonl"
    write_records(iter(records), source)
    build_options = BuildOptions(
        mode=mode,
        validation=ValidationConfig(min_tokens=1),
        token_counter=simple_token_count,
        tokenizer_name="simple",
        split=SplitSpec.parse("80/20", seed=1, stratified=True),
        **options,
    )
    return build_version(source, tmp_path / "out", build_options)


def _tickets(n: int) -> list[dict]:
    return [
        {"text": f"pump {i} leaks oil near seal number {i * 7}", "label": "hydraulic" if i % 2 else "electrical"}
        for i in range(n)
    ]


def test_build_writes_splits_that_partition_the_records(tmp_path):
    built = _build(tmp_path, _tickets(20), RecordMode.CLASSIFICATION)
    lines = {name: path.read_bytes().splitlines() for name, path in built.split_paths.items()}
    assert {k: len(v) for k, v in lines.items()} == {"train": 16, "validation": 4}
    assert sorted(lines["train"] + lines["validation"]) == sorted(built.records_path.read_bytes().splitlines())
    assert built.labels == ["electrical", "hydraulic"]


def test_build_redacts_into_a_new_file_and_counts_nothing_remaining(tmp_path):
    records = [{"prompt": f"mail me at u{i}@example.com", "completion": "sure thing, noted"} for i in range(10)]
    built = _build(
        tmp_path,
        records,
        RecordMode.INSTRUCTION,
        scanner=RegexPiiScanner(),
        redaction=RedactionPolicy(RedactionMode.REPLACE),
    )
    assert built.records_path != tmp_path / "in.jsonl"
    assert b"example.com" not in built.records_path.read_bytes()
    assert built.pii_report.entities["EMAIL_ADDRESS"].count == 10 and built.remaining_pii == 0


def test_policy_accepts_a_clean_classification_dataset(tmp_path):
    built = _build(tmp_path, _tickets(20), RecordMode.CLASSIFICATION)
    reasons = rejection_reasons(
        built,
        task_type="classification",
        policy={"min_quality_score": 50},
        sensitivity={},
        labels=[],
        max_format_error_share=0.05,
    )
    assert reasons == []


def test_policy_lists_every_reason(tmp_path):
    records = [{"text": f"mail u{i}@example.com now please", "label": "other"} for i in range(3)]
    built = _build(tmp_path, records, RecordMode.CLASSIFICATION, scanner=RegexPiiScanner())
    reasons = rejection_reasons(
        built,
        task_type="chat",
        policy={"min_quality_score": 99.9},
        sensitivity={},
        labels=["a", "b"],
        max_format_error_share=0.05,
    )
    assert any(r.startswith("classification records cannot train a chat use case") for r in reasons)
    assert any(r.startswith("quality score") for r in reasons)
    assert any("EMAIL_ADDRESS: 3" in r and "declares none" in r for r in reasons)
    assert "labels not in the use case's label set: other" in reasons


def test_declared_pii_without_redaction_is_accepted(tmp_path):
    records = [{"text": f"mail u{i}@example.com about pump {i}", "label": "x" if i % 2 else "y"} for i in range(20)]
    built = _build(tmp_path, records, RecordMode.CLASSIFICATION, scanner=RegexPiiScanner())
    reasons = rejection_reasons(
        built,
        task_type="classification",
        policy={"redaction": "none", "min_quality_score": 0},
        sensitivity={"pii": True},
        labels=[],
        max_format_error_share=0.05,
    )
    assert reasons == []


def _dataset(owner: str = "alice", team: str | None = "plant") -> Dataset:
    import uuid

    return Dataset(usecase_id=uuid.uuid4(), name="d", owner=owner, team=team)


def _user(*roles: Role, subject: str = "bob", team: str | None = None) -> Principal:
    return Principal(subject=subject, roles=frozenset(roles), team=team)


def _version(remaining: int, scanned: bool) -> DatasetVersion:
    return DatasetVersion.model_construct(remaining_pii=remaining, pii_report={} if scanned else None)


def test_owner_and_team_may_modify_others_may_not():
    dataset = _dataset()
    access.ensure_can_modify(_user(Role.DATA_OWNER, subject="alice"), dataset)
    access.ensure_can_modify(_user(Role.DATA_OWNER, team="plant"), dataset)
    access.ensure_can_modify(_user(Role.ADMIN), dataset)
    for user in (_user(Role.DATA_OWNER), _user(Role.ML_ENGINEER)):
        with pytest.raises(Forbidden):
            access.ensure_can_modify(user, dataset)


@pytest.mark.parametrize(
    ("sensitivity", "version", "allowed"),
    [
        ({}, _version(5, True), True),
        ({"pii": True}, _version(0, True), True),
        ({"pii": True}, _version(2, True), False),
        ({"pii": True}, _version(0, False), False),
        ({"regulatory": True}, _version(0, True), False),
        ({"proprietary": True}, _version(0, True), False),
    ],
)
def test_viewers_see_records_only_when_sensitivity_allows(sensitivity, version, allowed):
    dataset = _dataset()
    viewer = _user(Role.VIEWER, team="plant")
    if allowed:
        access.ensure_can_read_content(viewer, dataset, sensitivity, version)
    else:
        with pytest.raises(Forbidden):
            access.ensure_can_read_content(viewer, dataset, sensitivity, version)
    access.ensure_can_read_content(_user(Role.DATA_OWNER, subject="alice"), dataset, sensitivity, version)


def test_user_without_a_data_role_cannot_read():
    with pytest.raises(Forbidden):
        access.ensure_can_read(_user(), _dataset())


def test_readers_of_another_team_or_of_none_cannot_read_but_admins_and_services_can():
    dataset = _dataset(team="plant")
    access.ensure_can_read(_user(Role.VIEWER, team="plant"), dataset)
    for outsider in (_user(Role.VIEWER, team="lab"), _user(Role.ML_ENGINEER), _user(Role.DATA_OWNER, team="lab")):
        with pytest.raises(Forbidden):
            access.ensure_can_read(outsider, dataset)
    access.ensure_can_read(_user(Role.ADMIN, team="lab"), dataset)
    access.ensure_can_read(_user(Role.SERVICE), dataset)


def _reasons(built, **policy) -> list[str]:
    return rejection_reasons(
        built,
        task_type="classification",
        policy={"min_quality_score": 0, **policy},
        sensitivity={"pii": True},
        labels=[],
        max_format_error_share=0.05,
    )


def test_a_version_with_fewer_records_than_min_examples_is_rejected_naming_the_setting(tmp_path):
    built = _build(tmp_path, _tickets(20), RecordMode.CLASSIFICATION)
    assert _reasons(built, min_examples=20) == []
    assert _reasons(built, min_examples=21) == ["20 records; the use case's policy needs at least 21 (min_examples)"]


def test_a_version_over_max_duplicate_ratio_is_rejected_and_told_to_dedup(tmp_path):
    records = _tickets(16) + _tickets(4)  # 4 exact repeats: 20%
    built = _build(tmp_path, records, RecordMode.CLASSIFICATION)
    assert _reasons(built, max_duplicate_ratio=0.2) == []
    (reason,) = _reasons(built, max_duplicate_ratio=0.1)
    assert reason.startswith("4 of 20 records (20.0%) are exact or near duplicates")
    assert "at most 10.0% (max_duplicate_ratio)" in reason and "POST .../dedup" in reason


def test_personal_data_left_over_max_pii_ratio_is_rejected_even_when_the_use_case_declares_it(tmp_path):
    records = _tickets(18) + [{"text": f"call u{i}@example.com about pump {i}", "label": "hydraulic"} for i in range(2)]
    built = _build(tmp_path, records, RecordMode.CLASSIFICATION, scanner=RegexPiiScanner())
    assert _reasons(built, max_pii_ratio=0.1) == [] and _reasons(built) == []  # None: no limit
    (reason,) = _reasons(built, max_pii_ratio=0.05)
    assert reason.startswith("2 of 20 records (10.0%) still hold personal data")
    assert "(max_pii_ratio)" in reason

    (tmp_path / "r").mkdir()
    redacted = _build(
        tmp_path / "r",
        records,
        RecordMode.CLASSIFICATION,
        scanner=RegexPiiScanner(),
        redaction=RedactionPolicy(RedactionMode.REPLACE),
    )
    assert _reasons(redacted, max_pii_ratio=0.0) == []  # nothing left after redaction
