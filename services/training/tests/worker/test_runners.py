"""Runners: the executor's protocol through a real subprocess and through local Ray (slow)."""

import asyncio
import json
from pathlib import Path

import pytest

from tuneline.common.storage import LocalObjectStore
from tuneline.training.worker.execute import ExecutionSpec
from tuneline.training.worker.runners import RunHandle, SubprocessRunner


def _spec(tmp_path: Path, tiny_model_dir: Path, **recipe) -> ExecutionSpec:  # type: ignore[no-untyped-def]
    store = LocalObjectStore(tmp_path / "objects")
    rows = [{"prompt": f"unit {i} status", "completion": "ok" if i % 2 else "fault"} for i in range(16)]
    path = tmp_path / "objects" / "datasets" / "d" / "train.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return ExecutionSpec(
        job_id="job-1",
        recipe={
            "base_model": str(tiny_model_dir),
            "max_steps": 4,
            "batch_size": 4,
            "precision": "fp32",
            "torch_threads": 1,
            "checkpoint_every_steps": 2,
            "progress_interval_s": 0,
            **recipe,
        },
        split_uris={"train": store.uri("datasets/d/train.jsonl")},
        output_prefix="jobs/job-1",
        workdir=str(tmp_path / "work"),
        store={"url": (tmp_path / "objects").as_uri()},
    )


async def _collect(handle: RunHandle) -> list[dict]:
    return [message async for message in handle.messages()]


@pytest.mark.integration
async def test_subprocess_run_reports_progress_checkpoints_and_uploads_the_adapter(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    handle = await SubprocessRunner().start(_spec(tmp_path, tiny_model_dir))
    messages = await asyncio.wait_for(_collect(handle), timeout=300)
    code, error = await handle.outcome()
    assert code == 0, error
    kinds = [m["type"] for m in messages]
    assert kinds.count("checkpoint") == 2 and kinds[-1] == "result"
    assert [m["step"] for m in messages if m["type"] == "checkpoint"] == [2, 4]
    result = messages[-1]
    assert result["status"] == "completed" and result["metadata"]["steps"] == 4
    store = LocalObjectStore(tmp_path / "objects")
    assert await store.exists(f"{store.key_from_uri(result['adapter_uri'])}/adapter_model.safetensors")
    assert await store.exists("jobs/job-1/checkpoints/0000002/trainer_state.json")


@pytest.mark.integration
async def test_subprocess_run_with_a_bad_config_exits_with_the_error(tmp_path: Path, tiny_model_dir: Path) -> None:
    handle = await SubprocessRunner().start(_spec(tmp_path, tiny_model_dir, batch_size=0))
    assert await asyncio.wait_for(_collect(handle), timeout=300) == []
    code, error = await handle.outcome()
    assert code == 1 and "batch_size=0: must be >= 1" in error


#: The local-Ray round trip, run in an interpreter of its own: after a local Ray session in the pytest process, the
#: multi-node test's driver lost every actor it created before it ran (see tests/e2e/conftest.py).
_LOCAL_RAY = """
import asyncio, json, sys
from pathlib import Path

import ray

from tuneline.training.worker.execute import ExecutionSpec
from tuneline.training.worker.runners import RayRunner


async def collect(handle):
    return [message async for message in handle.messages()]


async def main(first, second):
    runner = RayRunner(None, num_cpus=1)
    try:
        handle = await runner.start(ExecutionSpec(**first))
        done = await asyncio.wait_for(collect(handle), timeout=300)
        code = (await handle.outcome())[0]
        cancelled = await runner.start(ExecutionSpec(**second))
        cancelled.request("cancel")
        stopped = await asyncio.wait_for(collect(cancelled), timeout=300)
        await cancelled.outcome()
        return {"code": code, "done": done[-1], "cancelled": stopped[-1]}
    finally:
        ray.shutdown()


print(json.dumps(asyncio.run(main(*json.loads(sys.stdin.read())))))
"""


@pytest.mark.slow
def test_local_ray_runs_the_same_protocol_and_honours_cancel(tmp_path: Path, tiny_model_dir: Path) -> None:
    import subprocess
    import sys
    from dataclasses import asdict

    first = asdict(_spec(tmp_path / "a", tiny_model_dir))
    second = asdict(_spec(tmp_path / "b", tiny_model_dir, max_steps=100_000))
    run = subprocess.run(
        [sys.executable, "-c", _LOCAL_RAY],
        input=json.dumps([first, second]),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["code"] == 0
    assert result["done"]["type"] == "result" and result["done"]["status"] == "completed"
    assert result["cancelled"]["status"] == "cancelled" and result["cancelled"]["adapter_uri"] is None


class _FakeActor:
    """A Ray actor handle whose calls answer, or die as a cancelled actor creation does."""

    def __init__(self, dies: bool) -> None:
        self.dies = dies
        self.killed = False

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return type("Method", (), {"remote": lambda _self, *a: self})()


class _FakeRay:
    """Just enough of Ray for the runner's helper actors: the first `dead` pairs die before they ever run."""

    def __init__(self, dead: int) -> None:
        import ray

        self.exceptions = ray.exceptions
        self.dead, self.created, self.killed = dead, [], []

    def remote(self, cls):  # type: ignore[no-untyped-def]
        fake = self

        class Options:
            def options(self, **_: object) -> "Options":
                return self

            def remote(self, *_: object) -> _FakeActor:
                actor = _FakeActor(dies=len(fake.created) < 2 * fake.dead)
                fake.created.append(actor)
                return actor

        return Options()

    def get(self, refs, timeout=None):  # type: ignore[no-untyped-def]
        if any(ref.dies for ref in refs):
            raise self.exceptions.ActorDiedError()
        return [0 for _ in refs]

    def kill(self, actor, no_restart=False):  # type: ignore[no-untyped-def]
        self.killed.append(actor)


def _queue_type(fake: _FakeRay):  # type: ignore[no-untyped-def]
    """ray.util.queue.Queue as the runner builds it, over the fake's actors."""

    class FakeQueue:
        def __init__(self, actor_options: dict) -> None:
            assert actor_options == {"num_cpus": 0}  # holds messages, reserves no CPU
            self.actor = fake.remote(object).remote()

    return FakeQueue


def _runner(fake: _FakeRay):  # type: ignore[no-untyped-def]
    from tuneline.training.worker.runners import RayRunner

    runner = RayRunner.__new__(RayRunner)  # without connecting to a Ray
    runner.ray = fake
    return runner


@pytest.mark.unit
@pytest.mark.parametrize("dead", [0, 2])
async def test_helper_actors_that_die_before_running_are_replaced_before_the_task_is_submitted(dead: int) -> None:
    fake = _FakeRay(dead)
    queue, control = await _runner(fake)._helpers(_queue_type(fake), "job-1")
    assert not queue.actor.dies and not control.dies
    assert len(fake.created) == 2 * (dead + 1)  # a queue and a control actor per try
    assert len(fake.killed) == 2 * dead  # each dead pair released


@pytest.mark.unit
async def test_helper_actors_that_never_start_fail_the_run_with_the_reason() -> None:
    from tuneline.training.worker.runners import HELPER_ATTEMPTS

    fake = _FakeRay(dead=HELPER_ATTEMPTS)
    with pytest.raises(RuntimeError, match=f"did not start after {HELPER_ATTEMPTS} tries"):
        await _runner(fake)._helpers(_queue_type(fake), "job-1")
