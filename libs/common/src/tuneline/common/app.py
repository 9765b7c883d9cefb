"""The service application factory: FastAPI + FastStream broker + outbox relay + migrations, the same everywhere.

A service calls `create_service_app` with its settings, REST routers and consumer registrations. The lifespan
configures logs and traces, migrates the service's schema, creates the Kafka topics, starts the broker and the
outbox relay, and tears everything down in reverse order. Every service gets /healthz, /readyz (database and
broker), /metrics (Prometheus) and OpenAPI docs at /docs.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from faststream.kafka import KafkaBroker
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tuneline.common.auth import AuthError, audit, verify_token
from tuneline.common.db import SessionFactory, create_engine, migrate, session_factory
from tuneline.common.errors import AccessDenied, DomainError
from tuneline.common.limits import BodyLimitMiddleware, Scope, bearer_present
from tuneline.common.messaging.broker import create_broker, ensure_topics
from tuneline.common.messaging.deadletters import CONTEXT_KEY as DEAD_LETTERS_CONTEXT_KEY
from tuneline.common.messaging.deadletters import DeadLetterStore
from tuneline.common.messaging.epoch import start_broker_recovery
from tuneline.common.messaging.metrics import refresh_consumer_lag, refresh_outbox_backlog
from tuneline.common.messaging.outbox import OutboxRelay
from tuneline.common.observability import configure_logging, configure_tracing
from tuneline.common.settings import ServiceSettings
from tuneline.common.storage import ObjectStore, answering_store, open_store

log = structlog.get_logger(__name__)

HTTP_REQUESTS = Counter("tuneline_http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram(
    "tuneline_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


_C = TypeVar("_C")


@dataclass
class AppState:
    """Everything a request or message handler may need; built in the lifespan, never a module global.

    `context` is the service's own typed state (its runtime handles, background tasks), built by the service's
    `context` factory before consumers are registered; read it with `context_as(TheServiceContext)`.
    """

    settings: ServiceSettings
    engine: AsyncEngine
    sessions: SessionFactory
    broker: KafkaBroker
    store: ObjectStore
    relay: OutboxRelay | None = None
    context: object = None

    def context_as(self, kind: type[_C]) -> _C:
        """The service's context, typed; a wrong or missing context is a wiring error, raised at once."""
        if not isinstance(self.context, kind):
            raise RuntimeError(f"app state holds {type(self.context).__name__}, not {kind.__name__}")
        return self.context


ConsumerRegistration = Callable[[KafkaBroker, AppState], None]
ContextFactory = Callable[[AppState], object]
Hook = Callable[[AppState], Any]


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.tuneline
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler returns, rolled back on any error."""
    async with get_state(request).sessions() as session, session.begin():
        yield session


#: scope="function": the transaction commits before the response is sent. With FastAPI's default ("request") the
#: commit ran after the client had its 201, so a process killed in between, or a failing commit, lost an answered
#: write (found by the chaos test: a created use case was gone after intake was killed).
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


def get_store(request: Request) -> ObjectStore:
    return get_state(request).store


StoreDep = Annotated[ObjectStore, Depends(get_store)]


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter] = (),
    consumers: Sequence[ConsumerRegistration] = (),
    context: ContextFactory | None = None,
    migrations: Path | None = None,
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
    run_relay: bool = True,
    version: str = "0.1.0",
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level, settings.log_file)
        configure_tracing(settings.service_name, settings.otlp_endpoint, export_dir=settings.trace_export_dir)
        async with AsyncExitStack() as stack:
            if migrations is not None and settings.migrate_on_start:
                await migrate(settings.database_url, settings.db_schema, migrations)
            engine = create_engine(settings.database_url, settings.db_schema, pool_size=settings.database_pool_size)
            stack.push_async_callback(engine.dispose)
            await ensure_topics(
                settings.kafka_bootstrap_servers,
                partitions=settings.kafka_topic_partitions,
                replication_factor=settings.kafka_replication_factor,
            )
            broker = create_broker(settings, description=description)
            state = AppState(
                settings=settings,
                engine=engine,
                sessions=session_factory(engine),
                broker=broker,
                store=open_store(settings),
            )
            if context is not None:
                state.context = context(state)
            broker.context.set_global(DEAD_LETTERS_CONTEXT_KEY, DeadLetterStore(state.sessions))
            for register in consumers:
                register(broker, state)
            await broker.start()
            stack.push_async_callback(broker.stop)
            if run_relay:
                state.relay = OutboxRelay(
                    state.sessions,
                    bootstrap_servers=settings.kafka_bootstrap_servers,
                    database_dsn=settings.database_url,
                    schema=settings.db_schema,
                    batch_size=settings.outbox_batch_size,
                    poll_interval_s=settings.outbox_poll_interval_s,
                    retention_s=settings.outbox_retention_s,
                )
            # A restarted (memory) broker is noticed, and recovered from, without restarting this service.
            watch = await start_broker_recovery(settings, relay=state.relay, broker=broker)
            stack.push_async_callback(watch.stop)
            if state.relay is not None:
                await state.relay.start()
                stack.push_async_callback(state.relay.stop)
            app.state.tuneline = state
            for hook in on_startup:
                result = hook(state)
                if asyncio.iscoroutine(result):
                    await result
            for hook in reversed(on_shutdown):
                stack.push_async_callback(_call_hook, hook, state)
            log.info("service.started", port=settings.http_port, schema=settings.db_schema)
            yield
            log.info("service.stopping")

    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    app.state.settings = settings
    install_error_handlers(app)
    document_error_bodies(app)
    _install_metrics(app, settings.service_name)
    app.add_middleware(BodyLimitMiddleware, limits=settings.body_limits(), authenticate=bearer_checker(settings))
    app.include_router(_ops_router())
    from tuneline.common.messaging.admin import dead_letter_router  # it depends on this module's SessionDep

    app.include_router(dead_letter_router())
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    if settings.environment != "production" and settings.jwt_public_key is None:
        from tuneline.common.dev_sign_in import dev_sign_in_router

        app.include_router(dev_sign_in_router())
    for router in routers:
        app.include_router(router)
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
    return app


def bearer_checker(settings: ServiceSettings) -> Callable[[Scope], str | None]:
    """The credential check run before a large body is read: a valid token; under /v1/ (OpenAI-compatible
    routes, where an inference key is also accepted and checked by the gateway against its keys) a bearer
    credential must at least be present."""

    def check(scope: Scope) -> str | None:
        missing = bearer_present(scope)
        if missing is not None or str(scope.get("path", "")).startswith("/v1/"):
            return missing
        token = dict(scope.get("headers", ())).get(b"authorization", b"").decode("latin-1").partition(" ")[2]
        try:
            verify_token(settings, token.strip())
        except AuthError as exc:
            return exc.detail
        return None

    return check


async def _call_hook(hook: Hook, state: AppState) -> None:
    result = hook(state)
    if asyncio.iscoroutine(result):
        await result


def _ops_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process is up")
    async def healthz(request: Request) -> dict[str, str]:
        return {"status": "ok", "service": request.app.state.settings.service_name}

    @router.get("/readyz", summary="Readiness: database and broker reachable", response_model=None)
    async def readyz(request: Request) -> JSONResponse:
        state: AppState | None = getattr(request.app.state, "tuneline", None)
        checks: dict[str, str] = {}
        if state is None:
            return JSONResponse({"status": "starting", "checks": checks}, status_code=503)
        try:
            async with state.engine.connect() as conn:
                await asyncio.wait_for(conn.execute(sa.text("SELECT 1")), timeout=2)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        try:
            checks["broker"] = "ok" if await state.broker.ping(timeout=2) else "error: unreachable"
        except Exception as exc:
            checks["broker"] = f"error: {type(exc).__name__}"
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503
        )

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics(request: Request) -> Response:
        settings: ServiceSettings | None = getattr(request.app.state, "settings", None)
        if settings is not None and settings.metrics_token is not None:
            expected = f"Bearer {settings.metrics_token.get_secret_value()}".encode()
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return JSONResponse(
                    {"error": "unauthorized", "detail": "/metrics needs the scraper's token (TUNELINE_METRICS_TOKEN)"},
                    status_code=401,
                    headers={"www-authenticate": "Bearer"},
                )
        state: AppState | None = getattr(request.app.state, "tuneline", None)
        if state is not None:
            await _refresh_backbone_metrics(state)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _refresh_backbone_metrics(state: AppState) -> None:
    """Consumer lag and outbox backlog, read at scrape time; a failing read leaves the last values, never a 500."""
    service = state.settings.service_name
    try:
        await asyncio.wait_for(refresh_consumer_lag(service, state.broker), timeout=2)
    except Exception as exc:
        log.warning("metrics.consumer_lag.unavailable", error=f"{type(exc).__name__}: {exc}")
    try:
        await asyncio.wait_for(refresh_outbox_backlog(service, state.sessions), timeout=2)
    except Exception as exc:
        log.warning("metrics.outbox_backlog.unavailable", error=f"{type(exc).__name__}: {exc}")


def _install_metrics(app: FastAPI, service: str) -> None:
    @app.middleware("http")
    async def record(request: Request, call_next: Callable[[Request], Any]) -> Response:
        start = time.perf_counter()
        state: AppState | None = getattr(request.app.state, "tuneline", None)
        if state is not None:
            answering_store.set(state.store)  # answers name artifacts by their key in it (storage.public_uri)
        response: Response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        if path not in ("/metrics", "/healthz", "/readyz"):
            HTTP_REQUESTS.labels(service, request.method, path, str(response.status_code)).inc()
            HTTP_LATENCY.labels(service, request.method, path).observe(time.perf_counter() - start)
        return response


def install_error_handlers(app: FastAPI) -> None:
    """Domain errors become their 4xx answers (refusals audited), validation errors a 422 naming each field."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        if isinstance(exc, AccessDenied):
            await _audit_denial(request, exc)
        return JSONResponse(exc.to_body(), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
            errors.append({"field": ".".join(loc) or "body", "message": err.get("msg", ""), "type": err.get("type")})
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return JSONResponse({"error": "invalid_input", "detail": detail, "errors": errors}, status_code=422)

    @app.exception_handler(sa.exc.DBAPIError)
    async def unstorable_value(_: Request, exc: sa.exc.DBAPIError) -> JSONResponse:
        """The last guard for a value the database cannot hold (a number past its column's range, a NUL in text)
        that a request's validation let through: a 422, never a 500 that shows the statement. Other database
        errors stay server errors."""
        reason = unstorable_reason(exc)
        if reason is None:
            raise exc
        log.warning("request.value_unstorable", reason=reason)
        return JSONResponse({"error": "invalid_input", "detail": f"a value of the request {reason}"}, status_code=422)


#: PostgreSQL's data exceptions (class 22) that a request's value causes, and what to tell its sender.
_DATA_EXCEPTIONS = {
    "22003": "is out of range for its field (numbers are stored as 32- or 64-bit integers)",
    "22021": "holds a character that text cannot hold (a NUL)",
    "22P05": "holds a character that text cannot hold (a NUL)",
    "22007": "is not a valid date or time",
    "22008": "is a date or time out of range",
    "22001": "is longer than its field allows",
}


def unstorable_reason(exc: sa.exc.DBAPIError) -> str | None:
    """Why the database refused a value of the request (its data-exception class), or None for any other error."""
    causes = [exc.orig, getattr(exc.orig, "__cause__", None)]
    for cause in causes:
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and state in _DATA_EXCEPTIONS:
            return _DATA_EXCEPTIONS[state]
    # asyncpg refuses an argument it cannot encode (an int past int32/int64) before sending it
    text = str(exc.orig)
    if "out of int32 range" in text or "out of int64 range" in text:
        return _DATA_EXCEPTIONS["22003"]
    return None


class FieldError(BaseModel):
    field: str = Field(description="The field at fault, dotted for nested ones (body for the body as a whole).")
    message: str
    type: str | None = Field(default=None, description="The kind of failure (missing, int_parsing, enum, ...).")


class ErrorBody(BaseModel):
    """Every 4xx answer's body: a machine-readable code and a sentence for a person."""

    model_config = ConfigDict(extra="allow", title="Error")

    error: str = Field(description="invalid_input, not_found, forbidden, conflict, too_large, unauthorized, ...")
    detail: str = Field(description="What is wrong, naming the field or value at fault.")
    field: str | None = Field(default=None, description="The one field at fault, where there is one.")
    errors: list[FieldError] | None = Field(default=None, description="Each field at fault (validation errors).")


def document_error_bodies(app: FastAPI) -> None:
    """The OpenAPI document describes the 422 body the validation handler writes (FastAPI's default schema, a list
    under `detail`, is not what clients receive)."""

    generate = app.openapi  # FastAPI's own generation (every option of the app), cached on app.openapi_schema

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if fresh and "HTTPValidationError" in components:
            body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(body.pop("$defs", {}))
            body["title"] = "HTTPValidationError"
            components["HTTPValidationError"] = body
            components.pop("ValidationError", None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


async def _audit_denial(request: Request, exc: AccessDenied) -> None:
    """Every refusal lands in the audit log. The request's own transaction was rolled back with the error, so the
    record is written in a transaction of its own; a failure to write it is logged, never turned into a 500."""
    log.info(
        "access.denied",
        actor=exc.actor,
        action=exc.action,
        resource_type=exc.resource_type,
        resource_id=exc.resource_id,
        team=exc.team,
    )
    state: AppState | None = getattr(request.app.state, "tuneline", None)
    if state is None:
        return
    try:
        async with state.sessions() as session, session.begin():
            await audit(
                session,
                exc.actor,
                "access.denied",
                exc.resource_type,
                exc.resource_id,
                attempted=exc.action,
                team=exc.team,
                method=request.method,
                path=request.url.path,
            )
    except Exception as err:
        log.warning("access.denied.audit_failed", error=type(err).__name__)


def serve(app_factory: Callable[[], FastAPI], settings: ServiceSettings) -> None:
    """Run a service with uvicorn (`python -m tuneline.<service>`)."""
    import uvicorn

    uvicorn.run(
        app_factory(),
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
