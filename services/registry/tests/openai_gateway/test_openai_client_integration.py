"""The official `openai` client against the gateway, with intake, data, training and registry running in-process
on real PostgreSQL and Kafka. No training worker or evaluation runner here (the end-to-end tests run those): a test
that needs a finished run completes the training job as the worker does and publishes evaluation.completed; Ray
Serve is the in-memory FakeRuntime (tests/serving covers Ray Serve itself)."""

from __future__ import annotations

import json
from contextlib import AsyncExitStack
from typing import Any

import httpx
import openai
import pytest
import pytest_asyncio

from tuneline.cli.demo.forms import service_questions_form
from tuneline.common.auth import mint_token
from tuneline.common.testing.helpers import bearer, running_app

pytestmark = pytest.mark.integration

FORM = service_questions_form(policy={"auto_train": False, "data_quality": {"min_examples": 5, "min_quality_score": 0}})
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


@pytest.fixture(scope="module")
def gateway_database_url(postgres_admin_url):
    """A database of this module's own: key creation re-applies every deployment in the registry's schema, and
    deployments other registry tests left behind name base models this app does not have."""
    from tuneline.common.testing.fixtures import scratch_database

    with scratch_database(postgres_admin_url, "gateway") as url:
        yield url


@pytest_asyncio.fixture(scope="module")
async def stack(gateway_database_url, kafka_bootstrap, tmp_path_factory, fake_runtime):
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
        "database_url": gateway_database_url,
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
    registry = registry_app(registry_settings, runtime=fake_runtime, upstream_transport=HostRouter(apps))
    async with AsyncExitStack() as stack_:
        clients = {name: await stack_.enter_async_context(running_app(app)) for name, app in apps.items()}
        await stack_.enter_async_context(running_app(registry))
        yield {"clients": clients, "apps": apps, "registry": registry, "settings": registry_settings}


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


async def fine_tuning_key(stack, *, fine_tuning: bool = True, models: list[str] | None = None) -> str:
    settings, registry = stack["settings"], stack["registry"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=registry), base_url="http://registry") as http:
        r = await http.post(
            "/models/keys",
            json={"name": "ci-pipeline", "models": models or [], "fine_tuning": fine_tuning},
            headers=bearer(settings, "data_owner", "ml_engineer", subject="ana"),
        )
    assert r.status_code == 201, r.text
    assert sorted(r.json()["fine_tuning_roles"]) == (["data_owner", "ml_engineer"] if fine_tuning else [])
    return str(r.json()["key"])


async def finish_training(stack, training_job_id: str) -> None:
    """What the training worker does when a run ends (the worker itself runs in the end-to-end tests)."""
    from uuid import UUID

    from tuneline.common.db import transaction
    from tuneline.training.jobs import service as training

    state = stack["apps"]["training"].state.tuneline
    async with transaction(state.sessions) as session:
        job = await training.get_job(session, UUID(training_job_id))
        job.status = "starting"  # as the worker's claim leaves it
        await training.start_job(session, state.settings, job)
    async with transaction(state.sessions) as session:
        job = await training.get_job(session, UUID(training_job_id))
        metadata = {"status": "completed", "tokens_trained": 4321, "final_metrics": {"train_loss": 0.4}}
        await training.complete_job(session, state.settings, job, "file:///adapters/faq", metadata)


async def evaluation_completed(
    stack, usecase_id: str, training_job_id: str, *, passed: bool, adapter: str, review_required: bool = False
) -> None:
    from uuid import UUID, uuid4

    from tuneline.common.events import EVALUATION_COMPLETED, EvaluationCompleted
    from tuneline.common.messaging import publish_now

    event = EvaluationCompleted(
        producer="evaluation",
        usecase_id=UUID(usecase_id),
        evaluation_id=uuid4(),
        job_id=UUID(training_job_id),
        dataset_version_id=uuid4(),
        task_type="chat",
        base_model="smollm2-135m-instruct",
        adapter_uri=adapter,
        passed=passed,
        reasons=["general suite 55% -> 52%"] if passed else ["general suite fell from 55% to 30% (-25 points)"],
        metrics_base={"rougeL": 0.2},
        metrics_tuned={"rougeL": 0.6},
        review_required=review_required,
    )
    await publish_now(stack["registry"].state.tuneline.broker, EVALUATION_COMPLETED, event)


async def training_job_of(stack, ftjob_id: str) -> str:
    from tuneline.common.db import transaction
    from tuneline.registry.openai_gateway.tables import OpenAIJobRow

    async with transaction(stack["registry"].state.tuneline.sessions) as session:
        row = await session.get(OpenAIJobRow, ftjob_id)
        assert row is not None
        return str(row.training_job_id)


async def wait_for_status(client: openai.AsyncOpenAI, job_id: str, wanted: str) -> Any:
    import asyncio

    for _ in range(200):
        job = await client.fine_tuning.jobs.retrieve(job_id)
        if job.status == wanted:
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} stayed {job.status}, expected {wanted}")


@pytest.fixture
def adapter_dir(tmp_path):
    """The trained adapter as the training worker leaves it (the FakeRuntime only needs it to exist)."""
    directory = tmp_path / "adapter"
    directory.mkdir()
    (directory / "adapter_config.json").write_text('{"peft_type": "LORA", "r": 8}')
    (directory / "adapter_model.safetensors").write_bytes(b"weights")
    return directory


async def test_one_fine_tuning_key_drives_files_and_jobs_and_then_may_call_its_model(stack, fake_runtime, adapter_dir):
    usecase_id = await approved_usecase(stack)
    key = await fine_tuning_key(stack)
    client = client_for(stack, usecase_id, api_key=key)

    uploaded = await client.files.create(file=("train.jsonl", chat_jsonl()), purpose="fine-tune")
    job = await client.fine_tuning.jobs.create(model="smollm2-135m-instruct", training_file=uploaded.id)
    assert job.status == "queued" and job.organization_id == "ana"  # the key acts as its owner
    # the owner's own token sees the same job
    assert (await client_for(stack, usecase_id).fine_tuning.jobs.retrieve(job.id)).id == job.id

    training_job_id = await training_job_of(stack, job.id)
    await finish_training(stack, training_job_id)
    running = await client.fine_tuning.jobs.retrieve(job.id)
    assert running.status == "running" and running.fine_tuned_model is None  # evaluating: not usable yet

    await evaluation_completed(stack, usecase_id, training_job_id, passed=True, adapter=adapter_dir.as_uri())
    done = await wait_for_status(client, job.id, "succeeded")
    assert done.fine_tuned_model and done.trained_tokens == 4321 and done.finished_at is not None
    served = fake_runtime.current(done.fine_tuned_model)  # deployed: the name chat/completions routes
    assert done.fine_tuned_model in [m.id for m in (await client.models.list()).data]
    # and the key that fine-tuned may now call it (its scope reaches the router with the app set)
    prefix = key.split("_")[1]
    assert any(k.prefix == prefix and done.fine_tuned_model in k.models for k in served.router.keys)


async def test_a_job_the_release_gate_blocks_fails_with_the_gates_reasons(stack, adapter_dir):
    usecase_id = await approved_usecase(stack)
    client = client_for(stack, usecase_id)
    uploaded = await client.files.create(file=("train.jsonl", chat_jsonl()), purpose="fine-tune")
    job = await client.fine_tuning.jobs.create(model="smollm2-135m-instruct", training_file=uploaded.id)
    training_job_id = await training_job_of(stack, job.id)
    await finish_training(stack, training_job_id)
    await evaluation_completed(stack, usecase_id, training_job_id, passed=False, adapter=adapter_dir.as_uri())
    failed = await wait_for_status(client, job.id, "failed")
    assert failed.error.code == "evaluation_gate_failed" and "general suite fell" in failed.error.message
    assert failed.fine_tuned_model is None


async def review(stack, model: str, *, approved: bool, comment: str = "") -> None:
    settings, registry = stack["settings"], stack["registry"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=registry), base_url="http://registry") as http:
        r = await http.post(
            f"/models/{model}/versions/1/review",
            json={"approved": approved, "comment": comment},
            headers=bearer(settings, "reviewer", subject="rex"),
        )
    assert r.status_code == 200, r.text


async def trained_and_evaluated_needing_review(stack, adapter_dir) -> tuple[openai.AsyncOpenAI, str, str]:
    """A job whose version passed the gate but needs a human review (free-text answers); returns its model name."""
    usecase_id = await approved_usecase(stack)
    key = await fine_tuning_key(stack)
    client = client_for(stack, usecase_id, api_key=key)
    uploaded = await client.files.create(file=("train.jsonl", chat_jsonl()), purpose="fine-tune")
    job = await client.fine_tuning.jobs.create(model="smollm2-135m-instruct", training_file=uploaded.id)
    training_job_id = await training_job_of(stack, job.id)
    await finish_training(stack, training_job_id)
    await evaluation_completed(
        stack, usecase_id, training_job_id, passed=True, adapter=adapter_dir.as_uri(), review_required=True
    )
    import asyncio

    for _ in range(200):
        events = (await client.fine_tuning.jobs.list_events(job.id, limit=50)).data
        waiting = [e for e in events if "waits for a human review" in e.message]
        if waiting:
            break
        await asyncio.sleep(0.1)
    assert waiting and waiting[0].level == "warn", [e.message for e in events]
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == "running"
    return client, job.id, str(waiting[0].data["model"])


async def test_a_job_waiting_for_human_review_is_served_once_a_reviewer_approves(stack, fake_runtime, adapter_dir):
    client, job_id, model = await trained_and_evaluated_needing_review(stack, adapter_dir)
    live = fake_runtime.applied[-1] if fake_runtime.applied else []
    assert all(app.name != model for app in live)  # nothing serves it before the review

    await review(stack, model, approved=True, comment="answers read well")
    done = await wait_for_status(client, job_id, "succeeded")
    assert done.fine_tuned_model == model and fake_runtime.current(model)
    messages = [e.message for e in (await client.fine_tuning.jobs.list_events(job_id, limit=50)).data]
    assert any("rex approved" in m for m in messages) and any(f"serves as model {model!r}" in m for m in messages)


async def test_a_job_whose_review_is_rejected_fails_with_the_reviewers_verdict(stack, fake_runtime, adapter_dir):
    client, job_id, model = await trained_and_evaluated_needing_review(stack, adapter_dir)
    await review(stack, model, approved=False, comment="invents service intervals")
    failed = await wait_for_status(client, job_id, "failed")
    assert failed.error.code == "human_review_rejected" and "invents service intervals" in failed.error.message
    assert failed.fine_tuned_model is None


async def test_keys_that_may_not_fine_tune_are_refused_in_openai_shape(stack):
    usecase_id = await approved_usecase(stack)
    inference_only = await fine_tuning_key(stack, fine_tuning=False, models=["some-model"])
    with pytest.raises(openai.PermissionDeniedError) as refused:
        await client_for(stack, usecase_id, api_key=inference_only).files.list()
    assert refused.value.body["code"] == "insufficient_permissions" and "inference key" in refused.value.message
    listed = await client_for(stack, None, api_key=inference_only).models.list()  # it may list what it may call
    assert all(m.id == "some-model" for m in listed.data)
    forged = inference_only[:-4] + "abcd"
    with pytest.raises(openai.AuthenticationError) as unknown:
        await client_for(stack, usecase_id, api_key=forged).files.list()
    assert unknown.value.body["code"] == "invalid_api_key"


def validation_jsonl() -> bytes:
    """Held-out questions of the same kind (other halls), uploaded as a job's validation_file."""
    lines = [
        {
            "messages": [
                {"role": "user", "content": f"Which crew looks after the {m} in hall {i + 5}?"},
                {"role": "assistant", "content": f"Crew {i + 1} looks after the {m} in hall {i + 5}."},
            ]
        }
        for i, m in enumerate(MACHINES)
    ]
    return "\n".join(json.dumps(line) for line in lines).encode()


async def version_of(stack, file_id: str) -> str:
    from tuneline.common.db import transaction
    from tuneline.registry.openai_gateway.tables import OpenAIFileRow

    async with transaction(stack["registry"].state.tuneline.sessions) as session:
        row = await session.get(OpenAIFileRow, file_id)
        assert row is not None and row.version_id is not None
        return str(row.version_id)


async def test_a_validation_file_is_what_the_training_job_validates_on(stack):
    from uuid import UUID

    from tuneline.training.jobs import repository as training_jobs

    client = client_for(stack, await approved_usecase(stack))
    train = await client.files.create(file=("train.jsonl", chat_jsonl()), purpose="fine-tune")
    held_out = await client.files.create(file=("valid.jsonl", validation_jsonl()), purpose="fine-tune")
    assert held_out.status == "processed", held_out.status_details

    job = await client.fine_tuning.jobs.create(
        model="smollm2-135m-instruct", training_file=train.id, validation_file=held_out.id
    )
    assert job.validation_file == held_out.id
    training_job_id = await training_job_of(stack, job.id)
    viewer = bearer(stack["settings"], "viewer")
    training = (await stack["clients"]["training"].get(f"/jobs/{training_job_id}", headers=viewer)).json()
    assert training["validation_dataset_version_id"] == await version_of(stack, held_out.id)
    assert training["dataset_version_id"] == await version_of(stack, train.id)
    async with stack["apps"]["training"].state.tuneline.sessions() as session:
        row = await training_jobs.get_job(session, UUID(training_job_id))
        assert row is not None
        version = await training_jobs.get_dataset_version(session, UUID(training["validation_dataset_version_id"]))
        assert version is not None
    # every record of the file: all the splits the data service cut it into, none of the training file's
    assert row.validation_uris and sorted(row.validation_uris) == sorted(version.split_uris.values())
    assert not set(row.validation_uris) & set(row.split_uris.values())
    await client.fine_tuning.jobs.cancel(job.id)


async def upload_once_data_knows_the_usecase(client: openai.AsyncOpenAI, content: bytes) -> Any:
    """The approval reaches the data service over Kafka: a file uploaded right after it may be early."""
    import asyncio

    for _ in range(100):
        try:
            return await client.files.create(file=("valid.jsonl", content), purpose="fine-tune")
        except openai.NotFoundError as exc:
            if "not approved" not in exc.message:
                raise
            await asyncio.sleep(0.1)
    raise AssertionError("the data service never saw the use case's approval")


async def test_a_validation_file_of_another_use_case_or_record_format_is_refused_naming_it(stack):
    client = client_for(stack, await approved_usecase(stack))
    train = await client.files.create(file=("train.jsonl", chat_jsonl()), purpose="fine-tune")

    elsewhere = client_for(stack, await approved_usecase(stack))  # the same person, another use case
    foreign = await upload_once_data_knows_the_usecase(elsewhere, validation_jsonl())
    with pytest.raises(openai.BadRequestError) as other_usecase:
        await client.fine_tuning.jobs.create(
            model="smollm2-135m-instruct", training_file=train.id, validation_file=foreign.id
        )
    assert other_usecase.value.body["param"] == "validation_file"
    assert "another use case" in other_usecase.value.body["message"]

    # prompt/completion records while the training file holds chats: refused by the training service
    completions = "\n".join(
        json.dumps({"prompt": f"Service interval of the {m}?", "completion": f"{i + 2} weeks"})
        for i, m in enumerate(MACHINES)
    ).encode()
    other_format = await client.files.create(file=("valid.jsonl", completions), purpose="fine-tune")
    assert other_format.status == "processed", other_format.status_details
    with pytest.raises(openai.BadRequestError) as wrong_format:
        await client.fine_tuning.jobs.create(
            model="smollm2-135m-instruct", training_file=train.id, validation_file=other_format.id
        )
    assert wrong_format.value.body["param"] == "validation_file"
    assert "records" in wrong_format.value.body["message"]

    with pytest.raises(openai.NotFoundError) as missing:
        await client.fine_tuning.jobs.create(
            model="smollm2-135m-instruct", training_file=train.id, validation_file="file-nope"
        )
    assert missing.value.body["param"] == "validation_file"
