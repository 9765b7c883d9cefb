from datetime import UTC, datetime

import yaml

from tuneline.registry.models.card import DatasetSummary, ModelCardInput, render_model_card
from tuneline.registry.models.lifecycle import EvaluationSummary, HumanReview, Lineage, Stage

AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def card_input(**overrides: object) -> ModelCardInput:
    fields: dict[str, object] = {
        "name": "maint-classifier",
        "version": 3,
        "stage": Stage.STAGING,
        "task_type": "classification",
        "intended_use": "Classify machine maintenance log lines into fault categories.",
        "owner": "reliability-team@example.com",
        "lineage": Lineage(
            base_model="smollm2-135m-instruct",
            adapter_uri="s3://tuneline-adapters/job-42/final",
            usecase_id="uc-7",
            job_id="job-42",
            dataset_version_id="dsv-9",
            method="lora",
            hyperparameters={"learning_rate": 5e-4, "lora_r": 16, "steps": 30},
        ),
        "dataset": DatasetSummary(
            dataset_version_id="dsv-9",
            record_counts={"train": 1200, "validation": 150, "test": 150},
            schema={"text": "string", "label": "string"},
            pii_handling="replace: detected entities replaced by their type tag",
            pii_findings={"PERSON": 12, "EMAIL_ADDRESS": 3},
            quality_score=91.5,
        ),
        "evaluation": EvaluationSummary(
            "ev-5",
            passed=True,
            reasons=("accuracy rose from 0.075 to 0.9875", "general perplexity within 1.3x of base"),
            metrics_base={"accuracy": 0.075, "macro_f1": 0.05},
            metrics_tuned={"accuracy": 0.9875, "macro_f1": 0.97},
            forgetting={"general_perplexity": 36.6, "general_perplexity_base": 29.8},
            review_required=True,
        ),
        "created_at": AT,
        "review": HumanReview("dana", approved=True, at=AT, comment="labels look right"),
        "limitations": ("English logs only.",),
    }
    fields.update(overrides)
    return ModelCardInput(**fields)  # type: ignore[arg-type]


def split(card: str) -> tuple[dict, str]:
    assert card.startswith("---\n")
    _, front, body = card.split("---\n", 2)
    return yaml.safe_load(front), body


def test_front_matter_carries_license_base_model_peft_and_tags() -> None:
    front, _ = split(render_model_card(card_input()))
    assert front["license"] == "apache-2.0"
    assert front["base_model"] == "smollm2-135m-instruct"
    assert front["library_name"] == "peft"
    assert {"tuneline", "lora", "classification"} <= set(front["tags"])


def test_model_index_lists_tuned_and_forgetting_metrics_with_their_values() -> None:
    front, _ = split(render_model_card(card_input()))
    (entry,) = front["model-index"]
    assert entry["name"] == "maint-classifier-v3"
    metrics = {m["name"]: m["value"] for r in entry["results"] for m in r["metrics"]}
    assert metrics == {
        "accuracy (held-out)": 0.9875,
        "macro_f1 (held-out)": 0.97,
        "general_perplexity (general-capability)": 36.6,
        "general_perplexity_base (general-capability)": 29.8,
    }
    tasks = {r["task"]["type"] for r in entry["results"]}
    assert tasks == {"text-classification", "text-generation"}


def test_card_parses_with_the_hugging_face_library() -> None:
    from huggingface_hub import ModelCard

    parsed = ModelCard(render_model_card(card_input()))
    assert parsed.data.base_model == "smollm2-135m-instruct"
    assert {(r.metric_type, r.metric_value) for r in parsed.data.eval_results} >= {("accuracy", 0.9875)}


def test_body_has_every_section_in_order() -> None:
    _, body = split(render_model_card(card_input()))
    headings = [line for line in body.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Intended use",
        "## How to prompt",
        "## Base model",
        "## Training data",
        "## Method and hyperparameters",
        "## Evaluation",
        "## Forgetting gate",
        "## Human review",
        "## Limitations",
        "## Owner",
    ]


def test_evaluation_table_compares_base_and_tuned_with_the_change() -> None:
    _, body = split(render_model_card(card_input()))
    assert "| accuracy | 0.075 | 0.9875 | +0.9125 |" in body
    assert "| macro_f1 | 0.05 | 0.97 | +0.92 |" in body
    assert "- general perplexity within 1.3x of base" in body


def test_training_data_section_gives_counts_schema_and_pii_handling() -> None:
    _, body = split(render_model_card(card_input()))
    assert "Dataset version `dsv-9`: 1,500 records (train: 1,200, validation: 150, test: 150)." in body
    assert "| label | string |" in body
    assert "PII handling: replace: detected entities replaced by their type tag" in body
    assert "EMAIL_ADDRESS: 3, PERSON: 12" in body
    assert "Quality score: 91.5/100." in body


def test_method_owner_review_and_limitations_are_stated() -> None:
    _, body = split(render_model_card(card_input()))
    assert "Method: lora." in body
    assert "| learning_rate | 0.0005 |" in body and "| lora_r | 16 |" in body
    assert "approved by dana on 2026-03-02 — labels look right" in body
    assert "- English logs only." in body
    assert body.rstrip().endswith("reliability-team@example.com")


def test_failed_evaluation_and_missing_review_are_visible() -> None:
    failed = EvaluationSummary(
        "ev-6",
        passed=False,
        reasons=("general perplexity rose 2.2x",),
        forgetting={"general_perplexity": 64.3},
        review_required=True,
    )
    _, body = split(render_model_card(card_input(evaluation=failed, review=None)))
    assert "Evaluation `ev-6`: **failed**." in body
    assert "General-capability check: see decision reasons above." in body
    assert "## Human review\n\nRequired, not yet recorded." in body


def test_unevaluated_version_says_so_and_has_no_model_index() -> None:
    front, body = split(render_model_card(card_input(evaluation=None, review=None)))
    assert "model-index" not in front
    assert "## Evaluation\n\nNot evaluated yet." in body
    assert "## Forgetting gate" not in body


def test_card_states_the_prompt_template_and_how_to_get_a_label_without_knowing_it() -> None:
    from tuneline.common.records import PromptTemplate

    template = PromptTemplate(
        instruction="Route this customer-support ticket to the team that should handle it.",
        labels=["billing", "technical", "account", "shipping"],
        output_format="Reply with the team name only.",
        input_name="Ticket",
    )
    _, body = split(render_model_card(card_input(prompt_template=template)))
    section = body.split("## How to prompt", 1)[1].split("\n## ", 1)[0]
    assert "- labels: `billing`, `technical`, `account`, `shipping`" in section
    assert template.render("<your input>") in section
    assert 'POST /v1/classify` with `{"model": "maint-classifier", "input": "<your input>"}`' in section


def test_card_of_a_version_without_a_template_says_so() -> None:
    _, body = split(render_model_card(card_input()))
    assert "registered without a prompt template" in body


def test_lists_exports_with_format_size_digest_and_verification() -> None:
    from tuneline.registry.models.card import ExportSummary

    exports = (
        ExportSummary("merged", None, 2_621_440, "ab" * 32, 5, 5, 1.0, True, AT),
        ExportSummary("gguf", "Q4_0", 700_000, "cd" * 32, 5, 3, 0.875, False, AT),
    )
    text = render_model_card(card_input(exports=exports))
    section = text[text.index("## Exports") :]
    assert "| merged | - | 2.5 MiB | `" + "ab" * 32 + "` | 5/5 prompts identical, token agreement 100.0% |" in section
    assert "| gguf | Q4_0 | 683.6 KiB |" in section
    assert "3/5 prompts identical, token agreement 87.5% (quantized: differences are expected)" in section


def test_a_version_without_exports_has_no_exports_section() -> None:
    assert "## Exports" not in render_model_card(card_input())
