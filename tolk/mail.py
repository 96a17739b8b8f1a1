"""E-mail over SMTP: the transport of notification e-mails, with its settings injected (never read here).

Only worker jobs send mail, never a request: an SMTP server that is slow or down must not hold a page.
Failures are raised as :class:`MailError` (``retryable`` when a later attempt may succeed), mapped from
``smtplib``'s exceptions at this boundary.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any


class MailError(Exception):
    """The message was not accepted by the SMTP server."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: from ``TOLK_SMTP_*`` and ``TOLK_MAIL_SENDER``."""

    host: str
    port: int = 587
    security: str = "starttls"  # starttls | tls | none
    user: str | None = None
    password: str | None = None
    sender: str = "Tolk <tolk@localhost>"
    timeout: float = 15.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings | None:
        """The settings of an app's config; None when no SMTP host is set (e-mail is off)."""
        if not config.get("SMTP_HOST"):
            return None
        return cls(host=config["SMTP_HOST"], port=int(config["SMTP_PORT"]), security=config["SMTP_SECURITY"],
                   user=config.get("SMTP_USER"), password=config.get("SMTP_PASSWORD"),
                   sender=config["MAIL_SENDER"], timeout=float(config["SMTP_TIMEOUT"]))


def message(settings: SmtpSettings, to: str, subject: str, body: str, *, message_id: str | None = None) -> EmailMessage:
    """A plain-text message; ``message_id`` lets a retried send keep the same Message-ID."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.sender, to, subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = message_id or make_msgid(domain="tolk")
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to a notification
    msg.set_content(body)
    return msg


def send(settings: SmtpSettings, msg: EmailMessage) -> None:
    """Hand ``msg`` to the SMTP server; raise :class:`MailError` if it is not accepted."""
    context = ssl.create_default_context()
    try:
        if settings.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                                    context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=context)
            if settings.user:
                client.login(settings.user, settings.password or "")
            client.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"recipient refused: {', '.join(exc.recipients)}", retryable=False) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"SMTP login refused ({exc.smtp_code})", retryable=False) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"the SMTP server does not support this: {exc}", retryable=False) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from exc
