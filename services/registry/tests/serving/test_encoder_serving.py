"""An encoder classifier served through a pool: the engine alone (fast), then real Ray Serve behind the gateway
(slow: /v1/classify answers with the head's label and probabilities, chat is refused, canary arms and inference
records per model as for causal models)."""

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tuneline.common.samples import maintenance_classification

PEPPER = "test-pepper-" + "e" * 32
PORT = 8767
BASE = f"http://127.0.0.1:{PORT}"


@pytest.fixture(scope="module")
def encoder_versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], list[str]]:
    """(tiny encoder, two classifier adapters trained on it with different seeds, their labels)."""
    import torch

    from tuneline.training.worker import classifier
    from tuneline.training.worker.base_models import build_tiny_encoder
    from tuneline.training.worker.recipe import RecipeConfig

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("encoder-serving")
    encoder = build_tiny_encoder(root / "encoder")
    rows = maintenance_classification(64, seed=41)
    (root / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = RecipeConfig(
        base_model=str(encoder),
        train_path=str(root / "train.jsonl"),
        output_dir="",
        batch_size=16,
        learning_rate=1e-2,
        max_steps=12,
        precision="fp32",
        torch_threads=1,
    )
    adapters = []
    for seed in (1, 2):
        result = classifier.run(replace(config, seed=seed, output_dir=str(root / f"run{seed}")))
        assert result.adapter_dir is not None
        adapters.append(result.adapter_dir)
    return encoder, adapters, result.metadata["labels"]


def test_engine_answers_the_heads_label_with_a_probability_per_label(encoder_versions) -> None:  # type: ignore[no-untyped-def]
    from tuneline.registry.serving.encoder_engine import EncoderEngine
    from tuneline.registry.serving.engine import AdapterLoadError

    encoder, adapters, labels = encoder_versions
    engine = EncoderEngine(str(encoder), max_loaded=1, torch_threads=1)
    found = engine.classify("v1", str(adapters[0]), "CONV-19 alarm: misaligned guide rail, carriage binding")
    assert list(found.scores) == labels and found.label in labels
    assert sum(found.scores.values()) == pytest.approx(1.0, abs=1e-5)
    assert found.scores[found.label] == max(found.scores.values()) and found.tokens_in > 2
    other = engine.classify("v2", str(adapters[1]), "CONV-19 alarm: misaligned guide rail, carriage binding")
    assert other.scores != found.scores  # another version, its own head
    assert engine.loaded == ["v2"]  # max_loaded=1: the least recently used version went
    with pytest.raises(AdapterLoadError, match="no classification head of its own"):
        engine.classify("base", None, "pump noise")


@pytest.fixture(scope="module")
def served(encoder_versions, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, list[str]]]:  # type: ignore[no-untyped-def]
    from tuneline.registry.deployments.plan import TrafficPlan, VersionRef
    from tuneline.registry.deployments.serve_controller import ServeController
    from tuneline.registry.keys.domain import issue_key
    from tuneline.registry.serving.spec import (
        AppSpec,
        BuildArgs,
        DeploymentOptions,
        KeySpec,
        RouterConfig,
        ServerConfig,
        SinkSpec,
    )

    encoder, adapters, labels = encoder_versions
    records = tmp_path_factory.mktemp("encoder-records") / "inference.jsonl"
    key, plaintext = issue_key(name="k", owner="t", models={"tickets"}, now=datetime.now(UTC), pepper=PEPPER.encode())
    plan = TrafficPlan.initial(VersionRef(1, "vid-1", str(adapters[0]))).start_canary(
        VersionRef(2, "vid-2", str(adapters[1])), 0.5
    )
    app = AppSpec(
        build=BuildArgs(
            model_name="tickets",
            base_model_path=str(encoder),
            torch_threads=1,
            sink=SinkSpec(kind="jsonl", path=str(records)),
        ),
        router=RouterConfig(arms=plan.arms(), keys=[KeySpec.of(key)], model_kind="encoder"),
        server=ServerConfig(warm=plan.warm()),
        router_options=DeploymentOptions(num_cpus=0.25),
        server_options=DeploymentOptions(num_cpus=0.5),
    )
    controller = ServeController(PEPPER, http_port=PORT)
    controller.start(num_cpus=4, include_dashboard=False, log_to_driver=False)
    try:
        controller.apply([app], timeout_s=400)
        yield plaintext, records, labels
    finally:
        controller.shutdown()


@pytest.mark.slow
def test_classify_answers_from_the_head_on_both_arms_and_chat_is_refused(served) -> None:  # type: ignore[no-untyped-def]
    key, records, labels = served
    headers = {"Authorization": f"Bearer {key}"}
    arms: Counter[str] = Counter()
    with httpx.Client(timeout=60) as client:
        for _ in range(12):
            response = client.post(
                f"{BASE}/tickets/v1/classify",
                json={"model": "tickets", "input": "hydraulic pump leaking oil"},
                headers=headers,
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["label"] in labels and list(body["scores"]) == labels
            assert sum(body["scores"].values()) == pytest.approx(1.0, abs=1e-5)
            assert body["scores"][body["label"]] == max(body["scores"].values())
            arms[response.headers["x-tuneline-arm"]] += 1
        chat = client.post(
            f"{BASE}/tickets/v1/chat/completions",
            json={"model": "tickets", "messages": [{"role": "user", "content": "pump"}]},
            headers=headers,
        )
        unauthorised = client.post(f"{BASE}/tickets/v1/classify", json={"model": "tickets", "input": "pump"})
    assert set(arms) == {"stable", "canary"}  # 12 draws at 50/50 miss an arm with probability 2^-11
    assert chat.status_code == 400 and "is a classifier: use /tickets/v1/classify" in chat.text
    assert unauthorised.status_code == 401
    written = [json.loads(line) for line in records.read_text().splitlines() if line.strip()]
    assert sum(1 for r in written if r.get("status") == "ok") >= 12
