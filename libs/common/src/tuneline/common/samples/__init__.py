"""Deterministic sample datasets in Tuneline's canonical record shapes.

Record shapes shared by every service:
- classification: {"text": str, "label": str}
- instruction:    {"prompt": str, "completion": str}
- conversational: {"messages": [{"role": "system"|"user"|"assistant", "content": str}, ...]}
"""

from tuneline.common.samples.maintenance_logs import (
    MAINTENANCE_LABELS,
    classification_prompt,
    maintenance_classification,
    quality_summaries,
    quality_summary_conversations,
)

__all__ = [
    "MAINTENANCE_LABELS",
    "classification_prompt",
    "maintenance_classification",
    "quality_summaries",
    "quality_summary_conversations",
]
