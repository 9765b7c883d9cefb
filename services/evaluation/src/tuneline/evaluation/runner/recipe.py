"""The evaluation recipe, top to bottom: setup → base pass → tuned pass → gate → outcome (passes checkpointed).

The base model is loaded once and the adapter is put on top; the base pass runs inside
``model.disable_adapter()`` so both passes share the same weights in memory and the same held-out records.

An encoder base model (BERT-style config.json, trained by the training service's classification recipe) is loaded
with its sequence-classification head: predictions are the head's argmax over the adapter's label order
(``classifier.json``), scored by the same classification metrics. Its base pass is the untrained head (chance level:
an encoder has no answer of its own), and it has no forgetting gate: an encoder generates no text, so there is no
general-text perplexity or instruction suite to measure, and the shared base encoder is not changed by the adapter.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tuneline.common.base_models import BaseModelSource, is_encoder_dir, offline, resolve_base_model
from tuneline.common.devices import inference_device
from tuneline.evaluation.gate.decision import CapabilityScores, decide
from tuneline.evaluation.gate.suite import load_general_texts, load_instruction_suite, score_suite
from tuneline.evaluation.metrics.perplexity import corpus_perplexity
from tuneline.evaluation.metrics.speed import SampleTiming, summarise_speed
from tuneline.evaluation.results import EvaluationOutcome, ModelPass, SampleOutput, SampleResult
from tuneline.evaluation.runner.checkpoint import PassOutput, PassStore, fingerprint, pass_from_dict, pass_to_dict
from tuneline.evaluation.runner.config import EvalConfig
from tuneline.evaluation.runner.generation import Generation, format_prompt, generate_batched
from tuneline.evaluation.runner.losses import continuation_token_losses
from tuneline.evaluation.runner.records import EvalRecord, eval_template, parse_records
from tuneline.evaluation.scoring.task_metrics import compute_task_metrics

Progress = Callable[[str], None]


#: Beside an encoder classifier's adapter: {"labels": [...]} in the order of the head's logits (training writes it).
CLASSIFIER_FILE = "classifier.json"


@dataclass
class LoadedModel:
    model: Any  # a peft.PeftModel wrapping the base model
    tokenizer: Any
    labels: list[str] | None = None
    """An encoder classifier's labels in the order of its head's logits; None for a causal LM."""

    @property
    def is_encoder(self) -> bool:
        return self.labels is not None


def setup(config: EvalConfig, base_models: BaseModelSource | None = None) -> LoadedModel:
    """Load the base model (a URI or mapped reference through `base_models`: fetched into this node's model cache
    and checked against its manifest) with the adapter on top."""
    offline()
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if config.torch_threads:
        torch.set_num_threads(config.torch_threads)
    cache = Path(config.model_cache_dir) if config.model_cache_dir else None
    base_dir = resolve_base_model(config.base_model, cache, base_models)
    adapter = Path(config.adapter_dir)
    if not (adapter / "adapter_config.json").is_file():
        raise FileNotFoundError(f"adapter_dir {adapter} has no adapter_config.json: not a PEFT adapter")
    where = inference_device()  # CUDA in bf16 when present, else CPU float32
    if is_encoder_dir(base_dir):
        labels = encoder_labels(adapter)
        tokenizer = AutoTokenizer.from_pretrained(adapter)
        encoder = _load_encoder_classifier(base_dir, labels, where.dtype).to(where.device)
        model = PeftModel.from_pretrained(encoder, str(adapter))
        model.eval()
        return LoadedModel(model=model, tokenizer=tokenizer, labels=labels)
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=where.dtype).to(where.device)
    model = PeftModel.from_pretrained(base, str(adapter))
    model.eval()
    return LoadedModel(model=model, tokenizer=tokenizer)


def encoder_labels(adapter: Path) -> list[str]:
    """The label order of an encoder classifier's head, from the classifier.json training saved beside it."""
    path = adapter / CLASSIFIER_FILE
    if not path.is_file():
        raise FileNotFoundError(f"adapter_dir {adapter} has no {CLASSIFIER_FILE}: not an encoder classifier adapter")
    labels = json.loads(path.read_text()).get("labels")
    if not isinstance(labels, list) or len(labels) < 2:
        raise ValueError(f"adapter_dir {adapter}/{CLASSIFIER_FILE}: labels must list at least two labels")
    return [str(label) for label in labels]


def _load_encoder_classifier(base_dir: Path, labels: list[str], dtype: Any) -> Any:
    import transformers
    from transformers import AutoModelForSequenceClassification

    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()  # the base encoder has no head: "newly initialised" is expected
    try:
        return AutoModelForSequenceClassification.from_pretrained(
            base_dir,
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
            dtype=dtype,
        )
    finally:
        transformers.logging.set_verbosity(verbosity)


def classify_batched(loaded: LoadedModel, texts: Sequence[str], batch_size: int) -> list[Generation]:
    """The head's argmax label for each text, as a Generation (no tokens generated), batched like generation."""
    import time

    import torch

    assert loaded.labels is not None
    model, tokenizer, labels = loaded.model, loaded.tokenizer, loaded.labels
    results: list[Generation] = []
    for start in range(0, len(texts), max(batch_size, 1)):
        batch = list(texts[start : start + batch_size])
        encoded = tokenizer(batch, return_tensors="pt", padding=True, truncation=True).to(model.device)
        began = time.perf_counter()
        with torch.inference_mode():
            predicted = model(**encoded).logits.argmax(dim=-1).tolist()
        elapsed = time.perf_counter() - began
        results += [Generation(text=labels[i], generated_tokens=0, latency_s=elapsed / len(batch)) for i in predicted]
    return results


def run_evaluation(
    config: EvalConfig,
    rows: Sequence[Mapping[str, Any]],
    loaded: LoadedModel | None = None,
    progress: Progress | None = None,
    checkpoints: PassStore | None = None,
    base_models: BaseModelSource | None = None,
) -> EvaluationOutcome:
    """Evaluate base and tuned on the same held-out rows.

    ``loaded`` reuses a loaded model; ``checkpoints`` keeps each finished pass so a rerun after an interruption
    skips what was done (the model is loaded, or fetched, only if a pass still has to run); ``base_models`` is
    where a base model given by URI comes from (see `setup`).
    """
    say = progress or (lambda _step: None)
    started = datetime.now(UTC)
    records = parse_records(rows, config.labels, eval_template(config.prompt_template, config.labels))
    tag = fingerprint(config, rows)
    model: list[LoadedModel] = [loaded] if loaded else []

    def model_once() -> LoadedModel:
        if not model:
            model.append(setup(config, base_models))
        return model[0]

    def one_pass(name: str) -> PassOutput:
        saved = checkpoints.load(name) if checkpoints else None
        resumed = pass_from_dict(saved, tag) if saved else None
        if resumed is not None:
            say(f"{name}.resumed")
            return resumed
        say(name)
        current = model_once()
        if name == "base":
            with current.model.disable_adapter():
                result = _evaluate_model(config, current, records, say, name)
        else:
            # Merged LoRA weights give the same outputs as the unmerged adapter (up to float rounding) without
            # the extra low-rank matmuls in every layer, so the pass costs what a deployed merged model costs.
            current.model.merge_adapter()
            try:
                result = _evaluate_model(config, current, records, say, name)
            finally:
                current.model.unmerge_adapter()
        if checkpoints:
            checkpoints.save(name, pass_to_dict(result, tag))
        return result

    base = one_pass("base")
    tuned = one_pass("tuned")
    gate = None
    encoder = bool(model and model[0].is_encoder) or _adapter_is_encoder(config)
    if not encoder and base.model_pass.capability is not None and tuned.model_pass.capability is not None:
        gate = decide(base.model_pass.capability, tuned.model_pass.capability, config.gate)
    return EvaluationOutcome(
        task=config.task,
        primary_metric=base.metrics.primary_metric,
        settings=_recorded_settings(config),
        base=base.model_pass,
        tuned=tuned.model_pass,
        samples=_side_by_side(records, base, tuned),
        gate=gate,
        started_at=started,
        finished_at=datetime.now(UTC),
        model_kind="encoder" if encoder else "causal",
    )


def _adapter_is_encoder(config: EvalConfig) -> bool:
    # Both passes resumed from checkpoints: the model was never loaded, the adapter's files still say what it is.
    return (Path(config.adapter_dir) / CLASSIFIER_FILE).is_file()


def _evaluate_model(
    config: EvalConfig, loaded: LoadedModel, records: list[EvalRecord], say: Progress, name: str
) -> PassOutput:
    if loaded.is_encoder:
        return _evaluate_encoder(config, loaded, records)
    model, tokenizer = loaded.model, loaded.tokenizer
    use_template = config.generation.use_chat_template
    prompts = [format_prompt(tokenizer, r.messages, use_template) for r in records]
    generations = generate_batched(model, tokenizer, prompts, config.generation)
    task = compute_task_metrics(
        config.task,
        [g.text for g in generations],
        [r.reference for r in records],
        labels=config.labels,
        records=[r.raw for r in records],
        custom_metrics=config.custom_metrics,
    )
    metrics = dict(task.metrics)
    speed = summarise_speed([SampleTiming(g.latency_s, g.generated_tokens) for g in generations])
    metrics.update(asdict(speed))
    if config.completion_perplexity:
        say(f"{name}.completion_perplexity")
        losses = continuation_token_losses(
            model, tokenizer, prompts, [r.reference for r in records], config.loss_batch_size
        )
        metrics["perplexity"] = corpus_perplexity(losses)
    capability: CapabilityScores | None = None
    answers: dict[str, str] = {}
    if config.run_gate:
        say(f"{name}.general_capability")
        capability, answers = general_capability(config, loaded)
        metrics["general_perplexity"] = capability.perplexity
        metrics["general_suite_score"] = capability.suite_score
    report = task.classification
    model_pass = ModelPass(
        metrics=metrics,
        confusion=report.confusion if report else None,
        per_class=report.per_class if report else None,
        capability=capability,
        suite_answers=answers,
    )
    return PassOutput(metrics=task, generations=generations, model_pass=model_pass)


def _evaluate_encoder(config: EvalConfig, loaded: LoadedModel, records: list[EvalRecord]) -> PassOutput:
    """The same classification metrics and report shape, from the head's argmax on each record's raw text; no
    completion perplexity and no general capability (an encoder generates no text)."""
    if config.task != "classification":
        raise ValueError(f"task {config.task!r}: an encoder base model evaluates classification only")
    texts = [str(r.raw.get("text", r.prompt_text)) for r in records]
    generations = classify_batched(loaded, texts, config.generation.batch_size)
    task = compute_task_metrics(
        config.task,
        [g.text for g in generations],
        [r.reference for r in records],
        labels=config.labels or loaded.labels,
        records=[r.raw for r in records],
        custom_metrics=config.custom_metrics,
    )
    metrics = dict(task.metrics)
    metrics.update(asdict(summarise_speed([SampleTiming(g.latency_s, g.generated_tokens) for g in generations])))
    report = task.classification
    model_pass = ModelPass(
        metrics=metrics,
        confusion=report.confusion if report else None,
        per_class=report.per_class if report else None,
        capability=None,
    )
    return PassOutput(metrics=task, generations=generations, model_pass=model_pass)


def general_capability(config: EvalConfig, loaded: LoadedModel) -> tuple[CapabilityScores, dict[str, str]]:
    """General-text perplexity and suite score of the model as it is now (adapter on, off or merged)."""
    model, tokenizer = loaded.model, loaded.tokenizer
    items = load_instruction_suite()[: config.suite_limit]
    texts = load_general_texts()[: config.general_text_limit]
    prompts = [
        format_prompt(tokenizer, [{"role": "user", "content": i.prompt}], config.generation.use_chat_template)
        for i in items
    ]
    answers = generate_batched(model, tokenizer, prompts, config.generation, config.suite_max_new_tokens)
    suite = score_suite(items, [a.text for a in answers])
    losses = continuation_token_losses(
        model, tokenizer, ["" for _ in texts], [t.text for t in texts], config.loss_batch_size
    )
    scores = CapabilityScores(
        perplexity=corpus_perplexity(losses), suite_score=suite.score, suite_per_category=suite.per_category
    )
    return scores, {item.id: answer.text for item, answer in zip(items, answers, strict=True)}


def _side_by_side(records: list[EvalRecord], base: PassOutput, tuned: PassOutput) -> list[SampleResult]:
    def output(result: PassOutput, index: int) -> SampleOutput:
        generation = result.generations[index]
        return SampleOutput(
            output=generation.text,
            parsed=result.metrics.parsed_predictions[index],
            score=result.metrics.sample_scores[index],
            latency_s=generation.latency_s,
            generated_tokens=generation.generated_tokens,
            reason=result.metrics.reasons[index],
        )

    return [
        SampleResult(
            record_id=record.id,
            prompt=record.prompt_text,
            reference=record.reference,
            base=output(base, i),
            tuned=output(tuned, i),
        )
        for i, record in enumerate(records)
    ]


def _recorded_settings(config: EvalConfig) -> dict[str, Any]:
    import torch
    import transformers

    settings = asdict(config)
    settings["runtime"] = {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "decoding": "sampling" if config.generation.do_sample else "greedy",
        "padding_side": "left",
    }
    return settings
