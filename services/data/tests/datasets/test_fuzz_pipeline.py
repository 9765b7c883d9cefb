"""The upload pipeline as the processing pool runs it: any bytes become built versions or a rejection with a
reason; a pool process that dies fails only the upload it was working on."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tuneline.data.datasets.engines import Engines
from tuneline.data.datasets.processes import ProcessingCrashed, ProcessingPool
from tuneline.data.datasets.service import UploadJob, ingest_and_build
from tuneline.data.processing.errors import FileRejectedError
from tuneline.data.settings import DataSettings

SETTINGS = DataSettings(environment="test", pii_engine="regex", max_record_bytes=1 << 16, max_record_depth=16)
ENGINES = Engines(SETTINGS)
LINE = json.dumps({"text": "oil leak at cylinder 4, call 555-123-4567", "label": "hydraulic"})


def job(data: bytes, name: str, work: Path, redaction: str = "none") -> UploadJob:
    raw = work / "raw"
    raw.write_bytes(data)
    return UploadJob(SETTINGS, "test-model-without-tokenizer", redaction, name, {}, raw, work)


def run(data: bytes, name: str, redaction: str = "none") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            result, builds = ingest_and_build(ENGINES, job(data, name, Path(tmp), redaction))
        except FileRejectedError as exc:
            assert str(exc)
            return
        except ValueError as exc:
            assert not isinstance(exc, UnicodeError), "an encoding error is a bug, not a rejection"
            assert str(exc)
            return
        assert result.record_count > 0 and builds
        for built in builds:
            assert built.record_count == sum(built.split_plan.report.counts.values())
            assert "\x00" not in built.records_path.read_text("utf-8")


@pytest.fixture(scope="module", autouse=True)
def _warm_up() -> None:
    """Engines and resources load on first use; keep that out of the first example's deadline."""
    run(("\n".join([LINE] * 5) + "\n").encode(), "a.jsonl", "mask")


@settings(max_examples=30, deadline=timedelta(seconds=10), suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2048),
        st.lists(st.one_of(st.just(LINE), st.text(max_size=60)), min_size=1, max_size=30).map(
            lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")
        ),
    ),
    st.sampled_from(["a.jsonl", "a.json", "a.csv", "a.txt"]),
    st.sampled_from(["none", "mask"]),
)
@example(("\n".join([LINE] * 5) + '\n{"text": ' + "[" * 5000 + "]" * 5000 + "}").encode(), "a.jsonl", "none")
@example(('{"text": "a\\u0000b \\ud800 555-123-4567", "label": "x\\u0000"}\n' * 3).encode(), "a.jsonl", "mask")
def test_any_upload_becomes_versions_or_a_rejection_with_a_reason(data, name, redaction):
    run(data, name, redaction)


def _die(_engines: Engines) -> None:
    os._exit(1)  # a native parser crashing, or the kernel's OOM killer


def _records(engines: Engines, data: bytes, work: str) -> int:
    result, _ = ingest_and_build(engines, job(data, "a.jsonl", Path(work)))
    return result.record_count


@pytest.mark.integration
async def test_a_dead_pool_process_fails_its_upload_and_the_next_upload_gets_a_fresh_pool(tmp_path) -> None:
    pool = ProcessingPool(SETTINGS.model_copy(update={"processing_workers": 1}), ENGINES)
    try:
        with pytest.raises(ProcessingCrashed, match="died"):
            await pool.run(_die)
        data = ("\n".join([LINE] * 20) + "\n").encode()
        assert await pool.run(_records, data, str(tmp_path)) == 20
    finally:
        pool.close()
