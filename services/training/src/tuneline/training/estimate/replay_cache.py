"""The general-replay prompts and where the base model's answers to them are cached.

The worker (worker/replay.py) generates the answers and writes the cache; the estimate of a job asks whether the
cache is warm for its base model (a cold one adds the generation to the estimate). Both need the same prompts
and file names, so they live here, below both.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

PROMPTS_FILE = "general_prompts.jsonl"
MAX_NEW_TOKENS = 96
"""Generation budget of one replay answer (part of the cache key)."""


@dataclass(frozen=True)
class ReplayPrompt:
    id: str
    category: str
    prompt: str


def load_general_prompts() -> list[ReplayPrompt]:
    content = resources.files("tuneline.training.worker").joinpath("data", PROMPTS_FILE).read_text(encoding="utf-8")
    prompts = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        for name in ("id", "category", "prompt"):
            if not isinstance(row.get(name), str) or not row[name].strip():
                raise ValueError(f"{PROMPTS_FILE} line {number}: field {name!r} must be a non-empty string")
        prompts.append(ReplayPrompt(row["id"], row["category"], row["prompt"]))
    return prompts


def cache_key(base_dir: Path, prompts: list[ReplayPrompt], max_new_tokens: int) -> str:
    """Changes with the base model's weights/config, the prompts and the generation budget."""
    digest = hashlib.sha256()
    for name in ("config.json", "model.safetensors"):
        path = base_dir / name
        if path.is_file():
            stat = path.stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update(str(base_dir.resolve()).encode())
    digest.update(json.dumps([p.prompt for p in prompts]).encode())
    digest.update(str(max_new_tokens).encode())
    return digest.hexdigest()[:20]


def cache_file(
    cache_dir: Path, base_dir: Path, prompts: list[ReplayPrompt], max_new_tokens: int = MAX_NEW_TOKENS
) -> Path:
    """Where the base model's answers to `prompts` are cached (one file per base model, prompt set and budget)."""
    return cache_dir / f"general-replay-{cache_key(base_dir, prompts, max_new_tokens)}.json"


def cached_answers_exist(base_dir: Path | None, cache_dir: Path) -> bool:
    """Whether a run on `base_dir` would find its replay answers cached (None: the base model is not even local)."""
    return base_dir is not None and read_cache(cache_file(cache_dir, base_dir, load_general_prompts())) is not None


def read_cache(path: Path) -> dict[str, str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None
