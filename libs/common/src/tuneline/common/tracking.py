"""Export to an MLflow tracking server: every finished job, evaluation and model version, when one is configured.

Tuneline's own database stays the record; MLflow gets a copy for people who compare runs there. So the export
never breaks or stalls the pipeline: each call goes through MLflow's bounded HTTP retries (shorter defaults than
MLflow's own, see `bound_http_requests`), and a server that is down or refuses a request costs a warning and a
count in ``tuneline_tracking_failures_total``, then the event is done with; nothing is retried later.

Every export is idempotent, found again by a tag before anything is written: a run by ``tuneline.job_id`` or
``tuneline.evaluation_id`` in the use case's experiment (only a FINISHED run counts: one left unfinished by a crash
mid-export is deleted and logged again), a model version by ``tuneline.version_id``. A redelivered event therefore
logs nothing twice.

The MLflow client is synchronous and keeps no global state here (never the fluent ``mlflow.start_run``): each
export runs in a worker thread with a client of its own URI.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from prometheus_client import Counter

from tuneline.common.settings import TrackingSettings

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

log = structlog.get_logger(__name__)

TRACKING_EXPORTS = Counter(
    "tuneline_tracking_exports_total", "Runs and model versions logged to MLflow", ["service", "kind", "outcome"]
)
TRACKING_FAILURES = Counter(
    "tuneline_tracking_failures_total",
    "Exports to MLflow that failed (server down, slow or refusing) and were skipped",
    ["service", "kind"],
)

#: MLflow client settings when the deployment sets none: MLflow's HTTP defaults (120 s timeout, 7 retries with
#: backoff factor 2) would hold one export for minutes against a server that is down, and its usage telemetry would
#: call out of the cluster (and write an installation id under a possibly read-only HOME).
HTTP_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "10",
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true",
}
#: MLflow's limits per log_batch call and per parameter value.
MAX_BATCH_METRICS = 1000
MAX_BATCH_PARAMS = 100
MAX_PARAM_CHARS = 6000
FINISHED = "FINISHED"

_UNSAFE_KEY = re.compile(r"[^A-Za-z0-9_\-. /]")


def bound_http_requests() -> None:
    """Apply `HTTP_DEFAULTS` to MLflow variables the deployment left unset (MLflow reads them when it calls)."""
    for name, value in HTTP_DEFAULTS.items():
        os.environ.setdefault(name, value)


def metric_key(name: str) -> str:
    """A name MLflow accepts as a metric or parameter key (letters, digits, _ - . space /)."""
    return _UNSAFE_KEY.sub("_", name) or "_"


def param_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= MAX_PARAM_CHARS else text[: MAX_PARAM_CHARS - 1] + "…"


@dataclass(frozen=True)
class MetricPoint:
    """One value of a metric at a step (the loss curve), with when it was recorded."""

    key: str
    value: float
    step: int
    at: datetime


#: Puts the files of a run into the directory it is given; returns artifact path -> file or directory to upload.
StageArtifacts = Callable[[Path], Awaitable[Mapping[str, Path]]]


@dataclass(frozen=True)
class RunExport:
    """One run to log: found again by `key` (a tag name and value) in the use case's experiment."""

    kind: str  # job | evaluation (the counters' label)
    usecase_id: str
    key: tuple[str, str]
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    history: Sequence[MetricPoint] = ()
    tags: Mapping[str, str | None] = field(default_factory=dict)
    parent_key: tuple[str, str] | None = None
    """The tag of a run in the same experiment to nest this one under (an evaluation under its training job)."""
    stage: StageArtifacts | None = None


@dataclass(frozen=True)
class VersionExport:
    """One model version for MLflow's registry, pointing at the artifact of the run found by `run_key`."""

    model_name: str
    usecase_id: str
    key: tuple[str, str]
    run_key: tuple[str, str]
    artifact_path: str
    fallback_source: str
    """Where the files are when no run was logged for it (the object-store URI of the adapter)."""
    tags: Mapping[str, str | None] = field(default_factory=dict)
    description: str = ""


class Tracker:
    """Logs runs and model versions to one MLflow server; every method returns None instead of raising."""

    def __init__(self, tracking_uri: str, experiment_prefix: str, service: str) -> None:
        self.tracking_uri = tracking_uri
        self.experiment_prefix = experiment_prefix
        self.service = service
        bound_http_requests()

    def experiment_name(self, usecase_id: str) -> str:
        return f"{self.experiment_prefix}/{usecase_id}"

    def _client(self) -> MlflowClient:
        from mlflow.tracking import MlflowClient  # a heavy import, paid only where tracking is on

        return MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri)

    async def log_run(self, export: RunExport) -> str | None:
        """Log `export` (or find it logged already); the MLflow run id, or None when MLflow failed."""
        try:
            run_id, created = await asyncio.to_thread(self._open_run, export)
            if created:
                with tempfile.TemporaryDirectory(prefix="tuneline-mlflow-") as tmp:
                    artifacts = await export.stage(Path(tmp)) if export.stage is not None else {}
                    await asyncio.to_thread(self._fill_run, run_id, export, artifacts)
        except Exception as exc:  # any failure of the export is the same: skipped, counted
            self._failed(export.kind, export.key, exc)
            return None
        TRACKING_EXPORTS.labels(self.service, export.kind, "logged" if created else "already_logged").inc()
        log.info(
            "tracking.run.logged", kind=export.kind, run_id=run_id, created=created, **{export.key[0]: export.key[1]}
        )
        return run_id

    async def register_version(self, export: VersionExport) -> str | None:
        """Create `export` in MLflow's registry (or find it there); its MLflow version number, or None on failure."""
        try:
            version, created = await asyncio.to_thread(self._register, export)
        except Exception as exc:  # as in log_run
            self._failed("model_version", export.key, exc)
            return None
        TRACKING_EXPORTS.labels(self.service, "model_version", "logged" if created else "already_logged").inc()
        log.info("tracking.model_version.logged", model=export.model_name, version=version, created=created)
        return version

    def _failed(self, kind: str, key: tuple[str, str], exc: Exception) -> None:
        TRACKING_FAILURES.labels(self.service, kind).inc()
        # The message only: MLflow's exceptions can be long, and the export is skipped rather than retried.
        log.warning(
            "tracking.export.failed",
            kind=kind,
            tracking_uri=self.tracking_uri,
            error=f"{type(exc).__name__}: {str(exc)[:300]}",
            **{key[0]: key[1]},
        )

    # ------------------------------------------------------------------------------------ in a worker thread

    def _experiment_id(self, client: MlflowClient, usecase_id: str) -> str:
        from mlflow.exceptions import MlflowException

        name = self.experiment_name(usecase_id)
        found = client.get_experiment_by_name(name)
        if found is not None:
            return str(found.experiment_id)
        try:
            return str(client.create_experiment(name, tags={"tuneline.usecase_id": usecase_id}))
        except MlflowException:  # another service created it meanwhile
            again = client.get_experiment_by_name(name)
            if again is None:
                raise
            return str(again.experiment_id)

    @staticmethod
    def _find(client: MlflowClient, experiment_id: str, key: tuple[str, str]) -> list[Any]:
        return list(client.search_runs([experiment_id], f"tags.`{key[0]}` = '{key[1]}'", max_results=10))

    def _open_run(self, export: RunExport) -> tuple[str, bool]:
        client = self._client()
        experiment_id = self._experiment_id(client, export.usecase_id)
        for run in self._find(client, experiment_id, export.key):
            if run.info.status == FINISHED:
                return str(run.info.run_id), False
            client.delete_run(run.info.run_id)  # a crash mid-export left it partial: log it again whole
        tags = {k: str(v) for k, v in export.tags.items() if v is not None}
        tags[export.key[0]] = export.key[1]
        if export.parent_key is not None:
            parents = [r for r in self._find(client, experiment_id, export.parent_key) if r.info.status == FINISHED]
            if parents:
                tags["mlflow.parentRunId"] = str(parents[0].info.run_id)
        run = client.create_run(experiment_id, run_name=export.name, tags=tags)
        return str(run.info.run_id), True

    def _fill_run(self, run_id: str, export: RunExport, artifacts: Mapping[str, Path]) -> None:
        from mlflow.entities import Metric, Param

        client = self._client()
        params = [Param(metric_key(k), param_value(v)) for k, v in sorted(export.params.items()) if v is not None]
        for chunk in _chunks(params, MAX_BATCH_PARAMS):
            client.log_batch(run_id, params=chunk, synchronous=True)
        points = [
            Metric(metric_key(p.key), p.value, int(p.at.timestamp() * 1000), p.step)
            for p in export.history
            if math.isfinite(p.value)
        ]
        last_step = max((p.step for p in export.history), default=0)
        now_ms = int(time.time() * 1000)
        points += [
            Metric(metric_key(k), float(v), now_ms, last_step)
            for k, v in sorted(export.metrics.items())
            if isinstance(v, int | float) and math.isfinite(v)
        ]
        for chunk in _chunks(points, MAX_BATCH_METRICS):
            client.log_batch(run_id, metrics=chunk, synchronous=True)
        for artifact_path, local in sorted(artifacts.items()):
            if local.is_dir():
                client.log_artifacts(run_id, str(local), artifact_path)
            else:
                client.log_artifact(run_id, str(local), artifact_path or None)
        client.set_terminated(run_id, FINISHED)  # last: only a whole export counts as logged

    def _register(self, export: VersionExport) -> tuple[str, bool]:
        from mlflow.exceptions import MlflowException

        client = self._client()
        name = export.model_name
        try:
            client.create_registered_model(name, tags={"tuneline.usecase_id": export.usecase_id})
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
        existing = client.search_model_versions(
            f"name = '{_quoted(name)}' and tags.`{export.key[0]}` = '{export.key[1]}'"
        )
        if existing:
            return str(existing[0].version), False
        experiment = client.get_experiment_by_name(self.experiment_name(export.usecase_id))
        runs = (
            [r for r in self._find(client, str(experiment.experiment_id), export.run_key) if r.info.status == FINISHED]
            if experiment is not None
            else []
        )
        run_id = str(runs[0].info.run_id) if runs else None
        source = f"runs:/{run_id}/{export.artifact_path}" if run_id else export.fallback_source
        tags = {k: str(v) for k, v in export.tags.items() if v is not None}
        tags[export.key[0]] = export.key[1]
        version = client.create_model_version(
            name, source, run_id=run_id, tags=tags, description=export.description or None
        )
        return str(version.version), True


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _quoted(value: str) -> str:
    return value.replace("'", "\\'")


def build_tracker(settings: TrackingSettings, service: str) -> Tracker | None:
    """The tracker of a service, or None when no tracking URI is configured (then nothing is exported)."""
    if not settings.mlflow_tracking_uri:
        return None
    return Tracker(settings.mlflow_tracking_uri, settings.mlflow_experiment_prefix, service)
