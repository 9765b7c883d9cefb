"""Exports through the registry's API against real PostgreSQL and Kafka, on the tiny random Llama with a LoRA adapter:
each format is built by the runner's child process, downloaded, loaded back here and compared with the served
version (the serving engine, base + adapter) on the five check prompts; restarts pick queued and lost exports up."""

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import pytest_asyncio
import torch
from fastapi import FastAPI

from tuneline.common.db import transaction
from tuneline.common.events import (
    DATASET_ERASED,
    EVALUATION_COMPLETED,
    DatasetErased,
    EvaluationCompleted,
    utcnow,
)
from tuneline.common.messaging import publish_now
from tuneline.common.testing.helpers import TEST_TEAM, bearer, eventually, running_app
from tuneline.registry.app import create_app
from tuneline.registry.exports.formats import gguf_quantizations
from tuneline.registry.exports.tables import ExportRow
from tuneline.registry.exports.verify import SAMPLE_INPUTS, encode_chat, greedy, pad_id
from tuneline.registry.models import service as models_service
from tuneline.registry.settings import RegistrySettings

pytestmark = pytest.mark.integration

TOKENS = 4


def settings_for(database_url: str, kafka: str, root: Path, tiny: Path, **overrides: Any) -> RegistrySettings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "kafka_bootstrap_servers": kafka,
        "kafka_session_timeout_ms": 2000,
        "kafka_fetch_max_wait_ms": 10,
        "object_store_url": (root / "objects").as_uri(),
        "outbox_poll_interval_s": 0.2,
        "base_model_dirs": json.dumps({"tiny-base": str(tiny)}),
        "adapter_cache_dir": str(root / "adapter-cache"),
        "inference_sink": "log",
        "export_workdir": str(root / "export-work"),
        "export_verify_max_new_tokens": TOKENS,
        "export_torch_threads": 1,
        "export_heartbeat_interval_s": 0.2,
        "export_stale_after_s": 1.0,
        "export_poll_interval_s": 0.2,
        **overrides,
    }
    return RegistrySettings(**values)


def evaluated(adapter_uri: str, usecase_id: UUID) -> EvaluationCompleted:
    return EvaluationCompleted(
        producer="evaluation",
        usecase_id=usecase_id,
        evaluation_id=uuid4(),
        job_id=uuid4(),
        dataset_version_id=uuid4(),
        task_type="generation",
        base_model="tiny-base",
        adapter_uri=adapter_uri,
        passed=True,
        reasons=["rouge_l 0.5 >= 0.3"],
        metrics_base={"rouge_l": 0.1},
        metrics_tuned={"rouge_l": 0.5},
        team=TEST_TEAM,
    )


@dataclass
class Registry:
    app: FastAPI
    client: httpx.AsyncClient
    settings: RegistrySettings
    objects: Path
    tiny: Path
    make_adapter: Callable[..., Path]

    def as_(self, role: str) -> dict[str, str]:
        return bearer(self.settings, role, subject=f"{role}-1")

    def adapter(self, seed: int) -> Path:
        return self.make_adapter(self.tiny, self.objects / "jobs" / str(uuid4()) / "adapter", seed=seed)

    async def model(self, adapter: Path) -> str:
        usecase = uuid4()
        await publish_now(self.app.state.tuneline.broker, EVALUATION_COMPLETED, evaluated(adapter.as_uri(), usecase))
        name = f"generation-{usecase.hex[:8]}"

        async def registered() -> bool:
            r = await self.client.get(f"/models/{name}/versions", headers=self.as_("viewer"))
            return r.status_code == 200 and len(r.json()) == 1

        await eventually(registered, timeout_s=20, what=f"version 1 of {name}")
        return name

    async def finished(self, name: str, export_id: str, timeout_s: float = 600) -> dict[str, Any]:
        async def done() -> dict[str, Any] | None:
            r = await self.client.get(f"/models/{name}/versions/1/exports/{export_id}", headers=self.as_("viewer"))
            body: dict[str, Any] = r.json()
            return body if body["status"] in ("completed", "failed") else None

        return await eventually(done, timeout_s=timeout_s, interval_s=0.3, what=f"export {export_id} finished")


@pytest_asyncio.fixture(scope="module")
async def registry(  # type: ignore[no-untyped-def]
    database_url, kafka_bootstrap, tmp_path_factory, fake_runtime, registry_tiny_model, registry_adapter_maker
):
    root = tmp_path_factory.mktemp("exports")
    settings = settings_for(database_url, kafka_bootstrap, root, registry_tiny_model)
    app = create_app(settings, runtime=fake_runtime)
    async with running_app(app) as client:
        yield Registry(app, client, settings, root / "objects", registry_tiny_model, registry_adapter_maker)


def served_answers(tiny: Path, adapter: Path) -> list[str]:
    """What the serving engine answers to the check prompts (greedy), the reference every export must meet."""
    from tuneline.registry.serving.engine import AdapterEngine, GenerationParams

    torch.set_num_threads(1)
    engine = AdapterEngine(str(tiny), max_loaded=1)
    params = GenerationParams(max_new_tokens=TOKENS, temperature=0.0)
    messages = [[{"role": "user", "content": p}] for p in SAMPLE_INPUTS]
    return [engine.generate("v1", str(adapter), engine.encode_chat(m), params).text for m in messages]


def answers(tokenizer: Any, model: Any) -> list[str]:
    model.eval()
    out = []
    for prompt in SAMPLE_INPUTS:
        ids = encode_chat(tokenizer, [{"role": "user", "content": prompt}])
        out.append(tokenizer.decode(greedy(model, ids, TOKENS, pad_id(tokenizer)), skip_special_tokens=True))
    return out


def untar(data: bytes, into: Path) -> Path:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    (folder,) = list(into.iterdir())
    return folder


async def test_each_format_downloads_reloads_and_answers_as_the_served_model_on_five_prompts(
    registry: Registry, tmp_path: Path
) -> None:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    adapter = registry.adapter(seed=11)
    name = await registry.model(adapter)
    engineer = registry.as_("ml_engineer")
    asked = {}
    for body in (
        {"format": "merged"},
        {"format": "adapter"},
        {"format": "gguf", "quantization": "F32"},
        {"format": "gguf", "quantization": "q4_0"},
    ):
        r = await registry.client.post(f"/models/{name}/versions/1/exports", json=body, headers=engineer)
        assert r.status_code == 202, r.text
        assert r.json()["status"] in ("queued", "running")
        asked[(body["format"], r.json()["quantization"])] = r.json()["id"]

    # the same request again is the same export
    again = await registry.client.post(
        f"/models/{name}/versions/1/exports", json={"format": "merged"}, headers=engineer
    )
    assert again.status_code == 200 and again.json()["id"] == asked[("merged", None)]

    done = {key: await registry.finished(name, export_id) for key, export_id in asked.items()}
    for key, export in done.items():
        assert export["status"] == "completed", (key, export["reason"])
        check = export["verification"]
        assert check["prompts"] == 5 and len(check["results"]) == 5
        assert export["size_bytes"] == sum(f["size"] for f in export["files"])
    for key in (("merged", None), ("adapter", None), ("gguf", "F32")):
        assert done[key]["verification"]["matched"] == 5 and done[key]["verification"]["passed"], key
    lossy = done[("gguf", "Q4_0")]["verification"]
    assert not lossy["exact_expected"] and lossy["passed"] == (lossy["matched"] == 5)

    listed = await registry.client.get(f"/models/{name}/versions/1/exports", headers=registry.as_("viewer"))
    assert sorted(e["id"] for e in listed.json()) == sorted(asked.values())

    served = served_answers(registry.tiny, adapter)
    base = f"/models/{name}/versions/1/exports"
    deployer = registry.as_("sre")

    # GGUF: one file, its digest as recorded, loaded back by transformers (dequantized)
    gguf = done[("gguf", "F32")]
    got = await registry.client.get(f"{base}/{gguf['id']}/download", headers=deployer)
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == gguf["sha256"]
    file_name = gguf["files"][0]["path"]
    (tmp_path / file_name).write_bytes(got.content)
    tokenizer = AutoTokenizer.from_pretrained(tmp_path, gguf_file=file_name)
    model = AutoModelForCausalLM.from_pretrained(tmp_path, gguf_file=file_name, dtype=torch.float32)
    assert answers(tokenizer, model) == served

    # merged: a tar whose SHA256SUMS holds, loaded with transformers
    merged = done[("merged", None)]
    got = await registry.client.get(f"{base}/{merged['id']}/download", headers=deployer)
    assert got.status_code == 200 and int(got.headers["content-length"]) == len(got.content)
    folder = untar(got.content, tmp_path / "merged")
    assert folder.name == f"{name}-v1-merged"
    sums = (folder / "SHA256SUMS").read_text().splitlines()
    assert hashlib.sha256((folder / "SHA256SUMS").read_bytes()).hexdigest() == merged["sha256"]
    for line in sums:
        digest, path = line.split("  ", 1)
        assert hashlib.sha256((folder / path).read_bytes()).hexdigest() == digest
    model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)
    assert answers(AutoTokenizer.from_pretrained(folder, local_files_only=True), model) == served

    # adapter: the PEFT files, on the base model
    exported = done[("adapter", None)]
    got = await registry.client.get(f"{base}/{exported['id']}/download", headers=engineer)
    folder = untar(got.content, tmp_path / "adapter")
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(registry.tiny), str(folder))
    assert answers(AutoTokenizer.from_pretrained(registry.tiny), model) == served

    # one file of a directory export
    one = await registry.client.get(f"{base}/{merged['id']}/download", params={"file": "config.json"}, headers=deployer)
    assert one.status_code == 200 and json.loads(one.content)["model_type"] == "llama"
    missing = await registry.client.get(
        f"{base}/{merged['id']}/download", params={"file": "nope.bin"}, headers=deployer
    )
    assert missing.status_code == 404 and missing.json()["field"] == "file"

    # the weights are for the people who deploy them; anyone of the team reads the record
    assert (
        await registry.client.get(f"{base}/{merged['id']}/download", headers=registry.as_("viewer"))
    ).status_code == 403

    card = await registry.client.get(f"/models/{name}/versions/1/card", headers=registry.as_("viewer"))
    section = card.text[card.text.index("## Exports") :]
    assert f"`{gguf['sha256']}` | 5/5 prompts identical" in section
    assert "| gguf | Q4_0 |" in section and "| adapter | - |" in section


async def test_erasing_the_training_data_deletes_the_exports_of_the_archived_version(registry: Registry) -> None:
    name = await registry.model(registry.adapter(seed=14))
    engineer, state = registry.as_("ml_engineer"), registry.app.state.tuneline
    asked = await registry.client.post(
        f"/models/{name}/versions/1/exports", json={"format": "adapter"}, headers=engineer
    )
    export = await registry.finished(name, asked.json()["id"])
    assert export["status"] == "completed" and await state.store.list(f"exports/{export['id']}/")
    model = (await registry.client.get(f"/models/{name}", headers=engineer)).json()
    version = (await registry.client.get(f"/models/{name}/versions/1", headers=engineer)).json()
    erased = DatasetErased(
        producer="data",
        usecase_id=model["usecase_id"],
        erasure_id=uuid4(),
        dataset_id=uuid4(),
        version_ids=[version["dataset_version_id"]],
        whole_dataset=False,
        requested_by="alice",
        reason="GDPR request",
    )
    await publish_now(state.broker, DATASET_ERASED, erased)

    async def gone() -> dict[str, Any] | None:
        r = await registry.client.get(f"/models/{name}/versions/1/exports/{export['id']}", headers=engineer)
        return r.json() if r.json()["status"] == "erased" else None

    after = await eventually(gone, timeout_s=30, what="the export erased")
    assert "dataset erased" in after["reason"] and after["files"] == [] and after["sha256"] is None
    assert await state.store.list(f"exports/{export['id']}/") == []
    download = await registry.client.get(f"/models/{name}/versions/1/exports/{export['id']}/download", headers=engineer)
    assert download.status_code == 409
    again = await registry.client.post(
        f"/models/{name}/versions/1/exports", json={"format": "adapter"}, headers=engineer
    )
    assert again.status_code == 409 and "archived" in again.json()["detail"]


async def test_bad_requests_are_422_naming_the_field(registry: Registry) -> None:
    name = await registry.model(registry.adapter(seed=12))
    url, engineer = f"/models/{name}/versions/1/exports", registry.as_("ml_engineer")

    r = await registry.client.post(url, json={"format": "onnx"}, headers=engineer)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "format"

    r = await registry.client.post(url, json={"format": "gguf", "quantization": "Q4_K_M"}, headers=engineer)
    assert r.status_code == 422 and r.json()["field"] == "quantization"
    assert r.json()["supported"] == list(gguf_quantizations())

    r = await registry.client.post(url, json={"format": "merged", "quantization": "Q8_0"}, headers=engineer)
    assert r.status_code == 422 and r.json()["field"] == "quantization"

    r = await registry.client.post(f"/models/{name}/versions/7/exports", json={"format": "merged"}, headers=engineer)
    assert r.status_code == 404
    assert (
        await registry.client.post(url, json={"format": "merged"}, headers=registry.as_("viewer"))
    ).status_code == 403

    formats = await registry.client.get("/models/exports/formats", headers=registry.as_("viewer"))
    assert formats.json()["gguf_quantizations"] == list(gguf_quantizations())
    assert (await registry.client.get(url, headers=engineer)).json() == []  # nothing was queued by the refusals


async def test_a_restarted_registry_builds_queued_exports_and_requeues_or_fails_lost_ones(
    fresh_database_url: str,
    fresh_kafka_bootstrap: str,
    tmp_path: Path,
    fake_runtime: Any,
    registry_tiny_model: Path,
    registry_adapter_maker: Callable[..., Path],
) -> None:
    adapter = registry_adapter_maker(registry_tiny_model, tmp_path / "objects" / "jobs" / "j1" / "adapter", seed=13)
    before = settings_for(fresh_database_url, fresh_kafka_bootstrap, tmp_path, registry_tiny_model, export_workers=0)
    app = create_app(before, runtime=fake_runtime)
    async with running_app(app) as client:  # a registry that only queues (or that stops before building)
        state = app.state.tuneline
        async with transaction(state.sessions) as session:
            loaded = await models_service.register_from_evaluation(session, evaluated(adapter.as_uri(), uuid4()), "t")
        name, version = loaded.row.name, loaded.row_of(1)
        engineer = bearer(before, "ml_engineer", subject="eng")
        queued = await client.post(f"/models/{name}/versions/1/exports", json={"format": "merged"}, headers=engineer)
        assert queued.status_code == 202
        long_ago = utcnow() - timedelta(hours=1)
        async with transaction(state.sessions) as session:  # two exports whose registry died while building them
            lost, spent = uuid4(), uuid4()
            for export_id, fmt, quantization, attempts in ((lost, "adapter", None, 1), (spent, "gguf", "F16", 2)):
                session.add(
                    ExportRow(
                        id=export_id,
                        model_id=loaded.row.id,
                        version_id=version.id,
                        format=fmt,
                        quantization=quantization,
                        status="running",
                        requested_by="eng",
                        attempts=attempts,
                        worker="registry-that-died",
                        heartbeat_at=long_ago,
                        started_at=long_ago,
                        prefix=f"exports/{export_id}",
                    )
                )

    after = settings_for(fresh_database_url, fresh_kafka_bootstrap, tmp_path, registry_tiny_model)
    app = create_app(after, runtime=fake_runtime)
    async with running_app(app) as client:
        registry = Registry(app, client, after, tmp_path / "objects", registry_tiny_model, registry_adapter_maker)
        picked_up = await registry.finished(name, queued.json()["id"])
        assert picked_up["status"] == "completed" and picked_up["verification"]["matched"] == 5
        requeued = await registry.finished(name, str(lost))
        assert requeued["status"] == "completed" and requeued["attempts"] == 2
        given_up = await registry.finished(name, str(spent))
        assert given_up["status"] == "failed" and "lost 2 time(s)" in given_up["reason"]
        assert given_up["files"] == [] and given_up["verification"] is None
