"""OpenAI-compatible request and response shapes for /v1/chat/completions, /v1/completions and /v1/models,
and Tuneline's /v1/classify.

The response dicts follow the shapes the official `openai` client parses (ChatCompletion, ChatCompletionChunk,
Completion, Model); our extra `tuneline` field (version and arm) rides along as an extra attribute.

/v1/classify takes only the raw input: the server wraps it in the prompt template of the version that answers
(the template the model card states), generates greedily and matches the answer against the template's labels,
so a client never needs to know the wording the model was trained with.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tuneline.common.records import PromptTemplate
from tuneline.registry.serving.engine import GenerationParams

_T = TypeVar("_T", bound=BaseModel)

DEFAULT_CHAT_MAX_TOKENS = 128
DEFAULT_COMPLETION_MAX_TOKENS = 16  # OpenAI's documented default for /v1/completions


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[dict[str, Any]]

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        # The content-parts form: only text parts exist for a text model.
        return "".join(part.get("text", "") for part in self.content if part.get("type") == "text")


class StreamOptions(BaseModel):
    include_usage: bool = False


class _Sampling(BaseModel):
    model_config = ConfigDict(extra="ignore")  # OpenAI clients send fields we do not act on (user, metadata, ...)

    model: str = Field(min_length=1)
    temperature: float = Field(default=1.0, ge=0, le=2)
    top_p: float = Field(default=1.0, gt=0, le=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    n: int = Field(default=1, ge=1, le=1, description="Only one choice per request is supported.")
    stream: bool = False
    stream_options: StreamOptions | None = None

    @field_validator("stop")
    @classmethod
    def _stop_limit(cls, v: str | list[str] | None) -> str | list[str] | None:
        if isinstance(v, list) and len(v) > 4:
            raise ValueError("at most 4 stop sequences")
        return v

    def params(self, max_tokens: int, cap: int) -> GenerationParams:
        stops = (self.stop,) if isinstance(self.stop, str) else tuple(self.stop or ())
        return GenerationParams(
            max_new_tokens=min(max_tokens, cap),
            temperature=self.temperature,
            top_p=self.top_p,
            stop=stops,
            seed=self.seed,
        )

    @property
    def include_usage(self) -> bool:
        return bool(self.stream_options and self.stream_options.include_usage)


class ChatCompletionRequest(_Sampling):
    messages: list[ChatMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)

    def requested_max(self) -> int:
        return self.max_completion_tokens or self.max_tokens or DEFAULT_CHAT_MAX_TOKENS

    def message_dicts(self) -> list[dict[str, str]]:
        return [{"role": "system" if m.role == "developer" else m.role, "content": m.text()} for m in self.messages]


class CompletionRequest(_Sampling):
    prompt: str = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)

    def requested_max(self) -> int:
        return self.max_tokens or DEFAULT_COMPLETION_MAX_TOKENS


CLASSIFY_MAX_TOKENS = 32  # a label, not prose: enough for any label name, short enough to stay cheap


class ClassifyRequest(BaseModel):
    """POST /v1/classify: the raw input; the served version's prompt template is applied by the server."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1)
    input: str = Field(min_length=1, max_length=100_000, description="The raw input, e.g. one support ticket.")


def classify_messages(template: PromptTemplate | None, version: int, text: str) -> list[dict[str, str]]:
    """The chat turns for ``text`` under the answering version's template; a version without one is refused."""
    if template is None or not template.labels:
        raise RequestError(
            409,
            f"version {version} has no classification prompt template; use /v1/chat/completions",
            type_="invalid_request_error",
            code="no_prompt_template",
        )
    return [{"role": m["role"], "content": m["content"]} for m in template.messages(text)]


def match_label(output: str, labels: Sequence[str]) -> str | None:
    """The label the answer names: exact after trimming, else case- and end-punctuation-insensitive; else None."""
    answer = output.strip()
    if answer in labels:
        return answer
    folded = answer.rstrip(".!").strip().casefold()
    return next((label for label in labels if label.casefold() == folded), None)


def classification(
    request_id: str,
    model: str,
    output: str,
    labels: Sequence[str],
    tokens_in: int,
    tokens_out: int,
    served: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": request_id,
        "object": "classification",
        "created": int(time.time()),
        "model": model,
        "label": match_label(output, labels),
        "output": output,
        "labels": list(labels),
        "usage": usage(tokens_in, tokens_out),
        "tuneline": served,
    }


class RequestError(ValueError):
    """A request the API refuses; renders as OpenAI's error object."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str,
        param: str | None = None,
        code: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.type, self.param, self.code = status, type_, param, code
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return {"error": {"message": str(self), "type": self.type, "param": self.param, "code": self.code}}


def parse_request(model: type[_T], payload: Any) -> _T:
    """Validates a JSON body; the error names the first field at fault."""
    if not isinstance(payload, dict):
        raise RequestError(400, "request body must be a JSON object", type_="invalid_request_error")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first["loc"]) or None
        raise RequestError(
            400, f"{param}: {first['msg']}", type_="invalid_request_error", param=param, code="invalid_value"
        ) from None


def new_id(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex}"


def usage(tokens_in: int, tokens_out: int) -> dict[str, int]:
    return {"prompt_tokens": tokens_in, "completion_tokens": tokens_out, "total_tokens": tokens_in + tokens_out}


def chat_completion(
    request_id: str, model: str, text: str, finish: str, tokens_in: int, tokens_out: int, served: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": request_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": _fingerprint(served),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish,
                "logprobs": None,
            }
        ],
        "usage": usage(tokens_in, tokens_out),
        "tuneline": served,
    }


def chat_chunk(
    request_id: str, model: str, created: int, served: dict[str, Any], delta: dict[str, str], finish: str | None
) -> dict[str, Any]:
    return {
        "id": request_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "system_fingerprint": _fingerprint(served),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        "tuneline": served,
    }


def completion(
    request_id: str, model: str, text: str, finish: str, tokens_in: int, tokens_out: int, served: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": request_id,
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": _fingerprint(served),
        "choices": [{"index": 0, "text": text, "finish_reason": finish, "logprobs": None}],
        "usage": usage(tokens_in, tokens_out),
        "tuneline": served,
    }


def completion_chunk(
    request_id: str, model: str, created: int, served: dict[str, Any], text: str, finish: str | None
) -> dict[str, Any]:
    return {
        "id": request_id,
        "object": "text_completion",
        "created": created,
        "model": model,
        "system_fingerprint": _fingerprint(served),
        "choices": [{"index": 0, "text": text, "finish_reason": finish, "logprobs": None}],
        "tuneline": served,
    }


def usage_chunk(request_id: str, model: str, created: int, obj: str, tokens_in: int, tokens_out: int) -> dict[str, Any]:
    return {
        "id": request_id,
        "object": obj,
        "created": created,
        "model": model,
        "choices": [],
        "usage": usage(tokens_in, tokens_out),
    }


def model_list(name: str, created: int) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": name, "object": "model", "created": created, "owned_by": "tuneline"}]}


def _fingerprint(served: dict[str, Any]) -> str:
    return f"{served['version_id']}:{served['arm']}"
