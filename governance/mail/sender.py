"""Delivering the outbox through SMTP: `send_pending`, called every few seconds by the worker
(or the in-process scheduler), and by hand with `governance mail send`. See docs/mail.md.

The mail server is the operator's, from the environment: GOVERNANCE_SMTP_HOST, _PORT (587),
_USER and _PASSWORD (optional), _STARTTLS (1 by default), GOVERNANCE_MAIL_FROM.

Several senders may run at once (two workers, a scheduler in each web process): each mail is
claimed in a committed transaction of its own before it is handed to the mail server, by an
UPDATE that only one sender can win; the claim is a lease that expires, so a mail whose sender
died between the claim and the mark is sent again later (the one case where a mail may go out
twice; none is lost). A mail the server refuses or cannot take stays in the outbox with its
error and is tried again after an exponential back-off, up to MAX_ATTEMPTS.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import re
import secrets
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.base import clock
from governance.mail.models import OutboxMail

log = logging.getLogger("governance.mail")

MAX_ATTEMPTS = 10
BATCH = 200
# How long a claim holds: far longer than one SMTP conversation (20 s time-out per step).
LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)


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
        starttls=environ.get("GOVERNANCE_SMTP_STARTTLS", "1").strip().lower()
        not in {"0", "false", "no", "off"},
        sender=environ.get("GOVERNANCE_MAIL_FROM", "") or f"governance@{host}",
    )


def _deliver(config: SmtpConfig, message: EmailMessage) -> None:
    smtp = smtplib.SMTP(config.host, config.port, timeout=20)
    try:
        if config.starttls:
            smtp.starttls()
        if config.username:
            smtp.login(config.username, config.password)
        smtp.send_message(message)
    finally:
        # The server took the mail once send_message returned: whatever it answers to QUIT
        # (a 421 when it shuts down), the mail is sent and must not be sent again.
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def server_down(error: Exception) -> bool:
    """The mail server cannot be reached or dropped the connection (not: it refused this
    mail). The next mails of the run would each wait for the same timeout: they wait for the
    next run instead. (SMTP's own errors are OSErrors too, hence the order.)"""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1 minute, 2, 4, ... at most an hour."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 16), LONGEST_RETRY)


def message_domain(base_url: str, sender: str) -> str:
    """The domain of Message-IDs: the host of the service's base URL, else the sender's."""
    host = urlsplit(base_url).hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host:
            return host
    domain = parseaddr(sender)[1].rpartition("@")[2]
    return domain or "localhost"


@dataclass(frozen=True)
class _Claimed:
    id: int
    to_address: str
    subject: str
    body: str
    message_id: str
    token: str


def _message(config: SmtpConfig, mail: _Claimed, base_url: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = mail.message_id
    # RFC 3834: written by a program; vacation responders should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body.replace("{base_url}", base_url))
    return message


def _due(now: datetime) -> list[ColumnElement[bool]]:
    """Not sent, attempts left, its back-off over, and no live claim on it."""
    return [
        col(OutboxMail.sent_at).is_(None),
        col(OutboxMail.attempts) < MAX_ATTEMPTS,
        or_(col(OutboxMail.next_attempt_at).is_(None), col(OutboxMail.next_attempt_at) <= now),
        or_(col(OutboxMail.lease_until).is_(None), col(OutboxMail.lease_until) <= now),
    ]


async def _claim(session: AsyncSession, mail_id: int, domain: str) -> _Claimed | None:
    """Claim one mail in a transaction of its own, committed before anything is sent; None
    when another sender has it (or has sent it) already."""
    now = clock.now()
    token = secrets.token_hex(16)
    async with session.begin():
        # One UPDATE: on PostgreSQL a second sender waits for the first's row lock, then reads
        # the claimed row and matches nothing; on SQLite writers take turns.
        row = (
            await session.exec(
                update(OutboxMail)
                .where(col(OutboxMail.id) == mail_id, *_due(now))
                .values(
                    claim_token=token,
                    lease_until=now + LEASE,
                    # The first claim names the mail; every retry keeps that Message-ID.
                    message_id=func.coalesce(col(OutboxMail.message_id), make_msgid(domain=domain)),
                )
                .returning(
                    col(OutboxMail.to_address),
                    col(OutboxMail.subject),
                    col(OutboxMail.body),
                    col(OutboxMail.message_id),
                )
            )
        ).first()
    if row is None:
        return None
    to_address, subject, body, message_id = row
    return _Claimed(mail_id, to_address, subject, body, message_id, token)


# An invitation's link lets whoever holds it join: once the mail server has it, the outbox
# keeps the mail without it (whoever reads the database cannot join through it).
INVITATION_LINK = re.compile(r"(\{base_url\}/invite/)\S+")


def without_secrets(body: str) -> str:
    return INVITATION_LINK.sub(r"\1(sent)", body)


async def _mark_sent(session: AsyncSession, mail: _Claimed) -> None:
    scrubbed = without_secrets(mail.body)
    async with session.begin():
        await session.exec(
            update(OutboxMail)
            # Whoever holds the claim now: the server took the mail, that is the truth to keep.
            .where(col(OutboxMail.id) == mail.id, col(OutboxMail.sent_at).is_(None))
            .values(
                sent_at=clock.now(),
                attempts=col(OutboxMail.attempts) + 1,
                next_attempt_at=None,
                claim_token=None,
                lease_until=None,
                **({"body": scrubbed} if scrubbed != mail.body else {}),
            )
        )


async def _mark_failed(session: AsyncSession, mail: _Claimed, error: Exception) -> None:
    reason = f"{type(error).__name__}: {error}"[:300]
    async with session.begin():
        attempts = (
            await session.exec(
                update(OutboxMail)
                # Only while the claim is still ours (a lease that ran out may be another's).
                .where(
                    col(OutboxMail.id) == mail.id,
                    col(OutboxMail.claim_token) == mail.token,
                    col(OutboxMail.sent_at).is_(None),
                )
                .values(
                    attempts=col(OutboxMail.attempts) + 1,
                    last_error=reason,
                    claim_token=None,
                    lease_until=None,
                )
                .returning(col(OutboxMail.attempts))
            )
        ).scalar()
        if attempts is None:
            return
        # Given up after MAX_ATTEMPTS: the mail stays, with its error, and is not due again.
        retry = clock.now() + retry_delay(attempts) if attempts < MAX_ATTEMPTS else None
        await session.exec(
            update(OutboxMail).where(col(OutboxMail.id) == mail.id).values(next_attempt_at=retry)
        )
    if retry is None:
        log.error("mail %s given up after %s attempts: %s", mail.id, attempts, reason)
    else:
        log.warning("mail %s not sent (attempt %s): %s", mail.id, attempts, reason)


async def send_pending(
    session: AsyncSession,
    config: SmtpConfig,
    base_url: str,
    deliver: Callable[[SmtpConfig, EmailMessage], None] = _deliver,
    *,
    limit: int = BATCH,
) -> tuple[int, int]:
    """Send the due mails (oldest first, at most `limit`), each claimed before it is sent;
    (sent, failed) for this run. Safe to call from several processes at once."""
    async with session.begin():
        candidates = (
            await session.exec(
                select(OutboxMail.id)
                .where(*_due(clock.now()))
                .order_by(col(OutboxMail.id))
                .limit(limit)
            )
        ).all()
    domain = message_domain(base_url, config.sender)
    sent = failed = 0
    for mail_id in candidates:
        assert mail_id is not None
        mail = await _claim(session, mail_id, domain)
        if mail is None:
            continue  # another sender took it
        try:
            message = _message(config, mail, base_url)
            await asyncio.to_thread(deliver, config, message)
        except Exception as error:
            await _mark_failed(session, mail, error)
            failed += 1
            if server_down(error):
                break
        else:
            await _mark_sent(session, mail)
            sent += 1
    return sent, failed
