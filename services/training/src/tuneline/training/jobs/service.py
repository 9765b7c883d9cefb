"""The rules of training jobs: scheduling, validation, estimates, the lifecycle and the events it causes.

No SQL (repository.py), no commits (the request, message or worker boundary commits), no HTTP.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any
from uuid import UUID

import structlog
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.auth import audit
from tuneline.common.errors import IllegalTransition, InvalidInput, NotFound
from tuneline.common.events import (
    JOB_CANCELLED,
    JOB_COMPLETED,
    JOB_FAILED,
    JOB_PROGRESS,
    JOB_QUEUED,
    JOB_STARTED,
    DatasetReady,
    JobCancelled,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobQueued,
    JobStarted,
    RetrainRequested,
    UseCaseApproved,
    utcnow,
)
from tuneline.common.messaging import add_event
from tuneline.common.waiting import announce_work
from tuneline.training.estimate.hardware import DEFAULT_PROFILES, HardwareTable, estimate_duration
from tuneline.training.estimate.hyperparameters import resolve
from tuneline.training.estimate.memory import KNOWN_MODELS, Method, ModelShape, check_fits, estimate_memory
from tuneline.training.estimate.presets import Preset, preset_hyperparameters
from tuneline.training.jobs import repository
from tuneline.training.jobs.schemas import CreateJobRequest, EstimateRequest, EstimateResponse, HardwareEstimate
from tuneline.training.jobs.states import TRANSITIONS, JobStatus, check_transition
from tuneline.training.jobs.tables import TrainingDatasetVersion, TrainingJob, TrainingUseCase
from tuneline.training.settings import TrainingSettings

log = structlog.get_logger(__name__)

# use-case task type -> what the recipe trains on: the data service's record format decides the shape
_DEFAULT_METHOD = "qlora"  # QLoRA is the default on CUDA; the worker records LoRA when it ran without CUDA
# Person-facing actions: the status each asks for and the statuses it may be asked from.
ACTIONS: dict[str, tuple[JobStatus, frozenset[JobStatus]]] = {
    "cancel": (
        JobStatus.CANCELLED,
        frozenset({JobStatus.QUEUED, JobStatus.STARTING, JobStatus.RUNNING, JobStatus.PAUSED}),
    ),
    "pause": (JobStatus.PAUSED, frozenset({JobStatus.RUNNING})),
    "resume": (JobStatus.QUEUED, frozenset({JobStatus.PAUSED})),
}


# ============================================================================ events from other services


async def record_usecase(
    session: AsyncSession, event: UseCaseApproved, settings: TrainingSettings
) -> list[TrainingJob]:
    """Remember an approved use case; if data arrived before the approval and policy says so, train now."""
    await repository.upsert_usecase(
        session,
        TrainingUseCase(
            usecase_id=event.usecase_id,
            title=event.title,
            task_type=event.task_type,
            base_model=event.base_model,
            method=event.method,
            labels=list(event.labels),
            policy=event.policy.model_dump(),
            updated_at=utcnow(),
        ),
    )
    if not event.policy.auto_train:
        return []
    waiting = await repository.versions_without_jobs(session, event.usecase_id)
    if not waiting:
        return []
    usecase = await repository.get_usecase(session, event.usecase_id)
    assert usecase is not None
    job = await _auto_job(session, settings, usecase, waiting[0], source="dataset.ready")
    return [job]


async def record_dataset_ready(
    session: AsyncSession, event: DatasetReady, settings: TrainingSettings
) -> TrainingJob | None:
    """Remember a ready dataset version; queue a job when the use case's policy asks for automatic training."""
    version = TrainingDatasetVersion(
        version_id=event.version_id,
        usecase_id=event.usecase_id,
        dataset_id=event.dataset_id,
        version_number=event.version_number,
        record_format=event.record_format,
        split_uris=dict(event.split_uris),
        record_counts=dict(event.record_counts),
        mean_tokens=event.token_stats.mean,
        labels=list(event.labels),
        received_at=utcnow(),
    )
    await repository.add_dataset_version(session, version)
    usecase = await repository.get_usecase(session, event.usecase_id)
    if usecase is None:
        # The approval has not reached us yet; record_usecase schedules this version when it does.
        log.info("training.dataset.waiting_for_usecase", usecase_id=str(event.usecase_id))
        return None
    if not usecase.policy.get("auto_train", True):
        return None
    return await _auto_job(session, settings, usecase, version, source="dataset.ready")


async def on_retrain_requested(
    session: AsyncSession, event: RetrainRequested, settings: TrainingSettings
) -> TrainingJob | None:
    if event.needs_new_data:
        log.info("training.retrain.waiting_for_data", usecase_id=str(event.usecase_id))
        return None
    usecase = await repository.get_usecase(session, event.usecase_id)
    version = (
        await repository.get_dataset_version(session, event.dataset_version_id)
        if event.dataset_version_id
        else await repository.latest_dataset_version(session, event.usecase_id)
    )
    if usecase is None or version is None:
        log.warning("training.retrain.nothing_to_train", usecase_id=str(event.usecase_id))
        return None
    previous = await repository.latest_succeeded_job(session, event.usecase_id)
    if previous is not None:  # retrain with the recipe that produced the served model, on the newest data
        request = CreateJobRequest(
            dataset_version_id=version.version_id,
            preset=Preset(previous.preset),
            hyperparameters=dict(previous.hyperparameters),
            base_model=previous.base_model,
            method=previous.method_requested if previous.method_requested in ("lora", "qlora") else None,
        )
        created_by = f"{settings.service_name} (retrain.requested, recipe of job {previous.id})"
        return await create_job(session, settings, request, created_by=created_by, source="retrain.requested")
    return await _auto_job(session, settings, usecase, version, source="retrain.requested")


async def _auto_job(
    session: AsyncSession,
    settings: TrainingSettings,
    usecase: TrainingUseCase,
    version: TrainingDatasetVersion,
    *,
    source: str,
) -> TrainingJob:
    preset = str(usecase.policy.get("training_preset", Preset.BALANCED.value))
    request = CreateJobRequest(
        dataset_version_id=version.version_id,
        preset=Preset(preset) if preset in Preset.__members__.values() else Preset.BALANCED,
    )
    return await create_job(session, settings, request, created_by=f"{settings.service_name} ({source})", source=source)


# ============================================================================ commands


async def create_job(
    session: AsyncSession,
    settings: TrainingSettings,
    request: CreateJobRequest,
    *,
    created_by: str,
    source: str = "api",
) -> TrainingJob:
    version = await repository.get_dataset_version(session, request.dataset_version_id)
    if version is None:
        raise NotFound(
            f"dataset version {request.dataset_version_id} is not ready for training (no dataset.ready seen)",
            field="dataset_version_id",
        )
    usecase = await repository.get_usecase(session, version.usecase_id)
    base_model = request.base_model or (usecase.base_model if usecase else settings.default_base_model)
    method = request.method or (usecase.method if usecase else _DEFAULT_METHOD)
    if method == "full":
        raise InvalidInput("method 'full' is not supported by the training worker; use lora or qlora", field="method")
    if "train" not in version.split_uris:
        raise InvalidInput(f"dataset version {version.version_id} has no train split", field="dataset_version_id")
    validation = await _validation_version(session, request, version)
    shape = model_shape(base_model)
    train_records = max(1, version.record_counts.get("train", 1))
    hp = validated_hyperparameters(request.preset, request.hyperparameters, shape)
    resolved = resolve(hp, shape.params if shape else 0, train_records)
    estimate = await _job_estimate(session, settings, shape, method, resolved, train_records, version.mean_tokens)
    if estimate.get("fit") == "refused":
        raise InvalidInput(str(estimate["message"]), field="hyperparameters")
    job = TrainingJob(
        usecase_id=version.usecase_id,
        dataset_id=version.dataset_id,
        dataset_version_id=version.version_id,
        task_type=usecase.task_type if usecase else version.record_format,
        record_format=version.record_format,
        base_model=base_model,
        method_requested=method,
        preset=request.preset.value,
        hyperparameters=hp.model_dump(mode="json"),
        resolved=asdict(resolved),
        split_uris=dict(version.split_uris),
        validation_dataset_version_id=validation.version_id if validation else None,
        validation_uris=_all_split_uris(validation) if validation else [],
        labels=list(version.labels or (usecase.labels if usecase else [])),
        source=source,
        created_by=created_by,
        priority=request.priority,
        total_steps=resolved.total_steps,
        estimate=estimate,
    )
    await repository.add_job(session, job)
    await announce_work(session)
    validates_on = f", validates on dataset version {validation.version_id}" if validation else ""
    await repository.add_log(
        session, job.id, f"queued by {created_by} ({source}), preset {request.preset.value}{validates_on}"
    )
    await audit(session, created_by, "training.job.queued", "training_job", job.id, source=source)
    await add_event(
        session,
        JOB_QUEUED,
        JobQueued(
            producer=settings.service_name,
            usecase_id=job.usecase_id,
            job_id=job.id,
            dataset_version_id=job.dataset_version_id,
            base_model=base_model,
            method=method,
            preset=job.preset,
            estimated_seconds=estimate.get("seconds"),
            estimated_cost_usd=estimate.get("cost_usd"),
        ),
    )
    log.info("training.job.queued", job_id=str(job.id), usecase_id=str(job.usecase_id), source=source)
    return job


async def _validation_version(
    session: AsyncSession, request: CreateJobRequest, version: TrainingDatasetVersion
) -> TrainingDatasetVersion | None:
    """The separate version to validate on, if asked for: ready, of the same use case and record format."""
    if request.validation_dataset_version_id is None:
        return None
    field = "validation_dataset_version_id"
    validation = await repository.get_dataset_version(session, request.validation_dataset_version_id)
    if validation is None:
        raise NotFound(
            f"dataset version {request.validation_dataset_version_id} is not ready for training "
            "(no dataset.ready seen)",
            field=field,
        )
    if validation.usecase_id != version.usecase_id:
        raise InvalidInput(
            f"validation dataset version {validation.version_id} belongs to use case {validation.usecase_id}, "
            f"not to the training version's use case {version.usecase_id}",
            field=field,
        )
    if validation.record_format != version.record_format:
        raise InvalidInput(
            f"validation dataset version {validation.version_id} holds {validation.record_format} records; "
            f"the training version holds {version.record_format} records",
            field=field,
        )
    if not _all_split_uris(validation):
        raise InvalidInput(f"validation dataset version {validation.version_id} has no split", field=field)
    return validation


def _all_split_uris(version: TrainingDatasetVersion) -> list[str]:
    return [version.split_uris[split] for split in ("train", "validation", "test") if version.split_uris.get(split)]


def validated_hyperparameters(preset: Preset, overrides: dict[str, Any], shape: ModelShape | None) -> Any:
    try:
        return preset_hyperparameters(preset, overrides, model_params=shape.params if shape else None)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "hyperparameters"
        message = first["msg"].removeprefix("Value error, ")
        raise InvalidInput(f"hyperparameters.{field}: {message}", field=f"hyperparameters.{field}") from None


async def request_action(
    session: AsyncSession, settings: TrainingSettings, job_id: UUID, action: str, actor: str
) -> TrainingJob:
    """cancel / pause / resume. Queued and paused jobs change at once; running ones by their worker."""
    job = await _job_for_update(session, job_id)
    target, sources = ACTIONS[action]
    current = JobStatus(job.status)
    if current not in sources or target not in TRANSITIONS[current]:
        allowed = sorted(t.value for a, (t, srcs) in ACTIONS.items() if current in srcs and t in TRANSITIONS[current])
        raise IllegalTransition("training job", current.value, target.value, allowed)
    if current in (JobStatus.STARTING, JobStatus.RUNNING):
        _update(job, requested_action=action)
        await repository.add_log(session, job.id, f"{action} requested by {actor}")
    elif target is JobStatus.CANCELLED:
        await _finish_cancelled(session, settings, job, actor)
    else:  # resume: back to the queue, the next worker continues from the last checkpoint
        _update(job, status=JobStatus.QUEUED.value, requested_action=None, worker=None)
        await announce_work(session)
        await repository.add_log(session, job.id, f"resumed by {actor} from step {job.last_checkpoint_step or 0}")
    await audit(session, actor, f"training.job.{action}", "training_job", job.id)
    return job


async def get_job(session: AsyncSession, job_id: UUID) -> TrainingJob:
    job = await repository.get_job(session, job_id)
    if job is None:
        raise NotFound(f"training job {job_id} does not exist", field="job_id")
    return job


# ============================================================================ estimates


def model_shape(base_model: str) -> ModelShape | None:
    """Architecture numbers of a base model: known by name, or read from a local directory's config.json."""
    known = KNOWN_MODELS.get(base_model.strip().lower())
    if known:
        return known
    config = Path(base_model).expanduser() / "config.json"
    if config.is_file():
        try:
            return ModelShape.from_hf_config(json.loads(config.read_text()))
        except (KeyError, ValueError):
            return None
    return None


async def hardware_table(session: AsyncSession) -> HardwareTable:
    overrides = await repository.hardware_overrides(session)
    profiles = tuple(
        replace(p, effective_tflops=overrides[p.name].effective_tflops, measurements=overrides[p.name].measurements)
        if p.name in overrides
        else p
        for p in DEFAULT_PROFILES
    )
    return HardwareTable(profiles)


async def estimate(session: AsyncSession, request: EstimateRequest) -> EstimateResponse:
    shape = model_shape(request.base_model)
    if shape is None:
        raise InvalidInput(
            f"base_model {request.base_model!r}: unknown architecture (name a known model or a local directory)",
            field="base_model",
        )
    method = Method(request.method)
    records, mean_tokens = request.train_records, request.mean_tokens_per_record
    if request.dataset_version_id is not None:
        version = await repository.get_dataset_version(session, request.dataset_version_id)
        if version is None:
            raise NotFound(f"dataset version {request.dataset_version_id} is unknown", field="dataset_version_id")
        records = records or version.record_counts.get("train")
        mean_tokens = mean_tokens or version.mean_tokens
    if not records or not mean_tokens:
        raise InvalidInput(
            "give dataset_version_id, or train_records and mean_tokens_per_record", field="train_records"
        )
    hp = validated_hyperparameters(request.preset, request.hyperparameters, shape)
    resolved = resolve(hp, shape.params, records)
    table = await hardware_table(session)
    names = request.hardware or table.names()
    options = []
    for name in names:
        try:
            profile = table.get(name)
        except KeyError as exc:
            raise InvalidInput(str(exc.args[0]), field="hardware") from None
        options.append(_price(shape, method, resolved, records, mean_tokens, profile))
    return EstimateResponse(
        base_model=request.base_model,
        method=method.value,
        preset=request.preset.value,
        hyperparameters=asdict(resolved),
        train_records=records,
        tokens_per_epoch=int(records * mean_tokens),
        total_steps=resolved.total_steps,
        options=options,
    )


def _price(
    shape: ModelShape, method: Method, resolved: Any, records: int, mean_tokens: float, profile: Any
) -> HardwareEstimate:
    # Without CUDA QLoRA runs as LoRA, so price and size what will really run there.
    ran = Method.LORA if (profile.kind == "cpu" and method is Method.QLORA) else method
    device = "cuda" if profile.kind == "gpu" else "cpu"
    seq_len = min(resolved.max_seq_len, max(16, int(mean_tokens * 1.5)))  # packed micro-batches, not padded
    memory = estimate_memory(shape, ran, seq_len, resolved.batch_size, resolved.lora_rank, device=device)
    fit = check_fits(memory, profile.memory_gib, profile.name)
    # Replay examples (general_replay) are trained like task examples; their length is about a task example's.
    trained_records = records + math.ceil(records * getattr(resolved, "general_replay", 0.0))
    duration = estimate_duration(int(trained_records * mean_tokens), resolved.epochs, shape.params, ran, profile)
    return HardwareEstimate(
        hardware=profile.name,
        kind=profile.kind,
        memory_required_gib=round(memory.total_gib, 3),
        memory_available_gib=profile.memory_gib,
        fit=fit.verdict,
        message=fit.message,
        tokens_per_second=duration.tokens_per_second,
        seconds=duration.seconds,
        cost_usd=duration.cost_usd,
    )


async def _job_estimate(
    session: AsyncSession,
    settings: TrainingSettings,
    shape: ModelShape | None,
    method: str,
    resolved: Any,
    records: int,
    mean_tokens: float,
) -> dict[str, Any]:
    if shape is None or mean_tokens <= 0:
        return {}
    table = await hardware_table(session)
    try:
        profile = table.get(settings.hardware_profile)
    except KeyError:
        return {}
    return _price(shape, Method(method), resolved, records, mean_tokens, profile).model_dump()


# ============================================================================ worker side


async def start_job(session: AsyncSession, settings: TrainingSettings, job: TrainingJob) -> None:
    check_transition(job.status, JobStatus.RUNNING)
    resumed_from = job.last_checkpoint_step
    if resumed_from is not None:
        await repository.forget_metrics_after(session, job.id, resumed_from)
    _update(job, status=JobStatus.RUNNING.value, started_at=job.started_at or utcnow(), step=resumed_from or 0)
    await repository.add_log(
        session, job.id, f"started on {job.worker}" + (f", resuming from step {resumed_from}" if resumed_from else "")
    )
    await add_event(
        session,
        JOB_STARTED,
        JobStarted(
            producer=settings.service_name,
            usecase_id=job.usecase_id,
            job_id=job.id,
            worker=job.worker or "unknown",
            resumed_from_step=resumed_from,
        ),
    )


async def record_progress(
    session: AsyncSession, settings: TrainingSettings, job: TrainingJob, progress: dict[str, Any]
) -> None:
    from tuneline.training.jobs.tables import TrainingJobMetric

    await repository.add_metric(
        session,
        TrainingJobMetric(
            job_id=job.id,
            step=int(progress["step"]),
            epoch=float(progress["epoch"]),
            event=str(progress["event"]),
            train_loss=progress.get("train_loss"),
            val_loss=progress.get("val_loss"),
            learning_rate=progress.get("learning_rate"),
            tokens_per_second=progress.get("tokens_per_second"),
            eta_seconds=progress.get("eta_seconds"),
        ),
    )
    _update(
        job,
        step=int(progress["step"]),
        total_steps=int(progress["total_steps"]),
        epoch=float(progress["epoch"]),
        train_loss=progress.get("train_loss"),
        val_loss=progress.get("val_loss"),
    )
    await add_event(
        session,
        JOB_PROGRESS,
        JobProgress(
            producer=settings.service_name,
            usecase_id=job.usecase_id,
            job_id=job.id,
            step=job.step,
            total_steps=job.total_steps,
            epoch=job.epoch,
            train_loss=job.train_loss,
            val_loss=job.val_loss,
            learning_rate=progress.get("learning_rate"),
            tokens_per_second=progress.get("tokens_per_second"),
            eta_seconds=progress.get("eta_seconds"),
        ),
    )


async def record_checkpoint(session: AsyncSession, job: TrainingJob, key: str, step: int) -> None:
    _update(job, last_checkpoint_key=key, last_checkpoint_step=step)
    await repository.add_log(session, job.id, f"checkpoint at step {step} stored")


async def complete_job(
    session: AsyncSession, settings: TrainingSettings, job: TrainingJob, adapter_uri: str, metadata: dict[str, Any]
) -> None:
    check_transition(job.status, JobStatus.SUCCEEDED)
    final = {k: v for k, v in (metadata.get("final_metrics") or {}).items() if isinstance(v, int | float)}
    duration = float((metadata.get("durations_s") or {}).get("total", 0.0))
    _update(
        job,
        status=JobStatus.SUCCEEDED.value,
        requested_action=None,
        method_ran=metadata.get("method", "lora"),
        adapter_uri=adapter_uri,
        metrics={**final, "stopped": metadata.get("status", "completed")},
        trained_tokens=int(metadata.get("tokens_trained", 0)),
        duration_seconds=duration,
        finished_at=utcnow(),
    )
    await repository.add_log(session, job.id, f"succeeded ({metadata.get('status')}), adapter at {adapter_uri}")
    await _learn_throughput(session, settings, job, metadata)
    await add_event(
        session,
        JOB_COMPLETED,
        JobCompleted(
            producer=settings.service_name,
            usecase_id=job.usecase_id,
            job_id=job.id,
            dataset_id=job.dataset_id,
            dataset_version_id=job.dataset_version_id,
            task_type=_task_type(job),
            base_model=job.base_model,
            method=job.method_ran,
            adapter_uri=adapter_uri,
            test_split_uri=job.split_uris.get("test"),
            validation_split_uri=job.split_uris.get("validation"),
            labels=list(metadata.get("labels") or job.labels or []),
            hyperparameters=job.resolved,
            metrics={k: float(v) for k, v in final.items()},
            trained_tokens=job.trained_tokens,
            duration_seconds=duration,
        ),
    )
    log.info("training.job.succeeded", job_id=str(job.id), method=job.method_ran)


def _task_type(job: TrainingJob) -> str:
    known = {"classification", "extraction", "summarisation", "generation", "chat"}
    if job.task_type in known:
        return job.task_type
    return {"classification": "classification", "conversational": "chat"}.get(job.record_format, "generation")


async def _learn_throughput(
    session: AsyncSession, settings: TrainingSettings, job: TrainingJob, metadata: dict[str, Any]
) -> None:
    shape = model_shape(job.base_model)
    train_seconds = float((metadata.get("durations_s") or {}).get("train", 0.0))
    tokens = int(metadata.get("tokens_trained", 0))
    if shape is None or train_seconds <= 0 or tokens <= 0:
        return
    table = await hardware_table(session)
    try:
        updated = table.record_job(
            settings.hardware_profile, shape.params, Method(job.method_ran or "lora"), tokens, train_seconds
        )
    except KeyError:
        return
    await repository.save_hardware_profile(session, updated.name, updated.effective_tflops, updated.measurements)


async def fail_job(session: AsyncSession, settings: TrainingSettings, job: TrainingJob, reason: str) -> None:
    check_transition(job.status, JobStatus.FAILED)
    _update(job, status=JobStatus.FAILED.value, failure_reason=reason, requested_action=None, finished_at=utcnow())
    await repository.add_log(session, job.id, f"failed: {reason}", level="error")
    await add_event(
        session,
        JOB_FAILED,
        JobFailed(producer=settings.service_name, usecase_id=job.usecase_id, job_id=job.id, reason=reason),
    )
    log.warning("training.job.failed", job_id=str(job.id), reason=reason)


async def finish_paused(session: AsyncSession, job: TrainingJob) -> None:
    check_transition(job.status, JobStatus.PAUSED)
    _update(job, status=JobStatus.PAUSED.value, requested_action=None, worker=None)
    await repository.add_log(session, job.id, f"paused at step {job.last_checkpoint_step}")


async def finish_cancelled(session: AsyncSession, settings: TrainingSettings, job: TrainingJob, actor: str) -> None:
    await _finish_cancelled(session, settings, job, actor)


async def _finish_cancelled(session: AsyncSession, settings: TrainingSettings, job: TrainingJob, actor: str) -> None:
    check_transition(job.status, JobStatus.CANCELLED)
    _update(job, status=JobStatus.CANCELLED.value, requested_action=None, finished_at=utcnow())
    await repository.add_log(session, job.id, f"cancelled by {actor}")
    await add_event(
        session,
        JOB_CANCELLED,
        JobCancelled(producer=settings.service_name, usecase_id=job.usecase_id, job_id=job.id, cancelled_by=actor),
    )


async def recover_lost_job(session: AsyncSession, settings: TrainingSettings, job: TrainingJob, why: str) -> str:
    """A job whose worker vanished: back to the queue (resuming from its checkpoint) or failed with the reason."""
    if job.requested_action == "cancel":
        await _finish_cancelled(session, settings, job, "training (worker lost during cancel)")
        return JobStatus.CANCELLED.value
    if job.attempts < settings.max_job_attempts:
        _update(job, status=JobStatus.QUEUED.value, worker=None, requested_action=None)
        await announce_work(session)
        resume = f"step {job.last_checkpoint_step}" if job.last_checkpoint_step else "the start (no checkpoint yet)"
        await repository.add_log(session, job.id, f"{why}; re-queued to resume from {resume}", level="warning")
        log.warning("training.job.requeued", job_id=str(job.id), reason=why)
        return JobStatus.QUEUED.value
    await fail_job(session, settings, job, f"{why}; gave up after {job.attempts} attempts")
    return JobStatus.FAILED.value


async def _job_for_update(session: AsyncSession, job_id: UUID) -> TrainingJob:
    job = await repository.get_job(session, job_id, for_update=True)
    if job is None:
        raise NotFound(f"training job {job_id} does not exist", field="job_id")
    return job


def _update(job: TrainingJob, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(job, name, value)
    job.updated_at = utcnow()
