"""The registry service: model versions and their lifecycle, model cards, scoped inference keys, and
deployments on Ray Serve with canary weights and rollback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import structlog
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from tuneline.common.app import AppState, create_service_app
from tuneline.common.db import transaction
from tuneline.common.settings import load_settings
from tuneline.registry.deployments import api as deployments_api
from tuneline.registry.deployments import service as deployments
from tuneline.registry.deployments.runtime import DisabledRuntime, ServingRuntime
from tuneline.registry.keys import api as keys_api
from tuneline.registry.models import api as models_api
from tuneline.registry.models import consumers as models_consumers
from tuneline.registry.openai_gateway import api as openai_api
from tuneline.registry.openai_gateway.service import Gateway
from tuneline.registry.openai_gateway.upstream import Upstreams
from tuneline.registry.settings import RegistrySettings

log = structlog.get_logger(__name__)

DESCRIPTION = (
    "Model versions with their lineage and lifecycle (training → evaluation → staging → production → deprecated → "
    "archived), Hugging Face model cards, scoped inference keys, and deployments on Ray Serve with canary "
    "weights, promotion, rollback and blue/green. Publishes model.registered, model.promoted, deployment.updated, "
    "model.rolled_back; consumes evaluation.completed and alert.raised."
)


def default_runtime(settings: RegistrySettings) -> ServingRuntime:
    if settings.serving_backend == "none":
        return DisabledRuntime()
    from tuneline.registry.deployments.runtime import RayServingRuntime
    from tuneline.registry.deployments.serve_controller import ServeController

    controller = ServeController(
        settings.key_pepper.get_secret_value(),
        ray_address=settings.ray_address,
        http_host=settings.serve_http_host,
        http_port=settings.serve_http_port,
    )
    return RayServingRuntime(controller, settings.serve_public_url)


def create_app(
    settings: RegistrySettings | None = None,
    runtime: ServingRuntime | None = None,
    upstream_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """`upstream_transport` routes the OpenAI gateway's calls to the other services (tests: in-process apps)."""
    settings = settings or load_settings(RegistrySettings)
    serving_runtime = runtime or default_runtime(settings)
    background: set[asyncio.Task[None]] = set()

    # A "consumer" registration runs before the broker starts, so handlers find the serving context in place.
    def provide_serving(_: KafkaBroker, state: AppState) -> None:
        state.extras["serving"] = deployments.ServingContext(settings, serving_runtime, state.store)

    async def restore_deployments(state: AppState) -> None:
        # Ray may take tens of seconds to start: restore in the background so the API answers meanwhile.
        async def run() -> None:
            try:
                async with transaction(state.sessions) as session:
                    await deployments.sync(session, state.extras["serving"])
            except Exception as exc:  # logged, and visible in GET .../deployment health; the service stays up
                log.error("registry.deployments.restore_failed", error=str(exc))

        task = asyncio.get_running_loop().create_task(run())
        background.add(task)
        task.add_done_callback(background.discard)

    async def open_gateway(state: AppState) -> None:
        upstreams = Upstreams.from_settings(settings, upstream_transport)
        state.extras["openai_gateway"] = Gateway(settings, upstreams, state.store)

    async def close_runtime(state: AppState) -> None:
        for task in list(background):
            task.cancel()
        await serving_runtime.close()
        if "openai_gateway" in state.extras:
            await state.extras["openai_gateway"].upstreams.close()

    return create_service_app(
        settings,
        title="Tuneline registry",
        description=DESCRIPTION,
        routers=[keys_api.router, deployments_api.router, models_api.router, openai_api.router],
        consumers=[provide_serving, models_consumers.register],
        migrations=Path(__file__).parent / "migrations",
        on_startup=[restore_deployments, open_gateway],
        on_shutdown=[close_runtime],
    )
