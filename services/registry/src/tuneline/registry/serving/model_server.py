"""The pool deployment: one base model per replica, every version of every model fine-tuned from it served as an
adapter on it (the registry runs one pool application per base model; see spec.py).

Its user_config lists the versions to keep loaded (all models' stable, canary and previous versions); a version
missing from it (a request that raced a reconfigure) is loaded on demand. `reconfigure` loads them on the running
replica, so a new model or canary becomes warm without a restart. Requests, streamed or not, of any version, are
decoded together by continuous batching (batcher.py): a request joins the running batch at the next decoding step
and leaves it when it ends, which is what keeps throughput up and latency bounded at high concurrency on CPU. A
version that fails to load is recorded with its reason (see `status`) instead of failing the replica, so the versions
already serving keep serving. Merged mode (full copies per version) cannot mix versions in one pass and generates
one request at a time.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from typing import Any

from ray import serve

from tuneline.common.base_models import default_cache_dir, is_encoder_dir
from tuneline.registry.serving.batcher import ContinuousBatcher
from tuneline.registry.serving.encoder_engine import EncoderEngine
from tuneline.registry.serving.engine import AdapterEngine, GenerationParams, GenerationResult, StreamEnd
from tuneline.registry.serving.loading import fetch_base_dir
from tuneline.registry.serving.spec import SERVER_DEPLOYMENT, ServerConfig, StoreSpec

_DONE = object()


@serve.deployment(name=SERVER_DEPLOYMENT)
class ModelServer:
    def __init__(
        self,
        base_model_path: str,
        merge: bool,
        torch_threads: int | None,
        adapter_cache_dir: str | None,
        store: dict[str, Any] | None = None,
        base_sha256: dict[str, str] | None = None,
        max_batch: int = 16,
    ) -> None:
        if adapter_cache_dir is None:
            # The node's own cache: TUNELINE_MODEL_CACHE_DIR as the node's Ray processes were started with (each
            # node of a cluster keeps its own copies), never a path chosen on the registry's machine.
            adapter_cache_dir = str(default_cache_dir() / "serving")
        opened = StoreSpec.model_validate(store).open() if store else None
        base_dir = fetch_base_dir(base_model_path, opened, base_sha256, adapter_cache_dir)
        self._engine: AdapterEngine | EncoderEngine
        self._batcher: ContinuousBatcher | None
        if is_encoder_dir(base_dir):  # a classifier pool: one forward pass per request, nothing to decode
            self._engine = EncoderEngine(
                base_model_path,
                torch_threads=torch_threads,
                adapter_cache_dir=adapter_cache_dir,
                store=opened,
                base_sha256=base_sha256,
            )
            self._batcher = None
        else:
            self._engine = AdapterEngine(
                base_model_path,
                merge=merge,
                torch_threads=torch_threads,
                adapter_cache_dir=adapter_cache_dir,
                store=opened,
                base_sha256=base_sha256,
            )
            self._batcher = None if merge else ContinuousBatcher(self._engine, max_batch=max_batch)
        self._failures: dict[str, str] = {}
        self._started_at = time.time()

    async def reconfigure(self, user_config: dict[str, Any]) -> None:
        config = ServerConfig.model_validate(user_config)
        self._engine.max_loaded = config.max_loaded
        failures: dict[str, str] = {}  # only the current warm list matters; older failures are history
        # The warm list is every version that serves: what left it is unloaded and its downloaded copy deleted
        # (an erased or archived adapter must not stay on a replica's disk).
        keep_uris = {item.adapter_uri for item in config.warm if item.adapter_uri is not None}
        await asyncio.to_thread(self._engine.forget_all_but, {item.version_id for item in config.warm}, keep_uris)
        for item in config.warm:
            if item.adapter_uri is not None and item.sha256:
                self._engine.pins[item.adapter_uri] = item.sha256
        for item in config.warm:
            try:
                await asyncio.to_thread(self._engine.ensure_loaded, item.version_id, item.adapter_uri)
            except Exception as exc:  # recorded for the controller; the replica must stay up for the others
                failures[item.version_id] = str(exc)
        self._failures = failures

    async def status(self) -> dict[str, Any]:
        return {
            "loaded": self._engine.loaded,
            "failed": dict(self._failures),
            "merge": self._engine.merge,
            "started_at": self._started_at,
            "pid": os.getpid(),
            "batching": None
            if self._batcher is None
            else {
                "max_batch": self._batcher.max_batch,
                "active": self._batcher.active,
                "peak": self._batcher.peak_batch,
                "steps": self._batcher.steps,
                "finished": self._batcher.finished,
            },
        }

    async def classify(self, request: dict[str, Any]) -> dict[str, Any]:
        """An encoder pool's answer: the head's label and every label's probability."""
        if not isinstance(self._engine, EncoderEngine):
            raise ValueError("this pool serves a causal LM: classify through generate")
        found = await asyncio.to_thread(
            self._engine.classify, request["version_id"], request["adapter_uri"], request["text"]
        )
        return {"label": found.label, "scores": found.scores, "tokens_in": found.tokens_in}

    async def generate(self, request: dict[str, Any]) -> dict[str, Any]:
        if isinstance(self._engine, EncoderEngine):
            raise ValueError("this pool serves an encoder classifier: use classify")
        ids = self._encode(request)
        if self._batcher is None:
            result = await asyncio.to_thread(
                self._engine.generate, request["version_id"], request["adapter_uri"], ids, _params(request)
            )
        else:
            result = await self._batcher.generate(request["version_id"], request["adapter_uri"], ids, _params(request))
        return _result(result)

    async def generate_stream(self, request: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        if isinstance(self._engine, EncoderEngine):
            raise ValueError("this pool serves an encoder classifier: use classify")
        ids = self._encode(request)
        if self._batcher is not None:
            async for item in self._batcher.stream(
                request["version_id"], request["adapter_uri"], ids, _params(request)
            ):
                yield _stream_item(item)
            return
        pieces = self._engine.generate_stream(request["version_id"], request["adapter_uri"], ids, _params(request))
        while True:
            item = await asyncio.to_thread(next, pieces, _DONE)
            if item is _DONE:
                return
            yield _stream_item(item)

    async def __del__(self) -> None:
        """Serve calls this when the replica shuts down: requests still decoding get a clear error."""
        batcher = getattr(self, "_batcher", None)  # absent when the constructor failed (Serve still calls this)
        if batcher is not None:
            await asyncio.to_thread(batcher.close)

    def _encode(self, request: dict[str, Any]) -> list[int]:
        assert isinstance(self._engine, AdapterEngine)
        if "messages" in request:
            return self._engine.encode_chat(request["messages"])
        return self._engine.encode_text(request["prompt"])


def _result(result: GenerationResult) -> dict[str, Any]:
    return {
        "text": result.text,
        "tokens_in": result.tokens_in,
        "tokens_out": result.tokens_out,
        "finish_reason": result.finish_reason,
    }


def _stream_item(item: str | StreamEnd) -> dict[str, Any]:
    if isinstance(item, StreamEnd):
        return {"end": {"tokens_in": item.tokens_in, "tokens_out": item.tokens_out, "finish": item.finish_reason}}
    return {"text": item}


def _params(request: dict[str, Any]) -> GenerationParams:
    p = request["params"]
    return GenerationParams(
        max_new_tokens=p["max_new_tokens"],
        temperature=p["temperature"],
        top_p=p["top_p"],
        stop=tuple(p["stop"]),
        seed=p["seed"],
    )
