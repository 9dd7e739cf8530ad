"""Outgoing mail over SMTP (the operator's provider). Without a configured host the message is
logged instead, so a single-host install without mail still lets the operator read the link."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from parcours.settings import Settings

log = logging.getLogger(__name__)


def send(settings: Settings, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.smtp_from, to, subject
    message.set_content(body)
    if not settings.smtp_host:
        log.warning("no SMTP host configured; mail to %s not sent:\n%s", to, body)
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        smtp.send_message(message)
