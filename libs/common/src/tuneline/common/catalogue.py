"""The event catalogue as documents: an AsyncAPI 3.0 specification and a Markdown page, both generated.

`docs/asyncapi.json` and `docs/events.md` are generated from `events.py` and the ownership table below
(`tuneline catalogue --write`); a test fails when they are out of date.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from tuneline.common import events as ev

#: topic → (producing services, consuming services). Ingress topics also accept outside producers.
OWNERSHIP: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ev.USECASE_SUBMITTED.name: (("intake",), ("intake (timeline)",)),
    ev.USECASE_APPROVED.name: (("intake",), ("data", "training", "evaluation", "registry", "monitoring", "intake")),
    ev.USECASE_REJECTED.name: (("intake",), ("intake (timeline)",)),
    ev.USECASE_INTAKE_REQUESTED.name: (("outside systems (ticketing, portals)",), ("intake",)),
    ev.USECASE_RETIRED.name: (("intake",), ("data", "training", "registry", "intake (timeline)")),
    ev.USECASE_ERASED.name: (("intake",), ("data",)),
    ev.DATASET_READY.name: (("data",), ("training", "monitoring", "intake (timeline)")),
    ev.DATASET_REJECTED.name: (("data",), ("intake (timeline)",)),
    ev.DATASET_ERASED.name: (("data",), ("training", "evaluation", "registry", "intake (timeline)")),
    ev.ERASURE_APPLIED.name: (
        ("training", "evaluation", "registry", "monitoring"),
        ("data (erasure report)", "monitoring (the registry's)", "intake (timeline)"),
    ),
    ev.JOB_QUEUED.name: (("training",), ("intake (timeline)",)),
    ev.JOB_STARTED.name: (("training",), ("intake (timeline)", "training (notifications)")),
    ev.JOB_PROGRESS.name: (("training",), ("evaluation (loss curve)", "intake (timeline)")),
    ev.JOB_COMPLETED.name: (
        ("training",),
        ("evaluation", "intake (timeline)", "training (notifications)", "training (studies)"),
    ),
    ev.JOB_FAILED.name: (("training",), ("intake (timeline)", "training (notifications)", "training (studies)")),
    ev.JOB_CANCELLED.name: (("training",), ("intake (timeline)", "training (notifications)", "training (studies)")),
    ev.STUDY_COMPLETED.name: (("training",), ("evaluation", "intake (timeline)")),
    ev.EVALUATION_COMPLETED.name: (("evaluation",), ("registry", "intake (timeline)")),
    ev.MODEL_REGISTERED.name: (("registry",), ("intake (timeline)",)),
    ev.MODEL_PROMOTED.name: (("registry",), ("intake (timeline)",)),
    ev.DEPLOYMENT_UPDATED.name: (("registry",), ("monitoring", "intake (timeline)")),
    ev.MODEL_ROLLED_BACK.name: (("registry",), ("monitoring", "intake (timeline)")),
    ev.INFERENCE_LOGGED.name: (("registry (serving)", "outside gateways"), ("monitoring",)),
    ev.DRIFT_DETECTED.name: (("monitoring",), ("intake (timeline)",)),
    ev.ALERT_RAISED.name: (("monitoring",), ("registry",)),
    ev.RETRAIN_REQUESTED.name: (("monitoring", "outside schedulers"), ("training", "intake (timeline)")),
    ev.DEAD_LETTER.name: (("every consumer",), ("operators",)),
}

TITLE = "Tuneline events"
DESCRIPTION = (
    "Every Kafka topic of the Tuneline platform and its payload. Every event carries the envelope fields "
    "(event_id = idempotency key, type, occurred_at, producer, schema_version, usecase_id) and travels with W3C trace "
    "context in its headers. Partition key: the id of the thing the event is about. Delivery is at least once."
)


def build_asyncapi() -> dict[str, Any]:
    broker = KafkaBroker("kafka:9092", description=DESCRIPTION)
    for topic in ev.ALL_TOPICS:
        producers, consumers = OWNERSHIP[topic.name]
        ingress = " Accepts outside producers (ingress)." if topic.ingress else ""
        broker.publisher(
            topic.name,
            schema=topic.model,
            title=topic.name,
            description=(
                f"{topic.description} Produced by: {', '.join(producers)}. Consumed by: {', '.join(consumers)}. "
                f"Key: {topic.model.key_field}.{ingress}"
            ),
        )
    spec = AsyncAPI(broker, title=TITLE, version=str(ev.SCHEMA_VERSION), description=DESCRIPTION).to_specification()
    data: dict[str, Any] = json.loads(spec.to_json())
    return data


def render_markdown() -> str:
    lines = [
        "# Event catalogue",
        "",
        "Generated from `libs/common/src/tuneline/common/events.py` by `tuneline catalogue --write`; do not edit.",
        "The machine-readable form is [asyncapi.json](asyncapi.json) (AsyncAPI 3.0).",
        "",
        DESCRIPTION,
        "",
        "| topic | payload | key | produced by | consumed by | ingress |",
        "|---|---|---|---|---|---|",
    ]
    for topic in ev.ALL_TOPICS:
        producers, consumers = OWNERSHIP[topic.name]
        lines.append(
            f"| `{topic.name}` | [{topic.model.__name__}](#{topic.model.__name__.lower()}) | {topic.model.key_field} "
            f"| {', '.join(producers)} | {', '.join(consumers)} | {'yes' if topic.ingress else ''} |"
        )
    for topic in ev.ALL_TOPICS:
        model = topic.model
        lines += ["", f"## {model.__name__}", "", f"Topic `{topic.name}`. {topic.description}", ""]
        lines += ["| field | type | required | description |", "|---|---|---|---|"]
        for name, field in model.model_fields.items():
            annotation = str(field.annotation).replace("typing.", "").replace("|", "\\|")
            for mod in ("uuid.", "datetime.", "tuneline.common.events."):
                annotation = annotation.replace(mod, "")
            annotation = annotation.replace("<class '", "").replace("'>", "")
            desc = (field.description or "").replace("|", "\\|")
            lines.append(f"| {name} | {annotation} | {'yes' if field.is_required() else 'no'} | {desc} |")
    return "\n".join(lines) + "\n"


def write(docs_dir: Path) -> list[Path]:
    docs_dir.mkdir(parents=True, exist_ok=True)
    spec_path = docs_dir / "asyncapi.json"
    md_path = docs_dir / "events.md"
    spec_path.write_text(json.dumps(build_asyncapi(), indent=2, sort_keys=True) + "\n")
    md_path.write_text(render_markdown())
    return [spec_path, md_path]
