"""Notifications to people: a Slack-compatible webhook, SMTP mail, and a composite that sends to every channel.

A channel (`Notifier`) raises NotificationFailed with the reason and never retries itself (a retry loop inside a
request or consumer would stall it). `CompositeNotifier` sends one `Notification` to every configured channel,
logs each failure and never raises for one: it reports what was delivered, so the caller decides whether to retry.
Notifications carry ids, statuses and figures only — never record contents or personal data.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol

import httpx
import structlog

log = structlog.get_logger(__name__)

#: Slack shows at most 10 fields per section block.
_SLACK_FIELDS_PER_SECTION = 10


class NotificationFailed(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Notification:
    """One message for people: a one-line title, a short body and the key facts as name → value."""

    title: str
    body: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ValueError("title: must not be empty")


class Notifier(Protocol):
    """A channel that delivers a Notification or raises NotificationFailed."""

    channel: str

    async def notify(self, notification: Notification) -> None: ...


def slack_payload(notification: Notification) -> dict[str, Any]:
    """Slack-compatible JSON: `text` is the fallback shown by clients and plain webhooks, blocks the layout."""
    headline = f"*{notification.title}*" + (f"\n{notification.body}" if notification.body else "")
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": headline}}]
    items = [{"type": "mrkdwn", "text": f"*{name}*\n{value}"} for name, value in notification.fields.items()]
    for start in range(0, len(items), _SLACK_FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": items[start : start + _SLACK_FIELDS_PER_SECTION]})
    return {"text": _plain_text(notification), "blocks": blocks}


def email_message(notification: Notification, sender: str, recipients: Sequence[str]) -> EmailMessage:
    if not recipients:
        raise ValueError("recipients: at least one address is needed")
    message = EmailMessage()
    message["Subject"] = notification.title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message.set_content(_plain_text(notification) + "\n")
    return message


def _plain_text(notification: Notification) -> str:
    lines = [notification.title]
    if notification.body:
        lines.append(notification.body)
    lines.extend(f"{name}: {value}" for name, value in notification.fields.items())
    return "\n".join(lines)


class WebhookNotifier:
    """POSTs JSON to an http(s) URL (a Slack incoming webhook or anything accepting the same JSON)."""

    channel = "webhook"

    def __init__(self, url: str, timeout_seconds: float = 5.0, client: httpx.AsyncClient | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"url: must be an http(s) URL, got {url!r}")
        self._url = url
        self._timeout = timeout_seconds
        self._client = client

    async def notify(self, notification: Notification) -> None:
        await self.send(slack_payload(notification))

    async def send(self, payload: dict[str, Any]) -> None:
        """Deliver a ready-made JSON payload (for callers with their own Slack layout)."""
        try:
            if self._client is not None:
                response = await self._client.post(self._url, json=payload, timeout=self._timeout)
            else:
                async with httpx.AsyncClient(timeout=self._timeout) as client:
                    response = await client.post(self._url, json=payload)
        except httpx.HTTPError as error:
            raise NotificationFailed(f"webhook: {type(error).__name__}: {error}") from error
        if response.status_code >= 300:
            raise NotificationFailed(f"webhook: HTTP {response.status_code}: {response.text[:200]}")


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    recipients: Sequence[str]
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    use_ssl: bool = False
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("host: must not be empty")
        if not 0 < self.port < 65536:
            raise ValueError(f"port: must be in 1..65535, got {self.port}")
        if not self.sender:
            raise ValueError("sender: must not be empty")
        if not self.recipients:
            raise ValueError("recipients: at least one address is needed")
        if self.starttls and self.use_ssl:
            raise ValueError("starttls: cannot be combined with use_ssl")


class SmtpNotifier:
    """Sends mail through an SMTP server (optionally STARTTLS or implicit TLS, optionally with a login)."""

    channel = "smtp"

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    @property
    def settings(self) -> SmtpSettings:
        return self._settings

    async def notify(self, notification: Notification) -> None:
        await self.send(email_message(notification, self._settings.sender, self._settings.recipients))

    async def send(self, message: EmailMessage) -> None:
        """Deliver a ready-made message to the configured recipients."""
        # smtplib blocks; a thread keeps the event loop serving while the mail goes out.
        await asyncio.to_thread(self._send_blocking, message)

    def _send_blocking(self, message: EmailMessage) -> None:
        s = self._settings
        try:
            smtp: smtplib.SMTP
            if s.use_ssl:
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
            with smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.username:
                    smtp.login(s.username, s.password or "")
                refused = smtp.send_message(message, from_addr=s.sender, to_addrs=list(s.recipients))
        except (smtplib.SMTPException, OSError) as error:
            raise NotificationFailed(f"smtp: {type(error).__name__}: {error}") from error
        if refused:
            raise NotificationFailed(f"smtp: recipients refused: {sorted(refused)}")


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a composite send achieved: the channels that delivered and, per failed channel, the reason."""

    delivered: tuple[str, ...]
    failed: Mapping[str, str]

    @property
    def nothing_delivered(self) -> bool:
        return not self.delivered and bool(self.failed)


class CompositeNotifier:
    """Sends to every channel at once; one channel's failure is logged and reported, never raised."""

    def __init__(self, notifiers: Sequence[Notifier]) -> None:
        channels = [n.channel for n in notifiers]
        if len(set(channels)) != len(channels):
            raise ValueError(f"notifiers: channel names must be unique, got {channels}")
        self._notifiers = tuple(notifiers)

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(n.channel for n in self._notifiers)

    async def notify(self, notification: Notification, **log_fields: Any) -> Delivery:
        """Send to every channel; `log_fields` (ids only) go into the log lines of each outcome."""
        outcomes = await asyncio.gather(*(self._one(n, notification, log_fields) for n in self._notifiers))
        delivered = tuple(channel for channel, error in outcomes if error is None)
        failed = {channel: error for channel, error in outcomes if error is not None}
        return Delivery(delivered=delivered, failed=failed)

    async def _one(
        self, notifier: Notifier, notification: Notification, log_fields: Mapping[str, Any]
    ) -> tuple[str, str | None]:
        try:
            await notifier.notify(notification)
        except NotificationFailed as error:
            log.warning("notify.failed", channel=notifier.channel, error=str(error), **log_fields)
            return notifier.channel, str(error)
        except Exception as error:  # a bug in one channel must not cost the others their message
            log.error("notify.failed", channel=notifier.channel, error=repr(error), exc_info=True, **log_fields)
            return notifier.channel, f"{type(error).__name__}: {error}"
        log.info("notify.sent", channel=notifier.channel, **log_fields)
        return notifier.channel, None
