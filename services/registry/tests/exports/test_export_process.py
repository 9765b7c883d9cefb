"""The runner's warm export process: a job that runs too long or a process that dies ends in a reason, never a hang,
and the next job gets a new process."""

import asyncio
from pathlib import Path

from tuneline.common.testing.helpers import eventually
from tuneline.registry.exports.recipe import ExportJob
from tuneline.registry.exports.runner import ExportProcess


def a_job(tmp_path: Path) -> ExportJob:
    return ExportJob(
        export_id="t",
        format="merged",
        quantization=None,
        base_model_dir=str(tmp_path / "no-base"),
        adapter_dir=str(tmp_path / "no-adapter"),
        out_dir=str(tmp_path / "out"),
        scratch_dir=str(tmp_path / "scratch"),
        name="m-v1",
        prompts=["x"],
        max_new_tokens=1,
    )


async def test_a_job_past_its_time_is_stopped_with_the_reason(tmp_path: Path) -> None:
    process = ExportProcess()
    result = await process.run(a_job(tmp_path), timeout_s=0.05)
    assert result == {"error": "the export process ran longer than 0.05 s and was stopped"}
    assert process._process is None  # killed: the next job starts a new one


async def test_a_killed_process_fails_its_job_with_the_signal(tmp_path: Path) -> None:
    process = ExportProcess()
    running = asyncio.create_task(process.run(a_job(tmp_path), timeout_s=120))

    async def started() -> bool:
        return process._process is not None and process._process.is_alive()

    await eventually(started, timeout_s=30, what="the export process started")
    process._process.kill()  # as the kernel's out-of-memory killer would
    result = await running
    assert result == {"error": "the export process was killed by signal 9 (out of memory?) before it answered"}
