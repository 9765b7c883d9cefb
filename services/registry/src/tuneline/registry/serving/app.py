"""The Serve application builder named by every registry-deployed application's `import_path`.

Serve calls `build_app(args)` with the application's args (see spec.BuildArgs); traffic config arrives
separately through the deployments' user_config.
"""

from __future__ import annotations

from typing import Any

from ray.serve import Application

from tuneline.registry.serving.model_server import ModelServer
from tuneline.registry.serving.router import Router
from tuneline.registry.serving.spec import BuildArgs


def build_app(args: dict[str, Any]) -> Application:
    build = BuildArgs.model_validate(args)
    server = ModelServer.bind(build.base_model_path, build.merge, build.torch_threads, build.adapter_cache_dir)
    return Router.bind(server, build.model_name, build.max_new_tokens, build.sink.model_dump(mode="json"))
