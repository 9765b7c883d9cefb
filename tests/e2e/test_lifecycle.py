"""The whole lifecycle on the real stack, as `tuneline demo` runs it: every step through public APIs and events.

Real SmolLM2-135M training on CPU, evaluation, Ray Serve, monitoring and drift, because this test is about model
quality: the tuned model must beat the base model and answer with labels once served (2026-12-06 on this 2-core
machine: data 6 s, training 245 s with the general replay answers generated cold, evaluation 91 s, release 17 s,
serving 8 s, drift 56 s). The demo's last leg — a retrained version served as a 10% canary, then promoted — is a
second SmolLM2 training that says nothing more about quality (5 minutes): it is not run here. The browser walk
(tests/console/test_browser_walk.py) takes a retrained version through review, a 10% canary taking traffic and
its promotion on real processes, and libs/sdk/tests/test_demo_lifecycle.py checks the demo's own canary leg.
The services run as the processes `tuneline up` starts; teardown stops every one of them (and their children)
whether the test passes or not. Time to model is measured by bench/bench_time_to_model.py, not asserted here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import openai
import pytest

from tuneline.cli import stack as stack_mod
from tuneline.cli.demo.command import DEMO_ENV
from tuneline.cli.demo.lifecycle import DEMO_HYPERPARAMETERS, DemoSizes, Lifecycle, People

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(2400)]

SIZES = DemoSizes(served_requests=12)  # the demo's own data and recipe


def test_use_case_to_served_model_to_drift_and_retraining(start_stack, dev_settings, json_log_lines, tmp_path):
    missing = [s for s in stack_mod.SERVICES if s not in stack_mod.runnable_services()]
    assert not missing, f"services without an entry point (python -m tuneline.<svc>): {missing}"
    spans = tmp_path / "spans"  # every process (services, workers, serving replicas) writes its spans here
    stack = start_stack(
        stack_mod.runnable_services(), workers=True, env={**DEMO_ENV, "TUNELINE_TRACE_EXPORT_DIR": str(spans)}
    )
    urls = {p.name: p.url for p in stack.processes if p.url}
    serving_url = f"http://{stack.config.host}:{stack.config.serving_port}"
    lifecycle = Lifecycle(People.minted(urls, serving_url, dev_settings), tmp_path / "demo", print, SIZES)
    stages = lifecycle.run(tuple(step for step in Lifecycle.STEPS if step != "canary"))
    report = "\n".join(f"{s.name}: {s.status} {s.detail}" for s in stages)
    assert all(s.status == "ok" for s in stages), report
    out = lifecycle.outcome

    # data: duplicates removed, planted personal data redacted, splits without leakage
    version = out.dataset_version
    assert version is not None
    assert version.record_count == out.planted["records"] - out.planted["duplicates"]
    assert version.pii_scanned and version.remaining_pii == 0
    assert sum(version.split_counts.values()) == version.record_count

    # training: the steps the recipe implies (task + general replay examples in batches of 8, per epoch)
    job = out.job
    assert job is not None and job.status == "succeeded"
    train = version.split_counts["train"]
    replayed = math.ceil(train * DEMO_HYPERPARAMETERS["general_replay"])
    assert job.total_steps == math.ceil((train + replayed) / 8) * SIZES.epochs
    assert job.method_ran == "lora"

    # evaluation: the tuned model beats the base model on held-out data and the gate let it through
    assert out.version is not None
    evaluation = out.version.evaluation or {}
    assert evaluation.get("passed") is True
    base, tuned = evaluation["metrics_base"], evaluation["metrics_tuned"]
    assert tuned["accuracy"] > base["accuracy"] + 0.3, (base, tuned)

    # serving and monitoring: the served model answers with labels, and monitoring counted the traffic
    assert out.served_accuracy is not None and out.served_accuracy >= 0.6
    assert out.monitored_requests >= SIZES.served_requests
    assert out.time_to_model_s() is not None

    # the official OpenAI client reaches the served model through the registry's /v1 gateway with a scoped key
    name, deployment = out.model_name, out.deployment
    assert name is not None and deployment is not None
    key = lifecycle.people.ml_engineer.registry.create_key("openai-client", [name]).key
    client = openai.OpenAI(base_url=f"{urls['registry']}/v1", api_key=key, timeout=120)
    reply = client.chat.completions.create(
        model=name, messages=[{"role": "user", "content": "PRESS-04 hydraulic oil leak at the ram seal"}], max_tokens=8
    )
    assert reply.choices[0].message.content and reply.model == name

    # drift on the shifted stream, and monitoring's decision to retrain
    assert out.drift_detected
    assert out.retrain_actions

    # one trace from the reviewer's approval into the data service, in both services' logs
    logs = {p.name: p.log for p in stack.processes}
    for service in ("intake", "data"):
        traced = [line for line in json_log_lines(logs[service]) if line.get("trace_id") == out.trace_id]
        assert traced, f"{service} logged nothing under the approval's trace {out.trace_id}"

    # one story per use case: from the approval's trace, following span links, an SRE reaches every stage through
    # to the first served request (each step continues its cause's trace or links its own to it)
    story = joined_traces(spans, out.trace_id)
    names, services = {s["name"] for s in story}, {s["service"] for s in story}
    stages = [
        "data.version.record",
        "training.job.queue",
        "training.job.run",
        "evaluation.run",
        "serving.first_request",
    ]
    missing = [name for name in stages if name not in names]
    assert not missing, f"the use case's trace does not reach {missing}; it reached {sorted(names)}"
    unseen = [s for s in ("intake", "data", "training", "evaluation", "registry") if f"tuneline-{s}" not in services]
    assert not unseen, f"no span of {unseen} in the use case's traces; services seen: {sorted(services)}"


def joined_traces(span_dir: Path, root: str) -> list[dict[str, Any]]:
    """Every span of `root`'s trace and of each trace that links to one already joined (read from the per-process
    JSON-lines span files)."""
    spans = [
        json.loads(line)
        for path in sorted(span_dir.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.startswith("{")
    ]
    joined, grew = {root}, True
    while grew:  # one pass per step of the story (a handful), each linear in the spans
        before = len(joined)
        joined |= {s["trace_id"] for s in spans if any(link["trace_id"] in joined for link in s["links"])}
        grew = len(joined) > before
    return [s for s in spans if s["trace_id"] in joined]
