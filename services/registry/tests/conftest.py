"""Shared fixtures for registry tests: a tiny random base model and LoRA adapters on it."""

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def registry_tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tuneline.training.worker.base_models import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("registry-tiny") / "model")


def make_adapter(base_dir: Path, out_dir: Path, seed: int) -> Path:
    """A LoRA adapter with random (non-zero) weights, so each adapter changes the output differently."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_pretrained(base_dir)
    config = LoraConfig(r=4, lora_alpha=32, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(model, config).save_pretrained(out_dir)
    return out_dir


@pytest.fixture(scope="session")
def registry_adapter_maker() -> object:
    """`make_adapter` for tests in other modules (imports between test modules do not work with importlib mode)."""
    return make_adapter


@pytest.fixture(scope="session")
def registry_adapters(registry_tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("registry-adapters")
    return [make_adapter(registry_tiny_model, root / f"adapter{i}", seed=100 + i) for i in range(3)]


class FakeRuntime:
    """In-memory stand-in for Ray Serve behind the ServingRuntime protocol (an external system, not the unit
    under test): remembers every applied application set, and refuses sets that would load a version listed
    in `broken` — as Serve does when an adapter fails to load — keeping the previous set. `down` makes every
    apply raise (an unreachable cluster)."""

    def __init__(self) -> None:
        self.applied: list[list] = []  # type: ignore[type-arg]
        self.broken: dict[str, str] = {}
        self.down: str | None = None  # set: every apply raises, as when Ray's controller cannot be reached
        self.refused = 0

    async def apply(self, apps):  # type: ignore[no-untyped-def]
        from tuneline.registry.deployments.runtime import AppHealth, DeploymentFailed

        if self.down is not None:
            self.refused += 1
            raise ConnectionError(self.down)

        for app in apps:
            bad = {w.version_id: self.broken[w.version_id] for w in app.server.warm if w.version_id in self.broken}
            if bad:
                raise DeploymentFailed(app.name, f"versions failed to load, traffic unchanged: {bad}")
        self.applied.append(list(apps))
        return {a.name: AppHealth(a.name, "RUNNING", "", {"Router": "HEALTHY", "ModelServer": "HEALTHY"}) for a in apps}

    async def health(self):  # type: ignore[no-untyped-def]
        from tuneline.registry.deployments.runtime import AppHealth

        current = self.applied[-1] if self.applied else []
        return {a.name: AppHealth(a.name, "RUNNING", "", {"Router": "HEALTHY"}) for a in current}

    def endpoint(self, name: str) -> str:
        return f"http://serve.test/{name}/v1"

    async def close(self) -> None:
        return None

    def current(self, name: str):  # type: ignore[no-untyped-def]
        return next(a for a in self.applied[-1] if a.name == name)


@pytest.fixture(scope="module")
def fake_runtime() -> FakeRuntime:
    return FakeRuntime()
