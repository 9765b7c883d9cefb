from datetime import UTC, datetime, timedelta

import pytest

from tuneline.common.notify import SmtpNotifier, SmtpSettings, WebhookNotifier
from tuneline.monitoring.alerts.notifications import email_message, slack_payload
from tuneline.monitoring.alerts.rules import AlertRule, Comparator, Metric, RuleOutcome, Severity
from tuneline.monitoring.alerts.state import AlertTransition, apply_outcome
from tuneline.monitoring.rollups.rollup import RollupKey

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
RULE = AlertRule(
    id="r-err",
    name="Error rate",
    metric=Metric.ERROR_RATE,
    comparator=Comparator.GT,
    threshold=0.05,
    window=timedelta(minutes=5),
    severity=Severity.CRITICAL,
)


def raised() -> AlertTransition:
    transition = apply_outcome(
        None,
        RuleOutcome(rule=RULE, key=RollupKey("ticket-clf", "7", "canary"), value=0.12, samples=400, breached=True),
        T0,
    )
    assert transition is not None
    return transition


def test_slack_payload_has_text_fallback_and_blocks_with_the_figures() -> None:
    payload = slack_payload(raised(), link="https://tuneline.example/alerts/1")
    assert payload["text"].startswith(":fire: [CRITICAL] Error rate: ticket-clf v7 (canary)")
    assert "error_rate = 0.12 > 0.05" in payload["text"]
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in payload["blocks"][2]["fields"]}
    assert fields["*Value*"] == "0.12" and fields["*Threshold*"] == "0.05" and fields["*Arm*"] == "canary"
    assert payload["blocks"][-1]["elements"][0]["text"] == "<https://tuneline.example/alerts/1|Open in Tuneline>"


def test_email_subject_and_body_say_what_fired() -> None:
    message = email_message(raised(), "tuneline@example.com", ["sre@example.com", "ml@example.com"])
    assert message["Subject"] == "Tuneline [CRITICAL] Error rate: ticket-clf v7 (canary)"
    assert message["To"] == "sre@example.com, ml@example.com"
    body = message.get_content()
    assert "error_rate = 0.12 > 0.05 over 300 s (400 samples)" in body
    assert "Severity: critical" in body
    with pytest.raises(ValueError, match="recipients"):
        email_message(raised(), "a@b", [])


async def test_webhook_notifier_posts_the_json_payload(http_receiver) -> None:
    payload = slack_payload(raised())
    await WebhookNotifier(http_receiver.url).send(payload)
    assert http_receiver.bodies == [payload]
    assert http_receiver.content_types == ["application/json"]


async def test_smtp_notifier_delivers_the_mail_with_login(smtp_receiver) -> None:
    settings = SmtpSettings(
        host=smtp_receiver.host,
        port=smtp_receiver.port,
        sender="tuneline@example.com",
        recipients=["sre@example.com"],
        username="mailer",
        password="s3cret-pass",
    )
    await SmtpNotifier(settings).send(email_message(raised(), settings.sender, settings.recipients))
    [(sender, recipients, message)] = smtp_receiver.messages
    assert (sender, recipients) == ("tuneline@example.com", ["sre@example.com"])
    assert message["Subject"] == "Tuneline [CRITICAL] Error rate: ticket-clf v7 (canary)"
    assert "error_rate = 0.12" in message.get_content()
    assert smtp_receiver.logins == [("mailer", "s3cret-pass")]
