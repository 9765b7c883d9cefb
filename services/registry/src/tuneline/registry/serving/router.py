"""The ingress deployment: OpenAI-compatible HTTP API, key checks, canary routing and inference records.

Weights, arms and keys arrive through `reconfigure` (the deployment's user_config), so a canary weight change,
a promotion, a rollback or a revoked key takes effect on the running replicas without a restart. A request reads
the config once at its start, so it is answered entirely under one config even while a change lands.

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

from tuneline.registry.keys.domain import KeyAuthorizer, KeyRejected
from tuneline.registry.serving import openai_api as oa
from tuneline.registry.serving.records import InferenceRecord, InferenceSink, Status, log, make_sink
from tuneline.registry.serving.routing import choose_arm
from tuneline.registry.serving.spec import PEPPER_ENV, ROUTER_DEPLOYMENT, ArmSpec, RouterConfig, SinkSpec

api = FastAPI(title="Tuneline inference", docs_url=None, redoc_url=None)

_REJECT_TYPES = {401: "invalid_request_error", 403: "permission_error", 429: "requests"}


@dataclass
class _Call:
    """Everything about one accepted request that the record needs."""

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


@serve.deployment(name=ROUTER_DEPLOYMENT)
@serve.ingress(api)
class Router:
    def __init__(self, server: DeploymentHandle, model_name: str, max_new_tokens: int, sink: dict[str, Any]) -> None:
        self._server = server
        self._model = model_name
        self._cap = max_new_tokens
        self._created = int(time.time())
        self._started_at = time.time()
        self._sink: InferenceSink = make_sink(SinkSpec.model_validate(sink))
        self._auth = KeyAuthorizer(pepper=os.environ[PEPPER_ENV].encode())
        self._config: RouterConfig | None = None
        self._rng = random.Random()
        self._pending: set[asyncio.Task[None]] = set()

    def reconfigure(self, user_config: dict[str, Any]) -> None:
        config = RouterConfig.model_validate(user_config)
        now = datetime.now(UTC)
        self._auth.replace_keys([k.to_domain(now) for k in config.keys])
        self._auth.replicas = config.replicas
        self._config = config  # one assignment: requests see the old or the new config, never a mix

    def info(self) -> dict[str, Any]:
        """For the controller: the arms this replica routes by (proves a reconfigure landed) and its start."""
        arms = [a.model_dump() for a in self._config.arms] if self._config else []
        return {"arms": arms, "started_at": self._started_at, "pid": os.getpid()}

    # ---- routes -----------------------------------------------------------------------------------------------

    @api.get("/v1/models")
    async def models(self, request: Request) -> Response:
        try:
            self._authorize(request)
        except oa.RequestError as exc:
            return _error(exc)
        return JSONResponse(oa.model_list(self._model, self._created))

    @api.post("/v1/chat/completions")
    async def chat_completions(self, request: Request) -> Response:
        return await self._handle(request, "chat")

    @api.post("/v1/completions")
    async def completions(self, request: Request) -> Response:
        return await self._handle(request, "completion")

    # ---- request handling -------------------------------------------------------------------------------------

    async def _handle(self, request: Request, kind: str) -> Response:
        started = time.perf_counter()
        try:
            payload = await _json(request)
            req: oa.ChatCompletionRequest | oa.CompletionRequest
            if kind == "chat":
                req = oa.parse_request(oa.ChatCompletionRequest, payload)
            else:
                req = oa.parse_request(oa.CompletionRequest, payload)
            caller = self._authorize(request, req.model)
            config = self._current_config()
        except oa.RequestError as exc:
            return _error(exc)
        arm = choose_arm(config.arms, self._rng)
        if isinstance(req, oa.ChatCompletionRequest):
            body: dict[str, Any] = {"messages": req.message_dicts()}
            prompt_text = "\n".join(m["content"] for m in body["messages"])
        else:
            body = {"prompt": req.prompt}
            prompt_text = req.prompt
        params = req.params(req.requested_max(), self._cap)
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

    async def _complete(self, call: _Call, body: dict[str, Any]) -> Response:
        try:
            out = await asyncio.wait_for(self._server.generate.remote(body), call.config.request_timeout_s)
        except TimeoutError:
            self._record(call, "timeout", 0, 0, error="generation timed out")
            return _error(oa.RequestError(504, "generation timed out", type_="timeout"), _headers(call))
        except Exception as exc:  # the model deployment failed; the caller gets a 5xx, monitoring an error record
            self._record(call, "error", 0, 0, error=type(exc).__name__)
            log.warning("registry.inference.failed request_id=%s error=%s", call.request_id, type(exc).__name__)
            return _error(oa.RequestError(503, "the model failed to answer", type_="server_error"), _headers(call))
        served = _served(call)
        build = oa.chat_completion if call.endpoint == "chat" else oa.completion
        result = build(
            call.request_id, self._model, out["text"], out["finish_reason"], out["tokens_in"], out["tokens_out"], served
        )
        self._record(call, "ok", out["tokens_in"], out["tokens_out"], output=out["text"])
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
                        call.request_id, self._model, created, served, {"role": "assistant", "content": ""}, None
                    )
                )
            gen: Any = self._server.options(stream=True).generate_stream.remote(body)
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
                    oa.usage_chunk(call.request_id, self._model, created, obj, end["tokens_in"], end["tokens_out"])
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
            return oa.chat_chunk(call.request_id, self._model, created, served, delta, finish)
        return oa.completion_chunk(call.request_id, self._model, created, served, text, finish)

    # ---- helpers ----------------------------------------------------------------------------------------------

    def _authorize(self, request: Request, model: str | None = None) -> str:
        header = request.headers.get("authorization", "")
        presented = header[7:].strip() if header.lower().startswith("bearer ") else None
        if model is not None and model != self._model:
            raise oa.RequestError(
                404,
                f"model {model!r} is not served here; this endpoint serves {self._model!r}",
                type_="invalid_request_error",
                param="model",
                code="model_not_found",
            )
        try:
            key = self._auth.authorize(presented, self._model, datetime.now(UTC))
        except KeyRejected as exc:
            retry = math.ceil(exc.retry_after_s) if exc.retry_after_s else None
            raise oa.RequestError(
                exc.status, str(exc), type_=_REJECT_TYPES[exc.status], code=exc.reason.value, retry_after=retry
            ) from None
        return key.prefix

    def _current_config(self) -> RouterConfig:
        if self._config is None:
            raise oa.RequestError(503, "this model has no traffic configuration yet", type_="server_error")
        return self._config

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
            model_name=self._model,
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

    async def _emit(self, record: InferenceRecord) -> None:
        try:
            await self._sink.emit(record)
        except Exception as exc:  # a sink outage must not fail or slow requests; the log says it happened
            log.warning("registry.inference.sink_failed request_id=%s error=%s", record.request_id, exc)
