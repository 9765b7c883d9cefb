"""The pool deployment: one base model per replica, every version of every model fine-tuned from it served as an
adapter on it (the registry runs one pool application per base model; see spec.py).

Its user_config lists the versions to keep loaded (all models' stable, canary and previous versions); a version
missing from it (a request that raced a reconfigure) is loaded on demand. `reconfigure` loads them on the running
replica, so a new model or canary becomes warm without a restart. Concurrent non-streaming requests are batched
into one `generate` call (mixed versions included), which is what keeps latency bounded at high concurrency on
CPU. A version that fails to load is recorded with its reason (see `status`) instead of failing the replica, so
the versions already serving keep serving.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from typing import Any

from ray import serve

from tuneline.registry.serving.engine import AdapterEngine, GenerationParams, GenerationResult, StreamEnd
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
    ) -> None:
        self._engine = AdapterEngine(
            base_model_path,
            merge=merge,
            torch_threads=torch_threads,
            adapter_cache_dir=adapter_cache_dir,
            store=StoreSpec.model_validate(store).open() if store else None,
            base_sha256=base_sha256,
        )
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
        }

    async def generate(self, request: dict[str, Any]) -> dict[str, Any]:
        if request["params"]["seed"] is not None:  # a seed must govern one request alone: not batched
            ids = self._encode(request)
            result = await asyncio.to_thread(
                self._engine.generate, request["version_id"], request["adapter_uri"], ids, _params(request)
            )
            return _result(result)
        out: dict[str, Any] = await self._generate_batched(request)
        return out

    @serve.batch(max_batch_size=16, batch_wait_timeout_s=0.005)
    async def _generate_batched(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Concurrent requests share decoding steps; those with equal sampling settings form one batch."""
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i, r in enumerate(requests):
            p = r["params"]
            groups.setdefault((p["temperature"], p["top_p"], tuple(p["stop"])), []).append(i)
        results: list[dict[str, Any]] = [{} for _ in requests]
        for indices in groups.values():
            items = [
                (
                    requests[i]["version_id"],
                    requests[i]["adapter_uri"],
                    self._encode(requests[i]),
                    requests[i]["params"]["max_new_tokens"],
                )
                for i in indices
            ]
            outs = await asyncio.to_thread(self._engine.generate_batch, items, _params(requests[indices[0]]))
            for i, result in zip(indices, outs, strict=True):
                results[i] = _result(result)
        return results

    async def generate_stream(self, request: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        ids = self._encode(request)
        pieces = self._engine.generate_stream(request["version_id"], request["adapter_uri"], ids, _params(request))
        while True:
            item = await asyncio.to_thread(next, pieces, _DONE)
            if item is _DONE:
                return
            if isinstance(item, StreamEnd):
                yield {
                    "end": {"tokens_in": item.tokens_in, "tokens_out": item.tokens_out, "finish": item.finish_reason}
                }
            else:
                yield {"text": item}

    def _encode(self, request: dict[str, Any]) -> list[int]:
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


def _params(request: dict[str, Any]) -> GenerationParams:
    p = request["params"]
    return GenerationParams(
        max_new_tokens=p["max_new_tokens"],
        temperature=p["temperature"],
        top_p=p["top_p"],
        stop=tuple(p["stop"]),
        seed=p["seed"],
    )
