"""The gateway's rules: an OpenAI file is a dataset version, an OpenAI job is a training job, acted for the caller.

No SQL (repository.py), no commits (the request commits)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.access import KNOWN_ROLES, why_not
from tuneline.common.auth import audit
from tuneline.common.storage import ObjectStore
from tuneline.registry.openai_gateway import mapping
from tuneline.registry.openai_gateway import repository as repo
from tuneline.registry.openai_gateway.auth import Caller
from tuneline.registry.openai_gateway.errors import OpenAIError
from tuneline.registry.openai_gateway.release import release_of
from tuneline.registry.openai_gateway.tables import OpenAIFileRow, OpenAIJobRow
from tuneline.registry.openai_gateway.upstream import UpstreamError, Upstreams, call, call_json
from tuneline.registry.settings import RegistrySettings

log = structlog.get_logger(__name__)

DATASET_NAME = "openai-fine-tune-files"
USABLE_USECASE = frozenset({"approved", "in_progress", "deployed"})
UPLOAD_POLL_S = 0.5


@dataclass
class Gateway:
    settings: RegistrySettings
    upstreams: Upstreams
    store: ObjectStore


# ============================================================================ files


async def create_file(
    session: AsyncSession, gw: Gateway, caller: Caller, filename: str, content: bytes, purpose: str
) -> OpenAIFileRow:
    if purpose != "fine-tune":
        raise OpenAIError(400, f"purpose {purpose!r} is not supported; use 'fine-tune'", param="purpose")
    if len(content) > gw.settings.openai_max_file_bytes:
        raise OpenAIError(413, f"file is larger than {gw.settings.openai_max_file_bytes} bytes", param="file")
    usecase_id = await _usecase(gw, caller)
    dataset_id = await _dataset(gw, caller, usecase_id)
    version = await _upload(gw, caller, dataset_id, filename, content)
    row = OpenAIFileRow(
        id=f"file-{uuid4().hex}",
        owner=caller.principal.subject,
        usecase_id=usecase_id,
        dataset_id=dataset_id,
        version_id=UUID(version["id"]),
        version_number=int(version["number"]),
        filename=filename,
        purpose=purpose,
        bytes=len(content),
        status="processed" if version["status"] == "ready" else "error",
        status_details="; ".join(version.get("rejection_reasons") or []) or None,
        content_key="",
    )
    row.content_key = f"openai/files/{row.id}"
    await gw.store.put(row.content_key, content, content_type="application/jsonl")
    await repo.add(session, row)
    await audit(session, caller.principal, "openai.file.created", "dataset_version", row.version_id, file_id=row.id)
    log.info("registry.openai.file.created", file_id=row.id, dataset_id=str(dataset_id), status=row.status)
    return row


async def _usecase(gw: Gateway, caller: Caller) -> UUID:
    if not caller.project:
        raise OpenAIError(
            400,
            "name the approved Tuneline use case these files are for: OpenAI(project=<usecase id>) "
            "(sent as the OpenAI-Project header)",
            param="project",
            code="missing_project",
        )
    try:
        usecase_id = UUID(caller.project)
    except ValueError:
        raise OpenAIError(400, f"project {caller.project!r} is not a use case id", param="project") from None
    try:
        usecase = await call_json(gw.upstreams.intake, "intake", caller.token, "GET", f"/usecases/{usecase_id}")
    except UpstreamError as exc:
        raise exc.to_openai("project") from exc
    if usecase["status"] not in USABLE_USECASE:
        raise OpenAIError(
            400,
            f"use case {usecase_id} is {usecase['status']}; it needs a reviewer's approval first",
            param="project",
            code="usecase_not_approved",
        )
    return usecase_id


async def _dataset(gw: Gateway, caller: Caller, usecase_id: UUID) -> UUID:
    """The use case's gateway dataset (one per use case; every uploaded file is a new version of it)."""
    data = gw.upstreams.data
    try:
        found = await call_json(data, "data", caller.token, "GET", "/datasets", params={"usecase_id": str(usecase_id)})
        for dataset in found:
            if dataset["name"] == DATASET_NAME:
                return UUID(dataset["id"])
        body = {"usecase_id": str(usecase_id), "name": DATASET_NAME, "description": "Files uploaded through /v1/files"}
        created = await call_json(data, "data", caller.token, "POST", "/datasets", json=body)
    except UpstreamError as exc:
        raise exc.to_openai("file") from exc
    return UUID(created["id"])


async def _upload(gw: Gateway, caller: Caller, dataset_id: UUID, filename: str, content: bytes) -> dict[str, Any]:
    files = {"file": (filename, content, "application/jsonl")}
    response = await call(
        gw.upstreams.data, "data", caller.token, "POST", f"/datasets/{dataset_id}/versions", files=files
    )
    body = response.json()
    if response.status_code == 422:
        raise OpenAIError(400, f"invalid file: {body.get('detail')}", param="file", code="invalid_file")
    if response.status_code >= 400:
        raise UpstreamError("data", response.status_code, body).to_openai("file")
    if body.get("version"):
        return dict(body["version"])
    return await _wait_for_upload(gw, caller, dataset_id, body["upload"]["id"])


async def _wait_for_upload(gw: Gateway, caller: Caller, dataset_id: UUID, upload_id: str) -> dict[str, Any]:
    """Large files are processed by the data worker: wait for its verdict (the OpenAI client expects a file)."""
    path = f"/datasets/{dataset_id}/uploads/{upload_id}"
    while True:
        upload = await call_json(gw.upstreams.data, "data", caller.token, "GET", path)
        if upload["status"] == "failed":
            raise OpenAIError(400, f"invalid file: {upload['error']}", param="file", code="invalid_file")
        if upload["version_id"]:
            versions = await call_json(
                gw.upstreams.data, "data", caller.token, "GET", f"/datasets/{dataset_id}/versions"
            )
            return next(v for v in versions if v["id"] == upload["version_id"])
        await asyncio.sleep(UPLOAD_POLL_S)


async def owned_file(session: AsyncSession, caller: Caller, file_id: str, param: str = "file_id") -> OpenAIFileRow:
    row = await repo.get_file(session, file_id)
    if row is None or row.owner != caller.principal.subject:
        raise OpenAIError(404, f"no such file: {file_id}", param=param, code="file_not_found")
    return row


async def delete_file(session: AsyncSession, gw: Gateway, caller: Caller, file_id: str) -> None:
    """Deleting a file erases what it became: the data service erases its dataset version (and every version derived
    from it), which every service then erases what it derived from (jobs' adapters, evaluations' outputs, model
    versions, logged requests). Then the file and its bytes go here."""
    row = await owned_file(session, caller, file_id)
    if row.version_number is not None:
        path = f"/datasets/{row.dataset_id}/versions/{row.version_number}"
        body = {"reason": f"OpenAI file {file_id} deleted by {caller.principal.subject}"}
        response = await call(gw.upstreams.data, "data", caller.token, "DELETE", path, json=body)
        if response.status_code >= 400 and response.status_code != 404:  # 404: erased already
            raise UpstreamError("data", response.status_code, response.json()).to_openai("file_id")
    await forget_file(session, gw.store, row)
    await audit(session, caller.principal, "openai.file.deleted", "dataset_version", row.version_id, file_id=file_id)


async def forget_file(session: AsyncSession, store: ObjectStore, row: OpenAIFileRow) -> None:
    await repo.delete_file(session, row)
    await store.delete(row.content_key)


async def forget_files_of(
    session: AsyncSession, store: ObjectStore, dataset_id: UUID, version_ids: list[UUID], whole: bool
) -> int:
    """An erasure reached the registry: the files that became erased versions go, with the bytes kept for /content."""
    rows = await repo.files_of(session, dataset_id, version_ids, whole)
    for row in rows:
        await forget_file(session, store, row)
    return len(rows)


# ============================================================================ jobs


@dataclass
class JobRequest:
    model: str
    training_file: str
    validation_file: str | None
    hyperparameters: dict[str, Any]
    suffix: str | None
    seed: int | None
    metadata: dict[str, str] | None


async def create_job(
    session: AsyncSession, gw: Gateway, caller: Caller, request: JobRequest, idempotency_key: str | None
) -> OpenAIJobRow:
    owner = caller.principal.subject
    if idempotency_key:
        existing = await repo.job_by_key(session, owner, idempotency_key)
        if existing is not None:
            return existing
    base_model = mapping.fine_tunable_model(request.model, gw.settings.fine_tune_models())
    if base_model is None:
        known = ", ".join(sorted(gw.settings.fine_tune_models()))
        raise OpenAIError(
            400,
            f"model {request.model!r} cannot be fine-tuned here; choose one of: {known}",
            param="model",
            code="model_not_available",
        )
    overrides = mapping.training_hyperparameters(request.hyperparameters, gw.settings.openai_base_learning_rate)
    seed = request.seed if request.seed is not None else 42
    overrides["seed"] = seed
    training_file = await _usable_file(session, caller, request.training_file, "training_file")
    body: dict[str, Any] = {
        "dataset_version_id": str(training_file.version_id),
        "base_model": base_model,
        "method": "lora",
        "preset": "quick_start",
        "hyperparameters": overrides,
    }
    if request.validation_file is not None:
        validation = await _usable_file(session, caller, request.validation_file, "validation_file")
        if validation.usecase_id != training_file.usecase_id:
            raise OpenAIError(
                400, "validation_file belongs to another use case than training_file", param="validation_file"
            )
        # training validates on this file (all its splits) instead of the training file's validation split
        body["validation_dataset_version_id"] = str(validation.version_id)
    training = await _create_training_job(gw, caller, body)
    row = OpenAIJobRow(
        id=f"ftjob-{uuid4().hex}",
        owner=owner,
        idempotency_key=idempotency_key,
        key_prefix=caller.key_prefix,
        training_job_id=UUID(training["id"]),
        usecase_id=training_file.usecase_id,
        model=base_model,
        training_file=request.training_file,
        validation_file=request.validation_file,
        hyperparameters=request.hyperparameters,
        suffix=request.suffix,
        seed=seed,
        metadata_=request.metadata,
    )
    try:
        async with session.begin_nested():
            await repo.add(session, row)
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its job (ours stays queued in training
        # and is cancelled so it does not train twice).
        await call(gw.upstreams.training, "training", caller.token, "POST", f"/jobs/{training['id']}/cancel")
        assert idempotency_key is not None
        winner = await repo.job_by_key(session, owner, idempotency_key)
        assert winner is not None
        return winner
    await audit(session, caller.principal, "openai.job.created", "training_job", row.training_job_id, job_id=row.id)
    log.info("registry.openai.job.created", job_id=row.id, training_job_id=str(row.training_job_id))
    return row


async def _usable_file(session: AsyncSession, caller: Caller, file_id: str, param: str) -> OpenAIFileRow:
    row = await owned_file(session, caller, file_id, param)
    if row.status != "processed" or row.version_id is None:
        raise OpenAIError(
            400, f"file {file_id} failed validation: {row.status_details}", param=param, code="invalid_file"
        )
    return row


# the training API's fields that name a file's dataset version -> the OpenAI parameter that gave the file
_FILE_PARAMS = {"dataset_version_id": "training_file", "validation_dataset_version_id": "validation_file"}


async def _create_training_job(gw: Gateway, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    """POST /jobs, waiting while the training service has not yet seen the versions' dataset.ready events."""
    deadline = time.monotonic() + gw.settings.openai_dataset_wait_s
    while True:
        try:
            return dict(await call_json(gw.upstreams.training, "training", caller.token, "POST", "/jobs", json=body))
        except UpstreamError as exc:
            waiting = exc.status == 404 and exc.field in _FILE_PARAMS
            if waiting and time.monotonic() < deadline:
                await asyncio.sleep(0.25)
                continue
            param = {**_FILE_PARAMS, "base_model": "model"}.get(exc.field or "")
            if param is None and exc.field:
                param = "hyperparameters" if exc.field.startswith("hyperparameters") else exc.field
            raise exc.to_openai(param) from exc


async def owned_job(session: AsyncSession, caller: Caller, job_id: str) -> OpenAIJobRow:
    row = await repo.get_job(session, job_id)
    if row is None or row.owner != caller.principal.subject:
        raise OpenAIError(404, f"no such fine-tuning job: {job_id}", param="fine_tuning_job_id", code="job_not_found")
    return row


async def training_job(gw: Gateway, caller: Caller, row: OpenAIJobRow) -> dict[str, Any]:
    try:
        return dict(
            await call_json(gw.upstreams.training, "training", caller.token, "GET", f"/jobs/{row.training_job_id}")
        )
    except UpstreamError as exc:
        raise exc.to_openai() from exc


async def job_view(session: AsyncSession, gw: Gateway, caller: Caller, row: OpenAIJobRow) -> dict[str, Any]:
    training = await training_job(gw, caller, row)
    return await _view(session, gw, row, training)


async def _view(session: AsyncSession, gw: Gateway, row: OpenAIJobRow, training: dict[str, Any]) -> dict[str, Any]:
    trained = training["status"] == "succeeded"
    release = await release_of(session, row.training_job_id) if trained else None
    return mapping.job_object(row, training, release=release, base_learning_rate=gw.settings.openai_base_learning_rate)


async def act(session: AsyncSession, gw: Gateway, caller: Caller, job_id: str, action: str) -> dict[str, Any]:
    row = await owned_job(session, caller, job_id)
    path = f"/jobs/{row.training_job_id}/{action}"
    try:
        training = await call_json(gw.upstreams.training, "training", caller.token, "POST", path)
    except UpstreamError as exc:
        raise exc.to_openai("fine_tuning_job_id") from exc
    await audit(session, caller.principal, f"openai.job.{action}", "training_job", row.training_job_id, job_id=row.id)
    return await _view(session, gw, row, dict(training))


async def events(session: AsyncSession, gw: Gateway, caller: Caller, row: OpenAIJobRow) -> list[dict[str, Any]]:
    base = f"/jobs/{row.training_job_id}"
    try:
        metrics = await call_json(gw.upstreams.training, "training", caller.token, "GET", f"{base}/metrics")
        logs = await call(gw.upstreams.training, "training", caller.token, "GET", f"{base}/logs")
    except UpstreamError as exc:
        raise exc.to_openai() from exc
    release = await release_of(session, row.training_job_id)
    return mapping.job_events(row.id, logs.text if logs.status_code == 200 else "", list(metrics), release)


async def checkpoints(session: AsyncSession, gw: Gateway, caller: Caller, row: OpenAIJobRow) -> list[dict[str, Any]]:
    training = await training_job(gw, caller, row)
    try:
        metrics = await call_json(
            gw.upstreams.training, "training", caller.token, "GET", f"/jobs/{row.training_job_id}/metrics"
        )
    except UpstreamError as exc:
        raise exc.to_openai() from exc
    name = await repo.model_name_for_job(session, row.training_job_id)
    return mapping.checkpoints(row.id, training, list(metrics), name)


# ============================================================================ inference routing


async def endpoint_for(session: AsyncSession, model: str) -> str:
    """The Ray Serve endpoint (…/<name>/v1) serving `model`, the registry's model name."""
    for name, _team, deployment in await repo.deployments(session):
        if name == model and deployment.endpoint and deployment.status != "stopped":
            return deployment.endpoint.rstrip("/")
    raise OpenAIError(404, f"model {model!r} is not deployed", param="model", code="model_not_found")


async def served_models(session: AsyncSession, caller: Caller) -> list[dict[str, Any]]:
    """The served models `caller` may call: a key's own models; for a person's token, their team's (an admin's:
    every team's), as the registry's /models listing shows them."""
    return [
        {"id": name, "object": "model", "created": mapping.ts(row.updated_at), "owned_by": "tuneline"}
        for name, team, row in await repo.deployments(session)
        if row.endpoint
        and row.status != "stopped"
        and (
            name in caller.key_models
            if caller.key_prefix is not None
            else why_not(caller.principal, KNOWN_ROLES, team) is None  # a known role of the team, as /models
        )
    ]
