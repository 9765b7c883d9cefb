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
from tuneline.common.testing.helpers import TEST_TEAM, bearer, eventually, running_app

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
async def stack(gateway_database_url, kafka_bootstrap, tmp_path_factory, fake_runtime, registry_tiny_model):
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
        # the base model of the fine-tuning jobs, as a directory: the test must not depend on a model cache that an
        # earlier test (or an earlier run on this machine) happened to fill
        base_model_dirs=json.dumps({"smollm2-135m-instruct": str(registry_tiny_model)}),
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
    await data_knows(stack, uid)
    return uid


async def data_knows(stack, usecase_id: str) -> None:
    """usecase.approved reaches the data service over the broker: a file for the use case waits for it."""
    from uuid import UUID

    from tuneline.data.usecases.tables import DataUseCase

    sessions = stack["apps"]["data"].state.tuneline.sessions

    async def recorded() -> bool:
        async with sessions() as session:
            return await session.get(DataUseCase, UUID(usecase_id)) is not None

    await eventually(recorded, timeout_s=30, what="the approval reaching the data service")


def client_for(stack, project: str | None, api_key: str | None = None) -> openai.AsyncOpenAI:
    settings = stack["settings"]
    key = api_key or mint_token(settings, "ana", ["data_owner", "ml_engineer"], team=TEST_TEAM)
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


async def fine_tuning_key(
    stack,
    *,
    fine_tuning: bool = True,
    models: list[str] | None = None,
    subject: str = "ana",
    team: str = TEST_TEAM,
    usecase_id: str | None = None,
) -> str:
    settings, registry = stack["settings"], stack["registry"]
    body: dict[str, Any] = {"name": "ci-pipeline", "models": models or [], "fine_tuning": fine_tuning}
    if usecase_id is not None:
        body["usecase_id"] = usecase_id
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=registry), base_url="http://registry") as http:
        r = await http.post(
            "/models/keys", json=body, headers=bearer(settings, "data_owner", "ml_engineer", subject=subject, team=team)
        )
    assert r.status_code == 201, r.text
    assert sorted(r.json()["fine_tuning_roles"]) == (["data_owner", "ml_engineer"] if fine_tuning else [])
    return str(r.json()["key"])


async def finish_training(stack, training_job_id: str) -> None:
    """What the training worker does when a run ends (the worker itself runs in the end-to-end tests)."""
    from uuid import UUID

    from tuneline.common.db import transaction
    from tuneline.common.results import TrainingMetadata
    from tuneline.training.jobs import repository as training_jobs
    from tuneline.training.jobs import service as training

    state = stack["apps"]["training"].state.tuneline
    async with transaction(state.sessions) as session:
        job = await training_jobs.get_job(session, UUID(training_job_id))
        assert job is not None
        job.status = "starting"  # as the worker's claim leaves it
        await training.start_job(session, state.settings, job)
    async with transaction(state.sessions) as session:
        job = await training_jobs.get_job(session, UUID(training_job_id))
        assert job is not None
        metadata = TrainingMetadata(status="completed", tokens_trained=4321, final_metrics={"train_loss": 0.4})
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
        team=TEST_TEAM,  # the use case's (ana's team), as evaluation stores it from job.completed
    )
    await publish_now(stack["registry"].state.tuneline.broker, EVALUATION_COMPLETED, event)


async def registered_model(stack, usecase_id: str) -> str:
    """A model the registry registered for the use case (a blocked version: nothing serves it); returns its name."""
    from uuid import UUID, uuid4

    await evaluation_completed(stack, usecase_id, str(uuid4()), passed=False, adapter="file:///adapters/none")
    name = f"chat-{UUID(usecase_id).hex[:8]}"
    settings, registry = stack["settings"], stack["registry"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=registry), base_url="http://registry") as http:

        async def registered() -> bool:
            r = await http.get(f"/models/{name}", headers=bearer(settings, "viewer"))
            return r.status_code == 200

        await eventually(registered, what=f"model {name} registered")
    return name


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


async def test_a_key_of_another_team_cannot_upload_into_a_use_case_it_names(stack):
    """The attack: a fine-tuning key of a person of another team names a use case it does not belong to (the
    OpenAI-Project header) and uploads a file into it. The data service refuses the dataset (the key acts in its
    creator's team), the gateway answers in OpenAI's shape, and no dataset of the use case is left behind."""
    usecase_id = await approved_usecase(stack)
    intruder = await fine_tuning_key(stack, subject="ivan", team="other-team")
    with pytest.raises(openai.PermissionDeniedError) as refused:
        await client_for(stack, usecase_id, api_key=intruder).files.create(
            file=("train.jsonl", chat_jsonl()), purpose="fine-tune"
        )
    assert "belongs to team 'test-team'" in refused.value.message
    data = stack["clients"]["data"]
    listed = await data.get(
        "/datasets", params={"usecase_id": usecase_id}, headers=bearer(stack["settings"], "admin", subject="ada")
    )
    assert listed.status_code == 200 and listed.json() == []
    # the team's own key uploads into the same use case
    own = await fine_tuning_key(stack)
    uploaded = await client_for(stack, usecase_id, api_key=own).files.create(
        file=("train.jsonl", chat_jsonl()), purpose="fine-tune"
    )
    assert uploaded.id


async def test_a_key_bound_to_a_use_case_needs_no_project_and_cannot_name_another(stack):
    """A script written for OpenAI's API runs unchanged with a key bound to one use case (no OpenAI-Project header),
    names the base model by its Hugging Face id in any case, and cannot reach another use case by naming it."""
    usecase_id, other = await approved_usecase(stack), await approved_usecase(stack)
    bound = await fine_tuning_key(stack, usecase_id=usecase_id)
    client = client_for(stack, None, api_key=bound)
    uploaded = await upload_once_data_knows_the_usecase(client, chat_jsonl())
    assert uploaded.status == "processed"
    job = await client.fine_tuning.jobs.create(model="HuggingFaceTB/SmolLM2-135M-Instruct", training_file=uploaded.id)
    assert job.model == "smollm2-135m-instruct"
    assert (await training_job_usecase(stack, job.id)) == usecase_id
    await client.fine_tuning.jobs.cancel(job.id)

    with pytest.raises(openai.PermissionDeniedError) as refused:
        await client_for(stack, other, api_key=bound).files.create(file=("x.jsonl", chat_jsonl()), purpose="fine-tune")
    assert refused.value.body["code"] == "project_not_allowed" and refused.value.body["param"] == "project"
    assert f"bound to use case {usecase_id}" in refused.value.message
    with pytest.raises(openai.BadRequestError) as unknown:
        await client.fine_tuning.jobs.create(model="HuggingFaceTB/SmolLM2-1.7B", training_file=uploaded.id)
    assert unknown.value.body["param"] == "model"

    settings, registry = stack["settings"], stack["registry"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=registry), base_url="http://registry") as http:
        r = await http.post(
            "/models/keys",
            json={"name": "inference", "models": ["m"], "usecase_id": usecase_id},
            headers=bearer(settings, "ml_engineer", subject="ana"),
        )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "usecase_id", r.text


async def training_job_usecase(stack, ftjob_id: str) -> str:
    training = stack["clients"]["training"]
    job = await training.get(
        f"/jobs/{await training_job_of(stack, ftjob_id)}", headers=bearer(stack["settings"], "admin", subject="ada")
    )
    assert job.status_code == 200, job.text
    return str(job.json()["usecase_id"])


async def test_keys_that_may_not_fine_tune_are_refused_in_openai_shape(stack):
    usecase_id = await approved_usecase(stack)
    model = await registered_model(stack, usecase_id)  # a key names registered models of its team only
    inference_only = await fine_tuning_key(stack, fine_tuning=False, models=[model])
    with pytest.raises(openai.PermissionDeniedError) as refused:
        await client_for(stack, usecase_id, api_key=inference_only).files.list()
    assert refused.value.body["code"] == "insufficient_permissions" and "inference key" in refused.value.message
    listed = await client_for(stack, None, api_key=inference_only).models.list()  # it may list what it may call
    assert all(m.id == model for m in listed.data)
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


# ============================================================================ erasure: nothing left behind

PLANTED = "Erika Mustermann of Linz asked whether her pump 4 leaks"


def planted_jsonl() -> bytes:
    lines = [
        {
            "messages": [
                {"role": "user", "content": f"{PLANTED}, ticket {i}?" if i % 2 == 0 else f"Is the {m} {i} due?"},
                {"role": "assistant", "content": f"The {m} number {i} is serviced every {i + 2} weeks."},
            ]
        }
        for i, m in enumerate(MACHINES * 2)
    ]
    return "\n".join(json.dumps(line) for line in lines).encode()


@pytest.fixture
def erasure_database_url(postgres_admin_url):
    from tuneline.common.testing.fixtures import scratch_database

    with scratch_database(postgres_admin_url, "erasure") as url:
        yield url


@pytest_asyncio.fixture
async def every_service(erasure_database_url, fresh_kafka_bootstrap, tmp_path, fake_runtime):
    """All six services in process on one database and one object store (as one installation shares a bucket)."""
    from tuneline.data.app import create_app as data_app
    from tuneline.data.settings import DataSettings
    from tuneline.evaluation.app import create_app as evaluation_app
    from tuneline.evaluation.settings import EvaluationSettings
    from tuneline.intake.app import create_app as intake_app
    from tuneline.intake.settings import IntakeSettings
    from tuneline.monitoring.app import create_app as monitoring_app
    from tuneline.monitoring.settings import MonitoringSettings
    from tuneline.registry.app import create_app as registry_app
    from tuneline.registry.settings import RegistrySettings
    from tuneline.training.app import create_app as training_app
    from tuneline.training.settings import TrainingSettings

    common = {
        "environment": "test",
        "database_url": erasure_database_url,
        "kafka_bootstrap_servers": fresh_kafka_bootstrap,
        "kafka_session_timeout_ms": 2000,
        "kafka_fetch_max_wait_ms": 10,
        "outbox_poll_interval_s": 0.1,
        "object_store_url": (tmp_path / "objects").as_uri(),
    }
    apps = {
        "intake": intake_app(IntakeSettings(**common)),
        "data": data_app(DataSettings(**common, pii_engine="regex", run_worker=False)),
        "training": training_app(TrainingSettings(**common)),
        "evaluation": evaluation_app(EvaluationSettings(**common)),
        "monitoring": monitoring_app(MonitoringSettings(**common, run_background_loops=False)),
    }
    base = tmp_path / "base"  # the FakeRuntime only needs the base model's directory to exist
    base.mkdir()
    (base / "config.json").write_text("{}")
    registry_settings = RegistrySettings(
        **common,
        base_model_dirs=json.dumps({"smollm2-135m-instruct": str(base)}),
        adapter_cache_dir=str(tmp_path / "adapter-cache"),
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


#: Where an erased id may stay, by design: the tombstone and each service's record of the erasure, the audit trails
#: and the events that were sent (ids, who, when; never content), and intake's timeline of lifecycle facts and the
#: progress summary folded from them.
IDS_MAY_STAY = {"data_erasures", "erasures_applied", "audit_log", "outbox_events", "intake_timeline", "intake_usecases"}


async def leftovers(sessions, needles: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Every (schema.table.column, needle name) whose text or JSON holds a needle, in every service's schema."""
    import sqlalchemy as sa

    found = []
    async with sessions() as session:
        columns = (
            await session.execute(
                sa.text(
                    "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema IN ('intake', 'data', 'training', 'evaluation', 'registry', 'monitoring') "
                    "AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'bytea')"
                )
            )
        ).all()
        for schema, table, column, data_type in columns:
            for name, needle in needles.items():
                value = f"encode(\"{column}\", 'escape')" if data_type == "bytea" else f'"{column}"::text'
                stmt = f'SELECT count(*) FROM "{schema}"."{table}" WHERE {value} ILIKE :needle'  # noqa: S608
                if (await session.execute(sa.text(stmt), {"needle": f"%{needle}%"})).scalar_one():
                    found.append(f"{schema}.{table}.{column}: {name}")
    return found


async def test_deleting_an_openai_file_erases_its_data_everywhere_and_leaves_nothing_behind(every_service, adapter_dir):
    """The file becomes a dataset version, a training job, an evaluation with review items and a report, a served
    model version with logged prompts and a drift reference. DELETE /v1/files/{id} erases it: every service confirms,
    and no text or JSON column of any service's schema nor any stored object holds the erased data or (outside the
    tombstones and trails) its ids."""
    import asyncio
    from uuid import UUID

    import sqlalchemy as sa

    from tuneline.common.db import transaction
    from tuneline.common.events import INFERENCE_LOGGED, InferenceLogged
    from tuneline.common.messaging import publish_now
    from tuneline.evaluation.evaluations.tables import EvaluationReviewItem, EvaluationRun
    from tuneline.monitoring.drift.tables import DatasetReferenceRow
    from tuneline.monitoring.rollups.tables import InferenceEventRow
    from tuneline.registry.openai_gateway.tables import OpenAIFileRow
    from tuneline.training.jobs.tables import TrainingDatasetVersion

    stack, apps = every_service, every_service["apps"]
    usecase_id = await approved_usecase(stack)
    client = client_for(stack, usecase_id)
    uploaded = await client.files.create(file=("tickets.jsonl", planted_jsonl()), purpose="fine-tune")
    assert uploaded.status == "processed"
    async with stack["registry"].state.tuneline.sessions() as session:
        row = await session.get(OpenAIFileRow, uploaded.id)
        assert row is not None and row.version_id is not None
        dataset_id, version_id = row.dataset_id, row.version_id

    async def known(app: str, table: type, key: UUID) -> bool:  # type: ignore[type-arg]
        async with apps[app].state.tuneline.sessions() as session:
            return await session.get(table, key) is not None

    await eventually(lambda: known("training", TrainingDatasetVersion, version_id), timeout_s=30, what="training")
    await eventually(lambda: known("monitoring", DatasetReferenceRow, version_id), timeout_s=30, what="reference")

    # a fine-tune: the job trains (as the worker leaves it: an adapter in the store) and is evaluated
    job = await client.fine_tuning.jobs.create(model="smollm2-135m-instruct", training_file=uploaded.id)
    training_job_id = await training_job_of(stack, job.id)
    store = apps["training"].state.tuneline.store
    for path in adapter_dir.iterdir():
        await store.put(f"jobs/{training_job_id}/adapter/{path.name}", path.read_bytes())
    await finish_training(stack, training_job_id)

    async def evaluation_queued() -> EvaluationRun | None:
        async with apps["evaluation"].state.tuneline.sessions() as session:
            stmt = sa.select(EvaluationRun).where(EvaluationRun.job_id == UUID(training_job_id))
            return (await session.execute(stmt)).scalars().first()

    run = await eventually(evaluation_queued, timeout_s=30, what="the evaluation queued")
    # what the runner leaves: a report with samples, review items with prompts and outputs
    await store.put(f"evaluations/{run.id}/report.json", json.dumps({"worst_cases": [PLANTED]}).encode())
    async with transaction(apps["evaluation"].state.tuneline.sessions) as session:
        session.add(
            EvaluationReviewItem(
                evaluation_id=run.id,
                item_id="i1",
                record_id="r1",
                prompt=PLANTED,
                reference="every 2 weeks",
                output_a=PLANTED,
                output_b="every 3 weeks",
                tuned_side="a",
            )
        )
    from tuneline.common.events import EVALUATION_COMPLETED, EvaluationCompleted

    await publish_now(
        stack["registry"].state.tuneline.broker,
        EVALUATION_COMPLETED,
        EvaluationCompleted(
            producer="evaluation",
            usecase_id=UUID(usecase_id),
            evaluation_id=run.id,
            job_id=UUID(training_job_id),
            dataset_version_id=version_id,
            task_type="chat",
            base_model="smollm2-135m-instruct",
            adapter_uri=store.uri(f"jobs/{training_job_id}/adapter"),
            passed=True,
            reasons=["general suite 55% -> 52%"],
            team=TEST_TEAM,  # the use case's, as evaluation stores it from job.completed
        ),
    )
    done = await wait_for_status(client, job.id, "succeeded")
    versions = await client.models.list()
    assert done.fine_tuned_model in [m.id for m in versions.data]
    async with stack["registry"].state.tuneline.sessions() as session:
        from tuneline.registry.models.tables import VersionRow

        model_version = (
            (await session.execute(sa.select(VersionRow).where(VersionRow.dataset_version_id == version_id)))
            .scalars()
            .one()
        )
    logged = InferenceLogged(
        producer="registry",
        request_id="req-1",
        model_name=str(done.fine_tuned_model),
        version_id=model_version.id,
        latency_ms=10,
        tokens_in=12,
        tokens_out=6,
        prompt=PLANTED,
        output=f"Yes: {PLANTED}",
    )
    await publish_now(stack["registry"].state.tuneline.broker, INFERENCE_LOGGED, logged)

    async def ingested() -> bool:
        async with apps["monitoring"].state.tuneline.sessions() as session:
            return await session.get(InferenceEventRow, logged.event_id) is not None

    await eventually(ingested, timeout_s=30, what="the logged prompt")
    needles = {"dataset id": str(dataset_id), "version id": str(version_id), "planted text": PLANTED}
    sessions = apps["data"].state.tuneline.sessions
    before = await leftovers(sessions, needles)
    assert any("planted text" in hit for hit in before), before  # the scan sees what it looks for

    await client.files.delete(uploaded.id)

    owner = bearer(stack["settings"], "data_owner", subject="ana")

    async def complete() -> dict[str, Any] | None:
        r = await stack["clients"]["data"].get(f"/datasets/{dataset_id}/erasure", headers=owner)
        return r.json() if r.status_code == 200 and r.json()["complete"] else None

    report = await eventually(complete, timeout_s=60, what="every service confirming the erasure")
    assert report["scope"] == "versions" and report["version_ids"] == [str(version_id)]
    assert report["services"]["registry"]["counts"]["archived"] == 1
    assert report["services"]["monitoring"]["counts"]["inference_events"] == 1
    await asyncio.sleep(1)  # the acknowledgements' own outbox rows settle

    hits = await leftovers(sessions, needles)
    not_allowed = [h for h in hits if "planted text" in h or h.split(".")[1] not in IDS_MAY_STAY]
    assert not_allowed == [], not_allowed
    for info in await store.list(""):
        assert str(dataset_id) not in info.key and str(version_id) not in info.key, info.key
        assert PLANTED.encode() not in await store.read_bytes(info.key), info.key
    assert await store.list(f"jobs/{training_job_id}/") == []
    assert await store.list(f"evaluations/{run.id}/") == []
