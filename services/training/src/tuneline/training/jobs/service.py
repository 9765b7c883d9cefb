"""The rules of training jobs: scheduling, validation, estimates, the lifecycle and the events it causes.

No SQL (repository.py), no commits (the request, message or worker boundary commits), no HTTP.
"""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

import structlog
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common import erasure
from tuneline.common.artifacts import MANIFEST, is_remote
from tuneline.common.auth import Principal, audit
from tuneline.common.base_models import is_encoder_reference, is_model_uri, locate_base_model, model_location
from tuneline.common.costing import with_measurements
from tuneline.common.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from tuneline.common.events import (
    JOB_CANCELLED,
    JOB_COMPLETED,
    JOB_FAILED,
    JOB_PROGRESS,
    JOB_QUEUED,
    JOB_STARTED,
    DatasetErased,
    DatasetReady,
    JobCancelled,
    JobCompleted,
    JobFailed,
    JobProgress,
    JobQueued,
    JobStarted,
    RetrainRequested,
    UseCaseApproved,
    UseCaseErased,
    UseCaseRetired,
    utcnow,
)
from tuneline.common.messaging import add_event
from tuneline.common.observability import current_traceparent, linked_span
from tuneline.common.records import PromptTemplate
from tuneline.common.redact import describe_error, redact_paths
from tuneline.common.results import TrainingMetadata, TrainingPhaseReport, TrainingProgress
from tuneline.common.settings import ModelCacheSettings
from tuneline.common.storage import ObjectStore, StorageError, locate, open_store
from tuneline.common.waiting import announce_work
from tuneline.training.estimate import replay_cache
from tuneline.training.estimate.hardware import DEFAULT_PROFILES, HardwareTable, estimate_duration
from tuneline.training.estimate.hyperparameters import Hyperparameters, ResolvedHyperparameters, resolve
from tuneline.training.estimate.memory import KNOWN_MODELS, Method, ModelShape, check_fits, estimate_memory
from tuneline.training.estimate.phases import replay_plan, save_seconds
from tuneline.training.estimate.presets import Preset, preset_hyperparameters
from tuneline.training.jobs import access, repository
from tuneline.training.jobs.progress import ORDER, JobPhase, Remaining, estimated_remaining, eta_seconds, is_before
from tuneline.training.jobs.schemas import CreateJobRequest, EstimateRequest, EstimateResponse, HardwareEstimate
from tuneline.training.jobs.states import TERMINAL, TRANSITIONS, JobStatus, check_transition
from tuneline.training.jobs.tables import TrainingDatasetVersion, TrainingJob, TrainingUseCase
from tuneline.training.settings import TrainingSettings

log = structlog.get_logger(__name__)

# use-case task type -> what the recipe trains on: the data service's record format decides the shape
#: What an erased use case is called from then on (its title was what training kept of its content).
ERASED_TITLE = "(erased)"
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
    known = await repository.get_usecase(session, event.usecase_id)
    if known is not None and known.retired_at is not None:
        log.info("training.usecase.approval_after_retirement_ignored", usecase_id=str(event.usecase_id))
        return []
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
            team=event.team,
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
    if await erasure.erased_among(session, [event.version_id]):
        log.info("training.dataset.erased_before_ready", dataset_version_id=str(event.version_id))
        return None  # dataset.erased overtook it (another topic): never train on erased data
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
        prompt_template=event.prompt_template.model_dump(mode="json") if event.prompt_template else None,
        received_at=utcnow(),
        trace_context=event.traceparent,
    )
    await repository.add_dataset_version(session, version)
    usecase = await repository.get_usecase(session, event.usecase_id)
    if usecase is None:
        # The approval has not reached us yet; record_usecase schedules this version when it does.
        log.info("training.dataset.waiting_for_usecase", usecase_id=str(event.usecase_id))
        return None
    if not usecase.policy.get("auto_train", True) or usecase.retired_at is not None:
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
    if usecase.retired_at is not None:
        log.info("training.retrain.usecase_retired", usecase_id=str(event.usecase_id))
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
    actor: Principal | None = None,
    study_id: UUID | None = None,
    trial_number: int | None = None,
    store: ObjectStore | None = None,
) -> TrainingJob:
    """Queue a job; `actor` is the person asking (None for jobs the platform queues from its own events), who
    must be an ml_engineer of the use case's team. A study's trial names its study and trial number.

    `store` (the API passes its own) checks a base model given by object-store URI now: one without a manifest is
    refused (422 on base_model) while the store answers, and its architecture is read from its config.json for the
    estimate. Jobs the platform queues from events pass none: a missing event must never be dead-lettered for a
    base model, so the worker checks it at run time and fails the job naming the URI."""
    version = await repository.get_dataset_version(session, request.dataset_version_id)
    if version is None:
        raise NotFound(
            f"dataset version {request.dataset_version_id} is not ready for training (no dataset.ready seen)",
            field="dataset_version_id",
        )
    usecase = await repository.get_usecase(session, version.usecase_id)
    if actor is not None:
        access.ensure_can_train(actor, usecase, version.version_id)
    if usecase is not None and usecase.retired_at is not None:
        raise Conflict(
            f"use case {usecase.usecase_id} was retired on {usecase.retired_at.date().isoformat()}: it takes no new "
            "training jobs",
            field="dataset_version_id",
        )
    # Whoever queues the job (a person's request, dataset.ready, retrain.requested), it continues the story of
    # the version it trains on: the span links to the trace that made the version ready, and the job stores this
    # span's context for the worker to continue.
    with linked_span(
        "training.job.queue",
        version.trace_context,
        {"usecase_id": version.usecase_id, "dataset_version_id": version.version_id, "source": source},
    ):
        return await _queue_job(
            session,
            settings,
            request,
            version,
            created_by=created_by,
            source=source,
            study_id=study_id,
            trial_number=trial_number,
            store=store,
        )


@dataclass(frozen=True)
class _Plan:
    """What a job request resolves to before it is queued: model, method, hyperparameters and the estimate."""

    usecase: TrainingUseCase | None
    base_model: str
    method: str
    validation: TrainingDatasetVersion | None
    hyperparameters: Hyperparameters
    resolved: ResolvedHyperparameters
    estimate: dict[str, Any]


async def _plan(
    session: AsyncSession,
    settings: TrainingSettings,
    request: CreateJobRequest,
    version: TrainingDatasetVersion,
    store: ObjectStore | None = None,
) -> _Plan:
    usecase = await repository.get_usecase(session, version.usecase_id)
    base_model = request.base_model or (usecase.base_model if usecase else settings.default_base_model)
    method = request.method or (usecase.method if usecase else _DEFAULT_METHOD)
    if is_encoder_reference(model_location(base_model, settings.base_model_map())):
        _check_encoder_usecase(base_model, usecase, version)
    if method == "full":
        # The classification recipe can train every weight (bench/bench_encoder.py --encoder-method full), but its
        # output is a whole model, which evaluation and the serving pools (adapters on a shared base) do not take.
        raise InvalidInput(
            "method 'full' is not supported for jobs: evaluation and serving take LoRA adapters; use lora "
            "(or qlora on CUDA for a causal LM)",
            field="method",
        )
    if "train" not in version.split_uris:
        raise InvalidInput(f"dataset version {version.version_id} has no train split", field="dataset_version_id")
    validation = await _validation_version(session, request, version)
    if store is not None:
        await check_base_model_source(settings, store, base_model)
    shape = await base_model_shape(settings, store, base_model)
    train_records = max(1, version.record_counts.get("train", 1))
    hp = validated_hyperparameters(request.preset, request.hyperparameters, shape)
    resolved = resolve(hp, shape.params if shape else 0, train_records)
    estimate = await _job_estimate(
        session, settings, shape, method, resolved, train_records, version.mean_tokens, base_model
    )
    if estimate.get("fit") == "refused":
        raise InvalidInput(str(estimate["message"]), field="hyperparameters")
    return _Plan(usecase, base_model, method, validation, hp, resolved, estimate)


def _check_encoder_usecase(base_model: str, usecase: TrainingUseCase | None, version: TrainingDatasetVersion) -> None:
    """An encoder learns a classification head: its use case must classify, into labels, from (text, label)."""
    task_type = usecase.task_type if usecase else version.record_format
    labels = list(version.labels or (usecase.labels if usecase else []))
    if task_type != "classification" or version.record_format != "classification":
        raise InvalidInput(
            f"base_model {base_model!r} is an encoder (classification head only), but the use case's task_type is "
            f"{task_type!r} with {version.record_format} records; choose a causal LM base model for it",
            field="base_model",
        )
    if len(labels) < 2:
        raise InvalidInput(
            f"base_model {base_model!r} is an encoder: the use case needs at least two labels, has {labels}",
            field="base_model",
        )


async def job_estimate(session: AsyncSession, settings: TrainingSettings, request: CreateJobRequest) -> dict[str, Any]:
    """The estimate a job queued with `request` would get on this deployment's hardware profile ({} when the
    base model's architecture is unknown), refusing what create_job would refuse, with the same errors."""
    version = await repository.get_dataset_version(session, request.dataset_version_id)
    if version is None:
        raise NotFound(
            f"dataset version {request.dataset_version_id} is not ready for training (no dataset.ready seen)",
            field="dataset_version_id",
        )
    return (await _plan(session, settings, request, version)).estimate


async def _queue_job(
    session: AsyncSession,
    settings: TrainingSettings,
    request: CreateJobRequest,
    version: TrainingDatasetVersion,
    *,
    created_by: str,
    source: str,
    study_id: UUID | None = None,
    trial_number: int | None = None,
    store: ObjectStore | None = None,
) -> TrainingJob:
    plan = await _plan(session, settings, request, version, store)
    usecase, base_model, method, validation = plan.usecase, plan.base_model, plan.method, plan.validation
    hp, resolved, estimate = plan.hyperparameters, plan.resolved, plan.estimate
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
        prompt_template=version.prompt_template,
        source=source,
        created_by=created_by,
        team=usecase.team if usecase else None,
        priority=request.priority,
        total_steps=resolved.total_steps,
        estimate=estimate,
        phase=JobPhase.QUEUED.value,
        eta_seconds=estimate.get("seconds"),
        trace_context=current_traceparent(),
        study_id=study_id,
        trial_number=trial_number,
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
    session: AsyncSession, settings: TrainingSettings, job_id: UUID, action: str, user: Principal
) -> TrainingJob:
    """cancel / pause / resume by an ml_engineer of the job's team (or an admin). Queued and paused jobs change at
    once; running ones by their worker."""
    job = await _job_for_update(session, job_id)
    access.ensure_can_control(user, job, action)
    actor = user.subject
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
        _requeue(job)
        await announce_work(session)
        await repository.add_log(session, job.id, f"resumed by {actor} from step {job.last_checkpoint_step or 0}")
    await audit(session, actor, f"training.job.{action}", "training_job", job.id)
    return job


async def get_job(session: AsyncSession, user: Principal, job_id: UUID) -> TrainingJob:
    """A job `user` may read (a known role in the job's team, or an admin)."""
    job = await repository.get_job(session, job_id)
    if job is None:
        raise NotFound(f"training job {job_id} does not exist", field="job_id")
    access.ensure_can_read(user, job)
    return job


# ============================================================================ estimates


def model_shape(base_model: str, settings: ModelCacheSettings | None = None) -> ModelShape | None:
    """Architecture numbers of a base model without any network: known by name, or read from the config.json of
    the directory it resolves to on this node (a local or mapped directory, or the model cache's copy of a model
    URI a worker here fetched)."""
    known = KNOWN_MODELS.get(base_model.strip().lower())
    if known:
        return known
    cache = settings.model_cache_path() if settings else None
    directory = locate_base_model(base_model, cache, settings.base_model_map() if settings else None)
    if directory is None or not (directory / "config.json").is_file():
        return None
    return _shape_of((directory / "config.json").read_bytes())


async def base_model_shape(settings: TrainingSettings, store: ObjectStore | None, base_model: str) -> ModelShape | None:
    """`model_shape`, and for an object-store base model this node has no copy of, its config.json read from
    `store` (one small object: the weights are never downloaded by the API)."""
    shape = model_shape(base_model, settings)
    target = model_location(base_model, settings.base_model_map())
    if shape is not None or store is None or not is_model_uri(target) or not is_remote(target):
        return shape
    try:
        holder, key = locate(store, target)
        return _shape_of(await holder.read_bytes(f"{key}/config.json"))
    except StorageError:
        return None


def _shape_of(config: bytes) -> ModelShape | None:
    try:
        return ModelShape.from_hf_config(json.loads(config))
    except (KeyError, ValueError, TypeError):
        return None


async def check_base_model_source(settings: TrainingSettings, store: ObjectStore, base_model: str) -> None:
    """Refuse a base model the workers would refuse: an object-store URI (given, or mapped by
    TUNELINE_BASE_MODEL_DIRS) outside what the platform's store reaches, or without a manifest (unless
    TUNELINE_ALLOW_UNVERIFIED_BASE_MODELS). A store that does not answer leaves the check to the worker."""
    target = model_location(base_model, settings.base_model_map())
    if not is_model_uri(target) or not is_remote(target):
        return
    try:
        holder, key = locate(store, target)
    except StorageError as exc:
        raise InvalidInput(
            f"base_model {base_model!r}: {target} is not reachable through the platform's object store ({exc})",
            field="base_model",
        ) from None
    if settings.allow_unverified_base_models:
        return
    try:
        found = await holder.exists(f"{key}/{MANIFEST}")
    except Exception as exc:  # S3 and network errors alike: the worker checks again at run time
        log.warning("training.base_model.check_deferred", base_model=target, error=describe_error(exc))
        return
    if not found:
        raise InvalidInput(
            f"base_model {base_model!r}: {target} has no {MANIFEST}, so workers cannot check its files; upload it "
            f"with `tuneline model upload-base DIR {target}`, or set TUNELINE_ALLOW_UNVERIFIED_BASE_MODELS=true",
            field="base_model",
        )


def hardware_table_from(measured: dict[str, tuple[float, int]]) -> HardwareTable:
    """The shared model's profiles with this deployment's measured (effective_tflops, measurements) folded in."""
    return HardwareTable(with_measurements(DEFAULT_PROFILES, measured))


async def hardware_table(session: AsyncSession) -> HardwareTable:
    overrides = await repository.hardware_overrides(session)
    return hardware_table_from({name: (row.effective_tflops, row.measurements) for name, row in overrides.items()})


async def estimate(
    session: AsyncSession, settings: TrainingSettings, store: ObjectStore | None, request: EstimateRequest
) -> EstimateResponse:
    shape = await base_model_shape(settings, store, request.base_model)
    if shape is None:
        raise InvalidInput(
            f"base_model {request.base_model!r}: unknown architecture (name a known model, a local directory or a "
            "model URI whose config.json the object store holds)",
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
    warm = await replay_cache_warm(settings, request.base_model) if resolved.general_replay else False
    options = []
    for name in names:
        try:
            profile = table.get(name)
        except KeyError as exc:
            raise InvalidInput(str(exc.args[0]), field="hardware") from None
        options.append(_price(shape, method, resolved, records, mean_tokens, profile, replay_cache_warm=warm))
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


async def replay_cache_warm(settings: TrainingSettings, base_model: str) -> bool:
    """Whether a worker here would find the base model's general-replay answers cached (the worker's cache,
    ``<model cache>/replay``); hashing the shipped model's file to find its directory runs off the event loop. A
    model URI counts only where this node holds a copy of it: nothing is downloaded to find out."""
    cache = settings.model_cache_path()
    mapping = settings.base_model_map()
    return await asyncio.to_thread(
        lambda: replay_cache.cached_answers_exist(locate_base_model(base_model, cache, mapping), cache / "replay")
    )


def _price(
    shape: ModelShape,
    method: Method,
    resolved: Any,
    records: int,
    mean_tokens: float,
    profile: Any,
    *,
    replay_cache_warm: bool = False,
) -> HardwareEstimate:
    """Memory, time and cost of the whole run on `profile`: the one-off replay generation when its cache is cold,
    the optimizer steps and saving the adapter."""
    # Without CUDA QLoRA runs as LoRA, so price and size what will really run there.
    ran = Method.LORA if (profile.kind == "cpu" and method is Method.QLORA) else method
    device = "cuda" if profile.kind == "gpu" else "cpu"
    seq_len = min(resolved.max_seq_len, max(16, int(mean_tokens * 1.5)))  # packed micro-batches, not padded
    memory = estimate_memory(shape, ran, seq_len, resolved.batch_size, resolved.lora_rank, device=device)
    fit = check_fits(memory, profile.memory_gib, profile.name)
    # Replay examples (general_replay) are trained like task examples; their length is about a task example's.
    trained_records = records + math.ceil(records * getattr(resolved, "general_replay", 0.0))
    duration = estimate_duration(int(trained_records * mean_tokens), resolved.epochs, shape.params, ran, profile)
    plan = replay_plan(
        replay=bool(getattr(resolved, "general_replay", 0.0)),
        cache_warm=replay_cache_warm,
        prompts=len(replay_cache.load_general_prompts()),
        params=shape.params,
        profile=profile,
        new_tokens=replay_cache.MAX_NEW_TOKENS,
    )
    saving = save_seconds(profile)
    seconds = plan.seconds + duration.seconds + saving
    breakdown = [
        f"{resolved.total_steps} optimizer steps: ~{duration.seconds:.0f} s",
        f"saving the adapter: ~{saving:.0f} s",
    ]
    if plan.note:
        breakdown.insert(0, plan.note)
    return HardwareEstimate(
        hardware=profile.name,
        kind=profile.kind,
        memory_required_gib=round(memory.total_gib, 3),
        memory_available_gib=profile.memory_gib,
        fit=fit.verdict,
        message=fit.message,
        tokens_per_second=duration.tokens_per_second,
        seconds=seconds,
        cost_usd=seconds / 3600 * profile.usd_per_hour,
        training_seconds=duration.seconds,
        training_cost_usd=duration.cost_usd,
        replay_cache=plan.cache,
        replay_answers=plan.answers,
        replay_seconds_per_answer=round(plan.seconds_per_answer, 4),
        replay_seconds=plan.seconds,
        save_seconds=saving,
        breakdown=breakdown,
    )


async def _job_estimate(
    session: AsyncSession,
    settings: TrainingSettings,
    shape: ModelShape | None,
    method: str,
    resolved: Any,
    records: int,
    mean_tokens: float,
    base_model: str,
) -> dict[str, Any]:
    if shape is None or mean_tokens <= 0:
        return {}
    table = await hardware_table(session)
    try:
        profile = table.get(settings.hardware_profile)
    except KeyError:
        return {}
    warm = await replay_cache_warm(settings, base_model) if resolved.general_replay else False
    return _price(shape, Method(method), resolved, records, mean_tokens, profile, replay_cache_warm=warm).model_dump()


# ============================================================================ worker side


async def start_job(session: AsyncSession, settings: TrainingSettings, job: TrainingJob) -> None:
    check_transition(job.status, JobStatus.RUNNING)
    resumed_from = job.last_checkpoint_step
    if resumed_from is not None:
        await repository.forget_metrics_after(session, job.id, resumed_from)
    _update(
        job,
        status=JobStatus.RUNNING.value,
        started_at=job.started_at or utcnow(),
        step=resumed_from or 0,
        phase=JobPhase.PREPARING_DATA.value,
        phase_done=None,
        phase_total=None,
    )
    job.eta_seconds = eta_seconds(JobPhase.PREPARING_DATA, _remaining(job))
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
    session: AsyncSession, settings: TrainingSettings, job: TrainingJob, progress: TrainingProgress
) -> None:
    from tuneline.training.jobs.tables import TrainingJobMetric

    await repository.add_metric(
        session,
        TrainingJobMetric(
            job_id=job.id,
            step=progress.step,
            epoch=progress.epoch,
            event=progress.event,
            train_loss=progress.train_loss,
            val_loss=progress.val_loss,
            learning_rate=progress.learning_rate,
            tokens_per_second=progress.tokens_per_second,
            eta_seconds=progress.eta_seconds,
        ),
    )
    # A step report means the steps began, even if the phase report was missed; the final evaluation and saving
    # come after the last step and report their own phases, so a later report does not move the job back.
    phase = max(JobPhase(job.phase), JobPhase.TRAINING, key=ORDER.index)
    _update(
        job,
        step=progress.step,
        total_steps=progress.total_steps,
        epoch=progress.epoch,
        train_loss=progress.train_loss,
        val_loss=progress.val_loss,
        phase=phase.value,
    )
    if phase is JobPhase.TRAINING:
        job.phase_done, job.phase_total = progress.step, progress.total_steps
    # The recipe's eta is the remaining steps at the step rate it measured in this session.
    job.eta_seconds = eta_seconds(phase, _remaining(job, training_seconds_left=progress.eta_seconds))
    await _publish_progress(session, settings, job, progress)


async def record_phase(
    session: AsyncSession, settings: TrainingSettings, job: TrainingJob, report: TrainingPhaseReport
) -> None:
    """The run entered a phase or moved on within it (replay answers n/M): store it with the time left."""
    phase = JobPhase(report.phase)
    if phase is not JobPhase(job.phase):
        await repository.add_log(session, job.id, f"phase {phase.value}")
    done, total = report.done, report.total
    if phase is JobPhase.TRAINING:
        done, total = job.step if done is None else done, job.total_steps if total is None else total
    _update(job, phase=phase.value, phase_done=done, phase_total=total)
    replay_left = None  # before the first batch of answers the estimate says whether there are any to generate
    if phase is JobPhase.GENERATING_REPLAY and report.total is not None:
        replay_left = report.total - (report.done or 0)
    elif is_before(JobPhase.GENERATING_REPLAY, phase):
        replay_left = 0
    job.eta_seconds = eta_seconds(
        phase, _remaining(job, replay_left=replay_left, seconds_per_answer=report.seconds_per_unit)
    )
    await _publish_progress(session, settings, job, None)


def _remaining(
    job: TrainingJob,
    *,
    replay_left: int | None = None,
    seconds_per_answer: float | None = None,
    training_seconds_left: float | None = None,
) -> Remaining:
    return estimated_remaining(
        job.estimate,
        step=job.step,
        total_steps=job.total_steps,
        replay_left=replay_left,
        seconds_per_answer=seconds_per_answer,
        training_seconds_left=training_seconds_left,
    )


async def _publish_progress(
    session: AsyncSession, settings: TrainingSettings, job: TrainingJob, progress: TrainingProgress | None
) -> None:
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
            learning_rate=progress.learning_rate if progress else None,
            tokens_per_second=progress.tokens_per_second if progress else None,
            eta_seconds=job.eta_seconds,
            phase=job.phase,
            phase_done=job.phase_done,
            phase_total=job.phase_total,
        ),
    )


async def record_checkpoint(session: AsyncSession, job: TrainingJob, key: str, step: int) -> None:
    _update(job, last_checkpoint_key=key, last_checkpoint_step=step)
    await repository.add_log(session, job.id, f"checkpoint at step {step} stored")


async def complete_job(
    session: AsyncSession, settings: TrainingSettings, job: TrainingJob, adapter_uri: str, metadata: TrainingMetadata
) -> None:
    if job.erased_at is not None:  # its data was erased while it trained: the adapter must not survive
        await _finish_cancelled(session, settings, job, "training (dataset erased while training)")
        await erasure.delete_prefix(open_store(settings), job_prefix(job.id))
        return
    check_transition(job.status, JobStatus.SUCCEEDED)
    final = metadata.numeric_metrics
    duration = metadata.durations_s.total
    _update(
        job,
        status=JobStatus.SUCCEEDED.value,
        requested_action=None,
        phase=JobPhase.DONE.value,
        phase_done=None,
        phase_total=None,
        eta_seconds=0.0,
        method_ran=metadata.method,
        adapter_uri=adapter_uri,
        metrics={**final, "stopped": metadata.status},
        trained_tokens=metadata.tokens_trained,
        duration_seconds=duration,
        finished_at=utcnow(),
    )
    # The job's log is read through the API: it names the adapter by its key in the store, never a server path.
    await repository.add_log(
        session, job.id, f"succeeded ({metadata.status}), adapter stored as {_object_key(settings, adapter_uri)}"
    )
    await _learn_throughput(session, settings, job, metadata)
    completed = JobCompleted(
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
        labels=list(metadata.labels or job.labels or []),
        prompt_template=metadata.prompt_template or _stored_template(job),
        hyperparameters=job.resolved,
        metrics={k: float(v) for k, v in final.items()},
        trained_tokens=job.trained_tokens,
        duration_seconds=duration,
        hardware_profile=settings.hardware_profile,
        parameters=shape.params if (shape := model_shape(job.base_model, settings)) else None,
        train_seconds=metadata.durations_s.train,
        team=job.team,
        study_id=job.study_id,
    )
    if job.study_id is not None:
        # evaluation skips a trial's job.completed; the study hands its best trial's on in study.completed
        _update(job, completed_event=completed.model_dump(mode="json"), stop_reason=None)
    await add_event(session, JOB_COMPLETED, completed)
    log.info("training.job.succeeded", job_id=str(job.id), method=job.method_ran)


def _stored_template(job: TrainingJob) -> PromptTemplate | None:
    return PromptTemplate.model_validate(job.prompt_template) if job.prompt_template else None


def _task_type(job: TrainingJob) -> str:
    known = {"classification", "extraction", "summarisation", "generation", "chat"}
    if job.task_type in known:
        return job.task_type
    return {"classification": "classification", "conversational": "chat"}.get(job.record_format, "generation")


async def _learn_throughput(
    session: AsyncSession, settings: TrainingSettings, job: TrainingJob, metadata: TrainingMetadata
) -> None:
    shape = model_shape(job.base_model, settings)
    train_seconds = metadata.durations_s.train
    tokens = metadata.tokens_trained
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


def _object_key(settings: TrainingSettings, uri: str) -> str:
    """`uri`'s key in the object store (``jobs/<id>/adapter``), or the URI with any server path replaced."""
    try:
        return open_store(settings).key_from_uri(uri)
    except StorageError:
        return redact_paths(uri)


async def fail_job(session: AsyncSession, settings: TrainingSettings, job: TrainingJob, reason: str) -> None:
    """The job failed: `reason` is stored, shown in the job's log, published and logged, without server paths."""
    check_transition(job.status, JobStatus.FAILED)
    reason = redact_paths(reason)
    _update(
        job,
        status=JobStatus.FAILED.value,
        failure_reason=reason,
        requested_action=None,
        finished_at=utcnow(),
        eta_seconds=None,
    )
    await repository.add_log(session, job.id, f"failed: {reason}", level="error")
    await add_event(
        session,
        JOB_FAILED,
        JobFailed(producer=settings.service_name, usecase_id=job.usecase_id, job_id=job.id, reason=reason),
    )
    log.warning("training.job.failed", job_id=str(job.id), reason=reason)


async def record_retirement(session: AsyncSession, event: UseCaseRetired, settings: TrainingSettings) -> list[str]:
    """The use case was retired: no new jobs; queued and paused jobs are cancelled now, starting and running ones are
    asked to stop (their worker cancels them at the next step). Returns what happened to each job, for the log."""
    usecase = await repository.get_usecase(session, event.usecase_id)
    if usecase is not None and usecase.retired_at is None:
        usecase.retired_at = event.occurred_at
        usecase.updated_at = utcnow()
    actor = f"{event.retired_by} (use case retired: {event.reason})"
    outcomes: list[str] = []
    for job in await repository.open_jobs_of(session, event.usecase_id):
        if JobStatus(job.status) in (JobStatus.QUEUED, JobStatus.PAUSED):
            await _finish_cancelled(session, settings, job, actor)
            outcomes.append(f"{job.id}: cancelled")
        else:
            _update(job, requested_action="cancel")
            await repository.add_log(session, job.id, f"cancel requested by {actor}")
            outcomes.append(f"{job.id}: asked to stop")
    await audit(session, event.retired_by, "training.usecase.retired", "usecase", event.usecase_id, jobs=outcomes)
    log.info("training.usecase.retired", usecase_id=str(event.usecase_id), jobs=len(outcomes))
    return outcomes


async def record_usecase_erasure(session: AsyncSession, event: UseCaseErased) -> None:
    """The use case was erased: what training kept of it beyond ids (its title) goes, and it takes no new jobs. Its
    jobs were stopped by the retirement that came first; the datasets' own erasures take their jobs' adapters."""
    usecase = await repository.get_usecase(session, event.usecase_id)
    if usecase is not None:
        usecase.title = ERASED_TITLE
        usecase.retired_at = usecase.retired_at or event.occurred_at
        usecase.updated_at = utcnow()
    await audit(session, event.erased_by, "training.usecase.erased", "usecase", event.usecase_id, reason=event.reason)
    log.info("training.usecase.erased", usecase_id=str(event.usecase_id), known=usecase is not None)


async def finish_paused(session: AsyncSession, job: TrainingJob) -> None:
    check_transition(job.status, JobStatus.PAUSED)
    _update(job, status=JobStatus.PAUSED.value, requested_action=None, worker=None, eta_seconds=None)
    await repository.add_log(session, job.id, f"paused at step {job.last_checkpoint_step}")


async def finish_cancelled(session: AsyncSession, settings: TrainingSettings, job: TrainingJob, actor: str) -> None:
    await _finish_cancelled(session, settings, job, actor)
    if job.erased_at is not None:  # checkpoints written after the erasure went with the job's stop
        await erasure.delete_prefix(open_store(settings), job_prefix(job.id))


def job_prefix(job_id: UUID) -> str:
    """Where a job's checkpoints and adapter live in the object store (the worker writes under it)."""
    return f"jobs/{job_id}/"


async def erase_for_dataset(
    session: AsyncSession, settings: TrainingSettings, store: ObjectStore, event: DatasetErased
) -> dict[str, int] | None:
    """Erase what training derived from the erased dataset versions and acknowledge (once; None for a repeat):
    the ready versions it remembered go; every job trained or validated on one is stopped (queued and paused ones
    cancelled, running ones asked to stop), its adapter and checkpoints are deleted and it is marked erased."""
    if await erasure.applied(session, event.erasure_id):
        return None
    versions = set(event.version_ids)
    counts = {"dataset_versions": await repository.delete_dataset_versions(session, versions)}
    actor = f"{event.requested_by} (dataset erased)"
    jobs = await repository.jobs_on_versions(session, versions)
    counts.update(jobs=len(jobs), cancelled=0, stopping=0, objects=0)
    for job in jobs:
        if JobStatus(job.status) in (JobStatus.QUEUED, JobStatus.PAUSED):
            await _finish_cancelled(session, settings, job, actor)
            counts["cancelled"] += 1
        elif JobStatus(job.status) in (JobStatus.STARTING, JobStatus.RUNNING):
            _update(job, requested_action="cancel")
            counts["stopping"] += 1
        counts["objects"] += await erasure.delete_prefix(store, job_prefix(job.id))
        _update(
            job,
            erased_at=utcnow(),
            split_uris={},
            validation_uris=[],
            adapter_uri=None,
            last_checkpoint_key=None,
            last_checkpoint_step=None,
            completed_event=None,  # a trial's announcement names the deleted adapter: its study must not pass it on
        )
        await repository.add_log(session, job.id, f"dataset erased by {actor}: splits, adapter and checkpoints deleted")
    await audit(
        session,
        event.requested_by,
        "training.dataset.erased",
        "dataset",
        event.dataset_id,
        erasure_id=str(event.erasure_id),
        jobs=[str(j.id) for j in jobs],
    )
    await erasure.acknowledge(session, event, service=settings.service_name, counts=counts)
    log.info("training.dataset.erased", erasure_id=str(event.erasure_id), **counts)
    return counts


async def _finish_cancelled(session: AsyncSession, settings: TrainingSettings, job: TrainingJob, actor: str) -> None:
    check_transition(job.status, JobStatus.CANCELLED)
    _update(job, status=JobStatus.CANCELLED.value, requested_action=None, finished_at=utcnow(), eta_seconds=None)
    why = f" ({job.stop_reason})" if job.stop_reason else ""
    await repository.add_log(session, job.id, f"cancelled by {actor}{why}")
    await add_event(
        session,
        JOB_CANCELLED,
        JobCancelled(
            producer=settings.service_name,
            usecase_id=job.usecase_id,
            job_id=job.id,
            cancelled_by=actor,
            reason=job.stop_reason,
        ),
    )


async def stop_job(
    session: AsyncSession, settings: TrainingSettings, job: TrainingJob, *, actor: str, reason: str
) -> bool:
    """The platform stops a job (a study prunes its trial, or is cancelled) through the cancel path: a queued or
    paused job is cancelled now, a starting or running one is asked to stop (its worker cancels it at the next
    step). `reason` stays on the job (stop_reason) and goes out in job.cancelled. False when it had already ended."""
    current = JobStatus(job.status)
    if current in TERMINAL:
        return False
    _update(job, stop_reason=reason)
    if current in (JobStatus.QUEUED, JobStatus.PAUSED):
        await _finish_cancelled(session, settings, job, actor)
    else:
        _update(job, requested_action="cancel")
        await repository.add_log(session, job.id, f"stop requested by {actor} ({reason})")
    log.info("training.job.stop_requested", job_id=str(job.id), reason=reason, status=job.status)
    return True


async def hand_back_job(session: AsyncSession, job: TrainingJob, worker: str) -> None:
    """A stopping worker checkpointed the job and gave it up: back to the queue at once, to resume from that
    checkpoint. Not a lost worker: the attempt it used is given back too."""
    _requeue(job)
    job.attempts = max(0, job.attempts - 1)
    await announce_work(session)
    resume = f"step {job.last_checkpoint_step}" if job.last_checkpoint_step else "the start (no checkpoint yet)"
    await repository.add_log(session, job.id, f"worker {worker} stopped; handed back to resume from {resume}")
    log.info("training.job.handed_back", job_id=str(job.id), worker=worker, step=job.last_checkpoint_step)


async def recover_lost_job(session: AsyncSession, settings: TrainingSettings, job: TrainingJob, why: str) -> str:
    """A job whose worker vanished: back to the queue (resuming from its checkpoint) or failed with the reason."""
    if job.requested_action == "cancel":
        await _finish_cancelled(session, settings, job, "training (worker lost during cancel)")
        return JobStatus.CANCELLED.value
    if job.attempts < settings.max_job_attempts:
        _requeue(job)
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


def _requeue(job: TrainingJob) -> None:
    """Back to the queue: the next worker resumes from the last checkpoint, so only the steps after it are left."""
    _update(
        job,
        status=JobStatus.QUEUED.value,
        requested_action=None,
        worker=None,
        phase=JobPhase.QUEUED.value,
        phase_done=None,
        phase_total=None,
    )
    job.eta_seconds = eta_seconds(
        JobPhase.QUEUED,
        estimated_remaining(job.estimate, step=job.last_checkpoint_step or 0, total_steps=job.total_steps),
    )


def _update(job: TrainingJob, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(job, name, value)
    job.updated_at = utcnow()
