"""Every query on alert rules and alerts, and the mapping between rows and domain objects."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tuneline.monitoring.alerts.rules import AlertRule, Severity
from tuneline.monitoring.alerts.state import Alert, AlertState
from tuneline.monitoring.alerts.tables import AlertRow, AlertRuleRow
from tuneline.monitoring.rollups.rollup import RollupKey


def rule_of(row: AlertRuleRow) -> AlertRule:
    return AlertRule(
        id=str(row.id),
        name=row.name,
        metric=row.metric,
        comparator=row.comparator,
        threshold=row.threshold,
        window=timedelta(seconds=row.window_seconds),
        severity=row.severity,
        min_samples=row.min_samples,
        model=row.model_name,
        version=row.version,
        arm=row.arm,
        enabled=row.enabled,
    )


def alert_of(row: AlertRow) -> Alert:
    return Alert(
        id=str(row.id),
        fingerprint=row.fingerprint,
        source=row.source,
        title=row.title,
        severity=Severity(row.severity),
        key=RollupKey(row.model_name, row.version, row.arm),
        state=AlertState(row.state),
        message=row.message,
        fired_at=row.fired_at,
        last_seen_at=row.last_seen_at,
        value=row.value,
        threshold=row.threshold,
        occurrences=row.occurrences,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
        evidence=dict(row.evidence or {}),
    )


def write_alert(row: AlertRow, alert: Alert) -> None:
    row.state = alert.state.value
    row.value, row.message = alert.value, alert.message
    row.occurrences, row.last_seen_at = alert.occurrences, alert.last_seen_at
    row.acknowledged_at, row.acknowledged_by = alert.acknowledged_at, alert.acknowledged_by
    row.resolved_at, row.resolved_by = alert.resolved_at, alert.resolved_by
    row.evidence = alert.evidence


def new_row(alert: Alert) -> AlertRow:
    return AlertRow(
        id=UUID(alert.id),
        fingerprint=alert.fingerprint,
        source=alert.source,
        title=alert.title,
        severity=alert.severity.value,
        model_name=alert.key.model,
        version=alert.key.version,
        arm=alert.key.arm,
        state=alert.state.value,
        message=alert.message,
        value=alert.value,
        threshold=alert.threshold,
        occurrences=alert.occurrences,
        fired_at=alert.fired_at,
        last_seen_at=alert.last_seen_at,
        evidence=alert.evidence,
    )


async def enabled_rules(session: AsyncSession) -> list[AlertRuleRow]:
    stmt = sa.select(AlertRuleRow).where(AlertRuleRow.enabled.is_(True)).order_by(AlertRuleRow.created_at)
    return list((await session.execute(stmt)).scalars())


async def list_rules(session: AsyncSession) -> list[AlertRuleRow]:
    return list((await session.execute(sa.select(AlertRuleRow).order_by(AlertRuleRow.created_at))).scalars())


async def open_alert_row(session: AsyncSession, fingerprint: str) -> AlertRow | None:
    stmt = (
        sa.select(AlertRow)
        .where(AlertRow.fingerprint == fingerprint, AlertRow.state != AlertState.RESOLVED.value)
        .with_for_update()
    )
    return (await session.execute(stmt)).scalars().first()


async def list_alerts(
    session: AsyncSession, state: str | None, model: str | None, limit: int, *, models: Collection[str] | None = None
) -> list[AlertRow]:
    """Newest first; `models`: only alerts of these model names (None: of every model)."""
    stmt = sa.select(AlertRow)
    if models is not None:
        stmt = stmt.where(AlertRow.model_name.in_(list(models)))
    if state is not None:
        stmt = stmt.where(AlertRow.state == state)
    if model is not None:
        stmt = stmt.where(AlertRow.model_name == model)
    stmt = stmt.order_by(AlertRow.fired_at.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def open_counts_by_severity(session: AsyncSession) -> dict[str, int]:
    stmt = (
        sa.select(AlertRow.severity, sa.func.count())
        .where(AlertRow.state != AlertState.RESOLVED.value)
        .group_by(AlertRow.severity)
    )
    return {severity: int(count) for severity, count in (await session.execute(stmt)).all()}
