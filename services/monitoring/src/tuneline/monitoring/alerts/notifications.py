"""What an alert transition says to people: a Slack-compatible webhook body and an e-mail.

Alerts carry figures and ids only, never request contents, so a notification cannot leak PII.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any

from tuneline.monitoring.alerts.rules import Severity
from tuneline.monitoring.alerts.state import AlertTransition, TransitionKind

_SEVERITY_EMOJI = {
    Severity.LOW: ":information_source:",
    Severity.MEDIUM: ":warning:",
    Severity.HIGH: ":rotating_light:",
    Severity.CRITICAL: ":fire:",
}


def headline(transition: AlertTransition) -> str:
    alert = transition.alert
    verb = "RESOLVED" if transition.kind is TransitionKind.RESOLVED else alert.severity.value.upper()
    return f"[{verb}] {alert.title}: {alert.key.model} v{alert.key.version} ({alert.key.arm})"


def _fields(transition: AlertTransition) -> list[tuple[str, str]]:
    alert = transition.alert
    rows = [
        ("Severity", alert.severity.value),
        ("State", alert.state.value),
        ("Model", f"{alert.key.model} v{alert.key.version}"),
        ("Arm", alert.key.arm),
        ("Fired at", alert.fired_at.isoformat()),
    ]
    if alert.value is not None:
        rows.append(("Value", f"{alert.value:.6g}"))
    if alert.threshold is not None:
        rows.append(("Threshold", f"{alert.threshold:.6g}"))
    if alert.resolved_at is not None:
        rows.append(("Resolved at", f"{alert.resolved_at.isoformat()} by {alert.resolved_by}"))
    rows.append(("Fingerprint", alert.fingerprint))
    return rows


def slack_payload(transition: AlertTransition, link: str | None = None) -> dict[str, Any]:
    """Body for a Slack incoming webhook (also accepted by Mattermost and Rocket.Chat): text + blocks."""
    alert = transition.alert
    emoji = ":white_check_mark:" if transition.kind is TransitionKind.RESOLVED else _SEVERITY_EMOJI[alert.severity]
    title = f"{emoji} {headline(transition)}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150], "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": alert.message}},
        {
            "type": "section",
            "fields": [{"type": "mrkdwn", "text": f"*{name}*\n{value}"} for name, value in _fields(transition)[:10]],
        },
    ]
    if link:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{link}|Open in Tuneline>"}]})
    return {"text": f"{title}\n{alert.message}", "blocks": blocks}


def email_message(
    transition: AlertTransition, sender: str, recipients: Sequence[str], link: str | None = None
) -> EmailMessage:
    if not recipients:
        raise ValueError("recipients: at least one address is needed")
    alert = transition.alert
    message = EmailMessage()
    message["Subject"] = f"Tuneline {headline(transition)}"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["X-Tuneline-Alert-Fingerprint"] = alert.fingerprint
    lines = [alert.message, ""]
    lines += [f"{name}: {value}" for name, value in _fields(transition)]
    if link:
        lines += ["", f"Open in Tuneline: {link}"]
    message.set_content("\n".join(lines) + "\n")
    return message
