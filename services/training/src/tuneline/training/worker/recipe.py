"""Supervised fine-tuning with LoRA (QLoRA on CUDA): one recipe, readable top to bottom.

    run(config, hooks)                     phases reported through hooks.on_phase, in this order:
      setup            preparing_data, loading_model, generating_replay (answers n/M when the cache is cold)
                       load records, tokenise with chat-template-aware loss masks, load model + adapter,
                       optimizer, scheduler; restore everything from a checkpoint when resuming
      train            training: packed micro-batches, gradient accumulation, clipping, eval every N steps,
                       early stopping, checkpoints every N steps, cooperative cancel/pause, progress
      (final eval)     evaluating, when there is validation data
      save_final       saving: PEFT adapter (adapter_config.json + adapter_model.safetensors) + training_metadata.json
      cleanup          free the model and optimizer

Why a plain PyTorch loop instead of TRL's SFTTrainer: the service needs exact control over what a checkpoint
holds (data position and metric history, so a killed worker resumes with an unbroken loss curve), a cancel/pause
check every step, and CPU speed. Three choices give the speed (measured in bench/bench_training.py):
 - padding-free packing: a micro-batch is one row of concatenated examples with per-example position ids;
   transformers derives a block-diagonal causal mask from the position resets, so no example sees another and
   no compute goes to padding;
 - logits only where a label exists (`logits_to_keep` boolean mask): with a 49k vocabulary the output
   projection over every prompt token costs more than the adapter math;
 - bf16 autocast on CPUs with native bf16, and no gradient checkpointing on CPU (it only trades time for a
   memory saving a 135M model does not need).

Record shapes (one JSON object per line): classification {"text","label"} (trained as a user turn asking for the
label and an assistant turn holding it), instruction {"prompt","completion"}, conversational {"messages": [...]}.
Loss is computed on assistant turns only, including the end-of-turn token, so the model learns to stop.

Run as a process: `python -m tuneline.training.worker.recipe CONFIG.json` prints one JSON line per progress
report, checkpoint and the final result; SIGTERM asks it to cancel, SIGUSR1 to pause (checkpoint and exit).
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import random
import shutil
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tuneline.common.base_models import BaseModelSource, default_cache_dir, offline, resolve_base_model
from tuneline.common.records import (
    Message,
    PromptTemplate,
    Record,
    RecordError,
    RecordFormat,
    conversation,
    labels_of,
    parse_record,
    read_file,
)
from tuneline.training.worker.replay import general_replay_records, replay_count

IGNORE_INDEX = -100
_BF16_MIN_HIDDEN = 512
TASKS: tuple[RecordFormat, ...] = ("classification", "instruction", "conversational")


@dataclass
class RecipeConfig:
    """Everything a training run depends on. JSON-serialisable, so a job row or a subprocess can carry it."""

    base_model: str
    """Base model: "smollm2-135m-instruct" (shipped, converted once from GGUF), a local HF model directory, or a
    model URI (s3://… fetched into the model cache, file://… read in place; both checked against their manifest,
    see tuneline.common.base_models). Recorded as given: the adapter names it, never this machine's copy."""
    train_path: str
    """JSONL file of training records (classification, instruction or conversational shape)."""
    output_dir: str
    """Run directory: checkpoints go to <output_dir>/checkpoints, the final adapter to <output_dir>/adapter."""
    validation_path: str | None = None
    """JSONL validation records of the same shape; without it there is no eval, early stopping or best-restore."""
    task: str = "auto"
    """"auto" (detected from the first record), "classification", "instruction" or "conversational"."""
    labels: list[str] | None = None
    """Classification label set shown in the prompt; default: the template's labels, else the sorted distinct
    labels of the training set."""
    prompt_template: dict[str, Any] | None = None
    """The use case's ``PromptTemplate`` (tuneline.common.records) as JSON: the words every classification input
    is wrapped in; default: ``PromptTemplate.generic`` (a neutral "Classify the following text.")."""
    general_replay: float = 0.0
    """Self-distilled general replay (worker/replay.py): general instructions answered by the base model mixed
    in at this ratio to the task examples (0.25 = one per four), so the adapter keeps general behaviour; 0 = off."""
    replay_cache_dir: str | None = None
    """Where the base model's replay answers are cached; default: <model cache>/replay."""
    model_cache_dir: str | None = None
    """This node's model cache: where the shipped model is converted and base models given by URI are fetched;
    default: TUNELINE_MODEL_CACHE_DIR, else ~/.cache/tuneline/models."""

    method: str = "auto"
    """"auto" = QLoRA on CUDA, LoRA elsewhere; "qlora" falls back to LoRA without CUDA (4-bit on CPU is no
    faster and loses gradients after any eval forward pass); "lora" always LoRA. The method that ran is recorded."""
    lora_r: int = 16
    """LoRA rank: adapter capacity; trainable params grow linearly with it."""
    lora_alpha: int | None = None
    """LoRA scaling numerator (update scaled by alpha/r); default 2*r."""
    lora_dropout: float = 0.0
    """Dropout on the adapter input; 0 learns fastest on small, clean data sets."""
    target_modules: list[str] | str = "all-linear"
    """Modules that get adapters: "all-linear" or names such as ["q_proj", "v_proj"]."""

    epochs: int = 3
    """Passes over the training set (ignored when max_steps is set)."""
    max_steps: int | None = None
    """Stop after this many optimizer steps; overrides epochs (the data then cycles through more epochs)."""
    batch_size: int = 8
    """Examples per micro-batch (packed into one row without padding)."""
    grad_accumulation: int = 1
    """Micro-batches per optimizer step; effective batch = batch_size * grad_accumulation."""
    learning_rate: float = 5e-4
    """Peak learning rate for AdamW."""
    lr_scheduler: str = "cosine"
    """transformers scheduler name: "cosine", "linear", "constant_with_warmup", ..."""
    warmup_steps: int = 0
    """Optimizer steps of linear warm-up before the schedule."""
    weight_decay: float = 0.0
    """AdamW decoupled weight decay on the adapter weights."""
    max_grad_norm: float = 1.0
    """Gradient clipping threshold (0 disables)."""
    max_seq_len: int = 512
    """Tokens per example; longer ones are cut at the end and dropped when no label token survives."""
    seed: int = 42
    """Seeds adapter init, data order (per epoch) and dropout; same seed and data give the same losses."""

    precision: str = "auto"
    """"auto" (bf16 autocast on CUDA, and on CPUs with native bf16 for hidden size >= 512, else fp32),
    "bf16" or "fp32"."""
    gradient_checkpointing: bool | None = None
    """Recompute activations in backward to save memory; default on for CUDA, off on CPU (only slower there)."""
    torch_threads: int | None = None
    """torch intra-op threads on CPU; default: torch's choice. 1 is often fastest on a busy 2-core machine."""

    eval_every_steps: int = 0
    """Validation loss every N optimizer steps (0 = only at the end)."""
    max_eval_samples: int | None = 200
    """Validation examples used per eval (the first N), to bound eval time."""
    early_stopping_patience: int = 0
    """Stop after this many evals without improving the best val loss by min_delta (0 = off)."""
    early_stopping_min_delta: float = 0.0
    """Improvement in val loss that counts as progress for early stopping and best-adapter tracking."""
    restore_best: bool = True
    """Save the adapter with the best val loss instead of the last one (when there was an eval)."""
    checkpoint_every_steps: int = 0
    """Write a resumable checkpoint every N optimizer steps (0 = off)."""
    keep_checkpoints: int = 2
    """Newest checkpoints kept on local disk (the service uploads each one before it is pruned)."""
    resume_from: str | None = None
    """Checkpoint directory to resume from; step numbering and metric history continue from it."""
    progress_interval_s: float = 1.0
    """At most one progress report per this many seconds, plus one after every eval and at the end."""

    @classmethod
    def from_json(cls, text: str) -> RecipeConfig:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown recipe config field(s): {', '.join(unknown)}")
        return cls(**data)


@dataclass
class Progress:
    step: int
    total_steps: int
    epoch: float
    train_loss: float | None
    val_loss: float | None
    learning_rate: float
    tokens_per_second: float
    eta_seconds: float
    event: str  # "step" | "eval" | "end"


@dataclass
class PhaseReport:
    """The run entered `phase` (tuneline.common.results.RunPhase), or moved on within it (done of total)."""

    phase: str
    done: int | None = None
    total: int | None = None
    seconds_per_unit: float | None = None


@dataclass
class RecipeHooks:
    on_progress: Callable[[Progress], None] | None = None
    on_phase: Callable[[PhaseReport], None] | None = None
    """Called when the run enters a phase, and within generating_replay after each batch of answers."""
    on_checkpoint: Callable[[Path, int], None] | None = None
    """Called after a checkpoint directory is complete on disk (the service uploads it)."""
    control: Callable[[], str | None] | None = None
    """Checked before every optimizer step: "cancel" stops now, "pause" checkpoints then stops."""


@dataclass
class RecipeResult:
    status: str  # "completed" | "early_stopped" | "cancelled" | "paused"
    step: int
    adapter_dir: Path | None
    last_checkpoint: Path | None
    metadata: dict[str, Any]


@dataclass
class Example:
    input_ids: list[int]
    labels: list[int]  # IGNORE_INDEX where the token is prompt/template, else the token id


@dataclass
class TrainState:
    """Everything besides tensors that a resumed run needs to continue as if never interrupted."""

    step: int = 0
    epoch: int = 0
    position: int = 0  # optimizer steps already taken within `epoch`
    tokens_seen: int = 0
    target_tokens_seen: int = 0
    train_seconds: float = 0.0
    train_cpu_seconds: float = 0.0  # process CPU time in steps: throughput that contention does not distort
    best_val_loss: float | None = None
    best_step: int | None = None
    evals_without_improvement: int = 0
    history: list[dict[str, float]] = field(default_factory=list)  # one row per optimizer step
    eval_history: list[dict[str, float]] = field(default_factory=list)


# ============================================================================================ run


def run(
    config: RecipeConfig, hooks: RecipeHooks | None = None, base_models: BaseModelSource | None = None
) -> RecipeResult:
    """`base_models`: the object store and TUNELINE_BASE_MODEL_DIRS a base model given by URI or mapped
    reference is fetched with (the executor passes its own); without it only the shipped model and local
    directories are found."""
    hooks = hooks or RecipeHooks()
    started = time.monotonic()
    run_ = setup(config, hooks, base_models)
    run_.setup_seconds = time.monotonic() - started
    try:
        status = train(run_, hooks)
        adapter_dir = None
        if status in ("completed", "early_stopped"):
            _phase(hooks, "saving")
            adapter_dir = save_final(run_)
        metadata = training_metadata(run_, status, time.monotonic() - started)
        if adapter_dir is not None:
            (adapter_dir / "training_metadata.json").write_text(json.dumps(metadata, indent=2))
        return RecipeResult(status, run_.state.step, adapter_dir, run_.last_checkpoint, metadata)
    finally:
        cleanup(run_)


# ============================================================================================ setup


@dataclass
class Run:
    config: RecipeConfig
    torch: Any
    model: Any
    tokenizer: Any
    optimizer: Any
    scheduler: Any
    train_examples: list[Example]
    eval_examples: list[Example]
    task: str
    labels: list[str] | None
    template: PromptTemplate
    method: str
    method_note: str
    autocast_dtype: Any  # torch.bfloat16 or None
    device: Any
    base_model_dir: Path
    steps_per_epoch: int
    total_steps: int
    data_stats: dict[str, int]
    state: TrainState = field(default_factory=TrainState)
    best_adapter: dict[str, Any] | None = None
    last_checkpoint: Path | None = None
    setup_seconds: float = 0.0


def _phase(hooks: RecipeHooks | None, phase: str, **within: Any) -> None:
    if hooks is not None and hooks.on_phase is not None:
        hooks.on_phase(PhaseReport(phase, **within))


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
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    if tokenizer.chat_template is None:
        raise ValueError(f"base_model {config.base_model!r}: tokenizer has no chat template")

    forced = None if config.task == "auto" else _record_format(config.task)
    train_records = read_records(Path(config.train_path), "train_path", expected=forced)
    task = train_records[0].format
    if task not in TASKS:
        raise RecordError(f"train_path: {task} records have no target to learn; expected one of {', '.join(TASKS)}")
    template = prompt_template(config, train_records)
    labels = template.labels if task == "classification" else None
    train_examples, train_stats = build_examples(train_records, template, tokenizer, config.max_seq_len)
    eval_examples: list[Example] = []
    if config.validation_path:
        eval_records = read_records(Path(config.validation_path), "validation_path", expected=train_records[0].format)
        if config.max_eval_samples:
            eval_records = eval_records[: config.max_eval_samples]
        eval_examples, _ = build_examples(eval_records, template, tokenizer, config.max_seq_len)
    if not train_examples:
        raise ValueError(f"train_path: no example has a label token within max_seq_len={config.max_seq_len}")

    method, note, device = _choose_method(config, torch)
    _phase(hooks, "loading_model")
    model = _load_model(config, base_dir, method, device, torch)
    autocast_dtype = _choose_autocast(config, torch, device, getattr(model.config, "hidden_size", 0))
    if config.general_replay:  # answered by the base itself, so before the adapter exists
        _phase(hooks, "generating_replay")
        replay_records, replay_stats = general_replay_records(
            model,
            tokenizer,
            replay_count(len(train_examples), config.general_replay),
            base_dir=base_dir,
            cache_dir=Path(config.replay_cache_dir) if config.replay_cache_dir else cache_dir / "replay",
            on_answered=lambda done, total, rate: _phase(
                hooks, "generating_replay", done=done, total=total, seconds_per_unit=rate
            ),
        )
        replay = [parse_record(row, f"general replay {i}") for i, row in enumerate(replay_records)]
        replay_examples, _ = build_examples(replay, template, tokenizer, config.max_seq_len)
        train_examples = train_examples + replay_examples
        train_stats = {**train_stats, **replay_stats}
    model = _add_adapter(config, model, method)

    micro_batches_per_epoch = math.ceil(len(train_examples) / config.batch_size)
    steps_per_epoch = max(1, micro_batches_per_epoch // config.grad_accumulation)
    total_steps = config.max_steps or steps_per_epoch * config.epochs

    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=config.weight_decay)
    from transformers import get_scheduler

    scheduler = get_scheduler(
        config.lr_scheduler,
        optimizer=optimizer,
        num_warmup_steps=config.warmup_steps,
        num_training_steps=total_steps,
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
        task=task,
        labels=labels,
        template=template,
        method=method,
        method_note=note,
        autocast_dtype=autocast_dtype,
        device=device,
        base_model_dir=base_dir,
        steps_per_epoch=steps_per_epoch,
        total_steps=total_steps,
        data_stats=train_stats,
    )
    if config.resume_from:
        load_checkpoint(run_, Path(config.resume_from))
    return run_


def _validate(config: RecipeConfig) -> None:
    checks = [
        ("task", config.task in ("auto", *TASKS), f"one of auto, {', '.join(TASKS)}"),
        ("method", config.method in ("auto", "lora", "qlora"), "one of auto, lora, qlora"),
        ("precision", config.precision in ("auto", "bf16", "fp32"), "one of auto, bf16, fp32"),
        ("batch_size", config.batch_size >= 1, ">= 1"),
        ("grad_accumulation", config.grad_accumulation >= 1, ">= 1"),
        ("epochs", config.epochs >= 1, ">= 1"),
        ("max_steps", config.max_steps is None or config.max_steps >= 1, ">= 1 or null"),
        ("learning_rate", config.learning_rate > 0, "> 0"),
        ("general_replay", 0.0 <= config.general_replay <= 1.0, "between 0 and 1"),
        ("lora_r", config.lora_r >= 1, ">= 1"),
        ("max_seq_len", config.max_seq_len >= 16, ">= 16"),
        ("early_stopping_patience", config.early_stopping_patience >= 0, ">= 0"),
        (
            "early_stopping_patience",
            not (config.early_stopping_patience and not (config.eval_every_steps and config.validation_path)),
            "0 unless eval_every_steps > 0 and validation_path are set",
        ),
    ]
    for name, ok, expected in checks:
        if not ok:
            raise ValueError(f"recipe config {name}={getattr(config, name)!r}: must be {expected}")


def _choose_method(config: RecipeConfig, torch: Any) -> tuple[str, str, Any]:
    if torch.cuda.is_available():
        device = torch.device("cuda")
        if config.method in ("auto", "qlora"):
            return "qlora", "4-bit NF4 base with LoRA adapters on CUDA", device
        return "lora", "LoRA requested", device
    device = torch.device("cpu")
    if config.method == "qlora":
        return "lora", "QLoRA requested but no CUDA device: trained LoRA on CPU instead", device
    return "lora", "LoRA on CPU (QLoRA needs CUDA)", device


def _choose_autocast(config: RecipeConfig, torch: Any, device: Any, hidden_size: int) -> Any:
    if config.precision == "fp32":
        return None
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else None
    if config.precision == "bf16":
        return torch.bfloat16
    # Measured here (AVX512-BF16, bench/bench_training.py): SmolLM2-135M LoRA 1.3-1.45x more tokens per
    # CPU-second under bf16 autocast, but the tiny hidden-128 test model 2.5x slower (casts dominate small
    # matmuls); without native bf16 it is emulated.
    native = torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()
    return torch.bfloat16 if native and hidden_size >= _BF16_MIN_HIDDEN else None


def _load_model(config: RecipeConfig, base_dir: Path, method: str, device: Any, torch: Any) -> Any:
    from transformers import AutoModelForCausalLM

    if method == "qlora":
        from peft import prepare_model_for_kbit_training
        from transformers import BitsAndBytesConfig

        quantization = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16,
        )
        model = AutoModelForCausalLM.from_pretrained(
            base_dir, quantization_config=quantization, dtype=torch.bfloat16, device_map={"": 0}
        )
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=_checkpointing(config, device))
    else:
        # CPU keeps fp32 master weights (autocast computes in bf16); CUDA holds the frozen base in bf16.
        dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
        model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=dtype).to(device)
    model.config.use_cache = False
    if _checkpointing(config, device):
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    return model


def _checkpointing(config: RecipeConfig, device: Any) -> bool:
    if config.gradient_checkpointing is None:
        return bool(device.type == "cuda")
    return config.gradient_checkpointing


def _add_adapter(config: RecipeConfig, model: Any, method: str) -> Any:
    from peft import LoraConfig, get_peft_model

    lora = LoraConfig(
        task_type="CAUSAL_LM",
        r=config.lora_r,
        lora_alpha=config.lora_alpha or 2 * config.lora_r,
        lora_dropout=config.lora_dropout,
        target_modules=config.target_modules,
        bias="none",
    )
    peft_model = get_peft_model(model, lora)
    peft_model.train()
    return peft_model


# ------------------------------------------------------------------ records → token ids with loss masks


def read_records(path: Path, name: str, expected: RecordFormat | None = None) -> list[Record]:
    """The records of one JSONL split, by the shared reader (tuneline.common.records): one shape per file."""
    return read_file(path, name, expected)


def _record_format(task: str) -> RecordFormat:
    for name in TASKS:
        if name == task:
            return name
    raise ValueError(f"task: expected one of auto, {', '.join(TASKS)}; got {task!r}")


def prompt_template(config: RecipeConfig, records: list[Record]) -> PromptTemplate:
    """The use case's template, given the label set (config, template or data, in that order)."""
    labels = list(config.labels or []) or labels_of(records)
    if not config.prompt_template:
        return PromptTemplate.generic(labels)
    template = PromptTemplate.model_validate(config.prompt_template)
    return (
        template.model_copy(update={"labels": list(config.labels)}) if config.labels else template.with_labels(labels)
    )


def tokenize_with_mask(messages: list[Message], tokenizer: Any) -> Example:
    """Token ids of the chat-formatted conversation, with labels only on assistant turns.

    The assistant spans are found as character ranges by rendering the template incrementally (prefix with
    the generation prompt vs. prefix plus the turn), then mapped onto tokens with the tokenizer's offsets, so
    the mask is exact whatever the template adds around each turn.
    """
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    spans = []
    for i, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        before = tokenizer.apply_chat_template(messages[:i], tokenize=False, add_generation_prompt=True)
        through = tokenizer.apply_chat_template(messages[: i + 1], tokenize=False)
        if not (text.startswith(before) and text.startswith(through) and through.startswith(before)):
            raise ValueError("chat template does not render turns as prefixes; cannot mask the prompt")
        spans.append((len(before), len(through)))
    encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = encoded["input_ids"]
    labels = [
        token if any(start <= begin and begin < end for start, end in spans) else IGNORE_INDEX
        for token, (begin, _) in zip(ids, encoded["offset_mapping"], strict=True)
    ]
    return Example(ids, labels)


def build_examples(
    records: list[Record], template: PromptTemplate, tokenizer: Any, max_seq_len: int
) -> tuple[list[Example], dict[str, int]]:
    examples, truncated, dropped = [], 0, 0
    for record in records:
        example = tokenize_with_mask(conversation(record, template), tokenizer)
        if len(example.input_ids) > max_seq_len:
            truncated += 1
            example = Example(example.input_ids[:max_seq_len], example.labels[:max_seq_len])
        if all(label == IGNORE_INDEX for label in example.labels[1:]):
            dropped += 1
            continue
        examples.append(example)
    return examples, {"records": len(records), "truncated": truncated, "dropped": dropped}


@dataclass
class PackedBatch:
    input_ids: Any  # (1, T) all examples back to back
    position_ids: Any  # (1, T) restarting at 0 for each example: the packing boundary
    keep: Any  # (1, T) bool: positions whose next token is a label within the same example
    targets: Any  # (K,) the label each kept position must predict
    tokens: int


def pack(examples: list[Example], torch: Any, device: Any) -> PackedBatch:
    ids: list[int] = []
    positions: list[int] = []
    next_labels: list[int] = []
    for example in examples:
        ids += example.input_ids
        positions += range(len(example.input_ids))
        # position t predicts token t+1 of the same example; an example's last position predicts nothing
        next_labels += [*example.labels[1:], IGNORE_INDEX]
    next_tensor = torch.tensor(next_labels, device=device)
    keep = next_tensor != IGNORE_INDEX
    return PackedBatch(
        input_ids=torch.tensor([ids], device=device),
        position_ids=torch.tensor([positions], device=device),
        keep=keep.unsqueeze(0),
        targets=next_tensor[keep],
        tokens=len(ids),
    )


def summed_loss(model: Any, batch: PackedBatch, autocast_dtype: Any = None) -> Any:
    """Sum of token cross-entropies over label positions (normalised by the caller across accumulation)."""
    import torch

    autocast: Any = contextlib.nullcontext()
    if autocast_dtype is not None:
        autocast = torch.autocast(device_type=batch.input_ids.device.type, dtype=autocast_dtype)
    with autocast:
        # use_cache=False matters beyond memory: transformers only derives the per-example (block-diagonal)
        # mask from position ids when there is no KV cache; with one, packed examples would attend each other.
        out = model(
            input_ids=batch.input_ids, position_ids=batch.position_ids, logits_to_keep=batch.keep, use_cache=False
        )
    logits = out.logits.reshape(-1, out.logits.shape[-1]).float()
    return torch.nn.functional.cross_entropy(logits, batch.targets, reduction="sum")


# ============================================================================================ train


def train(run_: Run, hooks: RecipeHooks) -> str:
    """Optimizer steps until total_steps, early stopping, cancel or pause; returns the final status."""
    config, state = run_.config, run_.state
    reporter = _ProgressReporter(run_, hooks)
    _phase(hooks, "training", done=state.step, total=run_.total_steps)
    run_.model.train()
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
            reporter.step(_optimizer_step(run_, steps[state.position]))
            stop = (
                _due(state.step, config.eval_every_steps)
                and bool(run_.eval_examples)
                and _evaluate_and_track(run_, reporter)
            )
            if _due(state.step, config.checkpoint_every_steps):
                save_checkpoint(run_, hooks)
            if stop:
                status = "early_stopped"
                break
        if state.position >= len(steps):
            state.epoch, state.position = state.epoch + 1, 0
    if run_.eval_examples and not (state.eval_history and state.eval_history[-1]["step"] == state.step):
        _phase(hooks, "evaluating")
        _evaluate_and_track(run_, reporter)
    reporter.end()
    return status


def _due(step: int, every: int) -> bool:
    return bool(every) and step % every == 0


def _epoch_steps(run_: Run, epoch: int) -> list[list[list[int]]]:
    """Example indices for each optimizer step of `epoch`: a pure function of seed and epoch, so resuming
    at (epoch, position) replays exactly the batches an uninterrupted run would have seen."""
    torch, config = run_.torch, run_.config
    generator = torch.Generator().manual_seed(config.seed + epoch)
    order = torch.randperm(len(run_.train_examples), generator=generator).tolist()
    micro = [order[i : i + config.batch_size] for i in range(0, len(order), config.batch_size)]
    n_steps = max(1, len(micro) // config.grad_accumulation)
    return [micro[s * config.grad_accumulation : (s + 1) * config.grad_accumulation] for s in range(n_steps)]


def _optimizer_step(run_: Run, micro_batches: list[list[int]]) -> float:
    torch, state = run_.torch, run_.state
    started, cpu_started = time.monotonic(), time.process_time()
    batches = [pack([run_.train_examples[i] for i in micro], torch, run_.device) for micro in micro_batches]
    target_tokens = sum(int(b.targets.numel()) for b in batches)
    total = 0.0
    for batch in batches:
        loss = summed_loss(run_.model, batch, run_.autocast_dtype) / target_tokens
        loss.backward()
        total += float(loss.detach())
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
    state.tokens_seen += sum(b.tokens for b in batches)
    state.target_tokens_seen += target_tokens
    state.train_seconds += time.monotonic() - started
    state.train_cpu_seconds += time.process_time() - cpu_started
    state.history.append(
        {
            "step": state.step,
            "epoch": round(state.epoch + state.position / run_.steps_per_epoch, 4),
            "train_loss": total,
            "learning_rate": learning_rate,
            "tokens": sum(b.tokens for b in batches),
        }
    )
    return total


def evaluate(run_: Run) -> float:
    """Mean token cross-entropy on the validation examples (assistant tokens only)."""
    torch = run_.torch
    run_.model.eval()
    loss_sum, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(run_.eval_examples), run_.config.batch_size):
            batch = pack(run_.eval_examples[start : start + run_.config.batch_size], torch, run_.device)
            loss_sum += float(summed_loss(run_.model, batch, run_.autocast_dtype))
            count += int(batch.targets.numel())
    run_.model.train()
    return loss_sum / max(count, 1)


def _evaluate_and_track(run_: Run, reporter: _ProgressReporter) -> bool:
    """Evaluate, remember the best adapter, and say whether early stopping should end the run."""
    config, state = run_.config, run_.state
    val_loss = evaluate(run_)
    state.eval_history.append({"step": state.step, "val_loss": val_loss})
    improved = state.best_val_loss is None or val_loss < state.best_val_loss - config.early_stopping_min_delta
    if improved:
        state.best_val_loss, state.best_step, state.evals_without_improvement = val_loss, state.step, 0
        if config.restore_best:
            run_.best_adapter = _adapter_state(run_)
    else:
        state.evals_without_improvement += 1
    reporter.eval(val_loss)
    patience = config.early_stopping_patience
    return bool(patience and state.evals_without_improvement >= patience)


def _adapter_state(run_: Run) -> dict[str, Any]:
    from peft import get_peft_model_state_dict

    return {k: v.detach().clone().cpu() for k, v in get_peft_model_state_dict(run_.model).items()}


class _ProgressReporter:
    """Turns steps and evals into at most one report per interval (evals and the end always report)."""

    def __init__(self, run_: Run, hooks: RecipeHooks) -> None:
        self.run, self.hooks = run_, hooks
        self.last_sent = -math.inf
        # Rates cover this session only: a resumed run's earlier seconds came from another process.
        self.start_step = run_.state.step
        self.start_seconds = run_.state.train_seconds
        self.start_tokens = run_.state.tokens_seen
        self.last_loss: float | None = run_.state.history[-1]["train_loss"] if run_.state.history else None
        self.last_val: float | None = run_.state.eval_history[-1]["val_loss"] if run_.state.eval_history else None

    def step(self, loss: float) -> None:
        self.last_loss = loss
        if time.monotonic() - self.last_sent >= self.run.config.progress_interval_s:
            self._send("step")

    def eval(self, val_loss: float) -> None:
        self.last_val = val_loss
        self._send("eval")

    def end(self) -> None:
        self._send("end")

    def _send(self, event: str) -> None:
        if self.hooks.on_progress is None:
            return
        state = self.run.state
        seconds = state.train_seconds - self.start_seconds
        steps = state.step - self.start_step
        self.hooks.on_progress(
            Progress(
                step=state.step,
                total_steps=self.run.total_steps,
                epoch=state.history[-1]["epoch"] if state.history else 0.0,
                train_loss=self.last_loss,
                val_loss=self.last_val,
                learning_rate=float(self.run.scheduler.get_last_lr()[0]),
                tokens_per_second=(state.tokens_seen - self.start_tokens) / seconds if seconds > 0 else 0.0,
                eta_seconds=max(self.run.total_steps - state.step, 0) * seconds / steps if steps else 0.0,
                event=event,
            )
        )
        self.last_sent = time.monotonic()


# ============================================================================================ checkpoints


def save_checkpoint(run_: Run, hooks: RecipeHooks) -> Path:
    """Write adapter, optimizer, scheduler, RNG and loop state to checkpoints/checkpoint-<step>, atomically."""
    torch, state = run_.torch, run_.state
    root = Path(run_.config.output_dir) / "checkpoints"
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"checkpoint-{state.step:07d}"
    staging = root / f".staging-{state.step:07d}"
    shutil.rmtree(staging, ignore_errors=True)
    run_.model.save_pretrained(staging / "adapter")
    torch.save(run_.optimizer.state_dict(), staging / "optimizer.pt")
    torch.save(run_.scheduler.state_dict(), staging / "scheduler.pt")
    rng = {"python": random.getstate(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        rng["cuda"] = torch.cuda.get_rng_state_all()
    torch.save(rng, staging / "rng.pt")
    if run_.best_adapter is not None:
        from safetensors.torch import save_file

        save_file(run_.best_adapter, str(staging / "best_adapter.safetensors"))
    (staging / "trainer_state.json").write_text(json.dumps(asdict(state)))
    shutil.rmtree(final, ignore_errors=True)
    staging.rename(final)
    run_.last_checkpoint = final
    if hooks.on_checkpoint:
        hooks.on_checkpoint(final, state.step)
    _prune_checkpoints(root, run_.config.keep_checkpoints)
    return final


def _prune_checkpoints(root: Path, keep: int) -> None:
    checkpoints = sorted(root.glob("checkpoint-*"))
    for old in checkpoints[: max(len(checkpoints) - max(keep, 1), 0)]:
        shutil.rmtree(old, ignore_errors=True)


def latest_checkpoint(output_dir: Path) -> Path | None:
    checkpoints = sorted((output_dir / "checkpoints").glob("checkpoint-*"))
    return checkpoints[-1] if checkpoints else None


def load_checkpoint(run_: Run, checkpoint: Path) -> None:
    torch = run_.torch
    state_file = checkpoint / "trainer_state.json"
    if not state_file.is_file():
        raise FileNotFoundError(f"resume_from: {checkpoint} is not a checkpoint (no trainer_state.json)")
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    set_peft_model_state_dict(run_.model, load_file(str(checkpoint / "adapter" / "adapter_model.safetensors")))
    run_.optimizer.load_state_dict(torch.load(checkpoint / "optimizer.pt", weights_only=True))
    run_.scheduler.load_state_dict(torch.load(checkpoint / "scheduler.pt", weights_only=True))
    rng = torch.load(checkpoint / "rng.pt", weights_only=False)
    random.setstate(rng["python"])
    torch.set_rng_state(rng["torch"])
    if "cuda" in rng and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"])
    if (checkpoint / "best_adapter.safetensors").is_file():
        run_.best_adapter = load_file(str(checkpoint / "best_adapter.safetensors"))
    run_.state = TrainState(**json.loads(state_file.read_text()))
    run_.last_checkpoint = checkpoint


# ============================================================================================ save & cleanup


def save_final(run_: Run) -> Path:
    """Save the adapter (the best one by val loss when tracked) in PEFT layout, with the tokenizer beside it."""
    adapter_dir = Path(run_.config.output_dir) / "adapter"
    if run_.config.restore_best and run_.best_adapter is not None:
        from peft import set_peft_model_state_dict

        set_peft_model_state_dict(run_.model, run_.best_adapter)
    # Name the base model by its portable reference, not by this machine's cache path.
    run_.model.peft_config["default"].base_model_name_or_path = run_.config.base_model
    run_.model.save_pretrained(adapter_dir)
    run_.tokenizer.save_pretrained(adapter_dir)
    return adapter_dir


def training_metadata(run_: Run, status: str, total_seconds: float) -> dict[str, Any]:
    config = run_.config
    return {
        "status": status,
        "method": run_.method,
        "method_note": run_.method_note,
        "precision": "bf16-autocast" if run_.autocast_dtype is not None else "fp32",
        "gradient_checkpointing": _checkpointing(config, run_.device),
        "device": run_.device.type,
        "torch_threads": run_.torch.get_num_threads(),
        "task": run_.task,
        "labels": run_.labels,
        "prompt_template": run_.template.model_dump(mode="json"),
        "base_model": config.base_model,
        "hyperparameters": asdict(config),
        **run_figures(run_, total_seconds),
    }


def run_figures(run_: Any, total_seconds: float) -> dict[str, Any]:
    """What any recipe's run did, as its training metadata states it: data, steps and tokens, durations, the loss
    history and the final metrics. `run_` is a recipe's Run (causal or encoder): they share these fields."""
    state: TrainState = run_.state
    recent = [h["train_loss"] for h in state.history[-10:]]
    last_eval = state.eval_history[-1] if state.eval_history else {}
    final = {
        "train_loss": sum(recent) / len(recent) if recent else None,
        "val_loss": last_eval.get("val_loss"),
        "best_val_loss": state.best_val_loss,
        "best_step": state.best_step,
    }
    if "val_accuracy" in last_eval:  # a classification head's evaluation
        final["val_accuracy"] = last_eval["val_accuracy"]
    return {
        "data": {
            **run_.data_stats,
            "train_examples": len(run_.train_examples),
            "eval_examples": len(run_.eval_examples),
        },
        "steps": state.step,
        "total_steps": run_.total_steps,
        "epochs_completed": round(state.history[-1]["epoch"], 4) if state.history else 0.0,
        "tokens_trained": state.tokens_seen,
        "target_tokens_trained": state.target_tokens_seen,
        "tokens_per_second": state.tokens_seen / state.train_seconds if state.train_seconds else 0.0,
        "durations_s": {
            "setup": run_.setup_seconds,
            "train": state.train_seconds,
            "train_cpu": state.train_cpu_seconds,
            "total": total_seconds,
        },
        "final_metrics": final,
        "history": state.history,
        "eval_history": state.eval_history,
        "finished_at": datetime.now(UTC).isoformat(),
    }


def cleanup(run_: Run) -> None:
    torch = run_.torch
    run_.model = run_.optimizer = run_.scheduler = None
    run_.best_adapter = None
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


# ============================================================================================ process entry


def _signal_control() -> Callable[[], str | None]:
    requested: list[str] = []

    def handler(signum: int, _frame: Any) -> None:
        requested.append("pause" if signum == signal.SIGUSR1 else "cancel")

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGUSR1, handler)
    return lambda: requested[-1] if requested else None


def _emit(kind: str, payload: dict[str, Any]) -> None:
    print(json.dumps({"type": kind, **payload}, default=str), flush=True)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m tuneline.training.worker.recipe CONFIG.json", file=sys.stderr)
        return 2
    config = RecipeConfig.from_json(Path(argv[1]).read_text())
    control = _signal_control()
    hooks = RecipeHooks(
        on_progress=lambda p: _emit("progress", asdict(p)),
        on_phase=lambda p: _emit("phase", asdict(p)),
        on_checkpoint=lambda path, step: _emit("checkpoint", {"path": str(path), "step": step}),
        control=control,
    )
    result = run(config, hooks)
    _emit("result", {"status": result.status, "step": result.step, "adapter_dir": result.adapter_dir})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
