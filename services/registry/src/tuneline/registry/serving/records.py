"""Inference records: one per served request, handed to a pluggable sink.

A record carries what monitoring needs (model, version, arm, latency, token counts, status, cost, caller key
prefix) and never the prompt or output text unless the model's policy allows logging them.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from tuneline.registry.serving.spec import SinkSpec

log = logging.getLogger("tuneline.registry.serving")

Status = Literal["ok", "error", "timeout"]


@dataclass(frozen=True)
class InferenceRecord:
    request_id: str
    model_name: str
    version: int
    version_id: str
    arm: str
    endpoint: str
    stream: bool
    latency_ms: float
    tokens_in: int
    tokens_out: int
    status: Status
    cost: float
    caller: str | None
    prompt_chars: int
    occurred_at: datetime
    error: str | None = None
    prompt: str | None = None
    output: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["occurred_at"] = self.occurred_at.isoformat()
        return data


class InferenceSink(Protocol):
    async def emit(self, record: InferenceRecord) -> None: ...

    async def close(self) -> None: ...


class LogSink:
    async def emit(self, record: InferenceRecord) -> None:
        fields = record.to_json()
        fields.pop("prompt", None)  # a log line is not where permitted prompt text should end up
        fields.pop("output", None)
        log.info("registry.inference.served %s", json.dumps(fields))

    async def close(self) -> None:
        return None


class JsonlSink:
    """Appends one JSON line per record; for tests, demos and air-gapped audit trails."""

    def __init__(self, path: str) -> None:
        self._path = Path(path)
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = asyncio.Lock()

    async def emit(self, record: InferenceRecord) -> None:
        line = json.dumps(record.to_json()) + "\n"
        async with self._lock:
            await asyncio.to_thread(self._append, line)

    def _append(self, line: str) -> None:
        with self._path.open("a", encoding="utf-8") as handle:
            handle.write(line)

    async def close(self) -> None:
        return None


class NullSink:
    async def emit(self, record: InferenceRecord) -> None:
        return None

    async def close(self) -> None:
        return None


def make_sink(spec: SinkSpec) -> InferenceSink:
    if spec.kind == "log":
        return LogSink()
    if spec.kind == "none":
        return NullSink()
    if spec.kind == "jsonl":
        assert spec.path is not None  # enforced by SinkSpec
        return JsonlSink(spec.path)
    assert spec.target is not None
    module_name, _, attr = spec.target.partition(":")
    if not attr:
        raise ValueError(f"sink.target {spec.target!r}: expected 'module:attr'")
    factory = getattr(importlib.import_module(module_name), attr)
    sink: InferenceSink = factory(**spec.options)
    return sink


def utcnow() -> datetime:
    return datetime.now(UTC)
