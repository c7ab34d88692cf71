"""Notices: the in-app list of what needs a member's attention, and the email outbox delivered
through a real SMTP conversation (a small SMTP server in a thread), with nothing lost while the
server is down."""

from __future__ import annotations

import datetime as dt
import socket
import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from governance.base import clock
from governance.mail.models import OutboxMail
from governance.mail.outbox import set_email_notices
from governance.mail.sender import SmtpConfig, send_pending
from governance.votes import ballots
from governance.votes.notices import notices_for
from tests.votes_support import add_cooperators, close, later, open_vote, vote


class _Sink(socketserver.StreamRequestHandler):
    """Just enough SMTP to take mails: EHLO, MAIL, RCPT, DATA, QUIT."""

    received: list[str] = []

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
                    data.append(chunk.decode())
                self.received.append("".join(data))
                self.reply("250 taken")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            elif verb == "EHLO":
                self.reply("250 sink")
            else:
                self.reply("250 ok")


@pytest.fixture
def smtp_sink() -> Iterator[tuple[int, list[str]]]:
    _Sink.received = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Sink)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], _Sink.received
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_notices_follow_the_votes(run: Any, world: Any, monkeypatch: Any) -> None:
    async def action(session: Any) -> Any:
        await add_cooperators(session, world, "Ana")
        pid = await open_vote(session, world, hours=72)
        await ballots.give_proxy(
            session, world.actor("ana"), pid, {"holder_id": str(world.ids["omar"])}
        )
        seen = {}
        seen["open"] = await notices_for(session, world.actor("omar"), clock.now())
        await session.commit()
        await vote(session, world, "omar", pid, choice="yes")
        seen["voted"] = await notices_for(session, world.actor("omar"), clock.now())
        await session.commit()
        await ballots.cast_ballot(
            session, world.actor("omar"), pid, {"choice": "yes"}, voter_id=world.ids["ana"]
        )
        seen["proxy used"] = await notices_for(session, world.actor("omar"), clock.now())
        await session.commit()
        soon = clock.now() + dt.timedelta(hours=50)
        seen["soon"] = await notices_for(session, world.actor("carla"), soon)
        await session.commit()
        later(monkeypatch, hours=73)
        await close(session, pid, world)
        seen["closed"] = await notices_for(session, world.actor("wen"), clock.now())
        await session.commit()
        return seen

    seen = run(action)
    assert sorted(n.kind for n in seen["open"]) == ["proxy_received", "vote_open"]
    assert [n.giver for n in seen["open"] if n.kind == "proxy_received"] == ["Ana"]
    assert [n.kind for n in seen["voted"]] == ["proxy_received"]
    assert seen["proxy used"] == []
    assert [n.kind for n in seen["soon"]] == ["closing_soon"]
    assert [(n.kind, n.adopted) for n in seen["closed"]] == [("result", True)]


def test_mails_wait_in_the_outbox_until_a_server_takes_them(
    run: Any, world: Any, monkeypatch: Any, smtp_sink: tuple[int, list[str]]
) -> None:
    port, received = smtp_sink

    async def action(session: Any) -> Any:
        quiet = await open_vote(session, world)  # before the cooperative turns mails on
        await set_email_notices(session, world.actor("carla"), True)
        pid = await open_vote(session, world)
        await vote(session, world, "omar", pid, choice="yes")
        later(monkeypatch)
        await close(session, pid, world)
        await close(session, quiet, world)
        queued = (await session.exec(select(OutboxMail).order_by(OutboxMail.id))).all()
        await session.commit()
        down = SmtpConfig("127.0.0.1", _closed_port(), "", starttls=False, sender="v@x.example")
        first = await send_pending(session, down, "https://coop.example")
        kept = [
            (m.sent_at, m.attempts, bool(m.last_error))
            for m in (
                await session.exec(
                    select(OutboxMail)
                    .order_by(OutboxMail.id)
                    .execution_options(populate_existing=True)
                )
            ).all()
        ]
        await session.commit()
        up = SmtpConfig("127.0.0.1", port, "", starttls=False, sender="v@x.example")
        later(monkeypatch, hours=1)  # past the back-off after a first failure (a minute)
        second = await send_pending(session, up, "https://coop.example")
        third = await send_pending(session, up, "https://coop.example")
        return queued, first, kept, second, third

    queued, first, kept, second, third = run(action)
    # Opened, then closed: a mail to each of the two voters (Carla, Omar) each time; the quiet
    # vote, opened before, closed after the setting: its result mails too.
    subjects = [m.subject for m in queued]
    assert len(queued) == 6
    assert subjects.count("Vote ouvert : Buy a second laptop") == 2  # Carla and Omar read French
    # The server is down: the run stops at the first mail (the others would meet the same
    # closed door); nothing is lost, everything waits.
    assert first == (0, 1)
    assert kept == [(None, 1, True)] + [(None, 0, False)] * 5
    assert second == (6, 0) and third == (0, 0)
    assert len(received) == 6
    assert any("https://coop.example/c/alpha/proposals/" in text for text in received)
