"""The adapter engine on a tiny random Llama: outputs checked against peft used directly."""

from pathlib import Path

import pytest
import torch

from tuneline.registry.serving.engine import AdapterEngine, AdapterLoadError, GenerationParams, StreamEnd
from tuneline.registry.serving.loading import ModelNotFound

GREEDY = GenerationParams(max_new_tokens=6, temperature=0)


@pytest.fixture(scope="module", autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


def reference_ids(base: Path, adapter: Path | None, prompt_ids: list[int], n: int) -> list[int]:
    """Greedy continuation computed with transformers + peft directly, independent of the engine."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base)
    if adapter is not None:
        model = PeftModel.from_pretrained(model, adapter)
    model.eval()
    ids = torch.tensor([prompt_ids])
    with torch.inference_mode():
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=n, do_sample=False)
    return out[0, len(prompt_ids) :].tolist()


def text_of(engine: AdapterEngine, ids: list[int]) -> str:
    return engine.tokenizer.decode(ids, skip_special_tokens=True)


def test_each_version_answers_with_its_own_adapter_on_one_base(
    registry_tiny_model: Path, registry_adapters: list[Path]
) -> None:
    engine = AdapterEngine(str(registry_tiny_model), max_loaded=3)
    prompt = engine.encode_chat([{"role": "user", "content": "pump 3 vibration high"}])
    for i, adapter in enumerate(registry_adapters):
        got = engine.generate(f"v{i}", str(adapter), prompt, GREEDY)
        assert got.text == text_of(engine, reference_ids(registry_tiny_model, adapter, prompt, 6))
        assert (got.tokens_in, got.tokens_out) == (len(prompt), 6)
    base = engine.generate("base", None, prompt, GREEDY)
    assert base.text == text_of(engine, reference_ids(registry_tiny_model, None, prompt, 6))
    assert engine.loaded == ["v0", "v1", "v2"]


def test_least_recently_used_adapter_is_evicted_and_reloads_on_demand(
    registry_tiny_model: Path, registry_adapters: list[Path]
) -> None:
    engine = AdapterEngine(str(registry_tiny_model), max_loaded=2)
    prompt = engine.encode_text("bearing temperature")
    first = engine.generate("v0", str(registry_adapters[0]), prompt, GREEDY).text
    engine.generate("v1", str(registry_adapters[1]), prompt, GREEDY)
    engine.generate("v0", str(registry_adapters[0]), prompt, GREEDY)  # v0 becomes most recent
    engine.generate("v2", str(registry_adapters[2]), prompt, GREEDY)
    assert engine.loaded == ["v0", "v2"]
    assert set(engine._peft.peft_config) == {"v0", "v2"}  # evicted adapter weights are gone from the model
    engine.generate("v1", str(registry_adapters[1]), prompt, GREEDY)
    assert engine.loaded == ["v2", "v1"]
    assert engine.generate("v0", str(registry_adapters[0]), prompt, GREEDY).text == first


def test_merged_mode_gives_the_same_tokens_as_live_adapters(
    registry_tiny_model: Path, registry_adapters: list[Path]
) -> None:
    live = AdapterEngine(str(registry_tiny_model))
    merged = AdapterEngine(str(registry_tiny_model), merge=True)
    prompt = live.encode_text("conveyor belt slipping")
    adapter = str(registry_adapters[1])
    assert merged.generate("v1", adapter, prompt, GREEDY) == live.generate("v1", adapter, prompt, GREEDY)
    assert merged._peft is None  # merged copies leave the shared base untouched


def test_streamed_pieces_add_up_to_the_non_streamed_text(
    registry_tiny_model: Path, registry_adapters: list[Path]
) -> None:
    engine = AdapterEngine(str(registry_tiny_model))
    prompt = engine.encode_text("valve leaking oil")
    params = GenerationParams(max_new_tokens=10, temperature=0)
    whole = engine.generate("v0", str(registry_adapters[0]), prompt, params)
    items = list(engine.generate_stream("v0", str(registry_adapters[0]), prompt, params))
    assert isinstance(items[-1], StreamEnd)
    assert "".join(p for p in items[:-1] if isinstance(p, str)) == whole.text
    assert (items[-1].tokens_out, items[-1].finish_reason) == (whole.tokens_out, whole.finish_reason)


def test_stop_sequence_cuts_the_output_before_it(registry_tiny_model: Path, registry_adapters: list[Path]) -> None:
    engine = AdapterEngine(str(registry_tiny_model))
    prompt = engine.encode_text("motor overheating")
    full = engine.generate("v2", str(registry_adapters[2]), prompt, GenerationParams(max_new_tokens=12, temperature=0))
    stop = full.text[len(full.text) // 2 :][:3]
    assert stop.strip(), f"need visible text to stop on, got {full.text!r}"
    cut = engine.generate("v2", str(registry_adapters[2]), prompt, GenerationParams(12, 0, stop=(stop,)))
    assert cut.text == full.text[: full.text.find(stop)]
    assert cut.finish_reason == "stop"


def test_same_seed_same_sample(registry_tiny_model: Path) -> None:
    engine = AdapterEngine(str(registry_tiny_model))
    prompt = engine.encode_text("gearbox noise")
    params = GenerationParams(max_new_tokens=8, temperature=1.0, seed=7)
    assert engine.generate("b", None, prompt, params) == engine.generate("b", None, prompt, params)


def test_missing_base_or_adapter_is_named(registry_tiny_model: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match=r"no config\.json"):
        AdapterEngine(str(tmp_path))
    engine = AdapterEngine(str(registry_tiny_model))
    with pytest.raises(ModelNotFound, match="no such directory on this node; use an object-store URI"):
        engine.ensure_loaded("v9", str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotFound, match=r"no adapter_config\.json"):
        engine.ensure_loaded("v9", str(tmp_path / "empty"))
    with pytest.raises(ModelNotFound, match="needs the object store and a cache directory"):
        engine.ensure_loaded("v9", "s3://bucket/adapter")


def test_adapter_that_does_not_fit_the_base_is_a_load_error(registry_tiny_model: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "adapter_config.json").write_text('{"peft_type": "LORA", "r": 4, "target_modules": ["nonexistent"]}')
    engine = AdapterEngine(str(registry_tiny_model))
    with pytest.raises(AdapterLoadError, match="adapter for version v9"):
        engine.ensure_loaded("v9", str(bad))
    assert engine.loaded == []


def test_versions_that_stop_serving_are_unloaded_and_their_downloads_deleted(
    registry_tiny_model: Path, registry_adapters: list[Path], tmp_path: Path
) -> None:
    """A reconfigure's warm list is every version that serves: an archived or erased version leaves the replica's
    memory and its downloaded copy leaves the node's disk; the others stay."""
    from tuneline.registry.serving.fetch import cached_path

    cache = tmp_path / "adapter-cache"
    engine = AdapterEngine(str(registry_tiny_model), max_loaded=3, adapter_cache_dir=str(cache))
    prompt = engine.encode_text("bearing temperature")
    for i, adapter in enumerate(registry_adapters[:2]):
        engine.generate(f"v{i}", str(adapter), prompt, GREEDY)
    kept_uri, erased_uri = "s3://bucket/jobs/kept/adapter", "s3://bucket/jobs/erased/adapter"
    for uri in (kept_uri, erased_uri):
        engine.pins[uri] = {"adapter_model.safetensors": uri[-20:]}
        copy = cached_path(uri, engine.pins[uri], str(cache))
        copy.mkdir(parents=True)
        (copy / "adapter_model.safetensors").write_bytes(b"weights")

    assert engine.forget_all_but({"v0"}, {kept_uri}) == ["v1"]
    assert engine.loaded == ["v0"] and set(engine._peft.peft_config) == {"v0"}
    assert not cached_path(erased_uri, {"adapter_model.safetensors": erased_uri[-20:]}, str(cache)).exists()
    assert cached_path(kept_uri, engine.pins[kept_uri], str(cache)).exists() and erased_uri not in engine.pins
    assert engine.generate("v0", str(registry_adapters[0]), prompt, GREEDY).tokens_out == 6
