"""The export recipe: one model version into one deployable artifact, checked against the served version.

Runs in a process of its own (`serve`, started and kept warm by the registry's export runner), so torch never runs
on the API's event loop and a crash or an out-of-memory kill takes only that process. It reads local directories
only (the runner fetched the base model and the adapter) and writes into `out_dir`; the runner uploads what it
lists.

    setup      offline, torch threads; the served answers to the check prompts (base + adapter, greedy)
    build      merged: peft merge_and_unload on the base, saved as safetensors with config and tokenizer
               adapter: the adapter's files as trained
               gguf: the merged model written by gguf_file.write_gguf in the chosen type
    verify     the artifact loaded back (transformers, peft on the base, transformers' gguf_file= loading)
               and compared prompt by prompt (verify.compare)
    manifest   sha256 and size of every file; SHA256SUMS for a directory

A lossless export that does not reproduce the served outputs fails; a quantised GGUF completes and reports its
agreement.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tuneline.registry.exports.formats import ExportError, ExportFormat, ExportKind
from tuneline.registry.exports.verify import Candidate, compare, failed_prompts, served_references

#: The manifest of a directory export (merged, adapter): `sha256  path` lines, as `sha256sum -c` reads them.
MANIFEST = "SHA256SUMS"


@dataclass(frozen=True)
class ExportJob:
    """Everything one export needs, as plain values: it crosses the process boundary as JSON."""

    export_id: str
    """The export's id (logs only)."""
    format: str
    """"merged", "gguf" or "adapter" (formats.ExportFormat)."""
    quantization: str | None
    """GGUF tensor type (formats.gguf_quantizations()); None for the other formats."""
    base_model_dir: str
    """Local Hugging Face directory of the base model the version was trained from, as serving resolves it."""
    adapter_dir: str
    """Local directory of the version's PEFT adapter (adapter_config.json + weights)."""
    out_dir: str
    """Empty directory the artifact is written to; everything in it is uploaded."""
    scratch_dir: str
    """Directory for intermediate files (the merged model a GGUF is written from); removed by the runner."""
    name: str
    """What the artifact is called inside (GGUF general.name, file name stem): "<model>-v<version>"."""
    prompts: list[str] = field(default_factory=list)
    """The check prompts, each sent as one user message (rendered with the version's prompt template)."""
    max_new_tokens: int = 16
    """Tokens generated per prompt by the check; more tokens make a stricter comparison and a slower export."""
    torch_threads: int | None = None
    """torch intra-op threads for this process; None leaves torch's default (all cores)."""

    @property
    def kind(self) -> ExportKind:
        return ExportKind(ExportFormat(self.format), self.quantization)


def run(job: ExportJob) -> dict[str, Any]:
    """Build and check the export; returns {files, verification, details}. Raises ExportError with a reason."""
    references = _setup(job)
    out = Path(job.out_dir)
    details = _build(job, out)
    verification = compare(references, _load_back(job, out), job.max_new_tokens, exact=job.kind.exact)
    if job.kind.exact and not verification["passed"]:
        numbers = ", ".join(str(n) for n in failed_prompts(verification))
        raise ExportError(
            f"verification failed: the {job.format} export's greedy output differs from the served model on "
            f"prompt(s) {numbers} of {verification['prompts']}, though this format must reproduce it exactly",
            verification,
        )
    return {"files": _manifest(job, out), "verification": verification, "details": details}


def _setup(job: ExportJob) -> list[Any]:
    from tuneline.common.base_models import offline

    offline()
    import torch

    if job.torch_threads:
        torch.set_num_threads(job.torch_threads)
    return served_references(job.base_model_dir, job.adapter_dir, job.prompts, job.max_new_tokens)


def _build(job: ExportJob, out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    if job.kind.format is ExportFormat.ADAPTER:
        return _copy_adapter(Path(job.adapter_dir), out)
    if job.kind.format is ExportFormat.MERGED:
        _merge(job, out)
        return {"dtype": _dtype_of(out)}
    from tuneline.registry.exports.gguf_file import write_gguf

    merged_dir = Path(job.scratch_dir) / "merged"
    model = _merge(job, merged_dir)
    assert job.quantization is not None
    summary = write_gguf(
        merged_dir, model, out / gguf_file_name(job.name, job.quantization), job.quantization, job.name
    )
    return {
        "tensor_types": summary.tensor_types,
        "fallback_f16": summary.fallback_f16,
        "tokenizer_pre": summary.tokenizer_pre,
    }


def gguf_file_name(name: str, quantization: str) -> str:
    return f"{name}-{quantization}.gguf"


def _merge(job: ExportJob, out: Path) -> Any:
    from peft import PeftModel

    from tuneline.registry.serving.loading import load_base_model

    tokenizer, base = load_base_model(job.base_model_dir)
    model = PeftModel.from_pretrained(base, job.adapter_dir, is_trainable=False).merge_and_unload()
    model.eval()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return model


def _copy_adapter(adapter: Path, out: Path) -> dict[str, Any]:
    """The adapter's files as trained (the registry's bookkeeping files left out)."""
    copied = []
    for path in sorted(adapter.rglob("*")):
        if path.is_file() and not path.name.startswith((".tuneline-", ".fetch-")):
            target = out / path.relative_to(adapter)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            copied.append(path.relative_to(adapter).as_posix())
    if "adapter_config.json" not in copied:
        raise ExportError("the version's adapter has no adapter_config.json")
    config = json.loads((out / "adapter_config.json").read_text())
    return {"peft_type": config.get("peft_type"), "r": config.get("r"), "target_modules": config.get("target_modules")}


def _dtype_of(directory: Path) -> str | None:
    config = json.loads((directory / "config.json").read_text())
    return config.get("dtype") or config.get("torch_dtype")


def _load_back(job: ExportJob, out: Path) -> Candidate:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model: Any
    if job.kind.format is ExportFormat.MERGED:
        tokenizer = AutoTokenizer.from_pretrained(out, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(out, local_files_only=True)
    elif job.kind.format is ExportFormat.ADAPTER:
        from peft import PeftModel

        from tuneline.registry.serving.loading import load_base_model

        tokenizer, base = load_base_model(job.base_model_dir)
        model = PeftModel.from_pretrained(base, str(out), is_trainable=False)
    else:
        assert job.quantization is not None
        file_name = gguf_file_name(job.name, job.quantization)
        tokenizer = AutoTokenizer.from_pretrained(out, gguf_file=file_name)
        # dequantized into float32, the precision the version serves in
        model = AutoModelForCausalLM.from_pretrained(out, gguf_file=file_name, dtype=torch.float32)
    model.eval()
    return Candidate(tokenizer, model)


def _manifest(job: ExportJob, out: Path) -> list[dict[str, Any]]:
    from tuneline.registry.serving.fetch import file_sha256

    files = [
        {"path": p.relative_to(out).as_posix(), "size": p.stat().st_size, "sha256": file_sha256(p)}
        for p in sorted(out.rglob("*"))
        if p.is_file()
    ]
    if job.kind.format is not ExportFormat.GGUF:
        lines = "".join(f"{f['sha256']}  {f['path']}\n" for f in files)
        manifest = out / MANIFEST
        manifest.write_text(lines)
        files.append({"path": MANIFEST, "size": manifest.stat().st_size, "sha256": file_sha256(manifest)})
    return files


# ------------------------------------------------------------------------------------------------ process entry


def run_safely(job: ExportJob) -> dict[str, Any]:
    """`run`, with a failure turned into the reason the export records (the traceback goes to the log)."""
    try:
        return run(job)
    except ExportError as exc:
        return {"error": str(exc), "verification": exc.verification}
    except Exception as exc:
        traceback.print_exc()
        return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        shutil.rmtree(job.scratch_dir, ignore_errors=True)


def serve(connection: Any) -> None:
    """The export process (started with `spawn` by the runner, kept warm so torch is imported once): receives
    jobs as JSON on `connection`, answers each with its result as JSON, until the runner closes the pipe."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    _exit_with_parent()
    while True:
        try:
            payload = connection.recv()
        except (EOFError, OSError):
            return
        result = run_safely(ExportJob(**json.loads(payload)))
        gc.collect()  # the models of this export go before the next one loads
        connection.send(json.dumps(result))


def _exit_with_parent() -> None:
    """The registry that started us died (killed): stop; the export is re-queued once its stamps stop."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def job_json(job: ExportJob) -> str:
    return json.dumps(asdict(job))
