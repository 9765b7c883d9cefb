"""One training job end to end where the recipe runs (a subprocess, or a Ray task on any node).

Fetch the splits (and the checkpoint to resume from) from object storage, run the recipe (which fetches a base
model given by URI into this node's model cache, checked against its manifest), upload every
checkpoint and the final adapter, and report back through `emit` as the JSON form of the typed messages in
tuneline.common.results (the service parses each with `parse_worker_message`):

    {"type": "phase", "phase": "generating_replay", "done": 16, "total": 64, "seconds_per_unit": 1.9}
    {"type": "progress", ...Progress fields}
    {"type": "checkpoint", "step": 40, "key": "jobs/<id>/checkpoints/0000040"}
    {"type": "result", "status": "completed" | "early_stopped" | "cancelled" | "paused",
     "adapter_uri": str | None, "metadata": {...training_metadata without per-step history}}

Uploads happen here rather than in the worker loop so a Ray task on another machine needs no shared disk.
As a process: `python -m tuneline.training.worker.execute SPEC.json` writes those dicts as JSON lines
prefixed with MESSAGE_PREFIX on stdout; SIGTERM asks it to cancel, SIGUSR1 to pause.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import signal
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tuneline.common.base_models import BaseModelSource
from tuneline.common.storage import ObjectStore, download_prefix, download_to, store_from_url, upload_dir

MESSAGE_PREFIX = "@@tuneline "
Emit = Callable[[dict[str, Any]], None]
Control = Callable[[], str | None]


@dataclass
class ExecutionSpec:
    job_id: str
    recipe: dict[str, Any]
    """RecipeConfig fields except train_path, validation_path, output_dir and resume_from (set here)."""
    split_uris: dict[str, str]
    output_prefix: str
    """Object-store prefix of this job: checkpoints/ and adapter/ go below it."""
    workdir: str
    store: dict[str, Any] = field(default_factory=dict)
    """store_from_url arguments: url, endpoint, access_key, secret_key, secure, region."""
    resume_checkpoint_key: str | None = None
    validation_uris: list[str] = field(default_factory=list)
    """JSONL objects to validate on instead of split_uris["validation"], concatenated in this order (a separate
    validation dataset version); empty = the training version's validation split. Defaulted so older specs parse."""
    base_model_dirs: dict[str, str] = field(default_factory=dict)
    """TUNELINE_BASE_MODEL_DIRS of the service: reference -> directory or URI the base model is loaded from."""
    allow_unverified_base_models: bool = False
    """TUNELINE_ALLOW_UNVERIFIED_BASE_MODELS of the service: accept a base-model URI without a manifest."""


def execute(spec: ExecutionSpec, emit: Emit, control: Control | None = None) -> None:
    from tuneline.training.worker.recipe import RecipeConfig, RecipeHooks

    store = store_from_url(**spec.store)
    # A base model given by URI is fetched here, on the node that trains, into its own model cache.
    base_models = BaseModelSource(store, spec.base_model_dirs, spec.allow_unverified_base_models)
    loop = asyncio.new_event_loop()
    try:
        workdir = Path(spec.workdir)
        paths = loop.run_until_complete(_fetch_inputs(store, spec, workdir))

        def on_checkpoint(path: Path, step: int) -> None:
            key = f"{spec.output_prefix}/checkpoints/{step:07d}"
            loop.run_until_complete(upload_dir(store, path, key))
            emit({"type": "checkpoint", "step": step, "key": key})

        config = RecipeConfig(
            **spec.recipe,
            train_path=str(paths["train"]),
            validation_path=str(paths["validation"]) if "validation" in paths else None,
            output_dir=str(workdir / "run"),
            resume_from=str(paths["resume"]) if "resume" in paths else None,
        )
        hooks = RecipeHooks(
            on_progress=lambda p: emit({"type": "progress", **asdict(p)}),
            on_phase=lambda p: emit({"type": "phase", **asdict(p)}),
            on_checkpoint=on_checkpoint,
            control=control,
        )
        result = recipe_for(config, base_models)(config, hooks, base_models)
        adapter_uri = None
        if result.adapter_dir is not None:
            key = f"{spec.output_prefix}/adapter"
            loop.run_until_complete(upload_dir(store, result.adapter_dir, key))
            adapter_uri = store.uri(key)
        metadata = {k: v for k, v in result.metadata.items() if k != "history"}
        emit({"type": "result", "status": result.status, "adapter_uri": adapter_uri, "metadata": metadata})
    finally:
        loop.close()


def recipe_for(config: Any, base_models: BaseModelSource) -> Callable[..., Any]:
    """The recipe the base model's architecture calls for: an encoder (BERT-style config.json) trains a
    sequence-classification head (worker/classifier.py), anything else the causal-LM recipe (worker/recipe.py)."""
    from tuneline.common.base_models import default_cache_dir, is_encoder_dir, resolve_base_model

    cache = Path(config.model_cache_dir) if config.model_cache_dir else default_cache_dir()
    if is_encoder_dir(resolve_base_model(config.base_model, cache, base_models)):
        from tuneline.training.worker import classifier

        return classifier.run
    from tuneline.training.worker import recipe

    return recipe.run


async def _fetch_inputs(store: ObjectStore, spec: ExecutionSpec, workdir: Path) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    data = workdir / "data"
    if uri := spec.split_uris.get("train"):
        paths["train"] = await download_to(store, store.key_from_uri(uri), data / "train.jsonl")
    if spec.validation_uris:  # a separate validation dataset version replaces the training version's split
        paths["validation"] = await _concatenate(store, spec.validation_uris, data / "validation.jsonl")
    elif uri := spec.split_uris.get("validation"):
        paths["validation"] = await download_to(store, store.key_from_uri(uri), data / "validation.jsonl")
    if "train" not in paths:
        raise ValueError(f"job {spec.job_id}: no train split uri")
    if spec.resume_checkpoint_key:
        target = workdir / "resume" / Path(spec.resume_checkpoint_key).name
        paths["resume"] = await download_prefix(store, spec.resume_checkpoint_key, target)
    return paths


async def _concatenate(store: ObjectStore, uris: list[str], path: Path) -> Path:
    """Stream JSONL objects into one file; a part without a final newline still ends its last record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("wb") as out:
        for uri in uris:
            last = b"\n"
            async for chunk in store.get(store.key_from_uri(uri)):
                if chunk:
                    await asyncio.to_thread(out.write, chunk)
                    last = chunk[-1:]
            if last != b"\n":
                out.write(b"\n")
    tmp.replace(path)
    return path


def _die_with_parent() -> None:
    # A worker killed with SIGKILL cannot stop its child; the kernel can, so an orphan never trains on.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m tuneline.training.worker.execute SPEC.json", file=sys.stderr)
        return 2
    _die_with_parent()
    spec = ExecutionSpec(**json.loads(Path(argv[1]).read_text()))
    requested: list[str] = []
    signal.signal(signal.SIGTERM, lambda *_: requested.append("cancel"))
    signal.signal(signal.SIGUSR1, lambda *_: requested.append("pause"))

    def emit(message: dict[str, Any]) -> None:
        print(MESSAGE_PREFIX + json.dumps(message, default=str), flush=True)

    execute(spec, emit, lambda: requested[-1] if requested else None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
