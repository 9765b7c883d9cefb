"""The official `openai` client drives a whole fine-tune on the real stack with one Tuneline key: files.create
(training and validation files) → fine_tuning.jobs.create → retrieve until succeeded → list_events →
checkpoints.list → chat.completions.create.

Real processes as `tuneline up` runs them: the training worker trains a base model named through
`TUNELINE_BASE_MODEL_DIRS` (the tiny random Llama of the training tests: this test is about the client's whole flow,
not the model's quality, which tests/e2e/test_lifecycle.py measures on SmolLM2) for a few LoRA steps, validating on
the validation file, the evaluation runner compares base and tuned with the forgetting gate, the registry registers
the version; free-text answers need a person, so the job waits (running, saying so in its events) until a reviewer
approves the version, and is then served on Ray Serve; the chat request goes through the gateway to its router.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import openai
import pytest

from tuneline.cli import stack as stack_mod
from tuneline.cli.demo.command import DEMO_ENV
from tuneline.cli.demo.forms import service_questions_form
from tuneline.common.auth import mint_token

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1800)]

FORM = service_questions_form()
#: The team of every person here: one team owns the use case, its files, jobs and model.
TEAM = "support-ops"
MACHINES = ["press", "conveyor", "robot arm", "compressor", "boiler", "lathe", "mill", "pump", "fan", "crane"]


def chat_jsonl(first: int, count: int) -> bytes:
    lines = [
        {
            "messages": [
                {"role": "user", "content": f"How often is the {MACHINES[i % 10]} number {i} serviced?"},
                {
                    "role": "assistant",
                    "content": f"The {MACHINES[i % 10]} number {i} is serviced every {i % 5 + 2} weeks.",
                },
            ]
        }
        for i in range(first, first + count)
    ]
    return "\n".join(json.dumps(line) for line in lines).encode()


def approved_usecase(intake_url: str, settings: Any) -> str:
    def headers(role: str, subject: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(settings, subject, [role], team=TEAM)}"}

    with httpx.Client(base_url=intake_url, timeout=30) as http:
        created = http.post("/usecases", json=FORM, headers=headers("data_owner", "ana"))
        assert created.status_code == 201, created.text
        uid = created.json()["id"]
        assert http.post(f"/usecases/{uid}/submit", headers=headers("data_owner", "ana")).is_success
        assert http.post(f"/usecases/{uid}/start-review", headers=headers("reviewer", "rex")).is_success
        approved = http.post(f"/usecases/{uid}/approve", headers=headers("reviewer", "rex"))
        assert approved.status_code == 200, approved.text
    return str(uid)


def fine_tuning_key(registry_url: str, settings: Any) -> str:
    token = mint_token(settings, "ana", ["data_owner", "ml_engineer"], team=TEAM)
    with httpx.Client(base_url=registry_url, timeout=30) as http:
        created = http.post(
            "/models/keys",
            json={"name": "faq-pipeline", "fine_tuning": True},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert created.status_code == 201, created.text
    return str(created.json()["key"])


def approve_version(registry_url: str, settings: Any, model: str, version: int) -> None:
    token = mint_token(settings, "rex", ["reviewer"], team=TEAM)
    # The answer comes once the approved version serves (a first deployment starts Ray Serve and loads the model).
    with httpx.Client(base_url=registry_url, timeout=300) as http:
        approved = http.post(
            f"/models/{model}/versions/{version}/review",
            json={"approved": True, "comment": "answers give the right intervals"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert approved.status_code == 200, approved.text


#: The name the client asks for: a key of TUNELINE_BASE_MODEL_DIRS, accepted by /v1/fine_tuning/jobs like a built-in.
BASE_MODEL = "tiny-llama"


def test_the_official_client_fine_tunes_and_chats_with_one_key(start_stack, dev_settings, tmp_path):
    from tuneline.training.worker.base_models import build_tiny_model

    env = {
        **DEMO_ENV,
        "TUNELINE_BASE_MODEL_DIRS": json.dumps({BASE_MODEL: str(build_tiny_model(tmp_path / "tiny-model"))}),
        # A random base model has no general capability to forget: the gate's limits say nothing here.
        "TUNELINE_GATE_MAX_PERPLEXITY_RATIO": "1000000",
        "TUNELINE_GATE_MAX_SUITE_DROP": "1.0",
        "TUNELINE_GATE_SUITE_LIMIT": "4",
        "TUNELINE_GATE_GENERAL_TEXT_LIMIT": "4",
        "TUNELINE_EVAL_MAX_NEW_TOKENS": "16",
    }
    stack = start_stack(stack_mod.runnable_services(), workers=True, env=env)
    urls = {p.name: p.url for p in stack.processes if p.url}
    usecase_id = approved_usecase(urls["intake"], dev_settings)
    key = fine_tuning_key(urls["registry"], dev_settings)
    client = openai.OpenAI(base_url=f"{urls['registry']}/v1", api_key=key, project=usecase_id, timeout=120)

    deadline = time.monotonic() + 60
    while True:  # the data service learns of the approval through usecase.approved
        try:
            uploaded = client.files.create(file=("faq.jsonl", chat_jsonl(0, 40)), purpose="fine-tune")
            break
        except openai.APIStatusError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    assert uploaded.status == "processed", uploaded.status_details
    validation = client.files.create(file=("faq-validation.jsonl", chat_jsonl(40, 12)), purpose="fine-tune")
    assert validation.status == "processed", validation.status_details

    job = client.fine_tuning.jobs.create(
        model=BASE_MODEL,
        training_file=uploaded.id,
        validation_file=validation.id,
        hyperparameters={"n_epochs": 1, "batch_size": 8, "learning_rate_multiplier": 2},
        suffix="faq",
    )
    deadline, reviewed = time.monotonic() + 1500, False
    while job.status not in ("succeeded", "failed", "cancelled"):
        assert time.monotonic() < deadline, f"job stayed {job.status}"
        time.sleep(3)
        job = client.fine_tuning.jobs.retrieve(job.id)
        waiting = [e for e in client.fine_tuning.jobs.list_events(job.id, limit=5).data if "human review" in e.message]
        if waiting and not reviewed:  # free text: a reviewer reads the side-by-side sample and approves
            assert job.status == "running" and waiting[0].level == "warn"
            approve_version(urls["registry"], dev_settings, waiting[0].data["model"], 1)
            reviewed = True
    assert job.status == "succeeded", job.error
    assert reviewed, "a free-text fine-tune is served only after a human review"
    assert job.fine_tuned_model and job.trained_tokens and job.finished_at

    events = client.fine_tuning.jobs.list_events(job.id, limit=100).data
    assert any(e.type == "metrics" for e in events) and any(e.type == "message" for e in events)
    assert any(e.type == "metrics" and e.data.get("valid_loss") is not None for e in events)  # the validation file
    checkpoints = client.fine_tuning.jobs.checkpoints.list(job.id).data
    assert checkpoints and all(c.fine_tuned_model_checkpoint.startswith(job.fine_tuned_model) for c in checkpoints)

    assert job.fine_tuned_model in [m.id for m in client.models.list().data]
    reply = client.chat.completions.create(
        model=job.fine_tuned_model,
        messages=[{"role": "user", "content": "How often is the pump number 7 serviced?"}],
        max_tokens=16,
    )
    assert reply.choices[0].message.content
    assert reply.model == job.fine_tuned_model
