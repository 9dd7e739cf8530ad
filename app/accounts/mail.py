"""Outgoing mail over SMTP (the operator's provider). Without a configured host the message is
logged instead, so a single-host install without mail still lets the operator read the link.

Links in mail are built from PARCOURS_PUBLIC_URL only, never from the request: a forged Host
header would otherwise send a reset link, token and all, to the forger's server. Without a
public URL, nothing that needs a link is mailed. Mail goes out after the response, so a form
answers in the same time whether or not it sent anything."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from fastapi import Response
from starlette.background import BackgroundTask

from parcours.settings import Settings

log = logging.getLogger(__name__)
NO_PUBLIC_URL = ("Mail with links is off on this server: its operator has not set PARCOURS_PUBLIC_URL. "
                 "Ask the operator: `parcours user add EMAIL` makes an account, "
                 "`parcours user password EMAIL` sets a new password.")


def link(settings: Settings, path: str) -> str | None:
    """The absolute URL of `path` for a mail, or None when no public URL is configured."""
    return settings.public_url.rstrip("/") + path if settings.public_url else None


def send_after(response: Response, settings: Settings, to: str, subject: str, body: str) -> None:
    send_all_after(response, settings, [(to, subject, body)])


def send_all_after(response: Response, settings: Settings, messages: list[tuple[str, str, str]]) -> None:
    """Each (to, subject, body), in order, after the response."""
    response.background = BackgroundTask(lambda: [send(settings, *message) for message in messages])


def send(settings: Settings, to: str, subject: str, body: str, html: str | None = None,
         headers: dict[str, str] | None = None) -> bool:
    """Whether the provider took the message. `html`, if any, is an alternative to the text."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.smtp_from, to, subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    if not settings.smtp_host:
        log.warning("no SMTP host configured; mail to %s not sent:\n%s", to, body)
        return False
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.error("mail to %s not sent: %s", to, error)
        return False
    return True
