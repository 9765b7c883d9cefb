"""The gateway deployment: OpenAI-compatible HTTP API for every served model, key checks, canary routing and
inference records.

One gateway serves all models at `/<model>/v1/...`; each model keeps its own arms and records (a key's rate limit
is the key's, across models and gateway replicas), and its requests go to the pool of its base model, which decodes
requests for different adapters together (continuous batching, batcher.py). Serve's `multiplexed_model_id` is
deliberately not set: it routes and batches per adapter id, which would decode each adapter's requests separately;
every pool replica keeps all the pool's versions warm instead (their LRU bound is `max_loaded`), so any replica can
answer any version.

Models, weights, arms and keys arrive through `reconfigure` (the deployment's user_config), so deploying a model,
a canary weight change, a promotion, a rollback or a revoked key takes effect on the running replicas without a
restart. A request reads its model's route once at its start, so it is answered entirely under one config even
while a change lands.

No `from __future__ import annotations` here: FastAPI resolves route parameter types at run time and, with the
methods rewritten by `serve.ingress`, string annotations turn `request: Request` into a query parameter.
"""

import asyncio
import json
import math
import os
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from ray import serve
from ray.serve.handle import DeploymentHandle

from tuneline.common.limits import BodyLimitMiddleware, BodyLimits, bearer_present
from tuneline.common.observability import configure_tracing, linked_span
from tuneline.common.settings import TelemetrySettings
from tuneline.registry.keys.domain import KeyAuthorizer, KeyRejected, rate_limited
from tuneline.registry.serving import openai_api as oa
from tuneline.registry.serving.limits import GatewayLimits
from tuneline.registry.serving.records import InferenceRecord, InferenceSink, Status, log, make_sink
from tuneline.registry.serving.routing import choose_arm
from tuneline.registry.serving.spec import (
    PEPPER_ENV,
    ROUTER_DEPLOYMENT,
    SERVER_DEPLOYMENT,
    ArmSpec,
    GatewayConfig,
    RouterConfig,
    SinkSpec,
)

api = FastAPI(title="Tuneline inference", docs_url=None, redoc_url=None)
api.add_middleware(BodyLimitMiddleware, limits=BodyLimits(), authenticate=bearer_present)  # 413/401 before a body

_REJECT_TYPES = {401: "invalid_request_error", 403: "permission_error", 429: "requests"}


@dataclass
class _Route:
    """One served model as this replica routes it. Replaced whole on reconfigure."""

    model: str
    pool: str
    config: RouterConfig


@dataclass
class _Call:
    """Everything about one accepted request that the record needs."""

    route: _Route
    request_id: str
    endpoint: str
    stream: bool
    started: float
    arm: ArmSpec
    caller: str
    prompt_text: str
    config: RouterConfig


# Helpers sit above the deployment class on purpose: Serve pickles the class by value when it is decorated,
# capturing only the module globals that exist at that moment, so a helper defined below would be missing.


def _not_served(model: str) -> oa.RequestError:
    return oa.RequestError(
        404, f"model {model!r} is not served here", type_="invalid_request_error", param="model", code="model_not_found"
    )


def _served(call: _Call) -> dict[str, Any]:
    return {"version": call.arm.version, "version_id": call.arm.version_id, "arm": call.arm.arm}


def _headers(call: _Call) -> dict[str, str]:
    return {
        "x-tuneline-request-id": call.request_id,
        "x-tuneline-version": str(call.arm.version),
        "x-tuneline-version-id": call.arm.version_id,
        "x-tuneline-arm": call.arm.arm,
    }


def _sse(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data)}\n\n"


def _error(exc: oa.RequestError, headers: dict[str, str] | None = None) -> JSONResponse:
    extra = dict(headers or {})
    if exc.retry_after:
        extra["retry-after"] = str(exc.retry_after)
    return JSONResponse(exc.body(), status_code=exc.status, headers=extra)


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except json.JSONDecodeError as exc:
        raise oa.RequestError(
            400, f"request body is not valid JSON: {exc.msg} at line {exc.lineno}", type_="invalid_request_error"
        ) from None
    except UnicodeDecodeError:
        raise oa.RequestError(400, "request body is not UTF-8 text", type_="invalid_request_error") from None
    except RecursionError:  # json.loads recurses per nesting level; a hostile body must not become a 500
        raise oa.RequestError(400, "request body is nested too deeply", type_="invalid_request_error") from None


@serve.deployment(name=ROUTER_DEPLOYMENT)
@serve.ingress(api)
class Router:
    def __init__(self, sink: dict[str, Any]) -> None:
        self._created = int(time.time())
        self._started_at = time.time()
        self._sink: InferenceSink = make_sink(SinkSpec.model_validate(sink))
        self._pepper = os.environ[PEPPER_ENV].encode()
        self._routes: dict[str, _Route] = {}
        self._pools: dict[str, DeploymentHandle] = {}
        self._rng = random.Random()
        self._pending: set[asyncio.Task[None]] = set()
        telemetry = TelemetrySettings()
        configure_tracing("registry-serving", telemetry.otlp_endpoint, export_dir=telemetry.trace_export_dir)
        self._traced_versions: set[str] = set()
        # One key check and one rate limit for every model: a key's limit is its own, not per model, and it is
        # counted in the store all gateway replicas share (limits.py).
        self._auth = KeyAuthorizer(self._pepper)
        self._limits = GatewayLimits.from_env()

    def reconfigure(self, user_config: dict[str, Any]) -> None:
        config = GatewayConfig.model_validate(user_config)
        now = datetime.now(UTC)
        # Every model's authorizer knows every key, so a key scoped to another model is told so (403), not
        # "unknown" (401); the scope itself is each key's own model list.
        keys = {k.prefix: k.to_domain(now) for route in config.models.values() for k in route.router.keys}
        self._auth.replace_keys(list(keys.values()))
        self._limits.replicas = config.replicas
        # one assignment: requests see the old or the new routes, never a mix
        self._routes = {name: _Route(name, route.pool, route.router) for name, route in config.models.items()}

    def info(self) -> dict[str, Any]:
        """For the controller: each model's arms on this replica (proves a reconfigure landed) and its start."""
        models = {n: [a.model_dump() for a in r.config.arms] for n, r in self._routes.items()}
        return {"models": models, "started_at": self._started_at, "pid": os.getpid()}

    # ---- routes -----------------------------------------------------------------------------------------------

    @api.get("/{model}/v1/models")
    async def models(self, model: str, request: Request) -> Response:
        try:
            route = self._route(model)
            await self._authorize(route, request)
        except oa.RequestError as exc:
            return _error(exc)
        return JSONResponse(oa.model_list(model, self._created))

    @api.post("/{model}/v1/chat/completions")
    async def chat_completions(self, model: str, request: Request) -> Response:
        return await self._handle(model, request, "chat")

    @api.post("/{model}/v1/completions")
    async def completions(self, model: str, request: Request) -> Response:
        return await self._handle(model, request, "completion")

    @api.post("/{model}/v1/classify")
    async def classify(self, model: str, request: Request) -> Response:
        """The raw input in, a label out: the answering version's prompt template is applied here."""
        started = time.perf_counter()
        try:
            route = self._route(model)
            req = oa.parse_request(oa.ClassifyRequest, await _json(request))
            caller = await self._authorize(route, request, req.model)
            config = route.config
            arm = choose_arm(config.arms, self._rng)
            if config.model_kind == "encoder":
                self._trace_first_request(model, arm)
                call = _Call(route, oa.new_id("cls"), "classify", False, started, arm, caller, req.input, config)
                return await self._classify_with_head(call, req.input)
            messages = oa.classify_messages(arm.prompt_template, arm.version, req.input)
        except oa.RequestError as exc:
            return _error(exc)
        body: dict[str, Any] = {
            "messages": messages,
            "version_id": arm.version_id,
            "adapter_uri": arm.adapter_uri,
            "params": {
                "max_new_tokens": min(oa.CLASSIFY_MAX_TOKENS, config.max_new_tokens),
                "temperature": 0.0,  # greedy: the label the model ranks first, as evaluation measured it
                "top_p": 1.0,
                "stop": [],
                "seed": None,
            },
        }
        prompt_text = "\n".join(m["content"] for m in messages)
        self._trace_first_request(model, arm)
        call = _Call(route, oa.new_id("cls"), "classify", False, started, arm, caller, prompt_text, config)
        return await self._complete(call, body)

    # ---- request handling -------------------------------------------------------------------------------------

    async def _handle(self, model: str, request: Request, kind: str) -> Response:
        started = time.perf_counter()
        try:
            route = self._route(model)
            payload = await _json(request)
            req: oa.ChatCompletionRequest | oa.CompletionRequest
            if kind == "chat":
                req = oa.parse_request(oa.ChatCompletionRequest, payload)
            else:
                req = oa.parse_request(oa.CompletionRequest, payload)
            caller = await self._authorize(route, request, req.model)
            if route.config.model_kind == "encoder":
                raise oa.RequestError(
                    400,
                    f"model {model!r} is a classifier: use /{model}/v1/classify",
                    type_="invalid_request_error",
                    code="model_is_classifier",
                )
        except oa.RequestError as exc:
            return _error(exc)
        config = route.config
        arm = choose_arm(config.arms, self._rng)
        self._trace_first_request(model, arm)
        if isinstance(req, oa.ChatCompletionRequest):
            body: dict[str, Any] = {"messages": req.message_dicts()}
            prompt_text = "\n".join(m["content"] for m in body["messages"])
        else:
            body = {"prompt": req.prompt}
            prompt_text = req.prompt
        params = req.params(req.requested_max(), config.max_new_tokens)
        body.update(
            version_id=arm.version_id,
            adapter_uri=arm.adapter_uri,
            params={
                "max_new_tokens": params.max_new_tokens,
                "temperature": params.temperature,
                "top_p": params.top_p,
                "stop": list(params.stop),
                "seed": params.seed,
            },
        )
        call = _Call(
            route,
            oa.new_id("chatcmpl" if kind == "chat" else "cmpl"),
            kind,
            req.stream,
            started,
            arm,
            caller,
            prompt_text,
            config,
        )
        if req.stream:
            return StreamingResponse(
                self._stream(call, body, req.include_usage), media_type="text/event-stream", headers=_headers(call)
            )
        return await self._complete(call, body)

    def _pool(self, call: _Call) -> Any:
        handle = self._pools.get(call.route.pool)
        if handle is None:
            handle = self._pools[call.route.pool] = serve.get_deployment_handle(SERVER_DEPLOYMENT, call.route.pool)
        return handle

    async def _complete(self, call: _Call, body: dict[str, Any]) -> Response:
        try:
            out = await asyncio.wait_for(self._pool(call).generate.remote(body), call.config.request_timeout_s)
        except TimeoutError:
            self._record(call, "timeout", 0, 0, error="generation timed out")
            return _error(oa.RequestError(504, "generation timed out", type_="timeout"), _headers(call))
        except Exception as exc:  # the model deployment failed; the caller gets a 5xx, monitoring an error record
            self._record(call, "error", 0, 0, error=type(exc).__name__)
            log.warning("registry.inference.failed request_id=%s error=%s", call.request_id, type(exc).__name__)
            return _error(oa.RequestError(503, "the model failed to answer", type_="server_error"), _headers(call))
        served = _served(call)
        if call.endpoint == "classify" and call.arm.prompt_template is not None:
            labels = call.arm.prompt_template.labels
            result = oa.classification(
                call.request_id, call.route.model, out["text"], labels, out["tokens_in"], out["tokens_out"], served
            )
        else:
            build = oa.chat_completion if call.endpoint == "chat" else oa.completion
            result = build(
                call.request_id,
                call.route.model,
                out["text"],
                out["finish_reason"],
                out["tokens_in"],
                out["tokens_out"],
                served,
            )
        self._record(call, "ok", out["tokens_in"], out["tokens_out"], output=out["text"])
        return JSONResponse(result, headers=_headers(call))

    async def _classify_with_head(self, call: _Call, text: str) -> Response:
        """An encoder model: the pool's head gives the label and every label's probability (no generation)."""
        body = {"text": text, "version_id": call.arm.version_id, "adapter_uri": call.arm.adapter_uri}
        try:
            out = await asyncio.wait_for(self._pool(call).classify.remote(body), call.config.request_timeout_s)
        except TimeoutError:
            self._record(call, "timeout", 0, 0, error="classification timed out")
            return _error(oa.RequestError(504, "classification timed out", type_="timeout"), _headers(call))
        except Exception as exc:  # the model deployment failed; the caller gets a 5xx, monitoring an error record
            self._record(call, "error", 0, 0, error=type(exc).__name__)
            log.warning("registry.inference.failed request_id=%s error=%s", call.request_id, type(exc).__name__)
            return _error(oa.RequestError(503, "the model failed to answer", type_="server_error"), _headers(call))
        labels = list(out["scores"])
        result = oa.classification(
            call.request_id, call.route.model, out["label"], labels, out["tokens_in"], 0, _served(call)
        )
        result["scores"] = out["scores"]
        self._record(call, "ok", out["tokens_in"], 0, output=out["label"])
        return JSONResponse(result, headers=_headers(call))

    async def _stream(self, call: _Call, body: dict[str, Any], include_usage: bool) -> AsyncIterator[str]:
        served, created = _served(call), int(time.time())
        obj = "chat.completion.chunk" if call.endpoint == "chat" else "text_completion"
        text: list[str] = []
        end: dict[str, Any] | None = None
        try:
            if call.endpoint == "chat":
                yield _sse(
                    oa.chat_chunk(
                        call.request_id, call.route.model, created, served, {"role": "assistant", "content": ""}, None
                    )
                )
            gen: Any = self._pool(call).options(stream=True).generate_stream.remote(body)
            async with asyncio.timeout(call.config.request_timeout_s):
                async for item in gen:
                    if "end" in item:
                        end = item["end"]
                        continue
                    text.append(item["text"])
                    yield _sse(self._piece(call, created, served, item["text"], None))
            assert end is not None, "model deployment ended a stream without its summary"
            yield _sse(self._piece(call, created, served, "", end["finish"]))
            if include_usage:
                yield _sse(
                    oa.usage_chunk(call.request_id, call.route.model, created, obj, end["tokens_in"], end["tokens_out"])
                )
            yield "data: [DONE]\n\n"
            self._record(call, "ok", end["tokens_in"], end["tokens_out"], output="".join(text))
        except TimeoutError:
            self._record(call, "timeout", 0, len(text), error="generation timed out")
            yield _sse(oa.RequestError(504, "generation timed out", type_="timeout").body())
        except Exception as exc:  # headers are already sent: report in-band, as OpenAI does
            self._record(call, "error", 0, len(text), error=type(exc).__name__)
            yield _sse(oa.RequestError(503, "the model failed to answer", type_="server_error").body())

    def _piece(
        self, call: _Call, created: int, served: dict[str, Any], text: str, finish: str | None
    ) -> dict[str, Any]:
        if call.endpoint == "chat":
            delta = {"content": text} if text else {}
            return oa.chat_chunk(call.request_id, call.route.model, created, served, delta, finish)
        return oa.completion_chunk(call.request_id, call.route.model, created, served, text, finish)

    # ---- helpers ----------------------------------------------------------------------------------------------

    def _trace_first_request(self, model: str, arm: ArmSpec) -> None:
        """The first request this replica serves for a version gets a span linked to the version's story (its
        registration trace), so the use case's trace reaches serving. Later requests are counted, not traced."""
        if arm.version_id in self._traced_versions:
            return
        self._traced_versions.add(arm.version_id)
        attributes = {"model": model, "version": arm.version, "version_id": arm.version_id, "arm": arm.arm}
        with linked_span("serving.first_request", arm.traceparent, attributes):
            pass

    def _route(self, model: str) -> _Route:
        route = self._routes.get(model)
        if route is None:
            raise _not_served(model)
        return route

    async def _authorize(self, route: _Route, request: Request, model: str | None = None) -> str:
        header = request.headers.get("authorization", "")
        presented = header[7:].strip() if header.lower().startswith("bearer ") else None
        if model is not None and model != route.model:
            raise oa.RequestError(
                404,
                f"model {model!r} is not served here; this endpoint serves {route.model!r}",
                type_="invalid_request_error",
                param="model",
                code="model_not_found",
            )
        try:
            key = self._auth.authenticate(presented, route.model, datetime.now(UTC))
            decision = await self._limits.check(key.prefix, key.requests_per_minute)
            if not decision.allowed:
                raise rate_limited(key, decision)
        except KeyRejected as exc:
            retry = math.ceil(exc.retry_after_s) if exc.retry_after_s else None
            raise oa.RequestError(
                exc.status, str(exc), type_=_REJECT_TYPES[exc.status], code=exc.reason.value, retry_after=retry
            ) from None
        return key.prefix

    def _record(
        self,
        call: _Call,
        status: Status,
        tokens_in: int,
        tokens_out: int,
        *,
        error: str | None = None,
        output: str | None = None,
    ) -> None:
        keep_text = call.config.log_prompts
        record = InferenceRecord(
            request_id=call.request_id,
            model_name=call.route.model,
            version=call.arm.version,
            version_id=call.arm.version_id,
            arm=call.arm.arm,
            endpoint=call.endpoint,
            stream=call.stream,
            latency_ms=(time.perf_counter() - call.started) * 1000,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            status=status,
            cost=call.config.pricing.cost(tokens_in, tokens_out),
            caller=call.caller,
            prompt_chars=len(call.prompt_text),
            occurred_at=datetime.now(UTC),
            error=error,
            prompt=call.prompt_text if keep_text else None,
            output=output if keep_text else None,
        )
        task = asyncio.get_running_loop().create_task(self._emit(record))
        self._pending.add(task)  # a reference keeps the task alive until the sink is done
        task.add_done_callback(self._pending.discard)

    async def __del__(self) -> None:
        """Serve calls this when the replica shuts down: records not yet with the broker are flushed first."""
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        await self._sink.close()

    async def _emit(self, record: InferenceRecord) -> None:
        try:
            await self._sink.emit(record)
        except Exception as exc:  # a sink outage must not fail or slow requests; the log says it happened
            log.warning("registry.inference.sink_failed request_id=%s error=%s", record.request_id, exc)
