"""Every table of the monitoring schema, in creation order (the initial migration creates these).

Later schema changes get their own Alembic revisions with explicit operations; 0001 builds from these
definitions so the first schema and the models cannot disagree.
"""

from __future__ import annotations

from typing import Any

from tuneline.monitoring.alerts.tables import AlertRow, AlertRuleRow
from tuneline.monitoring.drift.tables import DatasetReferenceRow, DriftReportRow
from tuneline.monitoring.models.tables import MonitoredModelRow
from tuneline.monitoring.quality.tables import FeedbackRow, QualityRow
from tuneline.monitoring.retraining.tables import RetrainActionRow, RetrainPolicyRow
from tuneline.monitoring.rollups.tables import InferenceEventRow, RollupRow

MONITORING_TABLES: tuple[Any, ...] = tuple(
    row.__table__
    for row in (
        InferenceEventRow,
        RollupRow,
        MonitoredModelRow,
        DatasetReferenceRow,
        DriftReportRow,
        AlertRuleRow,
        AlertRow,
        FeedbackRow,
        QualityRow,
        RetrainPolicyRow,
        RetrainActionRow,
    )
)
