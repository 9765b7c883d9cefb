"""Model cards in the Hugging Face format: YAML front matter (with `model-index`) followed by Markdown.

The inputs carry only aggregates about the training data (counts, schema, PII handling), never records, so a
card cannot leak training examples however it is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from tuneline.common.records import PromptTemplate
from tuneline.common.storage import public_uri
from tuneline.registry.models.lifecycle import EvaluationSummary, HumanReview, Lineage, Stage

if TYPE_CHECKING:
    from huggingface_hub import EvalResult

#: Our task types mapped to the Hugging Face task identifiers used in `model-index`.
HF_TASKS = {
    "classification": "text-classification",
    "extraction": "text-generation",
    "summarisation": "summarization",
    "generation": "text-generation",
    "chat": "text-generation",
}


@dataclass(frozen=True)
class DatasetSummary:
    """Aggregates about the training data. There is deliberately no field for example records."""

    dataset_version_id: str
    record_counts: dict[str, int]  # split name -> records
    schema: dict[str, str]  # field name -> type / description
    pii_handling: str  # e.g. "replace: names, emails and phone numbers replaced by entity tags"
    pii_findings: dict[str, int] = field(default_factory=dict)  # entity type -> count found before redaction
    quality_score: float | None = None


@dataclass(frozen=True)
class ExportSummary:
    """A completed export of the version (merged, GGUF, adapter) and how its check against serving went."""

    format: str
    quantization: str | None
    size_bytes: int
    sha256: str
    prompts: int  # check prompts compared with the served model
    matched: int  # of which the greedy output was identical
    token_agreement: float | None  # mean teacher-forced top-1 agreement with the served output
    exact_expected: bool  # lossless format: it must match on every prompt
    created_at: datetime


@dataclass(frozen=True)
class ModelCardInput:
    name: str
    version: int
    stage: Stage
    task_type: str
    intended_use: str
    owner: str
    lineage: Lineage
    dataset: DatasetSummary
    evaluation: EvaluationSummary | None
    created_at: datetime
    license: str = "apache-2.0"
    limitations: tuple[str, ...] = ()
    review: HumanReview | None = None
    tags: tuple[str, ...] = ()
    prompt_template: PromptTemplate | None = None
    exports: tuple[ExportSummary, ...] = ()


def render_model_card(card: ModelCardInput) -> str:
    """The full card text: `---`-fenced YAML front matter, then Markdown sections."""
    return f"---\n{_front_matter(card)}---\n\n{_body(card)}"


def _front_matter(card: ModelCardInput) -> str:
    from huggingface_hub import EvalResult, ModelCardData  # the reference implementation of the card schema

    hf_task = HF_TASKS.get(card.task_type, "text-generation")
    results: list[EvalResult] = []
    if card.evaluation is not None:
        for metric, value in sorted(card.evaluation.metrics_tuned.items()):
            results.append(_eval_result(EvalResult, hf_task, card, metric, value, "held-out"))
        for metric, value in sorted(card.evaluation.forgetting.items()):
            results.append(_eval_result(EvalResult, "text-generation", card, metric, value, "general-capability"))
    data = ModelCardData(
        license=card.license,
        base_model=card.lineage.base_model,
        library_name="peft" if card.lineage.adapter_uri else "transformers",
        pipeline_tag="text-generation",
        tags=["tuneline", card.lineage.method, card.task_type, *card.tags],
        model_name=f"{card.name}-v{card.version}",
        eval_results=results or None,
    )
    text: str = data.to_yaml()
    return text if text.endswith("\n") else text + "\n"


def _eval_result(
    cls: type[EvalResult], task: str, card: ModelCardInput, metric: str, value: float, suite: str
) -> EvalResult:
    return cls(
        task_type=task,
        dataset_type=f"tuneline/{card.name}",
        dataset_name=f"{suite} set of dataset version {card.dataset.dataset_version_id}",
        dataset_split="test" if suite == "held-out" else suite,
        metric_type=metric,
        metric_value=float(value),
        metric_name=f"{metric} ({suite})",
    )


def _body(card: ModelCardInput) -> str:
    sections = [
        f"# {card.name} v{card.version}\n\nStage: **{card.stage.value}**. "
        f"Registered {card.created_at.date().isoformat()}.",
        f"## Intended use\n\n{card.intended_use}\n\nTask type: {card.task_type}.",
        _prompting_section(card),
        _base_model_section(card.lineage),
        _data_section(card.dataset),
        _method_section(card.lineage),
        _evaluation_section(card.evaluation),
        _forgetting_section(card.evaluation),
        _review_section(card),
        _exports_section(card.exports),
        _limitations_section(card),
        f"## Owner\n\n{card.owner}",
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


def _prompting_section(card: ModelCardInput) -> str:
    """What a client needs to get an answer: the template, the one-call /v1/classify and the raw chat form."""
    template = card.prompt_template
    if template is None:
        return (
            "## How to prompt\n\nThis version was registered without a prompt template: send the prompt as the user "
            "message of `/v1/chat/completions`."
        )
    example = "<your input>"
    lines = [
        "## How to prompt",
        "",
        "This version was trained and evaluated with the use case's prompt template:",
        "",
        f"- instruction: {template.instruction}",
    ]
    if template.labels:
        lines.append(f"- labels: {', '.join(f'`{label}`' for label in template.labels)}")
    if template.output_format:
        lines.append(f"- output format: {template.output_format}")
    lines += [
        f"- input name: {template.input_name}",
        "",
        "The user message it expects, for one input:",
        "",
        "```text",
        template.render(example),
        "```",
        "",
        f'Easiest: `POST /v1/classify` with `{{"model": "{card.name}", "input": "{example}"}}` and the '
        "server applies this template (the version answering is the one serving, canary included) and returns "
        "`label` (one of the labels above, or null when the answer is none of them) and the raw `output`.",
        "Or send the text above as the only user message of `/v1/chat/completions`.",
    ]
    return "\n".join(lines)


def _base_model_section(lineage: Lineage) -> str:
    adapter = (
        f"LoRA adapter at `{public_uri(lineage.adapter_uri)}`" if lineage.adapter_uri else "weights of the base model"
    )
    lines = [
        "## Base model",
        "",
        f"Fine-tuned from `{lineage.base_model}`; this version serves the {adapter}.",
    ]
    if lineage.job_id:
        lines.append(f"Training job: `{lineage.job_id}`.")
    if lineage.usecase_id:
        lines.append(f"Use case: `{lineage.usecase_id}`.")
    return "\n".join(lines)


def _data_section(ds: DatasetSummary) -> str:
    total = sum(ds.record_counts.values())
    counts = ", ".join(f"{split}: {n:,}" for split, n in ds.record_counts.items())
    lines = [
        "## Training data",
        "",
        f"Dataset version `{ds.dataset_version_id}`: {total:,} records ({counts}).",
    ]
    if ds.quality_score is not None:
        lines.append(f"Quality score: {ds.quality_score:.1f}/100.")
    lines += ["", "| field | type |", "|---|---|"]
    lines += [f"| {name} | {kind} |" for name, kind in ds.schema.items()]
    lines += ["", f"PII handling: {ds.pii_handling}"]
    if ds.pii_findings:
        found = ", ".join(f"{kind}: {n}" for kind, n in sorted(ds.pii_findings.items()))
        lines.append(f"PII found before redaction (counts only): {found}.")
    else:
        lines.append("No PII was found by the scan.")
    return "\n".join(lines)


def _method_section(lineage: Lineage) -> str:
    lines = ["## Method and hyperparameters", "", f"Method: {lineage.method}.", ""]
    if lineage.hyperparameters:
        lines += ["| hyperparameter | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in sorted(lineage.hyperparameters.items())]
    else:
        lines.append("No hyperparameters were recorded.")
    return "\n".join(lines)


def _evaluation_section(ev: EvaluationSummary | None) -> str:
    if ev is None:
        return "## Evaluation\n\nNot evaluated yet."
    lines = [
        "## Evaluation",
        "",
        f"Evaluation `{ev.evaluation_id}`: **{'passed' if ev.passed else 'failed'}**.",
        "",
        "| metric | base model | this version | change |",
        "|---|---|---|---|",
    ]
    for metric in sorted(set(ev.metrics_base) | set(ev.metrics_tuned)):
        base, tuned = ev.metrics_base.get(metric), ev.metrics_tuned.get(metric)
        change = f"{tuned - base:+.4g}" if base is not None and tuned is not None else "n/a"
        lines.append(f"| {metric} | {_fmt(base)} | {_fmt(tuned)} | {change} |")
    if ev.reasons:
        lines += ["", "Decision reasons:", *[f"- {r}" for r in ev.reasons]]
    return "\n".join(lines)


def _forgetting_section(ev: EvaluationSummary | None) -> str:
    if ev is None:
        return ""
    if not ev.forgetting:
        return "## Forgetting gate\n\nNo general-capability figures were recorded."
    verdict = "passed" if ev.passed else "see decision reasons above"
    lines = ["## Forgetting gate", "", f"General-capability check: {verdict}.", "", "| figure | value |", "|---|---|"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in sorted(ev.forgetting.items())]
    return "\n".join(lines)


def _review_section(card: ModelCardInput) -> str:
    if card.review is None:
        required = card.evaluation is not None and card.evaluation.review_required
        return "## Human review\n\nRequired, not yet recorded." if required else ""
    verdict = "approved" if card.review.approved else "not approved"
    note = f" — {card.review.comment}" if card.review.comment else ""
    return f"## Human review\n\n{verdict} by {card.review.reviewer} on {card.review.at.date().isoformat()}{note}"


def _exports_section(exports: tuple[ExportSummary, ...]) -> str:
    if not exports:
        return ""
    lines = [
        "## Exports",
        "",
        "Each export was loaded back and its greedy output compared with the served version on the check prompts.",
        "",
        "| format | quantization | size | sha256 | verification |",
        "|---|---|---|---|---|",
    ]
    for e in exports:
        agreement = f", token agreement {e.token_agreement:.1%}" if e.token_agreement is not None else ""
        verdict = f"{e.matched}/{e.prompts} prompts identical{agreement}"
        if not e.exact_expected:
            verdict += " (quantized: differences are expected)"
        lines.append(f"| {e.format} | {e.quantization or '-'} | {_size(e.size_bytes)} | `{e.sha256}` | {verdict} |")
    return "\n".join(lines)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    size = n / 1024
    for unit in ("KiB", "MiB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


def _limitations_section(card: ModelCardInput) -> str:
    items = list(card.limitations) or [
        "Trained for the use case above only; outside it, expect the base model's behaviour or worse.",
    ]
    items.append("Outputs can be wrong; keep a person in the loop where a mistake is costly.")
    return "## Limitations\n\n" + "\n".join(f"- {item}" for item in items)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"
