"""Notification channels against a local HTTP server and a local SMTP server (tuneline.common.testing.receivers)."""

from typing import Any

import pytest
import structlog

from tuneline.common.notify import (
    CompositeNotifier,
    Notification,
    NotificationFailed,
    SmtpNotifier,
    SmtpSettings,
    WebhookNotifier,
    email_message,
    slack_payload,
)
from tuneline.common.testing.receivers import HttpReceiver, SmtpReceiver

DONE = Notification(
    title="Training job 42 succeeded",
    body="Use case ticket-clf",
    fields={"Status": "succeeded", "eval_loss": "0.25"},
)
# A port nothing listens on (discard service, closed on this machine): the connection is refused.
UNREACHABLE_URL = "http://127.0.0.1:9/none"


def smtp_settings(receiver: SmtpReceiver, *recipients: str, **extra: Any) -> SmtpSettings:
    return SmtpSettings(
        host=receiver.host,
        port=receiver.port,
        sender="tuneline@example.com",
        recipients=list(recipients) or ["ml@example.com"],
        **extra,
    )


def test_slack_payload_has_a_text_fallback_and_the_fields_as_blocks() -> None:
    payload = slack_payload(DONE)
    assert payload["text"] == "Training job 42 succeeded\nUse case ticket-clf\nStatus: succeeded\neval_loss: 0.25"
    assert payload["blocks"][0]["text"]["text"] == "*Training job 42 succeeded*\nUse case ticket-clf"
    assert [f["text"] for f in payload["blocks"][1]["fields"]] == ["*Status*\nsucceeded", "*eval_loss*\n0.25"]


def test_slack_payload_splits_fields_into_sections_of_ten() -> None:
    payload = slack_payload(Notification(title="t", fields={f"f{i}": str(i) for i in range(12)}))
    assert [len(b["fields"]) for b in payload["blocks"][1:]] == [10, 2]


def test_email_message_carries_title_as_subject_and_facts_in_the_body() -> None:
    message = email_message(DONE, "tuneline@example.com", ["a@example.com", "b@example.com"])
    assert message["Subject"] == "Training job 42 succeeded"
    assert message["To"] == "a@example.com, b@example.com"
    assert (
        message.get_content() == "Training job 42 succeeded\nUse case ticket-clf\nStatus: succeeded\neval_loss: 0.25\n"
    )


def test_bad_notification_and_settings_name_the_field() -> None:
    with pytest.raises(ValueError, match="title"):
        Notification(title=" ")
    with pytest.raises(ValueError, match="port"):
        SmtpSettings(host="h", port=0, sender="a@b", recipients=["c@d"])
    with pytest.raises(ValueError, match="recipients"):
        SmtpSettings(host="h", port=25, sender="a@b", recipients=[])
    with pytest.raises(ValueError, match="starttls"):
        SmtpSettings(host="h", port=25, sender="a@b", recipients=["c@d"], starttls=True, use_ssl=True)
    with pytest.raises(ValueError, match="url"):
        WebhookNotifier("ftp://example.com")


async def test_webhook_notifier_posts_the_slack_json(http_receiver: HttpReceiver) -> None:
    await WebhookNotifier(http_receiver.url).notify(DONE)
    assert http_receiver.bodies == [slack_payload(DONE)]
    assert http_receiver.content_types == ["application/json"]


async def test_webhook_notifier_reports_a_refusal_with_status_and_body(http_receiver: HttpReceiver) -> None:
    http_receiver.status = 403
    with pytest.raises(NotificationFailed, match="HTTP 403: invalid_token"):
        await WebhookNotifier(http_receiver.url).notify(DONE)


async def test_webhook_notifier_reports_an_unreachable_endpoint() -> None:
    with pytest.raises(NotificationFailed, match="webhook: ConnectError"):
        await WebhookNotifier(UNREACHABLE_URL, timeout_seconds=2).notify(DONE)


async def test_smtp_notifier_delivers_the_mail_with_login(smtp_receiver: SmtpReceiver) -> None:
    settings = smtp_settings(smtp_receiver, "sre@example.com", username="mailer", password="s3cret-pass")
    await SmtpNotifier(settings).notify(DONE)
    [(sender, recipients, message)] = smtp_receiver.messages
    assert (sender, recipients) == ("tuneline@example.com", ["sre@example.com"])
    assert message["Subject"] == "Training job 42 succeeded"
    assert "eval_loss: 0.25" in message.get_content()
    assert smtp_receiver.logins == [("mailer", "s3cret-pass")]


async def test_smtp_notifier_reports_a_refused_recipient(smtp_receiver: SmtpReceiver) -> None:
    smtp_receiver.refuse.add("gone@example.com")
    with pytest.raises(NotificationFailed, match="smtp: SMTPRecipientsRefused"):
        await SmtpNotifier(smtp_settings(smtp_receiver, "gone@example.com")).notify(DONE)
    assert smtp_receiver.messages == []


async def test_smtp_notifier_reports_an_unreachable_server() -> None:
    settings = SmtpSettings(host="127.0.0.1", port=9, sender="a@example.com", recipients=["b@example.com"])
    with pytest.raises(NotificationFailed, match="smtp: ConnectionRefusedError"):
        await SmtpNotifier(settings).notify(DONE)


async def test_composite_sends_to_every_channel(http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver) -> None:
    composite = CompositeNotifier([WebhookNotifier(http_receiver.url), SmtpNotifier(smtp_settings(smtp_receiver))])
    delivery = await composite.notify(DONE)
    assert (sorted(delivery.delivered), dict(delivery.failed)) == (["smtp", "webhook"], {})
    assert len(http_receiver.bodies) == 1 and len(smtp_receiver.messages) == 1


async def test_composite_logs_a_failed_channel_and_still_delivers_the_others(
    http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver
) -> None:
    smtp_receiver.refuse.add("ml@example.com")
    composite = CompositeNotifier([WebhookNotifier(http_receiver.url), SmtpNotifier(smtp_settings(smtp_receiver))])
    with structlog.testing.capture_logs() as logs:
        delivery = await composite.notify(DONE, job_id="42")
    assert delivery.delivered == ("webhook",) and not delivery.nothing_delivered
    assert list(delivery.failed) == ["smtp"] and "SMTPRecipientsRefused" in delivery.failed["smtp"]
    [failure] = [e for e in logs if e["event"] == "notify.failed"]
    assert (failure["channel"], failure["job_id"], failure["log_level"]) == ("smtp", "42", "warning")
    assert http_receiver.bodies == [slack_payload(DONE)]


async def test_composite_reports_nothing_delivered_when_every_channel_fails_without_raising() -> None:
    composite = CompositeNotifier([WebhookNotifier(UNREACHABLE_URL, timeout_seconds=2)])
    delivery = await composite.notify(DONE)
    assert delivery.nothing_delivered and delivery.delivered == ()
    assert "ConnectError" in delivery.failed["webhook"]


async def test_composite_contains_an_unexpected_error_of_one_channel(http_receiver: HttpReceiver) -> None:
    class Broken:
        channel = "broken"

        async def notify(self, notification: Notification) -> None:
            raise KeyError("bug")

    delivery = await CompositeNotifier([Broken(), WebhookNotifier(http_receiver.url)]).notify(DONE)
    assert delivery.delivered == ("webhook",) and delivery.failed == {"broken": "KeyError: 'bug'"}


def test_composite_refuses_two_channels_with_one_name() -> None:
    with pytest.raises(ValueError, match="notifiers"):
        CompositeNotifier([WebhookNotifier("http://a"), WebhookNotifier("http://b")])
