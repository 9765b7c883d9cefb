"""A classification use case from another domain than the demo's, end to end on the real stack: customer-support
tickets routed to billing / technical / account / shipping, with the use case's own instruction in the intake form;
at the end the dataset is erased, and with it everything made from it, in every service's tables and the store.

The form's task description and labels become the use case's prompt template; it travels with the lifecycle
events and is stored with the dataset version and the model version; training and evaluation put every ticket in
it, the model card states it, and a client that follows only the model card gets labels back — from /v1/classify
(raw ticket in, label out: the server applies the template) and from /v1/chat/completions with the template the
card shows. The base model is the tiny random Llama the training tests use (a local directory, as any customer
base model may be), so the test is about the contract, not about model quality; the forgetting gate's limits are
opened because a random base model's general-text perplexity says nothing.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tuneline.cli import stack as stack_mod
from tuneline.cli.demo.command import DEMO_ENV
from tuneline.cli.demo.lifecycle import People
from tuneline.common.auth import mint_token
from tuneline.common.testing.leaks import tables_holding
from tuneline.sdk import Tuneline
from tuneline.sdk.http import ApiError

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(2400)]

T = TypeVar("T")
LABELS = ["billing", "technical", "account", "shipping"]
INSTRUCTION = "Route this customer-support ticket to the team that should handle it."
_TOPICS = {
    "billing": ["I was charged twice on my invoice", "refund for the duplicate payment", "my card was billed again"],
    "technical": ["the app crashes when I open settings", "error 500 on the login page", "sync fails with a timeout"],
    "account": ["please reset my password", "change the email on my profile", "close my account and delete it"],
    "shipping": ["my parcel never arrived", "the courier lost my package", "track my delivery, it is late"],
}
_OPENERS = ["Hello,", "Hi team,", "Urgent:", "Good morning,", "Quick question:", ""]
_PRODUCTS = [
    "the phone case",
    "my subscription",
    "the blue jacket",
    "the coffee grinder",
    "the starter kit",
    "my order",
]
_CLOSERS = ["Thanks.", "Please help.", "This is the second time.", "Kind regards.", "Waiting for an answer.", ""]


def tickets(n: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = LABELS[i % len(LABELS)]
        text = f"{rng.choice(_OPENERS)} {rng.choice(_TOPICS[label])}, about {rng.choice(_PRODUCTS)}. "
        rows.append({"text": " ".join(f"{text}{rng.choice(_CLOSERS)}".split()), "label": label})
    rng.shuffle(rows)
    return rows


def support_form(base_model: str) -> dict[str, Any]:
    return {
        "title": "Route customer-support tickets",
        "industry": "E-commerce",
        "business_unit": "Customer Service",
        "problem_statement": "Agents read every incoming ticket to forward it to the team that can solve it.",
        "objectives": [
            {
                "statement": "Forward every ticket to the right team automatically",
                "kpis": [
                    {"name": "routing time", "target": 1, "unit": "minutes", "baseline": 5, "direction": "decrease"}
                ],
            }
        ],
        "data_sources": [{"name": "helpdesk tickets", "kind": "tickets", "volume_estimate": 4000, "owner": "cs-ops"}],
        "sensitivity": {"pii": False, "regulatory": False, "proprietary": True},
        "model_type": "text",
        "task_type": "classification",
        "candidate_base_model": base_model,
        "base_model_parameters": 1_000_000,
        "fine_tuning_method": "lora",
        "evaluation_metrics": ["accuracy"],
        "expected_outcome": "Tickets reach the right team without an agent reading them",
        "owner": "cs-lead",
        "examples": [
            {"input": "I was charged twice on my invoice", "desired_output": "billing"},
            {"input": "the app crashes when I open settings", "desired_output": "technical"},
            {"input": "my parcel never arrived", "desired_output": "shipping"},
        ],
        "labels": LABELS,
        "task_description": INSTRUCTION,
        "output_format": "Reply with the team name only.",
        "input_name": "Ticket",
        "request_volume": {"requests_per_day": 2000},
        "latency": {"p95_ms": 3000, "interactive": True},
        "time_savings": {"minutes_saved_per_task": 2, "hourly_cost_usd": 40},
        "policy": {
            "auto_train": False,
            "training_preset": "quick_start",
            # Templated test tickets are near-duplicates of each other by design: data quality is not under test.
            "data_quality": {
                "min_quality_score": 0,
                "min_examples": 40,
                "max_duplicate_ratio": 1.0,
                "max_pii_ratio": 1.0,
            },
            "redaction": "none",
        },
    }


def until(what: str, check: Callable[[], T | None], timeout_s: float, poll_s: float = 1.0) -> T:
    deadline = time.monotonic() + timeout_s
    last: ApiError | None = None
    while True:
        try:
            value = check()
        except ApiError as exc:
            if exc.status not in (404, 409, 422, 503):
                raise
            value, last = None, exc
        if value is not None:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}; last answer: {last}"
        time.sleep(poll_s)


def test_support_ticket_router_is_trained_evaluated_and_served_with_its_own_instruction(
    start_stack, dev_settings, fresh_database_url: str, tmp_path: Path
) -> None:
    from tuneline.training.worker.base_models import build_tiny_model

    base_model = str(build_tiny_model(tmp_path / "tiny-model"))
    env = {
        **DEMO_ENV,
        # A random base model has no general capability to forget: the gate's limits say nothing here.
        "TUNELINE_GATE_MAX_PERPLEXITY_RATIO": "1000000",
        "TUNELINE_GATE_MAX_SUITE_DROP": "1.0",
        "TUNELINE_GATE_SUITE_LIMIT": "4",
        "TUNELINE_GATE_GENERAL_TEXT_LIMIT": "4",
        "TUNELINE_EVAL_MAX_NEW_TOKENS": "8",
    }
    stack = start_stack(stack_mod.runnable_services(), workers=True, env=env)
    urls = {p.name: p.url for p in stack.processes if p.url}
    serving_url = f"http://{stack.config.host}:{stack.config.serving_port}"

    def person(subject: str, *roles: str) -> Tuneline:
        # Generous timeouts: on a busy shared machine the upload's PII scan alone can outlast the SDK default.
        return Tuneline(mint_token(dev_settings, subject, list(roles), team="cs-ops"), urls, serving_url=serving_url,
                        timeout_s=600)  # fmt: skip

    people = People(
        submitter=person("lena@shop.example", "data_owner"),
        reviewer=person("rui@shop.example", "reviewer"),
        data_owner=person("dana@shop.example", "data_owner"),
        ml_engineer=person("mike@shop.example", "ml_engineer"),
        sre=person("sam@shop.example", "sre"),
        admin=person("ada@shop.example", "admin"),
    )

    # intake: the form carries the task's own instruction
    usecase = people.submitter.intake.create(support_form(base_model))
    people.submitter.intake.submit(usecase.id)
    people.reviewer.intake.start_review(usecase.id)
    people.reviewer.intake.approve(usecase.id, reason="clear routing task, labelled history available")

    # data: the dataset version stores the use case's template
    dataset_id = until(
        "data learning of the approval",
        lambda: people.data_owner.data.create_dataset(usecase.id, "helpdesk tickets 2026").id,
        60,
    )
    path = tmp_path / "tickets.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in tickets(200, seed=3)))
    version = people.data_owner.data.upload(dataset_id, path, split="80/10/10").version
    assert version is not None and version.status == "ready", version
    template = people.data_owner.data.version(dataset_id, version.number).prompt_template
    assert template is not None and template["instruction"] == INSTRUCTION and template["input_name"] == "Ticket"
    assert template["labels"] == LABELS

    # training on the tiny model, with enough steps for it to learn four labels in the template
    engineer = people.ml_engineer
    hyper = {"batch_size": 8, "learning_rate": 1e-3, "lora_rank": 16, "lora_dropout": 0.0, "epochs": 6}
    job = until(
        "training learning of the version",
        lambda: engineer.training.create_job(str(version.id), preset="balanced", hyperparameters=hyper),
        60,
    )
    job = engineer.training.wait(job.id, timeout_s=900, poll_s=1.0)
    assert job.status == "succeeded", job.failure_reason

    # evaluation: put the held-out tickets in the same template; the version is registered with it
    evaluation = engineer.evaluation.for_job(job.id, usecase_id=job.usecase_id, timeout_s=900, poll_s=1.0)
    assert evaluation.status == "completed", evaluation

    def registered() -> tuple[str, Any] | None:
        for model in engineer.registry.models(usecase_id=job.usecase_id):
            for v in engineer.registry.versions(model.name):
                if str(v.job_id) == str(job.id):
                    return model.name, v
        return None

    name, model_version = until("the registered version", registered, 120)
    assert model_version.prompt_template is not None and model_version.prompt_template["labels"] == LABELS
    assert evaluation.passed, evaluation.reasons
    if model_version.stage != "staging" or (model_version.evaluation or {}).get("review_required"):
        engineer.registry.review(name, model_version.version, approved=True, comment="routing looks right")

    # the model card states the template: it is all a client gets
    card = engineer.registry.card(name, model_version.version)
    how_to = card.split("## How to prompt", 1)[1].split("\n## ", 1)[0]
    assert INSTRUCTION in how_to and "- labels: `billing`, `technical`, `account`, `shipping`" in how_to
    assert "maintenance" not in how_to.lower() and "Ticket: <your input>" in how_to
    example = re.search(r"```text\n(.*?)\n```", how_to, re.S)
    assert example is not None and "<your input>" in example.group(1)

    people.admin.registry.set_policy(name, log_prompts=True)  # policy changes are admin-only
    engineer.registry.deploy(name, model_version.version)

    def healthy() -> Any:
        deployment = engineer.registry.deployment(name)
        assert deployment.status != "failed", deployment.detail
        return deployment if deployment.status == "healthy" else None

    deployment = until(f"{name} serving on Ray Serve", healthy, 600, poll_s=2.0)
    key = engineer.registry.create_key("helpdesk", [name]).key
    assert key is not None
    client = engineer.inference(key, url=deployment.endpoint)

    # a client following only the card: the raw ticket to /v1/classify ...
    held_out = tickets(16, seed=99)
    answers = [
        until("a classification", lambda row=row: client.classify(name, row["text"]), 180, 2.0) for row in held_out
    ]
    assert all(a["labels"] == LABELS and a["label"] in (*LABELS, None) for a in answers), answers
    labelled = [a for a in answers if a["label"] is not None]
    # A tiny random model learns the format, not the task (in-process: 8 of 16 exact labels after 6 epochs): the
    # contract is under test — labels come back from the raw input alone, and only from the card's label set.
    assert len(labelled) >= len(answers) // 4, [a["output"] for a in answers]
    correct = sum(a["label"] == row["label"] for a, row in zip(answers, held_out, strict=True))
    print(f"served routing accuracy {correct}/{len(held_out)}; evaluation {evaluation.metrics_tuned}")

    # ... or the card's user message, filled in, to /v1/chat/completions
    prompt = example.group(1).replace("<your input>", held_out[0]["text"])
    reply = client.chat(name, [{"role": "user", "content": prompt}], max_tokens=8, temperature=0)
    assert reply.text.strip() and answers[0]["output"].strip().startswith(reply.text.strip())

    # erasure (the right to deletion): the dataset goes, and with it everything made from it, in every service
    erased = people.data_owner.data.erase(dataset_id, reason="customer asked for the deletion of their tickets")
    report = people.data_owner.data.wait_for_erasure(dataset_id, timeout_s=300, poll_s=2.0)
    assert report.complete, f"services that did not confirm: {report.pending}"
    assert erased.id == report.id and set(report.services) >= {"training", "evaluation", "registry", "monitoring"}
    [archived] = [v for v in engineer.registry.versions(name) if v.version == model_version.version]
    assert archived.stage == "archived", archived

    def refused() -> int | None:
        try:
            client.classify(name, held_out[0]["text"])
        except ApiError as exc:
            return exc.status
        return None

    assert until("the erased model to stop serving", refused, 300, 2.0) in (401, 403, 404)
    # nothing of the tickets is left in any service's tables (tombstones keep ids and the reason, not records) ...
    texts = {row["text"] for row in tickets(200, seed=3)} | {row["text"] for row in held_out}
    assert not tables_holding(fresh_database_url, texts), tables_holding(fresh_database_url, texts)
    # ... nor in the object store: no dataset object, no adapter, no report or file holding a ticket
    objects = stack.config.data_dir / "objects"
    left = [p for p in objects.rglob("*") if p.is_file() and (str(dataset_id) in str(p) or str(job.id) in str(p))]
    assert not left, left
    holding = [
        p for p in objects.rglob("*") if p.is_file() and any(t.encode() in p.read_bytes() for t in list(texts)[:50])
    ]
    assert not holding, holding
