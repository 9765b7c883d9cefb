"""Ingest inference events into raw storage and roll-ups; read time series, current figures and costs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.errors import InvalidInput
from tuneline.common.events import InferenceLogged
from tuneline.monitoring.rollups import repository
from tuneline.monitoring.rollups.accumulator import RollupAccumulator
from tuneline.monitoring.rollups.observation import InferenceObservation, RequestStatus
from tuneline.monitoring.rollups.pricing import PriceTable
from tuneline.monitoring.rollups.rollup import Rollup, RollupKey, RollupSummary, bucket_start, merge_window

UNVERSIONED = "unversioned"
MAX_SERIES_POINTS = 2_000


def version_of(event: InferenceLogged) -> str:
    return str(event.version_id) if event.version_id is not None else UNVERSIONED


def observation_of(event: InferenceLogged, usecase_id: UUID | None) -> InferenceObservation:
    return InferenceObservation(
        model=event.model_name,
        version=version_of(event),
        arm=event.arm,
        latency_ms=event.latency_ms,
        tokens_in=event.tokens_in,
        tokens_out=event.tokens_out,
        status=RequestStatus(event.status),
        caller_id=event.caller or "anonymous",
        occurred_at=event.occurred_at,
        usecase_id=str(usecase_id) if usecase_id else None,
    )


@dataclass
class IngestResult:
    new_events: int = 0
    duplicates: int = 0
    #: Requests of erased model versions, dropped.
    erased: int = 0
    rollups: list[Rollup] = field(default_factory=list)
    delays_seconds: list[float] = field(default_factory=list)


async def ingest(
    session: AsyncSession,
    events: Sequence[InferenceLogged],
    prices: PriceTable,
    bucket_seconds: int,
    now: datetime | None = None,
) -> IngestResult:
    """Store the batch's new events and merge them into roll-ups, in the caller's transaction.

    Events already stored (a redelivery) are neither stored nor counted again.
    """
    now = now or datetime.now(UTC)
    if not events:
        return IngestResult()
    await repository.lock_against_erasure(session, exclusive=False)
    unique = {event.event_id: event for event in events}
    erased = await repository.erased_among(session, {version_of(e) for e in unique.values()})
    if erased:  # requests of versions whose logged requests were erased: not stored, not counted
        unique = {i: e for i, e in unique.items() if version_of(e) not in erased}
    usecases = await repository.usecases_of(session, sorted({e.model_name for e in unique.values()}))
    rows = []
    observations: dict[UUID, InferenceObservation] = {}
    for event in unique.values():
        usecase_id = event.usecase_id or usecases.get(event.model_name)
        observations[event.event_id] = observation_of(event, usecase_id)
        rows.append(
            {
                "event_id": event.event_id,
                "request_id": event.request_id,
                "model_name": event.model_name,
                "version": version_of(event),
                "arm": event.arm,
                "usecase_id": usecase_id,
                "status": event.status,
                "latency_ms": event.latency_ms,
                "tokens_in": event.tokens_in,
                "tokens_out": event.tokens_out,
                "caller": event.caller,
                "prompt": event.prompt,
                "output": event.output,
                "occurred_at": event.occurred_at,
                "received_at": now,
            }
        )
    new_ids = await repository.insert_new_events(session, rows) if rows else set()
    accumulator = RollupAccumulator(prices, bucket_seconds=bucket_seconds, max_open_rollups=len(rows) + 1)
    for event_id in new_ids:
        accumulator.add(observations[event_id])
    partials = accumulator.drain()
    await repository.merge_rollups(session, partials)
    return IngestResult(
        new_events=len(new_ids),
        duplicates=len(unique) - len(new_ids),
        erased=len(events) - len(unique),
        rollups=partials,
        delays_seconds=[(now - observations[i].occurred_at).total_seconds() for i in new_ids],
    )


@dataclass(frozen=True)
class SeriesPoint:
    start: datetime
    key: RollupKey
    summary: RollupSummary


def check_range(start: datetime, end: datetime, step_seconds: int) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("start and end must carry a time zone (UTC)", field="start")
    if end <= start:
        raise InvalidInput("end must be after start", field="end")
    if step_seconds <= 0:
        raise InvalidInput("step must be positive", field="step_seconds")
    if (end - start).total_seconds() / step_seconds > MAX_SERIES_POINTS:
        raise InvalidInput(f"at most {MAX_SERIES_POINTS} points per series; widen the step", field="step_seconds")


def series(
    rollups: Sequence[Rollup], start: datetime, end: datetime, step_seconds: int, *, by_arm: bool = True
) -> list[SeriesPoint]:
    """Buckets merged into `step_seconds` points per (model, version, arm), or per model when not by_arm."""
    check_range(start, end, step_seconds)
    grouped: dict[tuple[RollupKey, datetime], Rollup] = {}
    for rollup in rollups:
        key = rollup.key if by_arm else RollupKey(rollup.key.model, "*", "*")
        point_start = bucket_start(rollup.start, step_seconds)
        slot = grouped.get((key, point_start))
        if slot is None:
            slot = grouped[(key, point_start)] = Rollup(key=key, start=point_start, bucket_seconds=step_seconds)
        slot.merge(rollup)
    return [
        SeriesPoint(start=s, key=k, summary=grouped[(k, s)].summary())
        for k, s in sorted(grouped, key=lambda item: (item[1], item[0]))
    ]


def current(rollups: Sequence[Rollup], start: datetime, end: datetime) -> dict[RollupKey, RollupSummary]:
    """One summary per (model, version, arm) over [start, end)."""
    return {
        key: merge_window([r for r in rollups if r.key == key], key, start, end).summary()
        for key in repository.keys_in(rollups)
    }


def costs(rollups: Sequence[Rollup], start: datetime, end: datetime) -> dict[tuple[str, str], RollupSummary]:
    """Cost and volume per (model, version) over [start, end): both arms of a version together."""
    per_version: dict[tuple[str, str], Rollup] = {}
    for rollup in rollups:
        slot = (rollup.key.model, rollup.key.version)
        if slot not in per_version:
            per_version[slot] = Rollup(RollupKey(*slot, "*"), start, int((end - start).total_seconds()))
        per_version[slot].merge(rollup)
    return {slot: rollup.summary() for slot, rollup in sorted(per_version.items())}


def default_range(minutes: float, now: datetime | None = None) -> tuple[datetime, datetime]:
    end = now or datetime.now(UTC)
    return end - timedelta(minutes=minutes), end
