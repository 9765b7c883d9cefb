"""What people are told about a job, and through which channels (built from the settings).

Messages carry ids, the status, key figures and the failure reason; never record contents.
"""

from __future__ import annotations

from typing import TypeAlias

from tuneline.common.events import Event, JobCancelled, JobCompleted, JobFailed, JobStarted
from tuneline.common.notify import (
    CompositeNotifier,
    Notification,
    Notifier,
    SmtpNotifier,
    SmtpSettings,
    WebhookNotifier,
)
from tuneline.training.settings import TrainingSettings

#: Metrics shown in a message; the rest are in the job's record.
MAX_METRICS = 8
#: A worker's failure reason can be a long traceback; the message keeps its head.
MAX_REASON_CHARS = 500

JobEvent: TypeAlias = JobStarted | JobCompleted | JobFailed | JobCancelled


def build_notifier(settings: TrainingSettings) -> CompositeNotifier | None:
    """The configured channels, or None when none is (then the service does not consume for notifications)."""
    channels: list[Notifier] = []
    if settings.notify_webhook_url:
        channels.append(WebhookNotifier(settings.notify_webhook_url))
    if settings.smtp_host and settings.notify_recipients:
        channels.append(
            SmtpNotifier(
                SmtpSettings(
                    host=settings.smtp_host,
                    port=settings.smtp_port,
                    sender=settings.smtp_sender,
                    recipients=settings.notify_recipients,
                    username=settings.smtp_username,
                    password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
                    starttls=settings.smtp_starttls,
                )
            )
        )
    return CompositeNotifier(channels) if channels else None


def notification_for(event: Event) -> Notification:
    if not isinstance(event, JobStarted | JobCompleted | JobFailed | JobCancelled):
        raise TypeError(f"event: no job notification for {event.type}")
    status, details = _status_and_details(event)
    return Notification(
        title=f"Tuneline training job {event.job_id} {status}",
        body=f"Use case {event.usecase_id}",
        fields={"Job": str(event.job_id), "Use case": str(event.usecase_id), "Status": status, **details},
    )


def _status_and_details(event: JobEvent) -> tuple[str, dict[str, str]]:
    if isinstance(event, JobStarted):
        resumed = {} if event.resumed_from_step is None else {"Resumed from step": str(event.resumed_from_step)}
        return "started", resumed
    if isinstance(event, JobCompleted):
        details = {
            "Base model": event.base_model,
            "Method": event.method,
            "Duration": f"{event.duration_seconds:.0f} s",
            "Trained tokens": str(event.trained_tokens),
        }
        for name in sorted(event.metrics)[:MAX_METRICS]:
            details[name] = f"{event.metrics[name]:.4g}"
        return "succeeded", details
    if isinstance(event, JobFailed):
        reason = event.reason if len(event.reason) <= MAX_REASON_CHARS else event.reason[: MAX_REASON_CHARS - 1] + "…"
        return "failed", {"Reason": reason}
    return "cancelled", {}
