"""A tiny real job reports its phases, in order, as it goes: what the service shows instead of "queued step 0"."""

import asyncio
import json
from pathlib import Path

import pytest
import torch

from tuneline.common.results import RUN_PHASES, TrainingPhaseReport, TrainingResult, parse_worker_message
from tuneline.common.storage import LocalObjectStore
from tuneline.training.worker import replay
from tuneline.training.worker.execute import ExecutionSpec, execute
from tuneline.training.worker.recipe import RecipeConfig, setup

torch.set_num_threads(1)


def _plant_replay_cache(cache: Path, model_dir: Path) -> None:
    prompts = replay.load_general_prompts()
    cache.mkdir(parents=True, exist_ok=True)
    replay.cache_file(cache, model_dir, prompts).write_text(
        json.dumps({p.id: f"Answer {i}." for i, p in enumerate(prompts)})
    )


def test_a_job_reports_every_phase_in_order_and_ends_saving(tiny_model_dir: Path, tmp_path: Path) -> None:
    """execute() runs its own event loop (as in the subprocess), so this test is synchronous."""
    store = LocalObjectStore(tmp_path / "objects")
    uris = {}
    for split, n in (("train", 12), ("validation", 4)):
        rows = [{"prompt": f"entry {i}: pump noise", "completion": "mechanical"} for i in range(n)]
        asyncio.run(store.put(f"d/{split}.jsonl", "".join(json.dumps(r) + "\n" for r in rows).encode()))
        uris[split] = store.uri(f"d/{split}.jsonl")
    cache = tmp_path / "replay-cache"
    _plant_replay_cache(cache, tiny_model_dir)
    spec = ExecutionSpec(
        job_id="job-1",
        recipe={
            "base_model": str(tiny_model_dir),
            "task": "instruction",
            "batch_size": 4,
            "max_steps": 3,
            "precision": "fp32",
            "torch_threads": 1,
            "general_replay": 0.5,
            "replay_cache_dir": str(cache),
            "progress_interval_s": 0.0,
        },
        split_uris=uris,
        output_prefix="jobs/job-1",
        workdir=str(tmp_path / "work"),
        store={"url": store.base_uri},
    )
    messages: list[dict] = []
    execute(spec, messages.append)

    parsed = [parse_worker_message(m) for m in messages]
    phases = [m.phase for m in parsed if isinstance(m, TrainingPhaseReport)]
    assert phases == list(RUN_PHASES)  # evaluating: the last step (3) is not an eval step, so a final eval runs
    kinds = [m["type"] for m in messages]
    first_step, training = kinds.index("progress"), phases.index("training")
    assert [m for m in parsed if isinstance(m, TrainingPhaseReport)][training] == TrainingPhaseReport(
        phase="training", done=0, total=3
    )
    assert kinds.index("phase") < first_step and kinds[-2] == "phase" and kinds[-1] == "result"
    result = parsed[-1]
    assert isinstance(result, TrainingResult) and result.produced_adapter


def test_a_cold_cache_reports_the_answers_done_batch_by_batch(
    tiny_model_dir: Path, write_jsonl, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The tiny random model never ends an answer, so the run stops after generating; its reports came first."""
    from tuneline.training.worker.recipe import RecipeHooks

    reports = []
    config = RecipeConfig(
        base_model=str(tiny_model_dir),
        train_path=write_jsonl("train.jsonl", [{"prompt": f"entry {i}", "completion": "x"} for i in range(8)]),
        output_dir=str(tmp_path / "run"),
        batch_size=4,
        max_steps=1,
        precision="fp32",
        torch_threads=1,
        general_replay=0.5,
        replay_cache_dir=str(tmp_path / "cache"),
    )
    with pytest.raises(ValueError, match="finished none of its answers"):
        setup(config, RecipeHooks(on_phase=reports.append))
    prompts = len(replay.load_general_prompts())
    assert [r.phase for r in reports[:3]] == ["preparing_data", "loading_model", "generating_replay"]
    answered = reports[3:]
    assert [r.done for r in answered] == [min(n, prompts) for n in range(8, prompts + 8, 8)]
    assert all(r.phase == "generating_replay" and r.total == prompts for r in answered)
    assert all(r.seconds_per_unit is not None and r.seconds_per_unit > 0 for r in answered)
