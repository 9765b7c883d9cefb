"""The official `openai` client against the gateway, with intake, data, training and registry running in-process
on real PostgreSQL and Kafka (no training worker here: jobs stay queued until cancelled)."""

from __future__ import annotations

import json
from contextlib import AsyncExitStack
from typing import Any

import httpx
import openai
import pytest
import pytest_asyncio

from tuneline.common.auth import mint_token
from tuneline.common.testing.helpers import bearer, running_app

pytestmark = pytest.mark.integration

FORM: dict[str, Any] = {
    "title": "Answer plant questions",
    "industry": "Manufacturing",
    "business_unit": "Plant Operations",
    "problem_statement": "Technicians wait for answers to routine questions about the machines.",
    "objectives": [{"statement": "Answer routine questions", "kpis": [{"name": "wait", "target": 1, "unit": "min"}]}],
    "data_sources": [{"name": "faq", "kind": "documents", "volume_estimate": 500, "owner": "ops-data"}],
    "sensitivity": {"pii": False, "regulatory": False, "proprietary": False},
    "model_type": "text",
    "task_type": "generation",
    "candidate_base_model": "smollm2-135m-instruct",
    "fine_tuning_method": "LoRA",
    "evaluation_metrics": ["Accuracy"],
    "expected_outcome": "Answers in seconds",
    "owner": "ana",
    "examples": [
        {"input": "How do I reset press 4?", "desired_output": "Hold the red button for 5 seconds."},
        {"input": "When is the boiler serviced?", "desired_output": "Every second Monday."},
        {"input": "Who repairs the crane?", "desired_output": "The lifting crew."},
    ],
    "request_volume": {"requests_per_day": 100},
    "latency": {"p95_ms": 2000, "interactive": True},
    "time_savings": {"minutes_saved_per_task": 3, "hourly_cost_usd": 60},
    "policy": {"auto_train": False, "data_quality": {"min_examples": 5, "min_quality_score": 0}},
}
MACHINES = ["press", "conveyor", "robot arm", "compressor", "boiler", "lathe", "mill", "pump", "fan", "crane"]


def chat_jsonl() -> bytes:
    lines = [
        {
            "messages": [
                {"role": "system", "content": "You answer maintenance questions."},
                {"role": "user", "content": f"How often is the {m} number {i} serviced in hall {i % 3}?"},
                {"role": "assistant", "content": f"The {m} number {i} is serviced every {i + 2} weeks."},
            ]
        }
        for i, m in enumerate(MACHINES * 2)
    ]
    return "\n".join(json.dumps(line) for line in lines).encode()


class HostRouter(httpx.AsyncBaseTransport):
    """Sends each request to the in-process app named by its host."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self._transports = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._transports[request.url.host].handle_async_request(request)


@pytest_asyncio.fixture(scope="module")
async def stack(database_url, kafka_bootstrap, tmp_path_factory):
    from tuneline.data.app import create_app as data_app
    from tuneline.data.settings import DataSettings
    from tuneline.intake.app import create_app as intake_app
    from tuneline.intake.settings import IntakeSettings
    from tuneline.registry.app import create_app as registry_app
    from tuneline.registry.settings import RegistrySettings
    from tuneline.training.app import create_app as training_app
    from tuneline.training.settings import TrainingSettings

    common = {
        "environment": "test",
        "database_url": database_url,
        "kafka_bootstrap_servers": kafka_bootstrap,
        "kafka_session_timeout_ms": 2000,
        "kafka_fetch_max_wait_ms": 10,
        "outbox_poll_interval_s": 0.1,
    }

    def store(name: str) -> str:
        return tmp_path_factory.mktemp(f"oa-{name}").as_uri()

    apps = {
        "intake": intake_app(IntakeSettings(**common, object_store_url=store("intake"))),
        "data": data_app(DataSettings(**common, object_store_url=store("data"), pii_engine="regex", run_worker=False)),
        "training": training_app(TrainingSettings(**common, object_store_url=store("training"))),
    }
    registry_settings = RegistrySettings(
        **common,
        object_store_url=store("registry"),
        serving_backend="none",
        intake_url="http://intake",
        data_url="http://data",
        training_url="http://training",
        openai_dataset_wait_s=30,
    )
    registry = registry_app(registry_settings, upstream_transport=HostRouter(apps))
    async with AsyncExitStack() as stack_:
        clients = {name: await stack_.enter_async_context(running_app(app)) for name, app in apps.items()}
        await stack_.enter_async_context(running_app(registry))
        yield {"clients": clients, "registry": registry, "settings": registry_settings}


async def approved_usecase(stack) -> str:
    intake, settings = stack["clients"]["intake"], stack["settings"]
    r = await intake.post("/usecases", json=FORM, headers=bearer(settings, "data_owner", subject="ana"))
    assert r.status_code == 201, r.text
    uid = r.json()["id"]
    r = await intake.post(f"/usecases/{uid}/submit", headers=bearer(settings, "data_owner", subject="ana"))
    assert r.is_success, r.text
    assert (
        await intake.post(f"/usecases/{uid}/start-review", headers=bearer(settings, "reviewer", subject="rex"))
    ).is_success
    r = await intake.post(f"/usecases/{uid}/approve", headers=bearer(settings, "reviewer", subject="rex"))
    assert r.status_code == 200, r.text
    return uid


def client_for(stack, project: str | None, api_key: str | None = None) -> openai.AsyncOpenAI:
    settings = stack["settings"]
    key = api_key or mint_token(settings, "ana", ["data_owner", "ml_engineer"])
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=stack["registry"]), base_url="http://registry")
    return openai.AsyncOpenAI(
        base_url="http://registry/v1", api_key=key, project=project, http_client=http, max_retries=0
    )


async def test_openai_client_uploads_a_chat_file_creates_lists_and_cancels_a_job(stack):
    client = client_for(stack, await approved_usecase(stack))

    uploaded = await client.files.create(file=("train.jsonl", chat_jsonl()), purpose="fine-tune")
    assert uploaded.status == "processed" and uploaded.bytes == len(chat_jsonl())
    assert (await client.files.retrieve(uploaded.id)).filename == "train.jsonl"
    assert (await client.files.content(uploaded.id)).content == chat_jsonl()
    assert uploaded.id in [f.id for f in (await client.files.list()).data]

    job = await client.fine_tuning.jobs.create(
        model="smollm2-135m-instruct",
        training_file=uploaded.id,
        hyperparameters={"n_epochs": 2, "batch_size": "auto", "learning_rate_multiplier": 2},
        seed=5,
        suffix="faq",
        extra_headers={"Idempotency-Key": "faq-run-1"},
    )
    assert job.status == "queued" and job.model == "smollm2-135m-instruct" and job.seed == 5
    assert job.hyperparameters.n_epochs == 2 and job.hyperparameters.learning_rate_multiplier == pytest.approx(2)

    again = await client.fine_tuning.jobs.create(
        model="smollm2-135m-instruct", training_file=uploaded.id, extra_headers={"Idempotency-Key": "faq-run-1"}
    )
    assert again.id == job.id
    second = await client.fine_tuning.jobs.create(model="smollm2-135m-instruct", training_file=uploaded.id)
    assert second.id != job.id

    first_page = await client.fine_tuning.jobs.list(limit=1)
    assert [j.id for j in first_page.data] == [second.id] and first_page.has_more
    next_page = await client.fine_tuning.jobs.list(limit=1, after=second.id)
    assert next_page.data[0].id == job.id

    events = await client.fine_tuning.jobs.list_events(job.id)
    assert all(e.level in ("info", "warn", "error") for e in events.data)

    cancelled = await client.fine_tuning.jobs.cancel(job.id)
    assert cancelled.status == "cancelled"
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == "cancelled"
    await client.fine_tuning.jobs.cancel(second.id)
    assert (await client.fine_tuning.jobs.checkpoints.list(job.id)).data == []

    await client.files.delete(uploaded.id)
    with pytest.raises(openai.NotFoundError):
        await client.files.retrieve(uploaded.id)


async def test_errors_come_back_in_openai_shape_naming_the_parameter(stack):
    client = client_for(stack, await approved_usecase(stack))

    with pytest.raises(openai.BadRequestError) as bad_file:
        await client.files.create(file=("bad.jsonl", b'{"messages": [\nnot json\n'), purpose="fine-tune")
    assert bad_file.value.body["param"] == "file" and bad_file.value.body["type"] == "invalid_request_error"

    uploaded = await client.files.create(file=("train.jsonl", chat_jsonl()), purpose="fine-tune")
    with pytest.raises(openai.BadRequestError) as unknown_model:
        await client.fine_tuning.jobs.create(model="gpt-17", training_file=uploaded.id)
    assert unknown_model.value.body["param"] == "model"

    with pytest.raises(openai.BadRequestError) as bad_hp:
        await client.fine_tuning.jobs.create(
            model="smollm2-135m-instruct", training_file=uploaded.id, hyperparameters={"n_epochs": 0}
        )
    assert bad_hp.value.body["param"] == "hyperparameters.n_epochs"

    with pytest.raises(openai.NotFoundError) as missing:
        await client.fine_tuning.jobs.create(model="smollm2-135m-instruct", training_file="file-nope")
    assert missing.value.body["param"] == "training_file"

    with pytest.raises(openai.AuthenticationError) as unauthenticated:
        await client_for(stack, None, api_key="not-a-token").files.list()
    assert unauthenticated.value.body["type"] == "authentication_error"

    with pytest.raises(openai.BadRequestError) as no_project:
        await client_for(stack, None).files.create(file=("t.jsonl", chat_jsonl()), purpose="fine-tune")
    assert no_project.value.body["param"] == "project"

    with pytest.raises(openai.NotFoundError) as not_deployed:
        await client.chat.completions.create(model="nothing-deployed", messages=[{"role": "user", "content": "hi"}])
    assert not_deployed.value.body["param"] == "model"
