"""The rules of datasets: creation, uploads into versions, derived versions, reading. No SQL, no commits."""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
from collections import Counter as Tally
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.common.access import scope_of
from tuneline.common.auth import Principal, audit
from tuneline.common.errors import Conflict, InvalidInput, NotFound, TooLarge
from tuneline.common.events import utcnow
from tuneline.common.text import count
from tuneline.data.datasets import access, keys, repository
from tuneline.data.datasets.building import BuildOptions, BuiltVersion, build_version, iter_records, write_records
from tuneline.data.datasets.engines import Engines
from tuneline.data.datasets.processes import ProcessingCrashed
from tuneline.data.datasets.schemas import CreateDataset, LabelRequest, RedactRequest, StartUpload, UploadOptions
from tuneline.data.datasets.tables import Dataset, DatasetVersion, Upload
from tuneline.data.datasets.versions import Context, announce, record_version
from tuneline.data.pii.redaction import RedactionMode, RedactionPolicy
from tuneline.data.processing.dedup import DuplicateFinder
from tuneline.data.processing.errors import FileRejectedError
from tuneline.data.processing.filenames import sanitize_filename
from tuneline.data.processing.normalise import validate_mapping
from tuneline.data.processing.parsers.base import ParseOptions
from tuneline.data.processing.parsers.dispatch import format_for
from tuneline.data.processing.pipeline import IngestResult, ingest
from tuneline.data.processing.records import CanonicalRecord, RecordMode, record_text
from tuneline.data.processing.splits import SplitSpec
from tuneline.data.processing.validation import ValidationConfig
from tuneline.data.settings import DataSettings
from tuneline.data.usecases import repository as usecases
from tuneline.data.usecases.service import ensure_open
from tuneline.data.usecases.tables import DataUseCase

log = structlog.get_logger(__name__)

MAX_PREVIEW = 200
MAX_PREVIEW_OFFSET = 100_000

# --------------------------------------------------------------------------------------------------------------
# datasets
# --------------------------------------------------------------------------------------------------------------


async def create_dataset(session: AsyncSession, user: Principal, request: CreateDataset) -> Dataset:
    """A dataset of an approved use case; only its team's data owners (or an admin) add data to a use case, and the
    dataset belongs to the use case's team. The use case's row is locked: an erasure of it running now finishes first
    (and this is refused) or sees this dataset (and erases it)."""
    usecase = await usecases.get(session, request.usecase_id, for_update=True)
    if usecase is None:
        raise NotFound(
            f"use case {request.usecase_id} is not approved (or its approval has not reached the data service yet)",
            field="usecase_id",
        )
    access.ensure_can_add_data(user, usecase)
    ensure_open(usecase)
    dataset = Dataset(
        usecase_id=request.usecase_id,
        name=request.name,
        description=request.description,
        owner=user.subject,
        team=usecase.team,
    )
    await repository.add(session, dataset)
    await audit(session, user, "dataset.created", "dataset", dataset.id, usecase_id=str(request.usecase_id))
    return dataset


async def get_dataset(session: AsyncSession, user: Principal, dataset_id: UUID, *, for_update: bool = False) -> Dataset:
    dataset = await repository.get_dataset(session, dataset_id, for_update=for_update)
    if dataset is None:
        raise NotFound(f"dataset {dataset_id} does not exist")
    access.ensure_can_read(user, dataset)
    return dataset


async def list_datasets(
    session: AsyncSession, user: Principal, usecase_id: UUID | None, limit: int, offset: int
) -> list[Dataset]:
    # Its team's datasets and its own team-less ones; admins and service accounts see every team's.
    owner = None if scope_of(user).all_teams else user.subject
    return await repository.list_datasets(
        session, usecase_id=usecase_id, owner=owner, team=user.team, limit=limit, offset=offset
    )


async def _usecase(session: AsyncSession, dataset: Dataset) -> DataUseCase:
    usecase = await usecases.get(session, dataset.usecase_id)
    if usecase is None:  # pragma: no cover - datasets are only created for known use cases
        raise NotFound(f"use case {dataset.usecase_id} of dataset {dataset.id} is unknown")
    return usecase


async def get_version(session: AsyncSession, user: Principal, dataset_id: UUID, number: int) -> DatasetVersion:
    await get_dataset(session, user, dataset_id)
    version = await repository.get_version(session, dataset_id, number)
    if version is None:
        raise NotFound(f"dataset {dataset_id} has no version {number}")
    return version


async def list_versions(session: AsyncSession, user: Principal, dataset_id: UUID) -> list[DatasetVersion]:
    await get_dataset(session, user, dataset_id)
    return await repository.list_versions(session, dataset_id)


async def lineage(session: AsyncSession, user: Principal, dataset_id: UUID, number: int) -> list[DatasetVersion]:
    version: DatasetVersion | None = await get_version(session, user, dataset_id, number)
    chain: list[DatasetVersion] = []
    while version is not None:
        chain.append(version)
        version = await repository.get_version_by_id(session, version.parent_id) if version.parent_id else None
    return chain


# --------------------------------------------------------------------------------------------------------------
# uploads
# --------------------------------------------------------------------------------------------------------------


def _check_options(options: UploadOptions) -> dict[str, Any]:
    if options.mode is not None:
        try:
            validate_mapping(RecordMode(options.mode), options.mapping)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="mapping") from None
    if options.split is not None:
        try:
            SplitSpec.parse(options.split)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="split") from None
    return options.model_dump(mode="json")


async def start_upload(
    session: AsyncSession, user: Principal, dataset_id: UUID, request: StartUpload
) -> tuple[Dataset, Upload]:
    dataset = await get_dataset(session, user, dataset_id)
    access.ensure_can_modify(user, dataset)
    ensure_open(await _usecase(session, dataset))
    try:
        filename = sanitize_filename(request.filename)
        file_format = format_for(filename)
    except FileRejectedError as exc:
        raise InvalidInput(str(exc), field="filename") from None
    upload = Upload(
        dataset_id=dataset.id,
        filename=filename,
        file_format=file_format.value,
        status="receiving",
        options=_check_options(request),
        created_by=user.subject,
    )
    await repository.add(session, upload)
    await audit(
        session, user, "dataset.upload.started", "dataset", dataset.id, upload_id=str(upload.id), filename=filename
    )
    return dataset, upload


async def get_upload(
    session: AsyncSession, user: Principal, dataset_id: UUID, upload_id: UUID, *, for_update: bool = True
) -> Upload:
    """The upload, locked for a change by default; reading its state must not lock (the worker holds the row
    while it processes the file, so a locking read would wait for the whole processing)."""
    dataset = await get_dataset(session, user, dataset_id)
    access.ensure_can_modify(user, dataset)
    upload = await repository.get_upload(session, upload_id, for_update=for_update)
    if upload is None or upload.dataset_id != dataset_id:
        raise NotFound(f"upload {upload_id} does not exist for dataset {dataset_id}")
    return upload


async def _limited(chunks: AsyncIterable[bytes], limit: int, what: str) -> AsyncIterator[bytes]:
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if received > limit:
            raise TooLarge(f"{what} exceeds the limit of {limit} bytes", field="file")
        yield chunk


async def receive_part(
    session: AsyncSession, ctx: Context, upload: Upload, number: int, body: AsyncIterable[bytes]
) -> Upload:
    """Store one part (re-sending a part replaces it, which is what makes uploads resumable)."""
    if upload.status != "receiving":
        raise Conflict(f"upload {upload.id} is {upload.status}; parts can only be added while receiving")
    if number < 1 or number > 100_000:
        raise InvalidInput("part numbers run from 1 to 100000", field="number")
    others = [p for p in upload.parts if int(p["number"]) != number]
    room = ctx.settings.max_upload_bytes - sum(int(p["size"]) for p in others)
    limit = min(ctx.settings.max_part_bytes, room)
    info = await ctx.store.put(
        keys.upload_part(upload.dataset_id, upload.id, number), _limited(body, limit, "the upload")
    )
    upload.parts = sorted(
        [*others, {"number": number, "size": info.size, "sha256": info.sha256}], key=lambda p: p["number"]
    )
    upload.size = sum(int(p["size"]) for p in upload.parts)
    upload.updated_at = utcnow()
    await repository.add(session, upload)
    return upload


async def complete_upload(
    session: AsyncSession, ctx: Context, user: Principal, dataset_id: UUID, upload: Upload
) -> DatasetVersion | None:
    """Close the upload; process it now when small (returns the version) or queue it for the worker."""
    if upload.status != "receiving":
        raise Conflict(f"upload {upload.id} is {upload.status}, not receiving")
    numbers = [int(p["number"]) for p in upload.parts]
    if not numbers:
        raise InvalidInput("no parts were uploaded", field="parts")
    if numbers != list(range(1, len(numbers) + 1)):
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        raise InvalidInput(f"parts are missing: {', '.join(map(str, missing))}", field="parts")
    await audit(
        session, user, "dataset.upload.completed", "dataset", dataset_id, upload_id=str(upload.id), bytes=upload.size
    )
    if upload.size > ctx.settings.inline_processing_max_bytes:
        upload.status = "queued"
        upload.updated_at = utcnow()
        return None
    upload.status = "processing"
    return await process_upload(session, ctx, upload)


async def abort_upload(session: AsyncSession, ctx: Context, user: Principal, upload: Upload) -> None:
    if upload.status not in ("receiving", "queued"):
        raise Conflict(f"upload {upload.id} is {upload.status} and cannot be aborted")
    await _delete_parts(ctx, upload)
    upload.status = "aborted"
    upload.updated_at = utcnow()
    await audit(session, user, "dataset.upload.aborted", "dataset", upload.dataset_id, upload_id=str(upload.id))


async def _delete_parts(ctx: Context, upload: Upload) -> None:
    for part in upload.parts:
        await _delete_quietly(ctx, keys.upload_part(upload.dataset_id, upload.id, int(part["number"])))


async def _delete_quietly(ctx: Context, key: str) -> None:
    """Clean-up must not turn a handled failure into a 500; a leftover is logged (by key, never content)."""
    try:
        await ctx.store.delete(key)
    except Exception:
        log.warning("data.storage.delete_failed", key=key, exc_info=True)


async def _download(ctx: Context, key: str, target: Path) -> None:
    with target.open("ab") as handle:
        async for chunk in ctx.store.get(key):
            handle.write(chunk)


async def process_upload(session: AsyncSession, ctx: Context, upload: Upload) -> DatasetVersion | None:
    """Parse, validate, scan, split and record an upload. Any problem (a file-level rejection naming line or
    field, or anything unexpected while processing) marks the upload failed with a reason, deletes its parts and
    any object stored for it, and creates no version: never a 500, never an upload stuck in the queue."""
    dataset = await repository.get_dataset(session, upload.dataset_id, for_update=True)
    if dataset is None:  # pragma: no cover - uploads belong to datasets
        raise NotFound(f"dataset {upload.dataset_id} does not exist")
    usecase = await _usecase(session, dataset)
    dataset_id = dataset.id
    written: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="tuneline-data-") as tmp:
            work = Path(tmp)
            raw = work / "raw"
            raw.touch()
            for part in upload.parts:
                await _download(ctx, keys.upload_part(upload.dataset_id, upload.id, int(part["number"])), raw)
            job = UploadJob(
                settings=ctx.settings,
                base_model=usecase.base_model,
                redaction=str(usecase.policy.get("redaction", "none")),
                filename=upload.filename,
                options=dict(upload.options),
                raw=raw,
                work=work,
            )
            ingested, builds = await ctx.processing.run(ingest_and_build, job)
            count("data.records", Tally(ingested.sanitised))
            async with session.begin_nested():  # a failure while recording leaves no half-written rows
                version = await _record_upload(session, ctx, dataset, usecase, upload, ingested, builds, written)
    except Exception as exc:
        await _fail_upload(session, ctx, upload, dataset_id, exc, written)
        return None
    await _delete_parts(ctx, upload)
    upload.status = "completed"
    upload.version_id = version.id
    upload.updated_at = utcnow()
    return version


async def _fail_upload(
    session: AsyncSession, ctx: Context, upload: Upload, dataset_id: UUID, exc: Exception, written: list[str]
) -> None:
    if isinstance(exc, FileRejectedError):
        code, reason = exc.code, str(exc)
    elif isinstance(exc, ValueError) and not isinstance(exc, UnicodeError):
        code, reason = "invalid_records", str(exc)
    elif isinstance(exc, ProcessingCrashed):
        code, reason = "processing_crashed", str(exc)
    else:
        # Unexpected: the message may quote content (PII), so the reason names only the kind of failure.
        log.exception("data.upload.processing_error", upload_id=str(upload.id))
        code, reason = "processing_error", f"the file could not be processed ({type(exc).__name__})"
    await session.refresh(upload)  # a rolled-back savepoint expired what it had changed
    for key in written:
        await _delete_quietly(ctx, key)
    await _delete_parts(ctx, upload)
    upload.status = "failed"
    upload.error = reason
    upload.error_code = code
    upload.updated_at = utcnow()
    await audit(
        session, upload.created_by, "dataset.upload.failed", "dataset", dataset_id, upload_id=str(upload.id), code=code
    )
    log.info("data.upload.failed", upload_id=str(upload.id), code=code)


def _split_spec(settings: DataSettings, options: dict[str, Any]) -> SplitSpec:
    seed = options.get("seed")
    return SplitSpec.parse(
        options.get("split") or settings.default_split,
        seed=settings.split_seed if seed is None else int(seed),
        stratified=bool(options.get("stratified", True)),
    )


def _validation(settings: DataSettings) -> ValidationConfig:
    return ValidationConfig(
        min_tokens=settings.min_tokens,
        max_tokens=settings.max_tokens,
        near_duplicate_threshold=settings.near_duplicate_threshold,
    )


def _redaction(settings: DataSettings, mode: str, entities: list[str] | None = None) -> RedactionPolicy:
    return RedactionPolicy(
        RedactionMode(mode),
        salt=settings.salt_bytes(),
        entities=frozenset(entities) if entities else None,
    )


@dataclass(frozen=True)
class UploadJob:
    """Everything the processing pool needs for one upload (picklable: no session, no store)."""

    settings: DataSettings
    base_model: str
    redaction: str
    filename: str
    options: dict[str, Any]
    raw: Path
    work: Path


def parse_options(settings: DataSettings) -> ParseOptions:
    return ParseOptions(
        max_bytes=settings.max_upload_bytes,
        max_line_bytes=settings.max_record_bytes,
        max_record_bytes=settings.max_record_bytes,
        max_depth=settings.max_record_depth,
    )


def ingest_and_build(engines: Engines, job: UploadJob) -> tuple[IngestResult, list[BuiltVersion]]:
    """Runs in the processing pool: everything CPU-bound of an upload."""
    settings = job.settings
    counter, tokenizer = engines.token_counter(job.base_model)
    options = job.options
    canonical = job.work / "canonical.jsonl"
    with job.raw.open("rb") as stream, canonical.open("wb") as sink:
        result = ingest(
            stream,
            job.filename,
            sink=sink,
            mode=RecordMode(options["mode"]) if options.get("mode") else None,
            mapping=options.get("mapping") or None,
            parse_options=parse_options(settings),
            validation=_validation(settings),
            token_counter=counter,
            validate_records=False,  # build_version validates the stored records once, after any redaction
        )
    if result.mode is None or result.record_count == 0:
        first = result.report.format.errors[0].location if result.report.format.errors else "file"
        raise ValueError(f"no valid records ({result.report.format.error_count} malformed; first at {first})")
    base = BuildOptions(
        mode=result.mode,
        validation=_validation(settings),
        token_counter=counter,
        tokenizer_name=tokenizer,
        split=_split_spec(settings, options),
        carried_format=result.report.format,
    )
    if job.redaction == "none":
        base.scanner = engines.scanner()
        return result, [build_version(canonical, job.work / "v", base)]
    # The use case wants redaction: keep the original for lineage (superseded, never announced) and build the
    # redacted child that is judged and announced.
    original = build_version(canonical, job.work / "original", base)
    redacted = BuildOptions(
        **{**base.__dict__, "scanner": engines.scanner(), "redaction": _redaction(settings, job.redaction)}
    )
    return result, [original, build_version(canonical, job.work / "redacted", redacted)]


async def _record_upload(
    session: AsyncSession,
    ctx: Context,
    dataset: Dataset,
    usecase: DataUseCase,
    upload: Upload,
    ingested: IngestResult,
    builds: list[BuiltVersion],
    written: list[str],
) -> DatasetVersion:
    source = {
        "upload_id": str(upload.id),
        "filename": upload.filename,
        "format": ingested.file_format.value,
        "encoding": ingested.encoding,
        "bytes": upload.size,
    }
    parent_id = dataset.latest_version_id
    version: DatasetVersion | None = None
    for index, built in enumerate(builds):
        last = index == len(builds) - 1
        version = await record_version(
            session,
            ctx,
            dataset=dataset,
            usecase=usecase,
            built=built,
            parent_id=parent_id,
            operation="upload" if index == 0 else "redact",
            details={"options": upload.options}
            if index == 0
            else {"mode": usecase.policy.get("redaction"), "automatic": True},
            source=source,
            actor=upload.created_by,
            superseded=not last,
            written=written,
        )
        parent_id = version.id
    assert version is not None
    return version


async def run_queued_upload(session: AsyncSession, ctx: Context) -> Upload | None:
    """Worker step: claim one queued upload and process it (None when the queue is empty)."""
    upload = await repository.claim_queued_upload(session)
    if upload is None:
        return None
    upload.status = "processing"
    upload.updated_at = utcnow()
    await process_upload(session, ctx, upload)
    return upload


# --------------------------------------------------------------------------------------------------------------
# derived versions
# --------------------------------------------------------------------------------------------------------------

Transform = Callable[[Iterator[CanonicalRecord]], Iterator[CanonicalRecord]]


async def _derive(
    session: AsyncSession,
    ctx: Context,
    user: Principal,
    dataset_id: UUID,
    number: int,
    *,
    operation: str,
    details: dict[str, Any],
    transform: Transform | None = None,
    mode: RecordMode | None = None,
    redaction: RedactionPolicy | None = None,
    split: SplitSpec | None = None,
) -> DatasetVersion:
    dataset = await get_dataset(session, user, dataset_id, for_update=True)
    access.ensure_can_modify(user, dataset)
    base = await get_version(session, user, dataset_id, number)
    usecase = await _usecase(session, dataset)
    ensure_open(usecase)
    base_mode = RecordMode(base.record_format)
    spec = split or SplitSpec(
        tuple(base.split_report["ratios"].items()),
        seed=int(base.split_report["seed"]),
        stratified=bool(base.split_report["stratified"]),
    )

    def build(source: Path, work: Path) -> BuiltVersion:
        counter, tokenizer = ctx.engines.token_counter(usecase.base_model)
        if transform is not None:
            transformed = work / "transformed.jsonl"
            write_records(transform(iter_records(source)), transformed)
            source = transformed
        options = BuildOptions(
            mode=mode or base_mode,
            validation=_validation(ctx.settings),
            token_counter=counter,
            tokenizer_name=tokenizer,
            split=spec,
            scanner=ctx.engines.scanner(),
            redaction=redaction,
        )
        return build_version(source, work / "out", options)

    with tempfile.TemporaryDirectory(prefix="tuneline-data-") as tmp:
        work = Path(tmp)
        source = work / "base.jsonl"
        await _download(ctx, base.records_key, source)
        try:
            built = await asyncio.to_thread(build, source, work)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        return await record_version(
            session,
            ctx,
            dataset=dataset,
            usecase=usecase,
            built=built,
            parent_id=base.id,
            operation=operation,
            details={"from_version": base.number, **details},
            source=base.source,
            actor=user.subject,
        )


async def redact(
    session: AsyncSession, ctx: Context, user: Principal, dataset_id: UUID, number: int, request: RedactRequest
) -> DatasetVersion:
    policy = _redaction(ctx.settings, request.mode, request.entities)
    return await _derive(
        session,
        ctx,
        user,
        dataset_id,
        number,
        operation="redact",
        details={"mode": request.mode, "entities": request.entities},
        redaction=policy,
    )


async def deduplicate(
    session: AsyncSession, ctx: Context, user: Principal, dataset_id: UUID, number: int
) -> DatasetVersion:
    base = await get_version(session, user, dataset_id, number)
    mode = RecordMode(base.record_format)
    threshold = ctx.settings.near_duplicate_threshold

    def keep_first(records: Iterator[CanonicalRecord]) -> Iterator[CanonicalRecord]:
        finder = DuplicateFinder(near_threshold=threshold)
        for index, record in enumerate(records):
            if finder.add(index, record_text(record, mode)) is None:
                yield record

    return await _derive(
        session,
        ctx,
        user,
        dataset_id,
        number,
        operation="dedup",
        details={"near_threshold": threshold},
        transform=keep_first,
    )


async def apply_labels(
    session: AsyncSession, ctx: Context, user: Principal, dataset_id: UUID, number: int, request: LabelRequest
) -> DatasetVersion:
    base = await get_version(session, user, dataset_id, number)
    mode = RecordMode(base.record_format)
    if mode not in (RecordMode.TEXT, RecordMode.CLASSIFICATION):
        raise InvalidInput(f"labels apply to text or classification records, not {mode.value}", field="labels")
    assignments = {a.index: a.label for a in request.labels}
    out_of_range = sorted(i for i in assignments if i >= base.record_count)
    if out_of_range:
        raise InvalidInput(
            f"record index {out_of_range[0]} is out of range (the version has {base.record_count} records)",
            field=f"labels[{[a.index for a in request.labels].index(out_of_range[0])}].index",
        )

    def label(records: Iterator[CanonicalRecord]) -> Iterator[CanonicalRecord]:
        for index, record in enumerate(records):
            value = assignments.get(index, record.get("label", ""))
            if value or request.keep_unlabelled:
                yield {"text": record["text"], "label": value}

    return await _derive(
        session,
        ctx,
        user,
        dataset_id,
        number,
        operation="label",
        details={"labelled": len(assignments), "keep_unlabelled": request.keep_unlabelled},
        transform=label,
        mode=RecordMode.CLASSIFICATION,
    )


async def resplit(
    session: AsyncSession, ctx: Context, user: Principal, dataset_id: UUID, number: int, spec: SplitSpec
) -> DatasetVersion:
    return await _derive(
        session,
        ctx,
        user,
        dataset_id,
        number,
        operation="split",
        details={"ratios": dict(spec.ratios), "seed": spec.seed, "stratified": spec.stratified},
        split=spec,
    )


async def rollback(
    session: AsyncSession, ctx: Context, user: Principal, dataset_id: UUID, to_version: int
) -> DatasetVersion:
    """A new version with the content, reports and splits of an earlier one (history is never rewritten)."""
    dataset = await get_dataset(session, user, dataset_id, for_update=True)
    access.ensure_can_modify(user, dataset)
    target = await get_version(session, user, dataset_id, to_version)
    if target.status == "superseded":
        raise Conflict(f"version {to_version} was superseded by its redacted child and cannot be restored")
    usecase = await _usecase(session, dataset)
    number = await repository.next_version_number(session, dataset.id)
    version = DatasetVersion(
        **{
            **target.model_dump(
                exclude={"id", "number", "parent_id", "operation", "operation_details", "created_by", "created_at"}
            ),
            "number": number,
            "parent_id": dataset.latest_version_id,
            "operation": "rollback",
            "operation_details": {"to_version": to_version},
            "created_by": user.subject,
        }
    )
    await repository.add(session, version)
    dataset.latest_version_id = version.id
    await audit(session, user, "dataset.version.rollback", "dataset", dataset.id, version=number, to_version=to_version)
    await announce(session, ctx, dataset, usecase, version, user.subject)
    return version


# --------------------------------------------------------------------------------------------------------------
# reading records
# --------------------------------------------------------------------------------------------------------------


async def _records_key(
    session: AsyncSession, user: Principal, dataset_id: UUID, number: int, split: str | None
) -> tuple[DatasetVersion, str]:
    dataset = await get_dataset(session, user, dataset_id)
    version = await get_version(session, user, dataset_id, number)
    usecase = await _usecase(session, dataset)
    access.ensure_can_read_content(user, dataset, usecase.sensitivity, version)
    if split is None:
        return version, version.records_key
    if split not in version.split_keys:
        raise InvalidInput(f"split '{split}' does not exist (have: {', '.join(version.split_keys)})", field="split")
    return version, version.split_keys[split]


async def _lines(ctx: Context, key: str) -> AsyncIterator[bytes]:
    pending = b""
    async for chunk in ctx.store.get(key):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            if line.strip():
                yield line
    if pending.strip():
        yield pending


async def preview(
    session: AsyncSession,
    ctx: Context,
    user: Principal,
    dataset_id: UUID,
    number: int,
    *,
    split: str | None,
    offset: int,
    limit: int,
) -> list[dict[str, Any]]:
    if limit > MAX_PREVIEW or offset > MAX_PREVIEW_OFFSET:
        raise InvalidInput(f"limit is at most {MAX_PREVIEW} and offset at most {MAX_PREVIEW_OFFSET}", field="limit")
    _, key = await _records_key(session, user, dataset_id, number, split)
    out: list[dict[str, Any]] = []
    index = 0
    async for line in _lines(ctx, key):
        if index >= offset:
            out.append(json.loads(line))
            if len(out) >= limit:
                break
        index += 1
    await audit(session, user, "dataset.previewed", "dataset", dataset_id, version=number, split=split, count=len(out))
    return out


async def sample(
    session: AsyncSession,
    ctx: Context,
    user: Principal,
    dataset_id: UUID,
    number: int,
    *,
    split: str | None,
    size: int,
    seed: int,
) -> list[dict[str, Any]]:
    """A uniform random sample (reservoir sampling over the stored records; same seed, same sample)."""
    if size > MAX_PREVIEW:
        raise InvalidInput(f"size is at most {MAX_PREVIEW}", field="size")
    _, key = await _records_key(session, user, dataset_id, number, split)
    rng = random.Random(seed)
    reservoir: list[bytes] = []
    index = 0
    async for line in _lines(ctx, key):
        if len(reservoir) < size:
            reservoir.append(line)
        else:
            slot = rng.randint(0, index)
            if slot < size:
                reservoir[slot] = line
        index += 1
    await audit(
        session, user, "dataset.sampled", "dataset", dataset_id, version=number, split=split, count=len(reservoir)
    )
    return [json.loads(line) for line in reservoir]


async def audit_trail(session: AsyncSession, user: Principal, dataset_id: UUID, limit: int) -> list[Any]:
    dataset = await get_dataset(session, user, dataset_id)
    access.ensure_can_read_audit(user, dataset)
    return await repository.audit_entries(session, [str(dataset_id)], limit)
