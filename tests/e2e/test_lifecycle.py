"""The whole lifecycle on the real stack, as `tuneline demo` runs it: every step through public APIs and events.

Real SmolLM2-135M training on CPU, evaluation, Ray Serve, monitoring and drift: this is the slow tier's one
end-to-end test (about 10 minutes here). The services run as the processes `tuneline up` starts; teardown stops
every one of them (and their children) whether the test passes or not.
"""

from __future__ import annotations

import math

import pytest

from tuneline.cli import stack as stack_mod
from tuneline.cli.demo.command import DEMO_ENV
from tuneline.cli.demo.lifecycle import DemoSizes, Lifecycle, People

# Opt-in (`make test-e2e`), not part of `make test` yet: on this 2-core machine the run reaches the evaluation,
# where the forgetting gate blocks the demo's classifier (general suite 55% -> 36%: the adapter answers general
# instructions with labels) so release, serving, monitoring, drift and canary stages are still unverified here.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1800)]

SIZES = DemoSizes(records=120, epochs=2, served_requests=12, drift_requests=60, wait_s=900)


def test_use_case_to_served_model_to_drift_and_retraining(start_stack, dev_settings, json_log_lines, tmp_path):
    missing = [s for s in stack_mod.SERVICES if s not in stack_mod.runnable_services()]
    assert not missing, f"services without an entry point (python -m tuneline.<svc>): {missing}"
    stack = start_stack(stack_mod.runnable_services(), workers=True, env=DEMO_ENV)
    urls = {p.name: p.url for p in stack.processes if p.url}
    serving_url = f"http://{stack.config.host}:{stack.config.serving_port}"
    lifecycle = Lifecycle(People.minted(urls, serving_url, dev_settings), tmp_path / "demo", print, SIZES)
    stages = lifecycle.run()
    report = "\n".join(f"{s.name}: {s.status} {s.detail}" for s in stages)
    assert all(s.status == "ok" for s in stages), report
    out = lifecycle.outcome

    # data: duplicates removed, planted personal data redacted, splits without leakage
    version = out.dataset_version
    assert version is not None
    assert version.record_count == out.planted["records"] - out.planted["duplicates"]
    assert version.pii_scanned and version.remaining_pii == 0
    assert sum(version.split_counts.values()) == version.record_count

    # training: the steps the recipe implies (ceil(train / batch) x epochs), and it learnt
    job = out.job
    assert job is not None and job.status == "succeeded"
    assert job.total_steps == math.ceil(version.split_counts["train"] / 8) * SIZES.epochs
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
    assert out.time_to_model_s() is not None and out.time_to_model_s() < 900

    # drift on the shifted stream, and monitoring's decision to retrain
    assert out.drift_detected
    assert out.retrain_actions

    # one trace from the reviewer's approval into the data service, in both services' logs
    logs = {p.name: p.log for p in stack.processes}
    for service in ("intake", "data"):
        traced = [line for line in json_log_lines(logs[service]) if line.get("trace_id") == out.trace_id]
        assert traced, f"{service} logged nothing under the approval's trace {out.trace_id}"
