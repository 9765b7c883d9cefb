"""Logs, traces and metrics, set up the same way in every service.

structlog writes one JSON object per line with dotted event names, the service name and the current
trace_id/span_id, so an SRE can go from a log line to its trace. Tracing exports over OTLP/HTTP when an endpoint is
configured (and as JSON lines to a file per process when `trace_export_dir` is set); otherwise spans are still
created (and ids still logged) but not exported. Database (SQLAlchemy) and HTTP-client (httpx) calls get spans of
their own. Prometheus metrics are served by each service at /metrics.

One use case, one story: every event carries the trace context of the step that caused it (`Event.traceparent`,
and the `traceparent` Kafka header). Work that happens later, in another process or for another caller, either
continues that context (`continued_span`: a worker running a queued job) or links its own trace to it
(`linked_span`: a dataset upload, a release, the first request a model version serves), so from the use case's
trace an SRE reaches every stage.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import structlog
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import Decision, ParentBased, Sampler, SamplingResult
from opentelemetry.util.types import Attributes
from structlog.tracebacks import ExceptionDictTransformer

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
            # Tracebacks as data, without each frame's local variables: those hold records, prompts and the
            # values bound to SQL statements (structlog's dict_tracebacks shows them by default).
            structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False)),
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


class JsonLinesSpanExporter(SpanExporter):
    """Writes each finished span as one JSON line: trace and span ids, parent, links, attributes, service."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8", buffering=1)
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = "".join(json.dumps(span_record(s), default=str) + "\n" for s in spans)
        with self._lock:
            self._file.write(lines)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            self._file.close()


def span_record(span: ReadableSpan) -> dict[str, Any]:
    """A span as plain data (the JSON-lines export, and what tests read back)."""
    ctx = span.get_span_context()
    assert ctx is not None
    return {
        "service": span.resource.attributes.get("service.name"),
        "name": span.name,
        "trace_id": format(ctx.trace_id, "032x"),
        "span_id": format(ctx.span_id, "016x"),
        "parent_span_id": format(span.parent.span_id, "016x") if span.parent else None,
        "links": [
            {"trace_id": format(link.context.trace_id, "032x"), "span_id": format(link.context.span_id, "016x")}
            for link in span.links
        ],
        "attributes": dict(span.attributes or {}),
        "start_time": span.start_time,
        "end_time": span.end_time,
    }


def configure_tracing(
    service: str, otlp_endpoint: str | None, exporter: SpanExporter | None = None, *, export_dir: str | None = None
) -> TracerProvider:
    """Install the global tracer provider once per process (OTLP export only when an endpoint is set) and the
    database and HTTP-client instrumentation."""
    global _configured_tracing
    if _configured_tracing is not None:
        if exporter is not None:
            _configured_tracing.add_span_processor(BatchSpanProcessor(exporter))
        return _configured_tracing
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"tuneline-{service}"}),
        sampler=ParentBased(root=_NoLoneClientCalls()),
    )
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces"))
        )
    if export_dir:
        # Written as each span ends: a process stopped by a signal leaves no span behind in a buffer.
        path = Path(export_dir) / f"{service}-{os.getpid()}.jsonl"
        provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(path)))
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _instrument_clients()
    _configured_tracing = provider
    return provider


class _NoLoneClientCalls(Sampler):
    """Drop a database or HTTP-client span that starts a trace of its own: the outbox relay and the workers poll
    the database several times a second, and each poll would otherwise be a trace of its own. Client calls made
    inside a request, a message or a job are children and follow their parent's decision."""

    def should_sample(
        self,
        parent_context: otel_context.Context | None,
        trace_id: int,
        name: str,
        kind: trace.SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[trace.Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        decision = Decision.DROP if kind == trace.SpanKind.CLIENT else Decision.RECORD_AND_SAMPLE
        return SamplingResult(decision, attributes if decision != Decision.DROP else None, trace_state)

    def get_description(self) -> str:
        return "NoLoneClientCalls"


def _instrument_clients() -> None:
    """Spans for every SQL statement and every outgoing HTTP request of this process."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    # The instrumentation declares SQLAlchemy < 2.1; it works with 2.1 (greenlet present), measured.
    if not SQLAlchemyInstrumentor().is_instrumented_by_opentelemetry:
        SQLAlchemyInstrumentor().instrument(skip_dep_check=True)
    if not HTTPXClientInstrumentor().is_instrumented_by_opentelemetry:
        HTTPXClientInstrumentor().instrument()


# ---------------------------------------------------------------------------------------------------------------
# Carrying a trace across time: store a traceparent with the work, continue it or link to it later
# ---------------------------------------------------------------------------------------------------------------

_tracer = trace.get_tracer("tuneline")


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span (None outside any span): what an event or a queued job stores."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def _span_context(traceparent: str | None) -> trace.SpanContext | None:
    if not traceparent:
        return None
    ctx = trace.get_current_span(propagate.extract({"traceparent": traceparent})).get_span_context()
    return ctx if ctx.is_valid else None


@contextmanager
def continued_span(
    name: str, traceparent: str | None, attributes: Mapping[str, Any] | None = None
) -> Iterator[trace.Span]:
    """A span that continues the trace of `traceparent` (a new root when there is none or it is malformed):
    for work done later on behind the step that caused it, e.g. a worker running a queued job."""
    parent = _span_context(traceparent)
    ctx = trace.set_span_in_context(trace.NonRecordingSpan(parent)) if parent else otel_context.Context()
    with _tracer.start_as_current_span(name, context=ctx, attributes=_clean(attributes)) as span:
        yield span


@contextmanager
def linked_span(
    name: str, traceparent: str | None, attributes: Mapping[str, Any] | None = None
) -> Iterator[trace.Span]:
    """A span in the current trace with a link to the trace of `traceparent`: for work another caller started
    that belongs to an earlier story too, e.g. an upload for an approved use case, a release of a model version."""
    link = _span_context(traceparent)
    links = [trace.Link(link)] if link else []
    with _tracer.start_as_current_span(name, links=links, attributes=_clean(attributes)) as span:
        yield span


def link_current_span(traceparent: str | None) -> None:
    """Link the current span (a request's, a consumer's) to the trace of `traceparent`, when both exist."""
    link = _span_context(traceparent)
    span = trace.get_current_span()
    if link is not None and span.is_recording():
        span.add_link(link)


def _clean(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        k: v if isinstance(v, (str, bool, int, float)) else str(v)
        for k, v in (attributes or {}).items()
        if v is not None
    }


def current_trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None
