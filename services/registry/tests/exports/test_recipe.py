"""The export recipe on the tiny random Llama with a LoRA adapter: each format is built, loaded back and compared
with the served version (base + adapter through the serving engine) on the five check prompts."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from tuneline.registry.exports.recipe import MANIFEST, ExportJob, job_json, run, serve
from tuneline.registry.exports.verify import SAMPLE_INPUTS, Candidate, compare, served_references

TOKENS = 4


@pytest.fixture(scope="module", autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def adapter(registry_tiny_model: Path, registry_adapter_maker: Callable[..., Path], tmp_path_factory: Any) -> Path:
    return registry_adapter_maker(registry_tiny_model, tmp_path_factory.mktemp("export-adapter") / "adapter", seed=7)


def job(tmp_path: Path, base: Path, adapter: Path, format_: str, quantization: str | None = None) -> ExportJob:
    return ExportJob(
        export_id="test",
        format=format_,
        quantization=quantization,
        base_model_dir=str(base),
        adapter_dir=str(adapter),
        out_dir=str(tmp_path / "out"),
        scratch_dir=str(tmp_path / "scratch"),
        name="tiny-v1",
        prompts=list(SAMPLE_INPUTS),
        max_new_tokens=TOKENS,
        torch_threads=1,
    )


@pytest.mark.parametrize(("format_", "quantization"), [("merged", None), ("adapter", None), ("gguf", "F32")])
def test_a_lossless_export_reloads_and_matches_the_served_greedy_output_on_five_prompts(
    tmp_path: Path, registry_tiny_model: Path, adapter: Path, format_: str, quantization: str | None
) -> None:
    result = run(job(tmp_path, registry_tiny_model, adapter, format_, quantization))
    check = result["verification"]
    assert check["exact_expected"] and check["passed"]
    assert (check["prompts"], check["matched"], check["token_agreement"]) == (5, 5, 1.0)
    for row in check["results"]:
        assert row["matched"] and row["prompt_tokens_match"] and row["output"] == row["served"]
        assert row["common_prefix"] == row["tokens"] > 0


def test_a_directory_export_lists_every_file_with_its_digest_in_sha256sums(
    tmp_path: Path, registry_tiny_model: Path, adapter: Path
) -> None:
    from tuneline.registry.serving.fetch import file_sha256

    result = run(job(tmp_path, registry_tiny_model, adapter, "merged"))
    out = tmp_path / "out"
    paths = {f["path"] for f in result["files"]}
    assert {"model.safetensors", "config.json", "tokenizer.json", MANIFEST} <= paths
    for entry in result["files"]:
        assert file_sha256(out / entry["path"]) == entry["sha256"]
        assert (out / entry["path"]).stat().st_size == entry["size"]
    manifest = (out / MANIFEST).read_text().splitlines()
    assert sorted(manifest) == sorted(f"{f['sha256']}  {f['path']}" for f in result["files"] if f["path"] != MANIFEST)


def test_the_adapter_export_is_the_trained_files_unchanged(
    tmp_path: Path, registry_tiny_model: Path, adapter: Path
) -> None:
    result = run(job(tmp_path, registry_tiny_model, adapter, "adapter"))
    copied = {f["path"] for f in result["files"]} - {MANIFEST}
    assert copied == {p.relative_to(adapter).as_posix() for p in adapter.rglob("*") if p.is_file()}
    weights = (tmp_path / "out" / "adapter_model.safetensors").read_bytes()
    assert weights == (adapter / "adapter_model.safetensors").read_bytes()


def test_a_quantized_gguf_reports_its_agreement_without_claiming_equality(
    tmp_path: Path, registry_tiny_model: Path, adapter: Path
) -> None:
    result = run(job(tmp_path, registry_tiny_model, adapter, "gguf", "Q4_0"))
    check = result["verification"]
    assert not check["exact_expected"]
    assert check["matched"] == sum(r["matched"] for r in check["results"])
    assert check["passed"] == (check["matched"] == 5)
    for row in check["results"]:
        assert row["matched"] == (row["output"] == row["served"] and row["common_prefix"] == row["tokens"])
        assert 0.0 <= row["token_agreement"] <= 1.0
    assert result["details"]["tensor_types"]["Q4_0"] > 0
    assert [f["path"] for f in result["files"]] == ["tiny-v1-Q4_0.gguf"]


def test_the_check_fails_an_export_that_answers_differently(
    registry_tiny_model: Path, adapter: Path, registry_adapter_maker: Callable[..., Path], tmp_path: Path
) -> None:
    from peft import PeftModel

    from tuneline.registry.serving.loading import load_base_model

    references = served_references(str(registry_tiny_model), str(adapter), list(SAMPLE_INPUTS), TOKENS)
    other = registry_adapter_maker(registry_tiny_model, tmp_path / "other", seed=99)
    tokenizer, base = load_base_model(str(registry_tiny_model))
    wrong = Candidate(tokenizer, PeftModel.from_pretrained(base, str(other)).eval())
    check = compare(references, wrong, TOKENS, exact=True)
    assert not check["passed"] and check["matched"] < 5
    assert check["token_agreement"] < 1.0


def test_the_export_process_answers_a_failure_with_its_reason_and_serves_on(
    tmp_path: Path, registry_tiny_model: Path, adapter: Path
) -> None:
    import multiprocessing
    import threading

    parent, child = multiprocessing.Pipe()
    process = threading.Thread(target=serve, args=(child,), daemon=True)  # the process's loop, in a thread here
    process.start()
    parent.send(job_json(job(tmp_path / "a", registry_tiny_model, tmp_path / "no-adapter", "adapter")))
    result = json.loads(parent.recv())
    parent.send(job_json(job(tmp_path / "b", registry_tiny_model, adapter, "adapter")))
    assert json.loads(parent.recv())["verification"]["passed"]
    parent.close()
    process.join(5)
    assert not process.is_alive()  # the pipe closed: the loop ended
    assert result["error"].startswith("ModelNotFound") and "no-adapter" in result["error"]
    assert "files" not in result
