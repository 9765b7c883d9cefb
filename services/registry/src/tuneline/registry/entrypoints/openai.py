"""OpenAI-compatible routes under /v1: parse, authenticate, call the gateway service, shape OpenAI's objects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from tuneline.common.app import SessionDep
from tuneline.registry.context import RegistryContextDep
from tuneline.registry.openai_gateway import mapping, repository, service
from tuneline.registry.openai_gateway.auth import CallerDep, ReaderDep
from tuneline.registry.openai_gateway.errors import OpenAIError, OpenAIRoute
from tuneline.registry.openai_gateway.schemas import CreateFineTuningJob
from tuneline.registry.openai_gateway.service import Gateway, JobRequest

router = APIRouter(prefix="/v1", tags=["openai"], route_class=OpenAIRoute)
Limit = Annotated[int, Query(ge=1, le=100)]


def get_gateway(context: RegistryContextDep) -> Gateway:
    return context.gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


# ============================================================================ files


@router.post("/files", summary="Upload a fine-tuning file: it becomes a validated, PII-scanned dataset version")
async def create_file(
    session: SessionDep,
    gw: GatewayDep,
    caller: CallerDep,
    file: Annotated[UploadFile, File()],
    purpose: Annotated[str, Form()],
) -> dict[str, Any]:
    content = await file.read()
    row = await service.create_file(session, gw, caller, file.filename or "upload.jsonl", content, purpose)
    return mapping.file_object(row)


@router.get("/files", summary="The caller's files, newest first")
async def list_files(
    session: SessionDep,
    caller: CallerDep,
    purpose: str | None = None,
    after: str | None = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    rows = await repository.list_files(session, caller.principal.subject, purpose)
    return mapping.page([mapping.file_object(r) for r in rows], after, limit)


@router.get("/files/{file_id}", summary="One file")
async def retrieve_file(file_id: str, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    return mapping.file_object(await service.owned_file(session, caller, file_id))


@router.delete(
    "/files/{file_id}",
    summary="Delete a file and erase what it became: its dataset version and all derived from it",
)
async def delete_file(file_id: str, session: SessionDep, gw: GatewayDep, caller: CallerDep) -> dict[str, Any]:
    await service.delete_file(session, gw, caller, file_id)
    return {"id": file_id, "object": "file", "deleted": True}


@router.get("/files/{file_id}/content", summary="The bytes as uploaded")
async def file_content(file_id: str, session: SessionDep, gw: GatewayDep, caller: CallerDep) -> Response:
    row = await service.owned_file(session, caller, file_id)
    return Response(await gw.store.read_bytes(row.content_key), media_type="application/octet-stream")


# ============================================================================ fine-tuning jobs


@router.post("/fine_tuning/jobs", summary="Create a fine-tuning job (Idempotency-Key honoured)")
async def create_job(
    body: CreateFineTuningJob,
    session: SessionDep,
    gw: GatewayDep,
    caller: CallerDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> dict[str, Any]:
    request = JobRequest(
        model=body.model,
        training_file=body.training_file,
        validation_file=body.validation_file,
        hyperparameters=body.all_hyperparameters(),
        suffix=body.suffix,
        seed=body.seed,
        metadata=body.metadata,
    )
    row = await service.create_job(session, gw, caller, request, idempotency_key)
    return await service.job_view(session, gw, caller, row)


@router.get("/fine_tuning/jobs", summary="The caller's jobs, newest first, with cursor pagination")
async def list_jobs(
    session: SessionDep,
    gw: GatewayDep,
    caller: CallerDep,
    after: str | None = None,
    limit: Limit = 20,
) -> dict[str, Any]:
    rows = await repository.list_jobs(session, caller.principal.subject)
    ids = [{"id": r.id, "row": r} for r in rows]
    chunk = mapping.page(ids, after, limit)
    chunk["data"] = [await service.job_view(session, gw, caller, item["row"]) for item in chunk["data"]]
    return chunk


@router.get("/fine_tuning/jobs/{job_id}", summary="One job")
async def retrieve_job(job_id: str, session: SessionDep, gw: GatewayDep, caller: CallerDep) -> dict[str, Any]:
    return await service.job_view(session, gw, caller, await service.owned_job(session, caller, job_id))


@router.post("/fine_tuning/jobs/{job_id}/cancel", summary="Cancel")
async def cancel_job(job_id: str, session: SessionDep, gw: GatewayDep, caller: CallerDep) -> dict[str, Any]:
    return await service.act(session, gw, caller, job_id, "cancel")


@router.post("/fine_tuning/jobs/{job_id}/pause", summary="Pause a running job")
async def pause_job(job_id: str, session: SessionDep, gw: GatewayDep, caller: CallerDep) -> dict[str, Any]:
    return await service.act(session, gw, caller, job_id, "pause")


@router.post("/fine_tuning/jobs/{job_id}/resume", summary="Resume a paused job")
async def resume_job(job_id: str, session: SessionDep, gw: GatewayDep, caller: CallerDep) -> dict[str, Any]:
    return await service.act(session, gw, caller, job_id, "resume")


@router.get("/fine_tuning/jobs/{job_id}/events", summary="Log messages and metrics, newest first")
async def job_events(
    job_id: str, session: SessionDep, gw: GatewayDep, caller: CallerDep, after: str | None = None, limit: Limit = 20
) -> dict[str, Any]:
    row = await service.owned_job(session, caller, job_id)
    return mapping.page(await service.events(session, gw, caller, row), after, limit)


@router.get("/fine_tuning/jobs/{job_id}/checkpoints", summary="Saved checkpoints with their metrics")
async def job_checkpoints(
    job_id: str, session: SessionDep, gw: GatewayDep, caller: CallerDep, after: str | None = None, limit: Limit = 10
) -> dict[str, Any]:
    row = await service.owned_job(session, caller, job_id)
    items = await service.checkpoints(session, gw, caller, row)
    listed = mapping.page(items, after, limit)
    listed["first_id"] = listed["data"][0]["id"] if listed["data"] else None
    listed["last_id"] = listed["data"][-1]["id"] if listed["data"] else None
    return listed


# ============================================================================ inference


@router.get("/models", summary="Deployed models /v1/chat/completions serves (for a key: those it may call)")
async def list_models(session: SessionDep, caller: ReaderDep) -> dict[str, Any]:
    return {"object": "list", "data": await service.served_models(session, caller)}


@router.post("/chat/completions", summary="Routed by `model` to its Ray Serve deployment (streams pass through)")
async def chat_completions(request: Request, session: SessionDep, gw: GatewayDep) -> Response:
    # The deployment's router authenticates the caller's scoped inference key; the gateway only routes.
    try:
        body = await request.json()
    except ValueError:
        raise OpenAIError(400, "body must be a JSON object", param=None) from None
    model = body.get("model") if isinstance(body, dict) else None
    if not isinstance(model, str) or not model:
        raise OpenAIError(400, "model is required", param="model")
    url = f"{await service.endpoint_for(session, model)}/chat/completions"
    headers = {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "traceparent")}
    upstream = gw.upstreams.inference.build_request("POST", url, json=body, headers=headers)
    response = await gw.upstreams.inference.send(upstream, stream=True)
    if not body.get("stream"):
        content = await response.aread()
        await response.aclose()
        kept = {k: v for k, v in response.headers.items() if k.lower().startswith("x-")}
        return Response(content, status_code=response.status_code, media_type="application/json", headers=kept)

    async def relay() -> AsyncIterator[bytes]:
        try:
            async for chunk in response.aiter_raw():
                yield chunk
        finally:
            await response.aclose()

    return StreamingResponse(relay(), status_code=response.status_code, media_type="text/event-stream")


@router.post(
    "/classify",
    summary="Raw input in, label out: routed by `model`; the serving version applies its prompt template",
)
async def classify(request: Request, session: SessionDep, gw: GatewayDep) -> Response:
    # Like chat completions: the deployment's router authenticates the key and applies the template.
    try:
        body = await request.json()
    except ValueError:
        raise OpenAIError(400, "body must be a JSON object", param=None) from None
    model = body.get("model") if isinstance(body, dict) else None
    if not isinstance(model, str) or not model:
        raise OpenAIError(400, "model is required", param="model")
    url = f"{await service.endpoint_for(session, model)}/classify"
    headers = {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "traceparent")}
    response = await gw.upstreams.inference.post(url, json=body, headers=headers)
    kept = {k: v for k, v in response.headers.items() if k.lower().startswith("x-")}
    return Response(response.content, status_code=response.status_code, media_type="application/json", headers=kept)
