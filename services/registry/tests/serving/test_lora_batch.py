"""One LoRA pass per layer for a batch mixing adapters: the same logits as peft's pass per adapter."""

from pathlib import Path

import pytest
import torch

from tuneline.registry.serving.engine import AdapterEngine
from tuneline.registry.serving.lora_batch import BASE_ADAPTER, BatchedLora

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _adapter(base: Path, out: Path, seed: int, **config: object) -> Path:
    """A LoRA adapter with random non-zero weights and the given rank, targets or variant."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_pretrained(base)
    settings = {"r": 4, "lora_alpha": 32, "target_modules": ["q_proj", "v_proj"], "init_lora_weights": False}
    get_peft_model(model, LoraConfig(**{**settings, **config})).save_pretrained(out)  # type: ignore[arg-type]
    return out


@pytest.fixture(scope="module")
def adapters(registry_tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("lora-batch")
    base = registry_tiny_model
    return {
        "a": _adapter(base, root / "a", 1),
        "b": _adapter(base, root / "b", 2, r=8, target_modules=["q_proj", "o_proj", "up_proj"]),  # other rank, layers
        "c": _adapter(base, root / "c", 3, r=2, lora_alpha=4),
        "d": _adapter(base, root / "d", 4, r=16, target_modules=["k_proj", "v_proj", "down_proj"]),
        "emb": _adapter(base, root / "emb", 5, target_modules=["embed_tokens", "q_proj"]),  # not only Linear layers
    }


def _logits(engine: AdapterEngine, rows: list[str], lora: BatchedLora | None) -> torch.Tensor:
    """Row i with adapter rows[i]: through `lora.mixed`, or through peft's own ``adapter_names`` (lora None)."""
    names = [engine._loaded[r] if r != BASE_ADAPTER else BASE_ADAPTER for r in rows]
    ids = torch.tensor([[5 + i, 17, 23 + i, 42, 7] for i in range(len(rows))])
    with torch.inference_mode():
        if lora is None:
            return engine._peft(input_ids=ids, adapter_names=names).logits
        with lora.mixed(engine._peft, names):
            return engine._peft(input_ids=ids).logits


def test_rows_of_different_adapters_get_the_logits_of_peft_s_pass_per_adapter(
    registry_tiny_model: Path, adapters: dict[str, Path]
) -> None:
    torch.manual_seed(0)
    engine = AdapterEngine(str(registry_tiny_model), max_loaded=4)
    for name in ("a", "b", "c"):
        engine.ensure_loaded(name, str(adapters[name]))
    rows = ["a", "b", BASE_ADAPTER, "c", "a", "b"]
    expected = _logits(engine, rows, None)  # peft's own mixed batch, before anything is installed

    lora = BatchedLora()
    got = _logits(engine, rows, lora)
    assert torch.allclose(got, expected, rtol=1e-4, atol=1e-5), (got - expected).abs().max()
    assert any(stack is not None for _, stack in lora._stacks.values())  # the stacked pass ran
    only_base = _logits(engine, [BASE_ADAPTER, BASE_ADAPTER], lora)
    with engine._peft.disable_adapter(), torch.inference_mode():
        bare = engine._peft(input_ids=torch.tensor([[5, 17, 23, 42, 7], [6, 17, 24, 42, 7]])).logits
    assert torch.allclose(only_base, bare, rtol=1e-4, atol=1e-5)

    # The loaded set changes (an eviction, a load): the stacks follow on the next pass.
    engine.forget_all_but({"a", "b"}, {str(adapters["a"]), str(adapters["b"])})
    engine.ensure_loaded("d", str(adapters["d"]))
    rows = ["d", "a", BASE_ADAPTER, "b", "d"]
    peft_again = _logits(engine, rows, None)
    got = _logits(engine, rows, lora)
    assert torch.allclose(got, peft_again, rtol=1e-4, atol=1e-5), (got - peft_again).abs().max()
    # Outside a mixed pass the layers are peft's: the active adapter for every row.
    engine._peft.set_adapter("a")
    ids = torch.tensor([[5, 17, 23, 42, 7]])
    with torch.inference_mode():
        plain = engine._peft(input_ids=ids).logits
        alone = engine._peft(input_ids=ids, adapter_names=["a"]).logits
    assert torch.allclose(plain, alone, rtol=1e-4, atol=1e-5)


def test_an_adapter_on_the_embedding_is_mixed_by_peft_s_own_pass(
    registry_tiny_model: Path, adapters: dict[str, Path]
) -> None:
    engine = AdapterEngine(str(registry_tiny_model), max_loaded=4)
    for name in ("a", "emb"):
        engine.ensure_loaded(name, str(adapters[name]))
    rows = ["emb", "a", BASE_ADAPTER, "emb"]
    expected = _logits(engine, rows, None)
    lora = BatchedLora()
    got = _logits(engine, rows, lora)
    assert torch.allclose(got, expected, rtol=1e-4, atol=1e-5), (got - expected).abs().max()
    assert lora._others
    with pytest.raises(ValueError, match="no adapter loaded as"), lora.mixed(engine._peft, ["nope"]):
        pass
