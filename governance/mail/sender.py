"""Delivering the outbox through SMTP (`governance mail send`, run from a timer).

The mail server is the operator's, from the environment: GOVERNANCE_SMTP_HOST, _PORT (587),
_USER and _PASSWORD (optional), _STARTTLS (1 by default), GOVERNANCE_MAIL_FROM. A mail the
server refuses or cannot take stays in the outbox with its error and is tried again next time.
"""

from __future__ import annotations

import asyncio
import os
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance import clock
from governance.mail.models import OutboxMail

MAX_ATTEMPTS = 10
BATCH = 200


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str
    password: str = ""  # never printed
    starttls: bool = True
    sender: str = ""

    def __repr__(self) -> str:
        return f"SmtpConfig(host={self.host!r}, port={self.port}, username={self.username!r})"


def smtp_config(environ: Mapping[str, str] = os.environ) -> SmtpConfig | None:
    """The operator's mail server, or None when none is configured."""
    host = environ.get("GOVERNANCE_SMTP_HOST", "").strip()
    if not host:
        return None
    return SmtpConfig(
        host=host,
        port=int(environ.get("GOVERNANCE_SMTP_PORT", "587") or 587),
        username=environ.get("GOVERNANCE_SMTP_USER", ""),
        password=environ.get("GOVERNANCE_SMTP_PASSWORD", ""),
        starttls=environ.get("GOVERNANCE_SMTP_STARTTLS", "1") not in {"0", "false", "no"},
        sender=environ.get("GOVERNANCE_MAIL_FROM", "") or f"governance@{host}",
    )


def _deliver(config: SmtpConfig, message: EmailMessage) -> None:
    with smtplib.SMTP(config.host, config.port, timeout=20) as smtp:
        if config.starttls:
            smtp.starttls()
        if config.username:
            smtp.login(config.username, config.password)
        smtp.send_message(message)


@dataclass(frozen=True)
class _Pending:
    id: int
    to_address: str
    subject: str
    body: str


def _message(config: SmtpConfig, mail: _Pending, base_url: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message.set_content(mail.body.replace("{base_url}", base_url))
    return message


async def send_pending(
    session: AsyncSession,
    config: SmtpConfig,
    base_url: str,
    deliver: Callable[[SmtpConfig, EmailMessage], None] = _deliver,
) -> tuple[int, int]:
    """Try every mail not yet sent (oldest first); (sent, failed) for this run."""
    async with session.begin():
        rows = await session.exec(
            select(OutboxMail.id, OutboxMail.to_address, OutboxMail.subject, OutboxMail.body)
            .where(col(OutboxMail.sent_at).is_(None), OutboxMail.attempts < MAX_ATTEMPTS)
            .order_by(col(OutboxMail.id))
            .limit(BATCH)
        )
        pending = [_Pending(*row) for row in rows.all()]
    sent = failed = 0
    for mail in pending:
        values: dict[str, object] = {"attempts": col(OutboxMail.attempts) + 1}
        try:
            await asyncio.to_thread(deliver, config, _message(config, mail, base_url))
        except Exception as error:
            values["last_error"] = f"{type(error).__name__}: {error}"[:300]
            failed += 1
        else:
            values["sent_at"] = clock.now()
            sent += 1
        async with session.begin():
            await session.exec(
                update(OutboxMail).where(col(OutboxMail.id) == mail.id).values(**values)
            )
    return sent, failed
