"""REST routes for training jobs: parse, authorise, call the service, shape the answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import PlainTextResponse
from sse_starlette.sse import EventSourceResponse

from tuneline.common.access import KNOWN_ROLES, scope_of
from tuneline.common.app import SessionDep, StateDep
from tuneline.common.auth import Principal, Role, require_roles
from tuneline.training.jobs import repository, service
from tuneline.training.jobs.schemas import (
    CreateJobRequest,
    EstimateRequest,
    EstimateResponse,
    JobResponse,
    MetricPoint,
)
from tuneline.training.jobs.states import TERMINAL, JobStatus
from tuneline.training.jobs.tables import TrainingJob, TrainingJobMetric
from tuneline.training.settings import TrainingSettings

router = APIRouter(prefix="/jobs", tags=["jobs"])
MlEngineer = Annotated[Principal, Depends(require_roles(Role.ML_ENGINEER))]
#: Any role Tuneline knows; which jobs it may see is its team's business (tuneline.training.jobs.access).
Member = Annotated[Principal, Depends(require_roles(*KNOWN_ROLES))]


_COPIED = set(JobResponse.model_fields) - {"hyperparameters", "progress_percent"}


def job_response(job: TrainingJob) -> JobResponse:
    percent = 100.0 * job.step / job.total_steps if job.total_steps else 0.0
    if job.status == JobStatus.SUCCEEDED.value:
        percent = 100.0
    return JobResponse(
        **{name: getattr(job, name) for name in JobResponse.model_fields if name in _COPIED},
        hyperparameters=job.resolved,
        progress_percent=round(percent, 2),
    )


def _phase_data(job: TrainingJob) -> str:
    return json.dumps(
        {"phase": job.phase, "done": job.phase_done, "total": job.phase_total, "eta_seconds": job.eta_seconds}
    )


def metric_point(row: TrainingJobMetric) -> MetricPoint:
    return MetricPoint(**{name: getattr(row, name) for name in MetricPoint.model_fields})


@router.post("", status_code=201, summary="Queue a training job for a ready dataset version")
async def create_job(body: CreateJobRequest, session: SessionDep, state: StateDep, user: MlEngineer) -> JobResponse:
    settings = state.settings
    assert isinstance(settings, TrainingSettings)
    job = await service.create_job(session, settings, body, created_by=user.subject, actor=user, store=state.store)
    return job_response(job)


@router.post("/estimate", summary="Memory, time and cost of a job on each hardware profile")
async def estimate(body: EstimateRequest, session: SessionDep, state: StateDep, user: Member) -> EstimateResponse:
    settings = state.settings
    assert isinstance(settings, TrainingSettings)
    return await service.estimate(session, settings, state.store, body)


@router.get("", summary="Job history, newest first (optionally of one use case)")
async def list_jobs(
    session: SessionDep,
    user: Member,
    usecase_id: UUID | None = None,
    status: JobStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[JobResponse]:
    jobs = await repository.list_jobs(
        session,
        scope=scope_of(user),
        usecase_id=usecase_id,
        status=status.value if status else None,
        limit=limit,
        offset=offset,
    )
    return [job_response(job) for job in jobs]


@router.get("/{job_id}", summary="One job with its progress")
async def get_job(job_id: UUID, session: SessionDep, user: Member) -> JobResponse:
    return job_response(await service.get_job(session, user, job_id))


@router.post("/{job_id}/cancel", summary="Cancel (a running job stops at its next step)")
async def cancel_job(job_id: UUID, session: SessionDep, state: StateDep, user: MlEngineer) -> JobResponse:
    return await _act(job_id, "cancel", session, state, user)


@router.post("/{job_id}/pause", summary="Pause a running job (it checkpoints and stops)")
async def pause_job(job_id: UUID, session: SessionDep, state: StateDep, user: MlEngineer) -> JobResponse:
    return await _act(job_id, "pause", session, state, user)


@router.post("/{job_id}/resume", summary="Resume a paused job from its last checkpoint")
async def resume_job(job_id: UUID, session: SessionDep, state: StateDep, user: MlEngineer) -> JobResponse:
    return await _act(job_id, "resume", session, state, user)


async def _act(job_id: UUID, action: str, session: SessionDep, state: StateDep, user: Principal) -> JobResponse:
    settings = state.settings
    assert isinstance(settings, TrainingSettings)
    job = await service.request_action(session, settings, job_id, action, user)
    return job_response(job)


@router.get("/{job_id}/metrics", summary="Metric history: loss curve, learning rate, throughput")
async def job_metrics(job_id: UUID, session: SessionDep, user: Member) -> list[MetricPoint]:
    await service.get_job(session, user, job_id)
    return [metric_point(row) for row in await repository.list_metrics(session, job_id)]


@router.get("/{job_id}/logs", summary="Download the job's log", response_class=PlainTextResponse)
async def job_logs(job_id: UUID, session: SessionDep, user: Member) -> PlainTextResponse:
    await service.get_job(session, user, job_id)
    lines = [
        f"{row.at.isoformat()} {row.level.upper():<7} {row.message}"
        for row in await repository.list_logs(session, job_id)
    ]
    return PlainTextResponse(
        "\n".join(lines) + ("\n" if lines else ""),
        headers={"Content-Disposition": f'attachment; filename="training-job-{job_id}.log"'},
    )


@router.get(
    "/{job_id}/stream",
    summary="Live progress as server-sent events until the job ends",
    response_class=EventSourceResponse,
    responses={
        200: {
            "content": {
                "text/event-stream": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "event": {"type": "string", "enum": ["phase", "progress", "status"]},
                            "data": {"type": "string", "description": "The event's fields as JSON."},
                        },
                        "required": ["event", "data"],
                    }
                }
            },
            "description": "Events `phase`, `progress` and `status` (JSON data); the stream ends with the job. Every "
            "event's `id` is the last metric row sent: a client that reconnects with `Last-Event-ID` gets only the "
            "`progress` events after it (and the current `phase` and `status` again).",
        }
    },
)
async def job_stream(
    job_id: UUID,
    state: StateDep,
    user: Member,
    poll_s: float = 1.0,
    last_event_id: Annotated[
        int | None,
        Header(
            alias="Last-Event-ID",
            ge=0,
            description="Resume after this event (the `id` of the last one received): progress events after it only.",
        ),
    ] = None,
) -> EventSourceResponse:
    async with state.sessions() as session:
        await service.get_job(session, user, job_id)
    return EventSourceResponse(_stream(state, job_id, max(0.1, min(poll_s, 10.0)), after_metric=last_event_id or 0))


async def _stream(state: StateDep, job_id: UUID, poll_s: float, after_metric: int = 0) -> AsyncIterator[dict[str, str]]:
    """Each new metric row as a "progress" event, each change of phase (or of progress within it: replay answers,
    steps) as "phase" with the time left, each status change as "status"; ends at a final status. Every event's id
    is the last metric row sent, so a reconnect (Last-Event-ID) misses no point and repeats none; phase and status
    are states, sent again at once on a new connection."""
    last_metric, last_status, last_phase = after_metric, None, None
    while True:
        async with state.sessions() as session:
            job = await repository.get_job(session, job_id)
            rows = await repository.list_metrics(session, job_id, after_id=last_metric)
        for row in rows:
            last_metric = row.id or last_metric
            yield {"event": "progress", "id": str(last_metric), "data": metric_point(row).model_dump_json()}
        if job is None:
            return
        phase = (job.phase, job.phase_done, job.phase_total)
        if phase != last_phase:
            last_phase = phase
            yield {"event": "phase", "id": str(last_metric), "data": _phase_data(job)}
        if job.status != last_status:
            last_status = job.status
            yield {
                "event": "status",
                "id": str(last_metric),
                "data": json.dumps({"status": job.status, "step": job.step, "phase": job.phase}),
            }
        if JobStatus(job.status) in TERMINAL:
            return
        await asyncio.sleep(poll_s)
