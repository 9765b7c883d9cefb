"""Chaos tier, whole lifecycle: intake → data → training → evaluation → release → serving survives kill -9 of each
of the six services at a different stage, a kill of the training worker mid-run, and a broker restart.

The stack runs as `tuneline up` runs it (every service and worker its own process, a broker of the stack's own),
supervised in a background thread that restarts whatever dies. The base model is the tiny random Llama of the
training tests: the tier is about what survives, not about model quality. Each kill and its recovery is printed.
Afterwards every table of the lifecycle is checked: one use case, one dataset version, one training job, one
evaluation, one model version, one deployment, monitoring counted every served request exactly once, and no
consumer handled one event twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tuneline.cli import stack as stack_mod
from tuneline.cli.demo.command import DEMO_ENV
from tuneline.common.auth import mint_token
from tuneline.common.infra import free_port_block
from tuneline.sdk import Tuneline
from tuneline.sdk.http import ApiError

from .chaos import kill_and_recover, restart_broker, say, supervised_stack
from .conftest import FAST_ENV
from .test_support_ticket_routing import support_form, tickets

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1800)]

T = TypeVar("T")
TEAM = "cs-ops"
#: The worker of a killed worker's job is declared lost after this long without a heartbeat (default 60 s).
HEARTBEAT_TIMEOUT_S = 10


def _eventually(what: str, check: Callable[[], T | None], timeout_s: float = 180.0, poll_s: float = 0.5) -> T:
    """The value of `check` once it has one; answers a restarting service gives on the way are not failures."""
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
        except ApiError as exc:
            if exc.status not in (404, 409, 422, 502, 503):
                raise
            value, last = None, exc
        except (httpx.HTTPError, OSError) as exc:
            value, last = None, exc
        if value is not None and value is not False:
            return value
        time.sleep(poll_s)
    raise AssertionError(f"{what} not reached within {timeout_s}s; last error: {last!r}")


@pytest.fixture
def lifecycle_stack(fresh_database_url: str, tmp_path: Path) -> Iterator[stack_mod.Stack]:
    """Every service and worker, a broker of the stack's own, the supervisor polling as `tuneline up` does."""
    env = {
        **DEMO_ENV,
        **FAST_ENV,
        "TUNELINE_PII_ENGINE": "regex",
        "TUNELINE_BROKER_CHECK_INTERVAL_S": "0.5",
        "TUNELINE_HEARTBEAT_INTERVAL_S": "1",
        "TUNELINE_HEARTBEAT_TIMEOUT_S": str(HEARTBEAT_TIMEOUT_S),
        # A random base model has no general capability to forget: the gate's limits say nothing here.
        "TUNELINE_GATE_MAX_PERPLEXITY_RATIO": "1000000",
        "TUNELINE_GATE_MAX_SUITE_DROP": "1.0",
        "TUNELINE_GATE_SUITE_LIMIT": "4",
        "TUNELINE_GATE_GENERAL_TEXT_LIMIT": "4",
        "TUNELINE_EVAL_MAX_NEW_TOKENS": "8",
        "TUNELINE_WORKER_TORCH_THREADS": "1",
    }
    config = stack_mod.StackConfig(
        data_dir=tmp_path / "stack",
        base_port=free_port_block(len(stack_mod.SERVICES)),
        kafka_port=free_port_block(1),
        serving_port=free_port_block(1),
        database_url=fresh_database_url,
        services=stack_mod.runnable_services(),
        workers=True,
        ready_timeout_s=180,
        extra_env=env,
    )
    with supervised_stack(config) as stack:
        yield stack


def test_a_whole_lifecycle_survives_a_kill_of_each_service_the_worker_and_a_broker_restart(
    lifecycle_stack, dev_settings, sql, tmp_path: Path
) -> None:
    from tuneline.training.worker.base_models import build_tiny_model

    stack = lifecycle_stack
    base_model = str(build_tiny_model(tmp_path / "tiny-model"))
    urls = {p.name: p.url for p in stack.processes if p.url}
    serving_url = f"http://{stack.config.host}:{stack.config.serving_port}"

    def person(subject: str, *roles: str) -> Tuneline:
        token = mint_token(dev_settings, subject, list(roles), team=TEAM)
        return Tuneline(token, urls, serving_url=serving_url, timeout_s=300, max_retries=8)

    owner, reviewer = person("lena@shop.example", "data_owner"), person("rui@shop.example", "reviewer")
    engineer, admin, sre = (
        person("mike@shop.example", "ml_engineer"),
        person("ada@shop.example", "admin"),
        person("sam@shop.example", "sre"),
    )

    # intake dies while a use case is being drafted
    usecase = owner.intake.create(support_form(base_model))
    kill_and_recover(stack, "intake", "the use case's drafting")
    owner.intake.submit(usecase.id)
    reviewer.intake.start_review(usecase.id)
    reviewer.intake.approve(usecase.id, reason="chaos: routing task")
    say(f"use case approved ({usecase.id})")

    # data dies once the approval reached it, before the upload
    dataset_id = _eventually("data learning of the approval", lambda: owner.data.create_dataset(usecase.id, "t").id)
    kill_and_recover(stack, "data", "the dataset's creation, before its upload")
    path = tmp_path / "tickets.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in tickets(120, seed=5)))
    version = _eventually("an upload after data's restart", lambda: owner.data.upload(dataset_id, path).version)
    assert version is not None and version.status == "ready", version
    say(f"dataset version {version.number} ready")

    # the broker restarts empty between data and training: what it had acknowledged is re-published
    restart_broker(stack, "the hand-over from data to training")

    # training dies with the job queued; the worker dies with it running
    # a short run that checkpoints often, so the worker's loss is resumed from a checkpoint, not from the start
    hyper = {"batch_size": 8, "learning_rate": 1e-3, "lora_rank": 8, "epochs": 2, "checkpoint_interval": 2}
    job = _eventually(
        "training learning of the version",
        lambda: engineer.training.create_job(str(version.id), preset="quick_start", hyperparameters=hyper),
    )
    kill_and_recover(stack, "training", "a queued job")

    def past_first_steps() -> Any:
        current = engineer.training.get_job(job.id)
        return current if current.status == "running" and current.step >= 3 else None

    running = _eventually("the job past its first steps", past_first_steps, 300, 0.2)
    kill_and_recover(stack, "training-worker", f"the job's step {running.step} of {running.total_steps}")
    job = engineer.training.wait(job.id, timeout_s=600, poll_s=1.0)
    assert job.status == "succeeded", job.failure_reason
    say(f"job {job.id} succeeded after its worker's loss ({job.total_steps} steps)")

    # evaluation dies while the job's completion is on its way to it
    kill_and_recover(stack, "evaluation", "the delivery of job.completed")
    evaluation = _eventually(
        "the job's evaluation",
        lambda: engineer.evaluation.for_job(job.id, usecase_id=usecase.id, timeout_s=600, poll_s=1.0),
        660,
    )
    assert evaluation.status == "completed" and evaluation.passed, evaluation

    # the registry dies while the evaluation's result is on its way to it
    kill_and_recover(stack, "registry", "the delivery of evaluation.completed")

    def registered() -> tuple[str, Any] | None:
        for model in engineer.registry.models(usecase_id=usecase.id):
            for v in engineer.registry.versions(model.name):
                if str(v.job_id) == str(job.id):
                    return model.name, v
        return None

    name, model_version = _eventually("the registered version", registered)
    if model_version.stage != "staging" or (model_version.evaluation or {}).get("review_required"):
        engineer.registry.review(name, model_version.version, approved=True, comment="chaos: looks right")
    admin.registry.set_policy(name, log_prompts=True)
    engineer.registry.deploy(name, model_version.version)

    retries = []

    def healthy() -> Any:
        deployment = engineer.registry.deployment(name)
        if deployment.status == "failed":  # e.g. Ray's start timing out on a loaded machine: a person deploys again
            assert len(retries) < 2, deployment.detail
            retries.append(deployment.detail)
            say(f"deployment failed ({deployment.detail}); deploying again")
            engineer.registry.deploy(name, model_version.version)
            return None
        return deployment if deployment.status == "healthy" else None

    deployment = _eventually(f"{name} serving", healthy, 600, 2.0)
    key = engineer.registry.create_key("chaos", [name]).key
    assert key is not None
    client = engineer.inference(key, url=deployment.endpoint)

    # monitoring dies while served traffic is being ingested
    held_out = tickets(12, seed=99)
    for i, row in enumerate(held_out):
        _eventually("a classification", lambda row=row: client.classify(name, row["text"]), 180, 1.0)
        if i == len(held_out) // 2:
            kill_and_recover(stack, "monitoring", f"the ingestion of served request {i + 1} of {len(held_out)}")

    def all_counted() -> int | None:
        total = sre.monitoring.current(name).total_requests()
        return total if total >= len(held_out) else None

    _eventually("monitoring counting every served request", all_counted, 240, 2.0)
    time.sleep(5)  # anything delivered twice would arrive by now
    counted = sre.monitoring.current(name).total_requests()
    say(f"monitoring counted {counted} requests of {len(held_out)}")

    # Nothing lost, nothing doubled.
    uid = str(usecase.id)
    assert len(sql("SELECT 1 FROM intake.intake_usecases WHERE id = $1::uuid", uid)) == 1
    versions = sql("SELECT number FROM data.data_dataset_versions WHERE dataset_id = $1::uuid", str(dataset_id))
    assert [r["number"] for r in versions] == [version.number]
    jobs = sql("SELECT id, status FROM training.training_jobs WHERE usecase_id = $1::uuid", uid)
    assert [(str(r["id"]), r["status"]) for r in jobs] == [(str(job.id), "succeeded")]
    runs = sql("SELECT id FROM evaluation.evaluation_runs WHERE job_id = $1::uuid", str(job.id))
    assert len(runs) == 1
    model_versions = sql("SELECT version FROM registry.registry_model_versions WHERE job_id = $1::uuid", str(job.id))
    assert [r["version"] for r in model_versions] == [model_version.version]
    deployments = sql(
        "SELECT 1 FROM registry.registry_deployments d JOIN registry.registry_models m ON m.id = d.model_id"
        " WHERE m.name = $1",
        name,
    )
    assert len(deployments) == 1
    assert counted == len(held_out), f"monitoring counted {counted} of {len(held_out)} served requests"
    # each step's outcome was announced once, however often its cause was delivered (the broker lost and re-got
    # everything the outboxes had sent; killed consumers saw their batches again)
    announced = {
        ("training", "job.completed"): str(job.id),
        ("evaluation", "evaluation.completed"): str(job.id),
        ("registry", "model.registered"): str(job.id),
        ("data", "dataset.ready"): str(version.id),
    }
    for (schema, topic), about in announced.items():
        rows = sql(
            f"SELECT count(*) AS n FROM {schema}.outbox_events WHERE topic = $1 AND payload LIKE $2",  # noqa: S608
            topic,
            f"%{about}%",
        )
        assert rows[0]["n"] == 1, f"{schema} published {topic} about {about} {rows[0]['n']} times"
    restarts = {p.name: p.restarts for p in stack.processes}
    killed = ("intake", "data", "training", "training-worker", "evaluation", "registry", "monitoring")
    assert {n: restarts[n] for n in killed} == dict.fromkeys(killed, 1), restarts
    say(f"tables checked: one of each, {counted} requests counted once; restarts {restarts}")
