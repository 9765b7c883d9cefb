"""An evaluation whose base model lives in the object store: the tiny model uploaded to real S3 (SeaweedFS) with its
manifest, named by a reference that TUNELINE_BASE_MODEL_DIRS maps to its s3:// URI; the runner fetches it into its
node's model cache, checks it, and evaluates the adapter on top of it."""

import asyncio
import json
import secrets
from uuid import uuid4

import pytest

from tuneline.common.artifacts import cached_model_dir, upload_with_manifest
from tuneline.common.storage import S3ObjectStore, upload_dir
from tuneline.evaluation.runner.execute import JobInputs, evaluate_job
from tuneline.evaluation.settings import EvaluationSettings

pytestmark = pytest.mark.integration

TEST_ROWS = [
    {"text": "oil dripping from the pump seal", "label": "leak"},
    {"text": "breaker tripped on panel 3", "label": "electrical"},
    {"text": "bearing noise on the conveyor motor", "label": "mechanical"},
]


def test_the_runner_evaluates_on_a_base_model_fetched_from_s3_by_its_mapped_reference(
    s3_server, tiny_model_dir, zero_adapter_dir, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    store = S3ObjectStore(
        f"tl-eval-{secrets.token_hex(4)}",
        "",
        endpoint=s3_server.endpoint,
        access_key=s3_server.access_key,
        secret_key=s3_server.secret_key,
        secure=False,
    )
    uri = store.uri("models/tiny")
    cache = tmp_path / "node-cache"
    settings = EvaluationSettings(
        environment="test",
        base_model_dirs=json.dumps({"tiny-base": uri}),
        model_cache_dir=str(cache),
        eval_max_new_tokens=4,
        eval_batch_size=4,
        gate_suite_limit=2,
        gate_general_text_limit=2,
        review_sample_size=2,
        runner_torch_threads=1,
    )

    async def stage() -> JobInputs:
        await upload_with_manifest(store, tiny_model_dir, "models/tiny")
        await upload_dir(store, zero_adapter_dir, "jobs/j1/adapter")
        split = await store.put("datasets/d1/test.jsonl", "\n".join(json.dumps(r) for r in TEST_ROWS).encode())
        return JobInputs(
            evaluation_id=str(uuid4()),
            task_type="classification",
            base_model="tiny-base",
            adapter_uri=store.uri("jobs/j1/adapter"),
            test_split_uri=split.uri,
            labels=["electrical", "leak", "mechanical"],
        )

    job = asyncio.run(stage())
    assert cached_model_dir(uri, cache) is None
    result = asyncio.run(evaluate_job(settings, store, job, tmp_path / "work", {}, []))

    local = cached_model_dir(uri, cache)
    assert local is not None and (local / "config.json").read_bytes() == (tiny_model_dir / "config.json").read_bytes()
    outcome = result.outcome
    assert outcome.settings["base_model"] == "tiny-base" and len(outcome.samples) == len(TEST_ROWS)
    # A zero LoRA leaves the base as it is: both passes ran on the fetched weights and agree sample by sample.
    assert [s.base.output for s in outcome.samples] == [s.tuned.output for s in outcome.samples]
    assert outcome.base.metrics["accuracy"] == outcome.tuned.metrics["accuracy"]
