"""The rules of hyperparameter studies: what may be searched, when trials are queued, pruned and recorded, how a
study ends and hands its best trial to evaluation.

A study is an Optuna study (TPE sampler seeded per study, median pruner, validation loss minimised) whose trials
are ordinary training jobs: queued with the study's priority and the usual estimate, claimed and run by the
workers, stopped through the jobs' own cancel path. Everything that moves a study goes through `advance`, under
the study's row lock: record the outcome of the trial jobs that ended, queue trials up to `parallelism` while
`n_trials` and the cost cap allow, and end the study when nothing is left running. `advance` runs when the study is
created or cancelled, when one of its trial jobs ends (the service's own job events, studies/consumers.py), and
for every running study at start and every `study_sweep_interval_s` (studies/sweeper.py), so a study survives a
restart of any process: its row and Optuna's storage are in PostgreSQL; trials in flight are jobs in the queue.

Only the worker reports validation losses (`report_validation`, at each evaluation of a trial): the pruner's
verdict stops the job with reason ``pruned``.

No SQL (repository.py, optuna_repository.py), no commits (the request, message or worker boundary commits), no HTTP.
"""

from __future__ import annotations

import math
import secrets
from collections import Counter
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.auth import Principal, audit
from tuneline.common.errors import Conflict, DomainError, IllegalTransition, InvalidInput, NotFound
from tuneline.common.events import STUDY_COMPLETED, JobCompleted, StudyCompleted, utcnow
from tuneline.common.messaging import add_event
from tuneline.training.jobs import access as job_access
from tuneline.training.jobs import repository as jobs_repository
from tuneline.training.jobs import service as jobs
from tuneline.training.jobs.schemas import CreateJobRequest
from tuneline.training.jobs.states import TERMINAL, JobStatus
from tuneline.training.jobs.tables import TrainingJob
from tuneline.training.settings import TrainingSettings
from tuneline.training.studies import access, budget, repository, search
from tuneline.training.studies.optuna_repository import Outcome, PrunerSpec, SamplerSpec, StudyStorage, TrialRecord
from tuneline.training.studies.schemas import CreateStudyRequest, PruningOptions, SearchRange
from tuneline.training.studies.tables import TrainingStudy

log = structlog.get_logger(__name__)

RUNNING, SUCCEEDED, FAILED, CANCELLED = "running", "succeeded", "failed", "cancelled"
PRUNED = "pruned"  # a trial job's stop_reason when the pruner stopped it
SOURCE = "study"  # the source of a trial job


# ============================================================================ commands


async def create_study(
    session: AsyncSession,
    settings: TrainingSettings,
    storage: StudyStorage,
    request: CreateStudyRequest,
    *,
    actor: Principal,
) -> TrainingStudy:
    """Check the request as a job would be checked, at every corner of the search space; then record the study,
    create its Optuna study and queue the first trials."""
    version = await jobs_repository.get_dataset_version(session, request.dataset_version_id)
    if version is None:
        raise NotFound(
            f"dataset version {request.dataset_version_id} is not ready for training (no dataset.ready seen)",
            field="dataset_version_id",
        )
    usecase = await jobs_repository.get_usecase(session, version.usecase_id)
    job_access.ensure_can_train(actor, usecase, version.version_id)
    if usecase is not None and usecase.retired_at is not None:
        raise Conflict(
            f"use case {usecase.usecase_id} was retired: it takes no new studies", field="dataset_version_id"
        )
    if request.validation_dataset_version_id is None and "validation" not in version.split_uris:
        raise InvalidInput(
            f"dataset version {version.version_id} has no validation split, and a study minimises validation loss: "
            "name a version with one, or a validation_dataset_version_id",
            field="dataset_version_id",
        )
    dims = search.dimensions(request.search_space, request.hyperparameters)
    corners = search.corner_points(dims)
    # every corner is a job the service accepts (ranges, memory fit): 422 naming the field otherwise
    estimates = [await jobs.job_estimate(session, settings, _job_request(request, corner)) for corner in corners]
    base_model = request.base_model or (usecase.base_model if usecase else settings.default_base_model)
    base = jobs.validated_hyperparameters(
        request.preset, {**request.hyperparameters, **corners[0]}, jobs.model_shape(base_model)
    )
    if request.pruning.enabled and not base.eval_interval:
        raise InvalidInput(
            "pruning compares validation losses during training: set eval_interval above 0 (or disable pruning)",
            field="hyperparameters.eval_interval",
        )
    if request.max_cost_usd is not None:
        costs = [float(e["cost_usd"]) for e in estimates if e.get("cost_usd") is not None]
        if len(costs) < len(estimates):
            raise InvalidInput(
                "this base model has no cost estimate here, so a cost cap cannot be kept", field="max_cost_usd"
            )
        if min(costs) > request.max_cost_usd:
            raise InvalidInput(
                f"the cheapest trial is estimated at ${min(costs):.4f}, above the cap of ${request.max_cost_usd:.4f}",
                field="max_cost_usd",
            )
    study = TrainingStudy(
        usecase_id=version.usecase_id,
        dataset_id=version.dataset_id,
        dataset_version_id=version.version_id,
        validation_dataset_version_id=request.validation_dataset_version_id,
        team=usecase.team if usecase else None,
        created_by=actor.subject,
        preset=request.preset.value,
        base_model=request.base_model,
        method=request.method,
        hyperparameters=dict(request.hyperparameters),
        search_space={n: r.model_dump(exclude_none=True) for n, r in request.search_space.items()},
        n_trials=request.n_trials,
        max_cost_usd=request.max_cost_usd,
        parallelism=request.parallelism,
        priority=request.priority,
        seed=request.seed if request.seed is not None else secrets.randbelow(2**31),
        pruning=request.pruning.model_dump(),
    )
    await repository.add_study(session, study)
    await storage.create(str(study.id))
    await audit(session, actor.subject, "training.study.created", "training_study", study.id, n_trials=study.n_trials)
    log.info("training.study.created", study_id=str(study.id), usecase_id=str(study.usecase_id))
    await advance(session, settings, storage, study.id)
    return study


async def cancel_study(
    session: AsyncSession, settings: TrainingSettings, storage: StudyStorage, study_id: UUID, user: Principal
) -> TrainingStudy:
    """Stop asking for trials and stop the running ones (queued trials are cancelled now, running ones at their
    next step); nothing goes to evaluation."""
    study = await repository.get_study(session, study_id, for_update=True)
    if study is None:
        raise NotFound(f"study {study_id} does not exist", field="study_id")
    access.ensure_can_control(user, study, "cancel")
    if study.status != RUNNING:
        raise IllegalTransition("study", study.status, CANCELLED, [])
    _end(study, CANCELLED, f"cancelled by {user.subject}")
    for job in await repository.trial_jobs(session, study.id, for_update=True):
        await jobs.stop_job(session, settings, job, actor=f"{user.subject} (study cancelled)", reason="study cancelled")
    await audit(session, user.subject, "training.study.cancel", "training_study", study.id)
    log.info("training.study.cancelled", study_id=str(study.id))
    await advance(session, settings, storage, study.id)  # records the trials that ended at once
    return study


async def get_study(session: AsyncSession, user: Principal, study_id: UUID) -> TrainingStudy:
    study = await repository.get_study(session, study_id)
    if study is None:
        raise NotFound(f"study {study_id} does not exist", field="study_id")
    access.ensure_can_read(user, study)
    return study


# ============================================================================ the one path that moves a study


async def advance(
    session: AsyncSession, settings: TrainingSettings, storage: StudyStorage, study_id: UUID
) -> TrainingStudy | None:
    """Bring the study up to date, under its row lock: tell Optuna how the trial jobs that ended went; then, while
    it runs, queue trials (a trial Optuna handed out whose job was never committed gets one now) up to
    `parallelism`, `n_trials` and the cost cap; end it when no trial is left running."""
    study = await repository.get_study(session, study_id, for_update=True)
    if study is None:
        return None
    name = str(study.id)
    trial_jobs = await repository.trial_jobs(session, study.id)
    trials = {t.number: t for t in await storage.trials(name)}
    told = False
    for job in trial_jobs:
        trial = trials.get(job.trial_number) if job.trial_number is not None else None
        if trial is not None and trial.state == "running" and JobStatus(job.status) in TERMINAL:
            outcome, value, note = trial_outcome(job)
            await storage.tell(name, trial.number, outcome, value, note)
            log.info("training.study.trial_ended", study_id=name, trial=trial.number, outcome=outcome, value=value)
            told = True
    if told:
        trials = {t.number: t for t in await storage.trials(name)}
    if study.status != RUNNING:
        return study
    if (blocked := await _blocked(session, study)) is not None:
        _end(study, CANCELLED, blocked)  # nothing of it may be trained or evaluated any more
        for job in await repository.trial_jobs(session, study.id, for_update=True):
            await jobs.stop_job(session, settings, job, actor=f"study {study.id}", reason="study cancelled")
        log.info("training.study.cancelled", study_id=name, reason=blocked)
        return study
    with_job = {j.trial_number for j in trial_jobs}
    for trial in trials.values():  # handed out, but the transaction that queued its job never committed
        if trial.state == "running" and trial.number not in with_job:
            await _queue_trial(session, settings, storage, study, trial.number, trial.params, trial_jobs)
    await _fill(session, settings, storage, study, trial_jobs, len(trials))
    open_jobs = [j for j in trial_jobs if JobStatus(j.status) not in TERMINAL]
    if not open_jobs and study.stop_reason is not None:
        await _finish(session, settings, study, trial_jobs, await storage.trials(name))
    return study


async def _fill(
    session: AsyncSession,
    settings: TrainingSettings,
    storage: StudyStorage,
    study: TrainingStudy,
    trial_jobs: list[TrainingJob],
    asked: int,
) -> None:
    """Ask for trials while fewer than `parallelism` run and n_trials and the cost cap allow (trial_jobs grows)."""
    dims = dimensions_of(study)
    sampler = SamplerSpec(seed=study.seed, startup_trials=tpe_startup_trials(study.n_trials))
    while study.stop_reason is None:
        if asked >= study.n_trials:
            study.stop_reason = f"n_trials reached ({study.n_trials})"
            break
        if sum(JobStatus(j.status) not in TERMINAL for j in trial_jobs) >= study.parallelism:
            break
        number, params = await storage.ask(str(study.id), dims, sampler)
        asked += 1
        await _queue_trial(session, settings, storage, study, number, params, trial_jobs)
    study.updated_at = utcnow()


async def _queue_trial(
    session: AsyncSession,
    settings: TrainingSettings,
    storage: StudyStorage,
    study: TrainingStudy,
    number: int,
    params: dict[str, Any],
    trial_jobs: list[TrainingJob],
) -> None:
    """Queue trial `number` as a job, if the cost cap allows; otherwise record it as never started and stop the
    study's asking (the cap), or as refused (an input a job refuses: the next trial may fare better)."""
    name = str(study.id)
    request = _job_request(study, params)
    try:
        estimate = await jobs.job_estimate(session, settings, request)
        committed = budget.committed_cost(trial_jobs)
        cost = float(estimate.get("cost_usd") or 0.0)
        if not budget.within_cap(committed, cost, study.max_cost_usd):
            note = (
                f"not started: its estimate ${cost:.4f} would take the study past its cost cap "
                f"(${committed:.4f} of ${study.max_cost_usd:.4f} committed)"
            )
            await storage.tell(name, number, "failed", note=note)
            study.stop_reason = f"cost cap reached (${committed:.4f} of ${study.max_cost_usd:.4f} committed)"
            log.info("training.study.cost_cap", study_id=name, trial=number, committed=committed, next_cost=cost)
            return
        job = await jobs.create_job(
            session,
            settings,
            request,
            created_by=f"{study.created_by} (study {study.id}, trial {number})",
            source=SOURCE,
            study_id=study.id,
            trial_number=number,
        )
    except InvalidInput as exc:
        await storage.tell(name, number, "failed", note=f"not started: {exc.message}")
        log.warning("training.study.trial_refused", study_id=name, trial=number, reason=exc.message)
        return
    except DomainError as exc:  # the version was erased, the use case retired: no trial can start any more
        await storage.tell(name, number, "failed", note=f"not started: {exc.message}")
        study.stop_reason = f"trials cannot start: {exc.message}"
        log.warning("training.study.trials_blocked", study_id=name, trial=number, reason=exc.message)
        return
    trial_jobs.append(job)
    log.info("training.study.trial_queued", study_id=name, trial=number, job_id=str(job.id), params=params)


async def _finish(
    session: AsyncSession,
    settings: TrainingSettings,
    study: TrainingStudy,
    trial_jobs: list[TrainingJob],
    trials: list[TrialRecord],
) -> None:
    """No trial runs and none will be asked for: the complete trial with the lowest validation loss is the best;
    its job.completed goes to evaluation in study.completed. Without one the study failed."""
    by_number = {j.trial_number: j for j in trial_jobs}
    candidates = [
        t
        for t in trials
        if t.state == "complete"
        and t.value is not None
        and (job := by_number.get(t.number)) is not None
        and job.completed_event is not None
    ]
    counts = Counter(state_of(t, by_number.get(t.number)) for t in trials)
    if not candidates:
        _end(study, FAILED, f"{study.stop_reason}; no trial finished with a validation loss")
        log.warning("training.study.failed", study_id=str(study.id), trials=dict(counts))
        return
    best = min(candidates, key=lambda t: (t.value, t.number))
    job = by_number[best.number]
    assert best.value is not None and job.completed_event is not None
    study.best_job_id, study.best_trial_number, study.best_value = job.id, best.number, best.value
    _end(study, SUCCEEDED, study.stop_reason)
    await add_event(
        session,
        STUDY_COMPLETED,
        StudyCompleted(
            producer=settings.service_name,
            usecase_id=study.usecase_id,
            study_id=study.id,
            best_job_id=job.id,
            best_value=best.value,
            trials=dict(counts),
            best_trial=JobCompleted.model_validate(job.completed_event),
            team=study.team,
        ),
    )
    log.info("training.study.succeeded", study_id=str(study.id), best_job_id=str(job.id), best_value=best.value)


async def _blocked(session: AsyncSession, study: TrainingStudy) -> str | None:
    """Why the study cannot go on: its use case was retired, or its dataset version erased (None: it can)."""
    usecase = await jobs_repository.get_usecase(session, study.usecase_id)
    if usecase is not None and usecase.retired_at is not None:
        return "use case retired"
    if await jobs_repository.get_dataset_version(session, study.dataset_version_id) is None:
        return "dataset version erased"
    return None


def _end(study: TrainingStudy, status: str, reason: str | None) -> None:
    study.status, study.stop_reason = status, reason
    study.finished_at = study.updated_at = utcnow()


# ============================================================================ worker side


async def report_validation(
    session: AsyncSession,
    settings: TrainingSettings,
    storage: StudyStorage,
    job: TrainingJob,
    step: int,
    val_loss: float,
) -> bool:
    """A trial job evaluated at `step`: give the loss to its Optuna trial; when the pruner says so (and the run has
    steps left to save), stop the job with reason ``pruned``. True when it was asked to stop."""
    if job.study_id is None or job.trial_number is None or not math.isfinite(val_loss):
        return False
    study = await repository.get_study(session, job.study_id)
    if study is None:
        return False
    prune = await storage.report(str(study.id), job.trial_number, step, val_loss, pruner_spec(study))
    if not prune or step >= job.total_steps or job.requested_action is not None:
        return False
    await jobs.stop_job(session, settings, job, actor=f"study {study.id}", reason=PRUNED)
    log.info("training.study.trial_pruned", study_id=str(study.id), trial=job.trial_number, step=step, loss=val_loss)
    return True


# ============================================================================ pure helpers


def trial_outcome(job: TrainingJob) -> tuple[Outcome, float | None, str | None]:
    """How a trial whose job ended goes into the study: its best validation loss (the adapter it saved is the one
    with that loss), pruned, or failed with why."""
    status = JobStatus(job.status)
    if status is JobStatus.SUCCEEDED:
        value = job.metrics.get("best_val_loss", job.metrics.get("val_loss"))
        if isinstance(value, int | float) and math.isfinite(value):
            return "complete", float(value), None
        return "failed", None, "finished without a validation loss"
    if status is JobStatus.CANCELLED and job.stop_reason == PRUNED:
        return "pruned", None, None
    if status is JobStatus.CANCELLED:
        return "failed", None, f"job cancelled ({job.stop_reason or 'by a person'})"
    return "failed", None, f"job failed: {(job.failure_reason or 'no reason given')[:300]}"


def state_of(trial: TrialRecord, job: TrainingJob | None) -> str:
    """A trial's state as shown: Optuna's, or skipped for a trial that never got a job."""
    return "skipped" if job is None and trial.state == "failed" else trial.state


def tpe_startup_trials(n_trials: int) -> int:
    """Random trials before TPE models the results: Optuna's 10, but at most half the study so a small study still
    gets guided trials."""
    return max(1, min(10, n_trials // 2))


def dimensions_of(study: TrainingStudy) -> list[search.Dimension]:
    space = {name: SearchRange.model_validate(r) for name, r in study.search_space.items()}
    return search.dimensions(space, study.hyperparameters)


def pruner_spec(study: TrainingStudy) -> PrunerSpec:
    options = PruningOptions.model_validate(study.pruning)
    return PrunerSpec(enabled=options.enabled, startup_trials=options.startup_trials, warmup_steps=options.warmup_steps)


def _job_request(study: CreateStudyRequest | TrainingStudy, params: dict[str, Any]) -> CreateJobRequest:
    """The job of one trial: the study's data, preset, fixed hyperparameters and priority, with the trial's values."""
    return CreateJobRequest.model_validate(
        {
            "dataset_version_id": study.dataset_version_id,
            "validation_dataset_version_id": study.validation_dataset_version_id,
            "preset": study.preset,
            "hyperparameters": {**study.hyperparameters, **params},
            "base_model": study.base_model,
            "method": study.method,
            "priority": study.priority,
        }
    )
