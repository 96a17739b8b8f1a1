"""A local SMTP server (aiosmtpd) on a loopback port that keeps every message it receives."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.fakes import free_port


class Mailbox:
    """Receives mail on 127.0.0.1:``port``; ``messages`` are the parsed messages, in order. With ``login``
    (user, password) it requires SMTP AUTH with them (over plain text: a loopback test server only)."""

    def __init__(self, login: tuple[str, str] | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.port = free_port()
        self.login = login
        self.logins: list[str] = []  # the user names that logged in
        extra = {"authenticator": self._authenticate, "auth_require_tls": False} if login else {}
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **extra)
        self._controller.start()

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and self.login is not None and (
            auth_data.login.decode(), auth_data.password.decode()) == self.login
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        """The messages sent to ``address``."""
        return [m for m in self.messages if m["To"] == address]

    def stop(self) -> None:
        """Stop answering (a mail server that is down); safe to call twice."""
        if self._controller.server is not None:
            self._controller.stop()
