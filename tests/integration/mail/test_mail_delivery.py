"""Delivering the outbox when several senders run at once (two workers, a scheduler in each web
process), through a real SMTP conversation with a small server in a thread: each mail claimed
before it is sent and sent once, back-off while the server is down, a dead sender's claim
that expires, the headers a mail server expects, the times' zone, and invitations by mail."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import socket
import socketserver
import threading
from collections import Counter
from collections.abc import Iterator
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from sqlmodel import col, select

from governance.base import clock, db, i18n
from governance.base.settings import Settings
from governance.mail import sender
from governance.mail.invitations import invitation_mail
from governance.mail.models import OutboxMail
from governance.mail.outbox import set_email_notices
from governance.mail.sender import LEASE, MAX_ATTEMPTS, SmtpConfig, send_pending
from governance.mail.times import mail_time
from governance.members import invitations
from tests.conftest import TEST_SECRET
from tests.votes_support import open_vote

BASE_URL = "https://coop.example"


class SmtpSink:
    """Just enough SMTP to take mails (EHLO, MAIL, RCPT, DATA, QUIT); keeps each message."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.quit_reply = "221 bye"  # a server shutting down answers 421
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self) -> None:
                self.reply("220 sink")
                while line := self.rfile.readline():
                    verb = line.decode().strip().split(" ")[0].upper()
                    if verb == "DATA":
                        self.reply("354 go on")
                        data = []
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                        with sink.lock:
                            sink.messages.append(email.message_from_bytes(b"".join(data)))
                        self.reply("250 taken")
                    elif verb == "QUIT":
                        self.reply(sink.quit_reply)
                        return
                    elif verb == "EHLO":
                        self.reply("250 sink")
                    else:
                        self.reply("250 ok")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def config(self) -> SmtpConfig:
        return SmtpConfig("127.0.0.1", self.port, "", starttls=False, sender="Coop <v@x.example>")

    def by_message_id(self) -> Counter[str]:
        with self.lock:
            return Counter(str(m["Message-ID"]) for m in self.messages)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


def _down() -> SmtpConfig:
    """A mail server that is not there: a port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return SmtpConfig("127.0.0.1", port, "", starttls=False, sender="v@x.example")


async def _queue(session: Any, world: Any, count: int) -> list[int]:
    """`count` mails to Omar, straight into the outbox; their ids."""
    mails = [
        OutboxMail(
            cooperative_id=world.alpha,
            person_id=world.ids["omar"],
            to_address="omar@alpha.example",
            subject=f"Mail {n}",
            body=f"Mail {n}: {{base_url}}/c/alpha\n",
            created_at=clock.now(),
        )
        for n in range(count)
    ]
    session.add_all(mails)
    await session.commit()
    return [m.id for m in mails if m.id is not None]


async def _rows(session: Any) -> list[OutboxMail]:
    """The outbox as it is now."""
    async with session.begin():
        rows = await session.exec(
            select(OutboxMail)
            .order_by(col(OutboxMail.id))
            .execution_options(populate_existing=True)
        )
        # Copies: the session's own objects change when the rows are read again.
        return [mail.model_copy() for mail in rows.all()]


async def _send_with_own_engine(url: str, config: SmtpConfig) -> tuple[int, int]:
    engine = db.make_engine(url)
    try:
        async with db.make_sessionmaker(engine)() as session:
            return await send_pending(session, config, BASE_URL)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("how", ["tasks", "threads"])
def test_two_senders_at_once_send_each_mail_once(
    run: Any, world: Any, settings: Settings, sink: SmtpSink, how: str
) -> None:
    run(lambda session: _queue(session, world, 20))
    url = settings.database_url
    if how == "tasks":
        # Two engines in one event loop: while one waits for the SMTP server, the other claims.
        async def both() -> list[tuple[int, int]]:
            return list(
                await asyncio.gather(
                    _send_with_own_engine(url, sink.config()),
                    _send_with_own_engine(url, sink.config()),
                )
            )

        results = asyncio.run(both())
    else:
        # Two threads, each its own event loop and engine, as two processes would.
        start = threading.Barrier(2)
        results = []

        def one() -> None:
            start.wait()
            results.append(asyncio.run(_send_with_own_engine(url, sink.config())))

        threads = [threading.Thread(target=one) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    rows = run(_rows)
    assert sum(sent for sent, _failed in results) == 20
    assert all(failed == 0 for _sent, failed in results)
    received = sink.by_message_id()
    assert len(received) == 20 and set(received.values()) == {1}
    assert set(received) == {m.message_id for m in rows}
    assert all(m.sent_at is not None and m.attempts == 1 for m in rows)
    assert all(m.claim_token is None and m.lease_until is None for m in rows)


def test_a_server_down_backs_off_then_the_mails_go(run: Any, world: Any, sink: SmtpSink) -> None:
    async def action(session: Any) -> Any:
        await _queue(session, world, 3)
        first = await send_pending(session, _down(), BASE_URL)
        failed_at = clock.now()
        kept = await _rows(session)
        again = await send_pending(session, sink.config(), BASE_URL)  # at once: still waiting
        again += (len(sink.messages),)
        with clock.shifted(dt.timedelta(seconds=61)):
            later = await send_pending(session, sink.config(), BASE_URL)
        return first, failed_at, kept, again, later, await _rows(session)

    first, failed_at, kept, again, later, rows = run(action)
    # The server refuses the first mail's connection: the run stops there (the next two would
    # meet the same closed door), they stay due.
    assert first == (0, 1)
    assert [(m.attempts, m.sent_at) for m in kept] == [(1, None), (0, None), (0, None)]
    assert kept[0].last_error.startswith("ConnectionRefusedError")
    assert kept[0].next_attempt_at is not None and kept[0].next_attempt_at > failed_at
    # The server is back at once: the two due mails go, the failed one waits its minute.
    assert again == (2, 0, 2)
    assert later == (1, 0)
    assert [(m.attempts, m.sent_at is not None) for m in rows] == [(2, True), (1, True), (1, True)]
    # The Message-ID given at the first (failed) attempt is the one the server received.
    assert kept[0].message_id in set(sink.by_message_id())


def test_the_wait_doubles_up_to_an_hour() -> None:
    minutes = [sender.retry_delay(n) / dt.timedelta(minutes=1) for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_a_mail_is_given_up_after_its_last_attempt_and_kept(run: Any, world: Any) -> None:
    async def action(session: Any) -> Any:
        (mail_id,) = await _queue(session, world, 1)
        async with session.begin():
            mail = await session.get(OutboxMail, mail_id)
            mail.attempts = MAX_ATTEMPTS - 1
        last = await send_pending(session, _down(), BASE_URL)
        with clock.shifted(dt.timedelta(days=1)):
            after = await send_pending(session, _down(), BASE_URL)
        return last, after, await _rows(session)

    last, after, (row,) = run(action)
    assert last == (0, 1) and after == (0, 0)
    assert row.attempts == MAX_ATTEMPTS and row.sent_at is None
    assert row.next_attempt_at is None and row.last_error.startswith("ConnectionRefusedError")


def test_a_dead_senders_claim_holds_until_its_lease_ends(
    run: Any, world: Any, sink: SmtpSink
) -> None:
    async def action(session: Any) -> Any:
        first, _second = await _queue(session, world, 2)
        # A sender claims the first mail, then its process dies before sending or marking it.
        claimed = await sender._claim(session, first, "coop.example")
        assert claimed is not None
        while_held = await send_pending(session, sink.config(), BASE_URL)
        with clock.shifted(LEASE - dt.timedelta(minutes=1)):
            still_held = await send_pending(session, sink.config(), BASE_URL)
        with clock.shifted(LEASE + dt.timedelta(seconds=1)):
            expired = await send_pending(session, sink.config(), BASE_URL)
        return claimed, while_held, still_held, expired, await _rows(session)

    claimed, while_held, still_held, expired, rows = run(action)
    assert while_held == (1, 0)  # the other mail, not claimed
    assert still_held == (0, 0)
    assert expired == (1, 0)
    assert all(m.sent_at is not None for m in rows)
    received = sink.by_message_id()
    assert set(received.values()) == {1}
    assert claimed.message_id in received  # the same Message-ID as the dead sender's


def test_the_headers_a_mail_server_expects(run: Any, world: Any, sink: SmtpSink) -> None:
    async def action(session: Any) -> Any:
        await _queue(session, world, 2)
        return await send_pending(session, sink.config(), "https://coop.example:8443/gov")

    assert run(action) == (2, 0)
    first, second = sink.messages
    for message in (first, second):
        assert message["From"] == "Coop <v@x.example>"
        assert message["To"] == "omar@alpha.example"
        assert message["Auto-Submitted"] == "auto-generated"
        assert parsedate_to_datetime(message["Date"]).utcoffset() == dt.timedelta(0)
        assert message["Message-ID"].startswith("<")
        assert message["Message-ID"].endswith("@coop.example>")
    assert first["Message-ID"] != second["Message-ID"]
    assert "https://coop.example:8443/gov/c/alpha" in first.get_payload(decode=True).decode()


def test_the_message_id_domain() -> None:
    assert sender.message_domain("https://gov.coop.example", "x@mail.example") == (
        "gov.coop.example"
    )
    # No host name in the base URL: the sender's domain.
    assert sender.message_domain("http://127.0.0.1:8000", "Coop <x@mail.example>") == (
        "mail.example"
    )


def test_times_in_mails_name_their_zone(run: Any, world: Any) -> None:
    winter = dt.datetime(2026, 12, 14, 17, 0, tzinfo=dt.UTC)
    summer = dt.datetime(2026, 7, 14, 16, 0, tzinfo=dt.UTC)
    assert mail_time(winter) == "14 décembre 2026 à 18:00 (heure de Bruxelles, Europe/Brussels)"
    with i18n.language("en"):
        assert mail_time(summer) == "14 July 2026 at 18:00 (Brussels time, Europe/Brussels)"
    with i18n.language("nl"):
        assert mail_time(winter) == "14 december 2026 om 18:00 (tijd in Brussel, Europe/Brussels)"

    async def action(session: Any) -> Any:
        await set_email_notices(session, world.actor("carla"), True)
        await open_vote(session, world)
        return await _rows(session)

    bodies = [m.body for m in run(action)]
    assert bodies and all("(heure de Bruxelles, Europe/Brussels)" in b for b in bodies)


@pytest.mark.parametrize("email_on", [True, False])
def test_an_invitation_is_mailed_when_email_is_on(
    run: Any, world: Any, sink: SmtpSink, email_on: bool
) -> None:
    async def action(session: Any) -> Any:
        if email_on:
            await set_email_notices(session, world.actor("carla"), True)
        _invitation, token = await invitations.invite(
            session,
            world.actor("carla"),
            {"email": "new@elsewhere.example", "role": "cooperator"},
            TEST_SECRET,
            then=invitation_mail,  # as the members page does
        )
        queued = await _rows(session)
        result = await send_pending(session, sink.config(), BASE_URL)
        return token, queued, result, await _rows(session)

    token, queued, result, after = run(action)
    if not email_on:
        assert queued == [] and result == (0, 0) and sink.messages == []
        return
    (mail,) = queued
    assert mail.person_id is None and mail.to_address == "new@elsewhere.example"
    assert mail.subject == "Invitation à rejoindre Alpha"  # the cooperative's language
    assert f"{{base_url}}/invite/{token}" in mail.body
    assert "Carla Coordinator vous invite à rejoindre Alpha" in mail.body
    assert result == (1, 0)
    (message,) = sink.messages
    assert message["To"] == "new@elsewhere.example"
    assert f"{BASE_URL}/invite/{token}" in message.get_payload(decode=True).decode()
    # Sent: the outbox keeps the mail without the link that lets its holder join.
    (kept,) = after
    assert kept.sent_at is not None and token not in kept.body
    assert "{base_url}/invite/(sent)" in kept.body


def test_a_mail_the_server_took_is_sent_even_if_it_answers_quit_badly(
    run: Any, world: Any, sink: SmtpSink
) -> None:
    """A 421 to QUIT after the server took the mail: the mail is sent, never sent again."""
    sink.quit_reply = "421 shutting down"

    async def action(session: Any) -> Any:
        await _queue(session, world, 2)
        first = await send_pending(session, sink.config(), BASE_URL)
        second = await send_pending(session, sink.config(), BASE_URL)
        return first, second, await _rows(session)

    first, second, rows = run(action)
    assert first == (2, 0) and second == (0, 0)
    assert [(row.sent_at is not None, row.last_error) for row in rows] == [(True, "")] * 2
    assert sorted(sink.by_message_id().values()) == [1, 1]


def test_a_server_that_does_not_answer_holds_up_one_mail_not_the_batch(
    run: Any, world: Any
) -> None:
    """A server that accepts connections and never greets: the run stops at the first mail
    (the others wait for the next run), rather than waiting a timeout per mail."""
    import smtplib as smtp_module

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(10)
    config = SmtpConfig("127.0.0.1", silent.getsockname()[1], "", starttls=False, sender="a@b.c")

    def deliver(config: SmtpConfig, message: Any) -> None:
        with smtp_module.SMTP(config.host, config.port, timeout=0.5):
            pass

    async def action(session: Any) -> Any:
        await _queue(session, world, 3)
        result = await send_pending(session, config, BASE_URL, deliver)
        return result, await _rows(session)

    try:
        (sent, failed), rows = run(action)
    finally:
        silent.close()
    assert (sent, failed) == (0, 1)
    assert sorted(row.attempts for row in rows) == [0, 0, 1]


def test_an_invitation_from_the_members_page_queues_its_mail(
    run: Any, world: Any, visitor: Any
) -> None:
    run(lambda session: set_email_notices(session, world.actor("carla"), True))
    visitor.login("carla")
    page = visitor.post(
        "/c/alpha/members/invite", {"email": "page@elsewhere.example", "role": "worker"}
    )
    assert page.status_code == 200
    (mail,) = run(_rows)
    assert mail.to_address == "page@elsewhere.example" and "/invite/" in mail.body
