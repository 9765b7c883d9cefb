"""One evaluation job, from stored inputs to stored reports: fetch → evaluate → summarise → report.

Kept apart from the claim loop so it can be called (and tested) with nothing but a row's fields, a store and
settings. The model work runs in a thread so the loop keeps sending heartbeats.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneline.common.base_models import BaseModelSource
from tuneline.common.records import RecordError, iter_rows
from tuneline.common.storage import ObjectStore, download_prefix
from tuneline.evaluation.gate.decision import GateThresholds
from tuneline.evaluation.reports.html_report import render_html
from tuneline.evaluation.reports.json_report import build_report
from tuneline.evaluation.reports.model import from_json
from tuneline.evaluation.results import EvaluationOutcome
from tuneline.evaluation.review.policy import ReviewDecision, ReviewPolicy, review_required
from tuneline.evaluation.review.sampling import BlindItem, blind_sample
from tuneline.evaluation.runner.config import EvalConfig, GenerationSettings
from tuneline.evaluation.runner.recipe import run_evaluation
from tuneline.evaluation.settings import EvaluationSettings
from tuneline.evaluation.summary.report import ImprovementSummary, summarise

TASK_OF_TYPE = {
    "classification": "classification",
    "extraction": "extraction",
    "summarisation": "generation",
    "generation": "generation",
    "chat": "generation",
}


@dataclass(frozen=True)
class JobInputs:
    """What the runner needs from an evaluation row."""

    evaluation_id: str
    task_type: str
    base_model: str
    adapter_uri: str
    test_split_uri: str
    labels: list[str]
    prompt_template: dict[str, Any] | None = None


@dataclass(frozen=True)
class JobResult:
    outcome: EvaluationOutcome
    summary: ImprovementSummary
    review: ReviewDecision
    items: list[BlindItem]
    report_uri: str
    report_keys: tuple[str, str]


class StoreCheckpoints:
    """Pass checkpoints in object storage under ``prefix``; called from the evaluation thread, so it hands
    each storage call to the event loop that owns the store and waits for it."""

    def __init__(self, store: ObjectStore, prefix: str, loop: asyncio.AbstractEventLoop) -> None:
        self.store, self.prefix, self.loop = store, prefix, loop

    def load(self, name: str) -> dict[str, Any] | None:
        return asyncio.run_coroutine_threadsafe(self._load(f"{self.prefix}/{name}.json"), self.loop).result()

    def save(self, name: str, data: dict[str, Any]) -> None:
        body = json.dumps(data).encode("utf-8")
        put = self.store.put(f"{self.prefix}/{name}.json", body, content_type="application/json")
        asyncio.run_coroutine_threadsafe(put, self.loop).result()

    async def _load(self, key: str) -> dict[str, Any] | None:
        if not await self.store.exists(key):
            return None
        data: dict[str, Any] = json.loads(await self.store.read_bytes(key))
        return data


def parse_jsonl(data: bytes, name: str) -> list[dict[str, Any]]:
    """Decoded rows of a split (the shared reader's line rules); the records themselves are read by the runner."""
    rows = []
    for where, row in iter_rows(data.splitlines(), name):
        if not isinstance(row, dict):
            raise RecordError(f"{where}: expected a JSON object, got {type(row).__name__}")
        rows.append(row)
    return rows


async def fetch_inputs(
    store: ObjectStore, job: JobInputs, workdir: Path, max_records: int
) -> tuple[Path, list[dict[str, Any]]]:
    adapter_dir = await download_prefix(store, store.key_from_uri(job.adapter_uri), workdir / "adapter")
    if not (adapter_dir / "adapter_config.json").is_file():
        raise ValueError(f"adapter_uri {job.adapter_uri} holds no adapter_config.json")
    rows = parse_jsonl(await store.read_bytes(store.key_from_uri(job.test_split_uri)), "test split")
    return adapter_dir, rows[:max_records]


def build_config(settings: EvaluationSettings, job: JobInputs, adapter_dir: Path) -> EvalConfig:
    task = TASK_OF_TYPE.get(job.task_type)
    if task is None:
        raise ValueError(f"task_type {job.task_type!r} has no evaluation recipe")
    return EvalConfig(
        base_model=job.base_model,
        adapter_dir=str(adapter_dir),
        task=task,
        labels=list(job.labels) or None,
        prompt_template=job.prompt_template,
        generation=GenerationSettings(max_new_tokens=settings.eval_max_new_tokens, batch_size=settings.eval_batch_size),
        gate=GateThresholds(
            max_perplexity_ratio=settings.gate_max_perplexity_ratio, max_suite_drop=settings.gate_max_suite_drop
        ),
        suite_limit=settings.gate_suite_limit,
        general_text_limit=settings.gate_general_text_limit,
        torch_threads=settings.runner_torch_threads,
        custom_metrics=list(settings.custom_metrics),
        model_cache_dir=settings.model_cache_dir,
    )


async def evaluate_job(
    settings: EvaluationSettings,
    store: ObjectStore,
    job: JobInputs,
    workdir: Path,
    kpi_targets: Mapping[str, float],
    loss_history: list[dict[str, float]],
) -> JobResult:
    adapter_dir, rows = await fetch_inputs(store, job, workdir, settings.eval_max_records)
    config = build_config(settings, job, adapter_dir)
    prefix = f"evaluations/{job.evaluation_id}"
    checkpoints = StoreCheckpoints(store, f"{prefix}/checkpoints", asyncio.get_running_loop())
    # A base model given by URI (or mapped to one) is fetched in the evaluation thread, into this node's cache.
    base_models = BaseModelSource(store, settings.base_model_map(), settings.allow_unverified_base_models)
    outcome = await asyncio.to_thread(run_evaluation, config, rows, None, None, checkpoints, base_models)
    summary = summarise(outcome, kpi_targets)
    review = review_required(config.task, outcome.gate, outcome.samples, ReviewPolicy())
    # The seed comes from the evaluation id: a re-run after a lost runner draws the same review sample.
    items = blind_sample(outcome.samples, settings.review_sample_size, seed=int(job.evaluation_id.replace("-", ""), 16))
    report = build_report(outcome, summary, evaluation_id=job.evaluation_id, loss_history=loss_history or None)
    json_info = await store.put(
        f"{prefix}/report.json", json.dumps(report).encode("utf-8"), content_type="application/json"
    )
    await store.put(f"{prefix}/report.html", render_html(from_json(report)).encode("utf-8"), content_type="text/html")
    return JobResult(
        outcome=outcome,
        summary=summary,
        review=review,
        items=items,
        report_uri=json_info.uri,
        report_keys=(f"{prefix}/report.json", f"{prefix}/report.html"),
    )
