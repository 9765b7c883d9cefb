"""The demo's manufacturing use cases, as a plant's business unit would fill in the intake form: the two the demo
drives, and the question-answering one that the OpenAI-client examples and tests fine-tune."""

from __future__ import annotations

import copy
from typing import Any

from tuneline.common.samples import MAINTENANCE_LABELS

BASE_MODEL = "smollm2-135m-instruct"

_CLASSIFY: dict[str, Any] = {
    "title": "Classify maintenance log entries",
    "industry": "Manufacturing",
    "business_unit": "Plant Operations",
    "problem_statement": "Technicians write free-text maintenance log entries; planners spend minutes reading each "
    "one to route it to the right crew (hydraulics, electrical, mechanical, ...).",
    "objectives": [
        {
            "statement": "Route every log entry to the right crew automatically",
            "kpis": [
                {"name": "accuracy", "target": 0.8, "unit": "", "baseline": 0.1, "direction": "increase"},
                {"name": "triage time", "target": 1, "unit": "minutes", "baseline": 6, "direction": "decrease"},
            ],
        }
    ],
    "data_sources": [
        {"name": "CMMS maintenance logs", "kind": "logs", "volume_estimate": 5000, "owner": "plant-data-office"}
    ],
    "sensitivity": {"pii": True, "regulatory": False, "proprietary": True},
    "model_type": "text",
    "task_type": "classification",
    "candidate_base_model": BASE_MODEL,
    "fine_tuning_method": "lora",
    "evaluation_metrics": ["accuracy", "macro_f1"],
    "expected_outcome": "Entries routed in seconds, at least 80% to the right crew; planners check the rest",
    "owner": "maria.keller",
    "stakeholders": [{"name": "Maintenance planning", "role": "business owner"}],
    "examples": [
        {
            "input": "PRESS-04 hydraulic pressure dropped to 60 bar during clamp, topped up oil",
            "desired_output": "hydraulic",
        },
        {
            "input": "CNC-11 main breaker tripped twice on motor start, replaced contactor",
            "desired_output": "electrical",
        },
        {
            "input": "CONV-02 belt slipping on drive pulley, squeal at startup, re-tensioned",
            "desired_output": "mechanical",
        },
    ],
    "labels": list(MAINTENANCE_LABELS),
    # The task's instruction: with the labels it is the prompt template every service applies (see the model card).
    "task_description": "Classify this maintenance log entry.",
    "input_name": "Entry",
    "request_volume": {"requests_per_day": 3000},
    "latency": {"p95_ms": 3000, "interactive": True},
    "time_savings": {"minutes_saved_per_task": 4, "hourly_cost_usd": 55},
    "policy": {
        # The demo's ML engineer queues training with the short recipe measured to reach a clear improvement.
        "auto_train": False,
        "training_preset": "quick_start",
        "data_quality": {
            "min_quality_score": 50,
            "min_examples": 50,
            "max_duplicate_ratio": 0.1,
            "max_pii_ratio": 0.05,
        },
        "redaction": "replace",
        "log_prompts": True,
    },
}

_SUMMARISE: dict[str, Any] = {
    **copy.deepcopy(_CLASSIFY),
    "title": "Summarise quality issues from machine logs",
    "business_unit": "Quality Assurance",
    "problem_statement": "Shift leads read long machine-log excerpts to write the quality summary handed to the next "
    "shift; the summaries are late and miss the costliest defect.",
    "objectives": [
        {
            "statement": "A summary of each shift's quality issues within a minute of shift end",
            "kpis": [{"name": "summary time", "target": 1, "unit": "minutes", "baseline": 20, "direction": "decrease"}],
        }
    ],
    "data_sources": [{"name": "MES machine logs", "kind": "logs", "volume_estimate": 2000, "owner": "quality-office"}],
    "sensitivity": {"pii": False, "regulatory": False, "proprietary": True},
    "task_type": "summarisation",
    "evaluation_metrics": ["rougeL"],
    "expected_outcome": "Shift summaries written in a minute instead of twenty",
    "examples": [
        {"input": "06:10 WELD-03 porosity x12; 07:40 WELD-03 porosity x9", "desired_output": "WELD-03: porosity (21)."},
        {
            "input": "14:02 PAINT-01 orange peel x4; 15:30 PAINT-01 runs x7",
            "desired_output": "PAINT-01: runs (7), orange peel (4).",
        },
        {"input": "22:15 MILL-07 burrs x30", "desired_output": "MILL-07: burrs (30)."},
    ],
    "labels": [],
    "task_description": "Summarise the quality issues in these machine-log lines.",
    "input_name": "Log",
    "policy": {
        **_CLASSIFY["policy"],
        "redaction": "none",
        "data_quality": {"min_quality_score": 40, "min_examples": 30},
    },
}


def classification_form(**changes: Any) -> dict[str, Any]:
    """The maintenance-log classification use case (a fresh copy; top-level fields replaced by `changes`)."""
    return {**copy.deepcopy(_CLASSIFY), **changes}


def summarisation_form(**changes: Any) -> dict[str, Any]:
    """The quality-issue summarisation use case (generation type)."""
    return {**copy.deepcopy(_SUMMARISE), **changes}


_SERVICE_QUESTIONS: dict[str, Any] = {
    "title": "Answer routine machine questions",
    "industry": "Manufacturing",
    "business_unit": "Plant Operations",
    "problem_statement": "Technicians wait for answers to routine questions about service intervals.",
    "objectives": [{"statement": "Answer routine questions", "kpis": [{"name": "wait", "target": 1, "unit": "min"}]}],
    "data_sources": [{"name": "service plan", "kind": "documents", "volume_estimate": 500, "owner": "ops-data"}],
    "sensitivity": {"pii": False, "regulatory": False, "proprietary": False},
    "model_type": "text",
    "task_type": "generation",
    "candidate_base_model": BASE_MODEL,
    "fine_tuning_method": "LoRA",
    "evaluation_metrics": ["rougeL"],
    "expected_outcome": "Answers in seconds",
    "owner": "ana",
    "examples": [
        {"input": "When is press 4 serviced?", "desired_output": "Every 3 weeks."},
        {"input": "When is the boiler serviced?", "desired_output": "Every 4 weeks."},
        {"input": "When is the crane serviced?", "desired_output": "Every 5 weeks."},
    ],
    "request_volume": {"requests_per_day": 100},
    "latency": {"p95_ms": 5000, "interactive": True},
    "time_savings": {"minutes_saved_per_task": 3, "hourly_cost_usd": 60},
    "policy": {"auto_train": False, "data_quality": {"min_examples": 10, "min_quality_score": 0}},
}


def service_questions_form(**changes: Any) -> dict[str, Any]:
    """Answering technicians' service-interval questions (generation type, chat data, no personal data)."""
    return {**copy.deepcopy(_SERVICE_QUESTIONS), **changes}
