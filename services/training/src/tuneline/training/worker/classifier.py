"""Sequence classification on a BERT-style encoder: the second training recipe, readable top to bottom.

    run(config, hooks)          phases reported through hooks.on_phase, as the causal recipe reports them:
      setup         preparing_data, loading_model: read {"text","label"} records, tokenise the raw text (no prompt:
                    an encoder reads the input and the head predicts the label), load the encoder with a fresh
                    classification head (AutoModelForSequenceClassification), LoRA on it or every weight trainable
      train         training: padded micro-batches, cross-entropy on the head's logits, gradient accumulation,
                    clipping, eval every N steps (val loss and accuracy), early stopping, best-restore,
                    checkpoints, cooperative cancel/pause, progress
      save_final    saving: LoRA → PEFT adapter with the head as a saved module (adapter_config.json +
                    adapter_model.safetensors), full → the whole model; tokenizer and training_metadata.json beside it
      cleanup       free the model and optimizer

Chosen by the executor (execute.py) when the base model's config.json names an encoder architecture
(`tuneline.common.base_models.is_encoder_dir`); the job service refuses an encoder base model for a use case that is
not classification with labels. It takes the causal recipe's `RecipeConfig`, so a job row, a preset and a spec carry
either; fields that only mean something for a causal LM (prompt_template, general_replay, gradient_checkpointing)
are recorded and ignored, and method "full" (every weight trained, no adapter) is accepted here only.
"""

from __future__ import annotations

import gc
import json
import math
import random
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tuneline.common.base_models import BaseModelSource, default_cache_dir, is_encoder_dir, offline, resolve_base_model
from tuneline.common.records import ClassificationRecord, Record, RecordError, labels_of, read_file
from tuneline.training.worker.recipe import (
    PhaseReport,
    Progress,
    RecipeConfig,
    RecipeHooks,
    RecipeResult,
    TrainState,
    run_figures,
)

#: Written beside the adapter (or full model): the label order of the head's logits, for evaluation and serving.
CLASSIFIER_FILE = "classifier.json"
METHODS = ("auto", "lora", "qlora", "full")


@dataclass
class Encoded:
    input_ids: list[int]
    label: int


@dataclass
class Run:
    config: RecipeConfig
    torch: Any
    model: Any
    tokenizer: Any
    optimizer: Any
    scheduler: Any
    train_examples: list[Encoded]
    eval_examples: list[Encoded]
    labels: list[str]
    method: str
    method_note: str
    autocast_dtype: Any
    device: Any
    steps_per_epoch: int
    total_steps: int
    data_stats: dict[str, int]
    state: TrainState = field(default_factory=TrainState)
    best_weights: dict[str, Any] | None = None
    last_checkpoint: Path | None = None
    setup_seconds: float = 0.0


def run(
    config: RecipeConfig, hooks: RecipeHooks | None = None, base_models: BaseModelSource | None = None
) -> RecipeResult:
    hooks = hooks or RecipeHooks()
    started = time.monotonic()
    run_ = setup(config, hooks, base_models)
    run_.setup_seconds = time.monotonic() - started
    try:
        status = train(run_, hooks)
        output = None
        if status in ("completed", "early_stopped"):
            _phase(hooks, "saving")
            output = save_final(run_)
        metadata = training_metadata(run_, status, time.monotonic() - started)
        if output is not None:
            (output / "training_metadata.json").write_text(json.dumps(metadata, indent=2))
        return RecipeResult(status, run_.state.step, output, run_.last_checkpoint, metadata)
    finally:
        cleanup(run_)


# ============================================================================================ setup


def _phase(hooks: RecipeHooks | None, phase: str) -> None:
    if hooks is not None and hooks.on_phase is not None:
        hooks.on_phase(PhaseReport(phase))


def setup(config: RecipeConfig, hooks: RecipeHooks | None = None, base_models: BaseModelSource | None = None) -> Run:
    offline()
    import torch

    _validate(config)
    _phase(hooks, "preparing_data")
    if config.torch_threads:
        torch.set_num_threads(config.torch_threads)
    torch.manual_seed(config.seed)
    random.seed(config.seed)

    from transformers import AutoTokenizer

    cache_dir = Path(config.model_cache_dir) if config.model_cache_dir else default_cache_dir()
    base_dir = resolve_base_model(config.base_model, cache_dir, base_models)
    if not is_encoder_dir(base_dir):
        raise ValueError(f"base_model {config.base_model!r} is not an encoder (BERT-style) model")
    tokenizer = AutoTokenizer.from_pretrained(base_dir)

    train_records = read_file(Path(config.train_path), "train_path", "classification")
    labels = list(config.labels or []) or labels_of(train_records)
    if len(labels) < 2:
        raise ValueError(f"labels: a classifier needs at least two labels, got {labels}")
    max_len = min(config.max_seq_len, int(tokenizer.model_max_length or config.max_seq_len))
    train_examples, stats = encode(train_records, labels, tokenizer, max_len, "train_path")
    eval_examples: list[Encoded] = []
    if config.validation_path:
        eval_records = read_file(Path(config.validation_path), "validation_path", "classification")
        if config.max_eval_samples:
            eval_records = eval_records[: config.max_eval_samples]
        eval_examples, _ = encode(eval_records, labels, tokenizer, max_len, "validation_path")

    method, note, device = _choose_method(config, torch)
    _phase(hooks, "loading_model")
    model = load_classifier(base_dir, labels, torch).to(device)
    autocast_dtype = _choose_autocast(config, torch, device)
    if method == "lora":
        model = _add_adapter(config, model)
    model.train()

    micro_batches = math.ceil(len(train_examples) / config.batch_size)
    steps_per_epoch = max(1, micro_batches // config.grad_accumulation)
    total_steps = config.max_steps or steps_per_epoch * config.epochs
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=config.weight_decay)
    from transformers import get_scheduler

    scheduler = get_scheduler(
        config.lr_scheduler, optimizer=optimizer, num_warmup_steps=config.warmup_steps, num_training_steps=total_steps
    )
    run_ = Run(
        config=config,
        torch=torch,
        model=model,
        tokenizer=tokenizer,
        optimizer=optimizer,
        scheduler=scheduler,
        train_examples=train_examples,
        eval_examples=eval_examples,
        labels=labels,
        method=method,
        method_note=note,
        autocast_dtype=autocast_dtype,
        device=device,
        steps_per_epoch=steps_per_epoch,
        total_steps=total_steps,
        data_stats=stats,
    )
    if config.resume_from:
        load_checkpoint(run_, Path(config.resume_from))
    return run_


def _validate(config: RecipeConfig) -> None:
    checks = [
        ("task", config.task in ("auto", "classification"), "auto or classification for an encoder base model"),
        ("method", config.method in METHODS, f"one of {', '.join(METHODS)}"),
        ("precision", config.precision in ("auto", "bf16", "fp32"), "one of auto, bf16, fp32"),
        ("batch_size", config.batch_size >= 1, ">= 1"),
        ("grad_accumulation", config.grad_accumulation >= 1, ">= 1"),
        ("epochs", config.epochs >= 1, ">= 1"),
        ("max_steps", config.max_steps is None or config.max_steps >= 1, ">= 1 or null"),
        ("learning_rate", config.learning_rate > 0, "> 0"),
        ("lora_r", config.lora_r >= 1, ">= 1"),
        ("max_seq_len", config.max_seq_len >= 8, ">= 8"),
        (
            "early_stopping_patience",
            config.early_stopping_patience >= 0
            and not (config.early_stopping_patience and not (config.eval_every_steps and config.validation_path)),
            ">= 0, and 0 unless eval_every_steps > 0 and validation_path are set",
        ),
    ]
    for name, ok, expected in checks:
        if not ok:
            raise ValueError(f"recipe config {name}={getattr(config, name)!r}: must be {expected}")


def _choose_method(config: RecipeConfig, torch: Any) -> tuple[str, str, Any]:
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if config.method == "full":
        return "full", "full fine-tune of the encoder and its head", device
    if config.method == "qlora":
        return "lora", "QLoRA requested: a small encoder trains LoRA in full precision instead", device
    return "lora", "LoRA on the encoder, classification head trained in full", device


def _choose_autocast(config: RecipeConfig, torch: Any, device: Any) -> Any:
    # Encoders here are small (hidden 64-384): bf16 autocast only when asked for, or on CUDA.
    if config.precision == "fp32":
        return None
    if config.precision == "bf16":
        return torch.bfloat16
    return torch.bfloat16 if device.type == "cuda" and torch.cuda.is_bf16_supported() else None


def load_classifier(model_dir: Path, labels: list[str], torch: Any) -> Any:
    """The encoder with a sequence-classification head of len(labels) outputs (new weights for a base encoder)."""
    import transformers
    from transformers import AutoModelForSequenceClassification

    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()  # the "head newly initialised" report is expected here
    try:
        return AutoModelForSequenceClassification.from_pretrained(
            model_dir,
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
            dtype=torch.float32,
        )
    finally:
        transformers.logging.set_verbosity(verbosity)


def _add_adapter(config: RecipeConfig, model: Any) -> Any:
    from peft import LoraConfig, TaskType, get_peft_model

    lora = LoraConfig(
        task_type=TaskType.SEQ_CLS,
        r=config.lora_r,
        lora_alpha=config.lora_alpha or 2 * config.lora_r,
        lora_dropout=config.lora_dropout,
        target_modules=config.target_modules,
        bias="none",
        modules_to_save=["classifier"],
    )
    return get_peft_model(model, lora)


def encode(
    records: list[Record], labels: list[str], tokenizer: Any, max_len: int, name: str
) -> tuple[list[Encoded], dict[str, int]]:
    """Token ids of each record's text (cut at max_len) and its label's index; a label outside the set is an error
    naming the split and the record."""
    index = {label: i for i, label in enumerate(labels)}
    examples, truncated = [], 0
    for number, record in enumerate(records, start=1):
        if not isinstance(record, ClassificationRecord):
            raise RecordError(f"{name} record {number}: an encoder trains on classification records (text, label)")
        if record.label not in index:
            raise RecordError(f"{name} record {number}: label {record.label!r} is not one of {labels}")
        ids = tokenizer(record.text, truncation=True, max_length=max_len)["input_ids"]
        truncated += int(len(tokenizer(record.text)["input_ids"]) > max_len)
        examples.append(Encoded(list(ids), index[record.label]))
    return examples, {"records": len(records), "truncated": truncated}


def batch_tensors(examples: list[Encoded], pad_id: int, torch: Any, device: Any) -> tuple[Any, Any, Any]:
    """Right-padded ids, attention mask and label indices of a micro-batch."""
    width = max(len(e.input_ids) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, example in enumerate(examples):
        ids[row, : len(example.input_ids)] = torch.tensor(example.input_ids)
        mask[row, : len(example.input_ids)] = 1
    targets = torch.tensor([e.label for e in examples], dtype=torch.long)
    return ids.to(device), mask.to(device), targets.to(device)


def _logits(run_: Run, ids: Any, mask: Any) -> Any:
    torch = run_.torch
    if run_.autocast_dtype is None:
        return run_.model(input_ids=ids, attention_mask=mask).logits.float()
    with torch.autocast(device_type=run_.device.type, dtype=run_.autocast_dtype):
        return run_.model(input_ids=ids, attention_mask=mask).logits.float()


# ============================================================================================ train


def train(run_: Run, hooks: RecipeHooks) -> str:
    config, state = run_.config, run_.state
    _phase(hooks, "training")
    last_sent = -math.inf
    status = "completed"
    while state.step < run_.total_steps and status == "completed":
        steps = _epoch_steps(run_, state.epoch)
        while state.position < len(steps) and state.step < run_.total_steps:
            command = hooks.control() if hooks.control else None
            if command == "pause":
                save_checkpoint(run_, hooks)
                return "paused"
            if command == "cancel":
                return "cancelled"
            _optimizer_step(run_, steps[state.position])
            if time.monotonic() - last_sent >= config.progress_interval_s:
                _report(run_, hooks, "step")
                last_sent = time.monotonic()
            stop = (
                bool(config.eval_every_steps) and state.step % config.eval_every_steps == 0 and bool(run_.eval_examples)
            )
            stop = stop and _evaluate_and_track(run_, hooks)
            if config.checkpoint_every_steps and state.step % config.checkpoint_every_steps == 0:
                save_checkpoint(run_, hooks)
            if stop:
                status = "early_stopped"
                break
        if state.position >= len(steps):
            state.epoch, state.position = state.epoch + 1, 0
    if run_.eval_examples and not (state.eval_history and state.eval_history[-1]["step"] == state.step):
        _phase(hooks, "evaluating")
        _evaluate_and_track(run_, hooks)
    _report(run_, hooks, "end")
    return status


def _epoch_steps(run_: Run, epoch: int) -> list[list[list[int]]]:
    """Example indices per optimizer step of `epoch`, a pure function of seed and epoch (resumable)."""
    torch, config = run_.torch, run_.config
    order = torch.randperm(len(run_.train_examples), generator=torch.Generator().manual_seed(config.seed + epoch))
    order = order.tolist()
    micro = [order[i : i + config.batch_size] for i in range(0, len(order), config.batch_size)]
    n_steps = max(1, len(micro) // config.grad_accumulation)
    return [micro[s * config.grad_accumulation : (s + 1) * config.grad_accumulation] for s in range(n_steps)]


def _optimizer_step(run_: Run, micro_batches: list[list[int]]) -> float:
    torch, state = run_.torch, run_.state
    started, cpu_started = time.monotonic(), time.process_time()
    examples = sum(len(m) for m in micro_batches)
    total, tokens = 0.0, 0
    for micro in micro_batches:
        batch = [run_.train_examples[i] for i in micro]
        ids, mask, targets = batch_tensors(batch, run_.tokenizer.pad_token_id or 0, torch, run_.device)
        loss = torch.nn.functional.cross_entropy(_logits(run_, ids, mask), targets, reduction="sum") / examples
        loss.backward()
        total += float(loss.detach())
        tokens += int(mask.sum())
    if run_.config.max_grad_norm:
        torch.nn.utils.clip_grad_norm_(
            [p for p in run_.model.parameters() if p.requires_grad], run_.config.max_grad_norm
        )
    learning_rate = run_.scheduler.get_last_lr()[0]
    run_.optimizer.step()
    run_.scheduler.step()
    run_.optimizer.zero_grad(set_to_none=True)
    state.step += 1
    state.position += 1
    state.tokens_seen += tokens
    state.target_tokens_seen += examples
    state.train_seconds += time.monotonic() - started
    state.train_cpu_seconds += time.process_time() - cpu_started
    state.history.append(
        {
            "step": state.step,
            "epoch": round(state.epoch + state.position / run_.steps_per_epoch, 4),
            "train_loss": total,
            "learning_rate": learning_rate,
            "tokens": tokens,
        }
    )
    return total


def evaluate(run_: Run) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of the head on the validation examples."""
    torch = run_.torch
    run_.model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(run_.eval_examples), run_.config.batch_size):
            batch = run_.eval_examples[start : start + run_.config.batch_size]
            ids, mask, targets = batch_tensors(batch, run_.tokenizer.pad_token_id or 0, torch, run_.device)
            logits = _logits(run_, ids, mask)
            loss_sum += float(torch.nn.functional.cross_entropy(logits, targets, reduction="sum"))
            correct += int((logits.argmax(dim=-1) == targets).sum())
    run_.model.train()
    count = max(len(run_.eval_examples), 1)
    return loss_sum / count, correct / count


def _evaluate_and_track(run_: Run, hooks: RecipeHooks) -> bool:
    config, state = run_.config, run_.state
    val_loss, accuracy = evaluate(run_)
    state.eval_history.append({"step": state.step, "val_loss": val_loss, "val_accuracy": accuracy})
    improved = state.best_val_loss is None or val_loss < state.best_val_loss - config.early_stopping_min_delta
    if improved:
        state.best_val_loss, state.best_step, state.evals_without_improvement = val_loss, state.step, 0
        if config.restore_best:
            run_.best_weights = _trainable_state(run_)
    else:
        state.evals_without_improvement += 1
    _report(run_, hooks, "eval")
    patience = config.early_stopping_patience
    return bool(patience and state.evals_without_improvement >= patience)


def _trainable_state(run_: Run) -> dict[str, Any]:
    """The weights this run changes (LoRA matrices and the head, or everything for a full fine-tune)."""
    return {name: p.detach().clone().cpu() for name, p in run_.model.named_parameters() if p.requires_grad}


def _load_trainable(run_: Run, weights: dict[str, Any]) -> None:
    missing = set(_trainable_state(run_)) - set(weights)
    if missing:
        raise ValueError(f"checkpoint lacks {len(missing)} trained weights, e.g. {sorted(missing)[0]}")
    run_.model.load_state_dict(weights, strict=False)


def _report(run_: Run, hooks: RecipeHooks, event: str) -> None:
    if hooks.on_progress is None:
        return
    state = run_.state
    seconds, steps = state.train_seconds, state.step
    hooks.on_progress(
        Progress(
            step=state.step,
            total_steps=run_.total_steps,
            epoch=state.history[-1]["epoch"] if state.history else 0.0,
            train_loss=state.history[-1]["train_loss"] if state.history else None,
            val_loss=state.eval_history[-1]["val_loss"] if state.eval_history else None,
            learning_rate=float(run_.scheduler.get_last_lr()[0]),
            tokens_per_second=state.tokens_seen / seconds if seconds > 0 else 0.0,
            eta_seconds=max(run_.total_steps - state.step, 0) * seconds / steps if steps else 0.0,
            event=event,
        )
    )


# ============================================================================================ checkpoints


def save_checkpoint(run_: Run, hooks: RecipeHooks) -> Path:
    """Trained weights, optimizer, scheduler, RNG and loop state in checkpoints/checkpoint-<step>, atomically."""
    torch, state = run_.torch, run_.state
    root = Path(run_.config.output_dir) / "checkpoints"
    root.mkdir(parents=True, exist_ok=True)
    final, staging = root / f"checkpoint-{state.step:07d}", root / f".staging-{state.step:07d}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    from safetensors.torch import save_file

    save_file(_trainable_state(run_), str(staging / "trained.safetensors"))
    if run_.best_weights is not None:
        save_file(run_.best_weights, str(staging / "best.safetensors"))
    torch.save(run_.optimizer.state_dict(), staging / "optimizer.pt")
    torch.save(run_.scheduler.state_dict(), staging / "scheduler.pt")
    torch.save({"python": random.getstate(), "torch": torch.get_rng_state()}, staging / "rng.pt")
    (staging / "trainer_state.json").write_text(json.dumps(asdict(state)))
    shutil.rmtree(final, ignore_errors=True)
    staging.rename(final)
    run_.last_checkpoint = final
    if hooks.on_checkpoint:
        hooks.on_checkpoint(final, state.step)
    for old in sorted(root.glob("checkpoint-*"))[: -max(run_.config.keep_checkpoints, 1)]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def load_checkpoint(run_: Run, checkpoint: Path) -> None:
    torch = run_.torch
    if not (checkpoint / "trained.safetensors").is_file():
        raise FileNotFoundError(f"resume_from: {checkpoint} is not a classifier checkpoint (no trained.safetensors)")
    from safetensors.torch import load_file

    _load_trainable(run_, load_file(str(checkpoint / "trained.safetensors")))
    if (checkpoint / "best.safetensors").is_file():
        run_.best_weights = load_file(str(checkpoint / "best.safetensors"))
    run_.optimizer.load_state_dict(torch.load(checkpoint / "optimizer.pt", weights_only=True))
    run_.scheduler.load_state_dict(torch.load(checkpoint / "scheduler.pt", weights_only=True))
    rng = torch.load(checkpoint / "rng.pt", weights_only=False)
    random.setstate(rng["python"])
    torch.set_rng_state(rng["torch"])
    run_.state = TrainState(**json.loads((checkpoint / "trainer_state.json").read_text()))
    run_.last_checkpoint = checkpoint


# ============================================================================================ save & cleanup


def save_final(run_: Run) -> Path:
    """The adapter (LoRA + head, PEFT layout) or the whole fine-tuned model, with tokenizer and label order."""
    output = Path(run_.config.output_dir) / "adapter"
    if run_.config.restore_best and run_.best_weights is not None:
        _load_trainable(run_, run_.best_weights)
    if run_.method == "lora":
        run_.model.peft_config["default"].base_model_name_or_path = run_.config.base_model
    else:
        run_.model.config.name_or_path = run_.config.base_model
    run_.model.save_pretrained(output)
    run_.tokenizer.save_pretrained(output)
    (output / CLASSIFIER_FILE).write_text(
        json.dumps({"labels": run_.labels, "method": run_.method, "base_model": run_.config.base_model})
    )
    return output


def training_metadata(run_: Run, status: str, total_seconds: float) -> dict[str, Any]:
    config = run_.config
    return {
        "status": status,
        "method": run_.method,
        "method_note": run_.method_note,
        "model_kind": "encoder",
        "precision": "bf16-autocast" if run_.autocast_dtype is not None else "fp32",
        "device": run_.device.type,
        "torch_threads": run_.torch.get_num_threads(),
        "task": "classification",
        "labels": run_.labels,
        "base_model": config.base_model,
        "hyperparameters": asdict(config),
        "trainable_parameters": sum(p.numel() for p in run_.model.parameters() if p.requires_grad),
        **run_figures(run_, total_seconds),
    }


def cleanup(run_: Run) -> None:
    run_.model = run_.optimizer = run_.scheduler = None
    run_.best_weights = None
    gc.collect()
