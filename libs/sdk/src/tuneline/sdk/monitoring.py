"""Client of the monitoring service: traffic figures, alerts and rules, drift reports, retraining."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from tuneline.sdk._base import Model, Resource, parse_list


class Figures(Model):
    requests: int = 0
    errors: int = 0
    error_rate: float | None = None
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    latency_p99_ms: float | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0


class VersionFigures(Model):
    model: str
    version: str
    arm: str
    figures: Figures


class Current(Model):
    start: datetime
    end: datetime
    items: list[VersionFigures] = []

    def total_requests(self) -> int:
        return sum(item.figures.requests for item in self.items)


class Alert(Model):
    id: UUID
    source: str = ""
    title: str
    severity: str
    model_name: str
    version: str = ""
    arm: str = ""
    state: str
    message: str = ""
    value: float | None = None
    threshold: float | None = None
    occurrences: int = 1
    fired_at: datetime
    acknowledged_by: str | None = None


class AlertRule(Model):
    id: UUID
    name: str
    metric: str
    comparator: str
    threshold: float
    window_seconds: int
    severity: str
    model_name: str | None = None
    enabled: bool = True


class DriftReport(Model):
    id: UUID
    model_name: str
    version: str = ""
    usecase_id: UUID | None = None
    window_start: datetime
    window_end: datetime
    drifted: bool
    checks: list[dict[str, Any]] = []
    created_at: datetime


class RetrainAction(Model):
    id: UUID
    usecase_id: UUID
    action: str
    trigger: str
    reason: str
    dataset_version_id: UUID | None = None
    decided_at: datetime


class MonitoringClient(Resource):
    def current(self, model: str | None = None) -> Current:
        """Figures of the current window per model version and canary arm (all models when `model` is None)."""
        return self._get(Current, f"/metrics/models/{model}/current" if model else "/metrics/models")

    def usecase_current(self, usecase_id: UUID | str) -> Current:
        return self._get(Current, f"/metrics/usecases/{usecase_id}/current")

    def series(self, model: str, *, step_seconds: int = 60, **params: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request(
            "GET", f"/metrics/models/{model}/series", params={"step_seconds": step_seconds, **params}
        )
        return answer

    def costs(self, usecase_id: UUID | str | None = None) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request(
            "GET", "/metrics/costs", params={"usecase_id": str(usecase_id) if usecase_id else None}
        )
        return answer

    def alerts(self, *, state: str | None = None, model: str | None = None, limit: int = 100) -> list[Alert]:
        params = {"state": state, "model": model, "limit": limit}
        return parse_list(Alert, self.http.request("GET", "/alerts", params=params))

    def alert(self, alert_id: UUID | str) -> Alert:
        return self._get(Alert, f"/alerts/{alert_id}")

    def acknowledge(self, alert_id: UUID | str) -> Alert:
        return self._post(Alert, f"/alerts/{alert_id}/acknowledge")

    def resolve(self, alert_id: UUID | str) -> Alert:
        return self._post(Alert, f"/alerts/{alert_id}/resolve")

    def create_rule(self, **rule: Any) -> AlertRule:
        return self._post(AlertRule, "/alerts/rules", rule)

    def rules(self) -> list[AlertRule]:
        return parse_list(AlertRule, self.http.request("GET", "/alerts/rules"))

    def drift_reports(self, *, model: str | None = None, drifted: bool = False, limit: int = 50) -> list[DriftReport]:
        params = {"model": model, "drifted": drifted, "limit": limit}
        return parse_list(DriftReport, self.http.request("GET", "/drift/reports", params=params))

    def retraining_policy(self, usecase_id: UUID | str) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request("GET", f"/retraining/policies/{usecase_id}")
        return answer

    def set_retraining_policy(self, usecase_id: UUID | str, **policy: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request("PUT", f"/retraining/policies/{usecase_id}", json=policy)
        return answer

    def retrain_actions(self, usecase_id: UUID | str | None = None) -> list[RetrainAction]:
        params = {"usecase_id": str(usecase_id) if usecase_id else None}
        return parse_list(RetrainAction, self.http.request("GET", "/retraining/actions", params=params))

    def feedback(self, **body: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request("POST", "/feedback", json=body)
        return answer
