"""Logs, traces and metrics, set up the same way in every service.

structlog writes one JSON object per line with dotted event names, the service name and the current
trace_id/span_id, so an SRE can go from a log line to its trace. Tracing exports over OTLP/HTTP when an endpoint is
configured; otherwise spans are still created (and ids still logged) but not exported. Prometheus metrics are served
by each service at /metrics.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, TextIO

import structlog
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

_configured_tracing: TracerProvider | None = None


def _add_trace_ids(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event_dict.setdefault("trace_id", format(ctx.trace_id, "032x"))
        event_dict.setdefault("span_id", format(ctx.span_id, "016x"))
    return event_dict


class _Tee:
    """Write each log line to stderr and, when configured, to a file."""

    def __init__(self, *streams: TextIO) -> None:
        self._streams = streams

    def write(self, data: str) -> int:
        for s in self._streams:
            s.write(data)
        return len(data)

    def flush(self) -> None:
        for s in self._streams:
            s.flush()


def configure_logging(service: str, level: str = "INFO", log_file: str | None = None) -> None:
    streams: list[TextIO] = [sys.stderr]
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        streams.append(open(log_file, "a", buffering=1, encoding="utf-8"))  # noqa: SIM115 - lives as long as the process
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_trace_ids,
            structlog.processors.dict_tracebacks,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=_Tee(*streams)),  # type: ignore[arg-type]
        # Not cached: tests (and operators reconfiguring at run time) must be able to swap processors later.
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)
    # Third-party libraries log through stdlib logging: keep their warnings, drop their chatter.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")


def configure_tracing(service: str, otlp_endpoint: str | None, exporter: SpanExporter | None = None) -> TracerProvider:
    """Install the global tracer provider once per process (OTLP export only when an endpoint is set)."""
    global _configured_tracing
    if _configured_tracing is not None:
        if exporter is not None:
            _configured_tracing.add_span_processor(BatchSpanProcessor(exporter))
        return _configured_tracing
    provider = TracerProvider(resource=Resource.create({"service.name": f"tuneline-{service}"}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces"))
        )
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _configured_tracing = provider
    return provider


def current_trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None
