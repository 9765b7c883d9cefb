import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tuneline.common import base_models
from tuneline.common.base_models import SMOLLM2_REF, BaseModelNotFoundError, resolve_base_model


@pytest.fixture
def fake_gguf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """A small stand-in GGUF file and a converter that records calls (the real one takes ~30 s)."""
    gguf = tmp_path / "wheel" / "model.gguf"
    gguf.parent.mkdir()
    gguf.write_bytes(b"GGUF v1")
    calls: list[Path] = []

    def convert(source: Path, out_dir: Path) -> None:
        calls.append(out_dir)
        time.sleep(0.2)  # long enough for two threads to overlap
        (out_dir / "config.json").write_text(json.dumps({"source": source.read_text()}))

    monkeypatch.setattr(base_models, "smollm2_gguf_path", lambda: gguf)
    monkeypatch.setattr(base_models, "convert_gguf", convert)
    return {"gguf": gguf, "calls": calls, "cache": tmp_path / "cache"}


def test_concurrent_resolutions_publish_one_complete_directory(fake_gguf: dict) -> None:
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(resolve_base_model(SMOLLM2_REF, fake_gguf["cache"])))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results[0] == results[1]
    assert (results[0] / "config.json").is_file()
    assert [p.name for p in fake_gguf["cache"].iterdir()] == [results[0].name]  # no staging dirs left behind
    calls_so_far = len(fake_gguf["calls"])
    assert resolve_base_model(SMOLLM2_REF, fake_gguf["cache"]) == results[0]
    assert len(fake_gguf["calls"]) == calls_so_far  # cached: no conversion the second time


def test_cache_is_keyed_by_the_gguf_content(fake_gguf: dict) -> None:
    first = resolve_base_model(SMOLLM2_REF, fake_gguf["cache"])
    fake_gguf["gguf"].write_bytes(b"GGUF v2")
    second = resolve_base_model(SMOLLM2_REF, fake_gguf["cache"])
    assert first != second
    assert json.loads((second / "config.json").read_text()) == {"source": "GGUF v2"}


def test_shipped_model_is_found_by_its_hub_id_too(fake_gguf: dict) -> None:
    by_name = resolve_base_model(SMOLLM2_REF, fake_gguf["cache"])
    assert resolve_base_model("HuggingFaceTB/SmolLM2-135M-Instruct", fake_gguf["cache"]) == by_name


def test_local_model_directory_resolves_to_itself(tiny_model_dir: Path) -> None:
    assert resolve_base_model(str(tiny_model_dir)) == tiny_model_dir


def test_hub_style_reference_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(BaseModelNotFoundError, match=r"base_model .HuggingFaceTB/SmolLM2-1\.7B. is neither"):
        resolve_base_model("HuggingFaceTB/SmolLM2-1.7B", tmp_path)


def test_tiny_model_has_small_vocab_chat_template_and_pad_token(tiny_model_dir: Path, tiny_tokenizer) -> None:  # type: ignore[no-untyped-def]
    config = json.loads((tiny_model_dir / "config.json").read_text())
    assert (config["hidden_size"], config["num_hidden_layers"]) == (128, 4)
    assert len(tiny_tokenizer) == config["vocab_size"] <= 512
    assert tiny_tokenizer.pad_token == "<pad>" and tiny_tokenizer.eos_token == "<|im_end|>"
    rendered = tiny_tokenizer.apply_chat_template(
        [{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True
    )
    assert rendered == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    text = "WO-12345 PRESS-07: hose burst"
    assert tiny_tokenizer.decode(tiny_tokenizer(text)["input_ids"]) == text


def test_estimates_import_without_torch() -> None:
    code = (
        "import sys; import tuneline.training.estimate.memory, tuneline.training.estimate.hardware, "
        "tuneline.training.estimate.presets, tuneline.training.estimate.tokens; "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow
def test_converted_smollm2_reloads_with_identical_logits_and_chat_template(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(1)
    converted = resolve_base_model(SMOLLM2_REF, tmp_path / "cache")
    gguf = base_models.smollm2_gguf_path()
    reference = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name).eval()
    model = AutoModelForCausalLM.from_pretrained(converted).eval()
    tokenizer = AutoTokenizer.from_pretrained(converted)
    ids = tokenizer("Hydraulic pressure dropped on PRESS-04.", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        torch.testing.assert_close(model(input_ids=ids).logits, reference(input_ids=ids).logits)
    assert "<|im_start|>assistant" in tokenizer.apply_chat_template(
        [{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True
    )
    assert not hasattr(model.config, "quantization_config")


def test_the_shipped_minilm_is_extracted_once_into_the_cache_and_named_an_encoder(tmp_path: Path) -> None:
    from tuneline.common.base_models import (
        is_encoder_dir,
        is_encoder_reference,
        locate_base_model,
        resolve_base_model,
    )

    assert locate_base_model("all-minilm-l6-v2", tmp_path) is None  # not extracted yet: nothing is done to find out
    first = resolve_base_model("sentence-transformers/all-MiniLM-L6-v2", tmp_path)
    assert resolve_base_model("all-minilm-l6-v2", tmp_path) == first == locate_base_model("all-minilm-l6-v2", tmp_path)
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in first.iterdir()}
    assert is_encoder_dir(first) and is_encoder_reference("all-minilm-l6-v2")
    assert is_encoder_reference("smollm2-135m-instruct") is False
    assert is_encoder_reference("s3://bucket/models/x") is None
