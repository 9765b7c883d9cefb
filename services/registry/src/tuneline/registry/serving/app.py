"""The Serve application builders named by the registry's `import_path`s: one gateway, one pool per base model.

Serve calls a builder with the application's args (spec.GatewayConfig's sink, spec.PoolArgs); routing and the
adapters to keep loaded arrive separately through the deployments' user_config.
"""

from __future__ import annotations

from typing import Any

from ray.serve import Application

from tuneline.registry.serving.model_server import ModelServer
from tuneline.registry.serving.router import Router
from tuneline.registry.serving.spec import PoolArgs, SinkSpec


def build_gateway(args: dict[str, Any]) -> Application:
    sink = SinkSpec.model_validate(args.get("sink", {}))
    return Router.bind(sink.model_dump(mode="json"))


def build_pool(args: dict[str, Any]) -> Application:
    pool = PoolArgs.model_validate(args)
    store = pool.store.model_dump() if pool.store else None
    return ModelServer.bind(
        pool.base_model_path,
        pool.merge,
        pool.torch_threads,
        pool.adapter_cache_dir,
        store,
        pool.base_model_sha256,
        pool.max_batch,
    )
