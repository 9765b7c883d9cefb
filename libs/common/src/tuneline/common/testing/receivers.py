"""Local receivers for notification tests, both on 127.0.0.1: an HTTP server that records JSON POSTs and a
small asyncio SMTP server (just enough of RFC 5321 for smtplib). The pytest plugin exposes them as the
`http_receiver` and `smtp_receiver` fixtures.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class HttpReceiver:
    url: str
    status: int = 200
    bodies: list[Any] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)


@contextmanager
def serve_http_receiver(path: str = "/hooks/alerts") -> Iterator[HttpReceiver]:
    """Answer every POST with `receiver.status` (body "ok", or "invalid_token" for a refusal) and record it."""
    receiver = HttpReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            receiver.bodies.append(json.loads(self.rfile.read(length)))
            receiver.content_types.append(self.headers.get("Content-Type", ""))
            self.send_response(receiver.status)
            self.end_headers()
            self.wfile.write(b"ok" if receiver.status < 300 else b"invalid_token")

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class SmtpReceiver:
    host: str
    port: int
    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)


async def _smtp_session(receiver: SmtpReceiver, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Just enough of RFC 5321 (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, QUIT) for smtplib."""

    async def reply(line: str) -> None:
        writer.write(line.encode() + b"\r\n")
        await writer.drain()

    sender, recipients = "", list[str]()
    await reply("220 127.0.0.1 test SMTP")
    while line := await reader.readline():
        command = line.decode().rstrip("\r\n")
        verb = command.split(" ", 1)[0].upper()
        if verb == "EHLO":
            await reply("250-127.0.0.1")
            await reply("250 AUTH PLAIN")
        elif verb == "HELO" or verb in ("NOOP", "RSET"):
            sender, recipients = ("", list[str]()) if verb == "RSET" else (sender, recipients)
            await reply("250 OK")
        elif verb == "AUTH":
            _authzid, user, password = base64.b64decode(command.split()[2]).split(b"\0")
            receiver.logins.append((user.decode(), password.decode()))
            await reply("235 2.7.0 Authentication successful")
        elif verb == "MAIL":
            sender = command.split(":", 1)[1].strip().split()[0].strip("<>")
            await reply("250 OK")
        elif verb == "RCPT":
            address = command.split(":", 1)[1].strip().strip("<>")
            if address in receiver.refuse:
                await reply("550 5.1.1 no such user")
            else:
                recipients.append(address)
                await reply("250 OK")
        elif verb == "DATA":
            await reply("354 end with <CRLF>.<CRLF>")
            data = bytearray()
            while (chunk := await reader.readline()) != b".\r\n":
                data += chunk[1:] if chunk.startswith(b"..") else chunk
            parsed = message_from_bytes(bytes(data), policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            receiver.messages.append((sender, recipients, parsed))
            sender, recipients = "", list[str]()
            await reply("250 OK queued")
        elif verb == "QUIT":
            await reply("221 bye")
            break
        else:
            await reply("502 command not implemented")
    writer.close()


@asynccontextmanager
async def serve_smtp_receiver() -> AsyncIterator[SmtpReceiver]:
    """An SMTP server on the running event loop (smtplib clients must run in a thread, as SmtpNotifier does)."""
    receiver = SmtpReceiver(host="127.0.0.1", port=0)
    server = await asyncio.start_server(lambda r, w: _smtp_session(receiver, r, w), "127.0.0.1", 0)
    receiver.port = server.sockets[0].getsockname()[1]
    try:
        yield receiver
    finally:
        server.close()
        await server.wait_closed()
