"""The registry service: model versions and their lifecycle, model cards, scoped inference keys, and
deployments on Ray Serve with canary weights and rollback."""

from __future__ import annotations

from pathlib import Path

import httpx
import structlog
from fastapi import FastAPI

from tuneline.common.app import AppState, create_service_app
from tuneline.common.settings import load_settings
from tuneline.registry.context import RegistryContext, registry_context
from tuneline.registry.deployments import service as deployments
from tuneline.registry.deployments.reconciler import ServingReconciler
from tuneline.registry.deployments.runtime import DisabledRuntime, ServingRuntime
from tuneline.registry.entrypoints import consumers as registry_consumers
from tuneline.registry.entrypoints import deployments as deployments_api
from tuneline.registry.entrypoints import exports as exports_api
from tuneline.registry.entrypoints import keys as keys_api
from tuneline.registry.entrypoints import models as models_api
from tuneline.registry.entrypoints import openai as openai_api
from tuneline.registry.exports.runner import ExportRunner
from tuneline.registry.openai_gateway.service import Gateway
from tuneline.registry.openai_gateway.upstream import Upstreams
from tuneline.registry.settings import RegistrySettings
from tuneline.registry.tracking import consumers as tracking_consumers

log = structlog.get_logger(__name__)

DESCRIPTION = (
    "Model versions with their lineage and lifecycle (training → evaluation → staging → production → deprecated → "
    "archived), Hugging Face model cards, exports for deployment (merged safetensors, GGUF, adapter), scoped "
    "inference keys, and deployments on Ray Serve with canary weights, promotion, rollback and blue/green. "
    "Publishes model.registered, model.promoted, deployment.updated, model.rolled_back; consumes "
    "evaluation.completed and alert.raised, and its own model.registered to register versions in MLflow when a "
    "tracking server is configured."
)


def default_runtime(settings: RegistrySettings) -> ServingRuntime:
    if settings.serving_backend == "none":
        return DisabledRuntime()
    from tuneline.registry.deployments.runtime import RayServingRuntime
    from tuneline.registry.deployments.serve_controller import ServeController

    controller = ServeController(
        settings.pepper().decode(),
        ray_address=settings.ray_address,
        http_host=settings.serve_http_host,
        http_port=settings.serve_http_port,
        gateway_env=settings.rate_limit_env(),
        proxy_location=settings.serve_proxy_location,
        apply_timeout_s=settings.serve_apply_timeout_s,
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

    def build_context(state: AppState) -> RegistryContext:
        # Built before the consumers register, so handlers find the serving context in place.
        serving = deployments.ServingContext(settings, serving_runtime, state.store)
        return RegistryContext(
            serving=serving,
            gateway=Gateway(settings, Upstreams.from_settings(settings, upstream_transport), state.store),
            reconciler=ServingReconciler(
                state.sessions,
                serving,
                interval_s=settings.serving_sync_interval_s,
                min_backoff_s=settings.serving_sync_min_backoff_s,
                max_backoff_s=settings.serving_sync_max_backoff_s,
            ),
            exports=ExportRunner(settings, state.sessions, state.store),
        )

    async def start_reconciler(state: AppState) -> None:
        # Its first pass restores the stored deployments; Ray may take tens of seconds to start, so it runs in the
        # background and the API answers meanwhile (GET .../deployment and /models/keys/sync show how it went).
        registry_context(state).reconciler.start()
        # Exports queued or lost before this start are built here (or by another registry process's runner).
        registry_context(state).exports.start()

    async def close_runtime(state: AppState) -> None:
        context = registry_context(state)
        await context.exports.stop()
        await context.reconciler.stop()
        for task in list(context.background):
            task.cancel()
        await serving_runtime.close()
        await context.gateway.upstreams.close()

    consumers = [registry_consumers.register]
    if settings.mlflow_tracking_uri:  # an unconfigured deployment does not join the tracking group
        consumers.append(tracking_consumers.register)
    return create_service_app(
        settings,
        title="Tuneline registry",
        description=DESCRIPTION,
        routers=[keys_api.router, deployments_api.router, exports_api.router, models_api.router, openai_api.router],
        consumers=consumers,
        context=build_context,
        migrations=Path(__file__).parent / "migrations",
        on_startup=[start_reconciler],
        on_shutdown=[close_runtime],
    )
