"""The demo's sample data: deterministic datasets in the record shapes of ``tuneline.common.records``.

Only the demo, benches and tests import this package; the maintenance wording (``maintenance_template``) is the
demo use case's own instruction, never a default of a production path.
"""

from tuneline.common.samples.maintenance_logs import (
    MAINTENANCE_LABELS,
    classification_prompt,
    maintenance_classification,
    maintenance_template,
    quality_summaries,
    quality_summary_conversations,
)

__all__ = [
    "MAINTENANCE_LABELS",
    "classification_prompt",
    "maintenance_classification",
    "maintenance_template",
    "quality_summaries",
    "quality_summary_conversations",
]
