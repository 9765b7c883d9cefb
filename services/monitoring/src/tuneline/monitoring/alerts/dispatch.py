"""Send notifications for alert transitions after their transaction committed (failures are logged, not fatal)."""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from tuneline.common.notify import NotificationFailed, SmtpNotifier, SmtpSettings, WebhookNotifier
from tuneline.monitoring.alerts.notifications import email_message, slack_payload
from tuneline.monitoring.alerts.state import AlertTransition
from tuneline.monitoring.settings import MonitoringSettings

log = structlog.get_logger(__name__)


def smtp_settings(settings: MonitoringSettings) -> SmtpSettings | None:
    if not settings.smtp_host or not settings.smtp_recipients:
        return None
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        recipients=settings.smtp_recipients,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls,
    )


async def notify(transitions: Sequence[AlertTransition], settings: MonitoringSettings) -> int:
    """Deliver every notifying transition to the configured channels; returns how many deliveries succeeded."""
    webhook = WebhookNotifier(settings.webhook_url) if settings.webhook_url else None
    smtp = smtp_settings(settings)
    delivered = 0
    for transition in transitions:
        if not transition.notifies:
            continue
        link = f"{settings.dashboard_url.rstrip('/')}/alerts/{transition.alert.id}" if settings.dashboard_url else None
        channels = []
        if webhook is not None:
            channels.append(("webhook", webhook.send(slack_payload(transition, link))))
        if smtp is not None:
            channels.append(
                ("smtp", SmtpNotifier(smtp).send(email_message(transition, smtp.sender, smtp.recipients, link)))
            )
        for channel, sending in channels:
            try:
                await sending
                delivered += 1
            except NotificationFailed as error:
                log.warning(
                    "monitoring.alert.notify_failed", channel=channel, alert_id=transition.alert.id, error=str(error)
                )
    return delivered
