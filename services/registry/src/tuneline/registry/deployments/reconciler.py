"""The serving reconciler: brings Ray Serve up to the stored desired state, retrying until it is applied.

Changes that serving must learn but that must not wait for it (a key revoked during a serving outage must stay
revoked) commit first and bump the desired revision (`service.serving_changed`); this loop, started in the
app's lifespan, applies the complete desired set whenever the applied revision is behind, with exponential
backoff while the runtime refuses. Its first pass always applies (restoring serving after a registry restart).
A request that made a change pokes it after its commit, so serving usually learns within milliseconds; a poll
catches changes made by another registry process. The lag (age of the oldest unapplied change) is a Prometheus
gauge and part of `GET /models/keys/sync`.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from prometheus_client import Gauge

from tuneline.common.db import SessionFactory, transaction
from tuneline.registry.deployments import service
from tuneline.registry.deployments.service import ServingContext, ServingSync

log = structlog.get_logger(__name__)

SYNC_LAG = Gauge(
    "tuneline_registry_serving_sync_lag_seconds",
    "Age of the oldest change (key set, policy) serving has not applied yet (0 when in sync)",
    ["service"],
)
SYNC_PENDING = Gauge(
    "tuneline_registry_serving_sync_pending_revisions", "Desired-state revisions not yet applied", ["service"]
)
SYNC_FAILURES = Gauge(
    "tuneline_registry_serving_sync_failed_attempts", "Failed apply attempts since the last success", ["service"]
)


class ServingReconciler:
    def __init__(
        self,
        sessions: SessionFactory,
        ctx: ServingContext,
        *,
        interval_s: float,
        min_backoff_s: float,
        max_backoff_s: float,
    ) -> None:
        self._sessions = sessions
        self._ctx = ctx
        self._interval_s = interval_s
        self._min_backoff_s = min_backoff_s
        self._max_backoff_s = max_backoff_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._service = ctx.settings.service_name

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="registry-serving-reconciler")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    def poke(self) -> None:
        """A change committed: look now rather than at the next poll (a backoff in progress is kept)."""
        self._wake.set()

    async def reconcile_once(self, *, force: bool = False) -> ServingSync:
        async with transaction(self._sessions) as session:
            status = await service.reconcile(session, self._ctx, force=force)
        SYNC_LAG.labels(self._service).set(status.lag_s)
        SYNC_PENDING.labels(self._service).set(max(0, status.desired_revision - status.applied_revision))
        SYNC_FAILURES.labels(self._service).set(status.attempts)
        return status

    async def _run(self) -> None:
        force, backoff = True, self._min_backoff_s
        while True:
            try:
                status = await self.reconcile_once(force=force)
                ok = status.last_error is None
            except Exception as exc:  # the database itself: log, back off, keep the loop alive
                log.error("registry.serving.reconcile_error", error=f"{type(exc).__name__}: {exc}")
                ok = False
            else:
                if not ok:
                    log.warning(
                        "registry.serving.apply_failed",
                        attempts=status.attempts,
                        lag_s=round(status.lag_s, 3),
                        error=status.last_error,
                        retry_in_s=backoff,
                    )
            if ok:
                force, backoff = False, self._min_backoff_s
                await self._sleep(self._interval_s, wake_early=True)
            else:
                await self._sleep(backoff, wake_early=False)
                backoff = min(backoff * 2, self._max_backoff_s)

    async def _sleep(self, seconds: float, *, wake_early: bool) -> None:
        if not wake_early:
            await asyncio.sleep(seconds)
            self._wake.clear()  # changes made meanwhile are picked up by this retry anyway
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()
