"""The checks of scripts/check-deploy, run against the containers it deploys.

scripts/check-deploy builds the image, creates a throw-away PostgreSQL database on the host
and writes the compose environment; this driver then deploys with
`docker-compose -f compose.yaml -f compose.test.yaml` (every container on the host's
network, production settings) and checks, over HTTP and in the database:

  migrate   two `governance migrate` at once: both succeed, the schema is migrated once
  a         /healthz on both web servers; a server whose database goes away answers 503
  b         coop and coordinator by `docker exec`, log in (CSRF form), invite: the link
            starts with GOVERNANCE_BASE_URL
  c         five wrong passwords from one forwarded client do not lock out another one
  d         a vote whose closing time passes is counted by a worker, no page visited
  e         two workers at once deliver each queued mail exactly once to an SMTP sink
  f         `docker stop` of a web server and of a worker each take under 10 s

Settings come from the environment (set by scripts/check-deploy): DEPLOY_COMPOSE (the
docker-compose command line, shell words), DEPLOY_DATABASE_URL (the check's database, libpq
form), DEPLOY_BASE_URL, DEPLOY_APP_PORTS (of app, app2, app-relayed), DEPLOY_RELAY_PORT,
DEPLOY_SMTP_PORT.

Not a test module (pytest does not collect it): it needs Docker and the script's set-up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
import psycopg

COMPOSE = shlex.split(os.environ["DEPLOY_COMPOSE"])
DATABASE_URL = os.environ["DEPLOY_DATABASE_URL"]
BASE_URL = os.environ["DEPLOY_BASE_URL"].rstrip("/")
# app, app2, app-relayed
APP_PORTS = [int(p) for p in os.environ["DEPLOY_APP_PORTS"].split()]
RELAY_PORT = int(os.environ["DEPLOY_RELAY_PORT"])
SMTP_PORT = int(os.environ["DEPLOY_SMTP_PORT"])

SLUG = "deploy-check"
COORDINATOR = "coordinator@coop.example.test"
PASSWORD = "deploy check password 1"  # noqa: S105 - the throw-away coordinator's
INVITEES = 4  # mails queued in check e
STARTED = time.monotonic()


# --- running things ---------------------------------------------------------------------


def elapsed() -> str:
    return f"{time.monotonic() - STARTED:5.0f} s"


def header(title: str) -> None:
    print(f"\n--- {title} [{elapsed()}]", flush=True)


def note(text: str) -> None:
    print(f"    {text}", flush=True)


def run(args: list[str], *, check: bool = True, timeout: float = 600, merge: bool = False) -> str:
    """Run a command (no shell); its standard output (and error, merged). A failure raises
    with its output."""
    result = subprocess.run(  # noqa: S603 - fixed commands built here
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge else subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise Failed(
            f"{shlex.join(args)} exited {result.returncode}:\n"
            f"{result.stdout[-2000:]}{(result.stderr or '')[-2000:]}"
        )
    return result.stdout


def compose(*args: str, check: bool = True, timeout: float = 600, merge: bool = False) -> str:
    return run([*COMPOSE, *args], check=check, timeout=timeout, merge=merge)


def container_of(service: str) -> list[str]:
    return compose("ps", "-q", service).split()


def sql(query: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        return connection.execute(query, params).fetchall()  # type: ignore[arg-type]


def wait_for(what: str, probe: Callable[[], bool], timeout: float, every: float = 1.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(every)
    raise Failed(f"{what}: not within {timeout:.0f} s")


class Failed(Exception):
    """A check did not hold."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- HTML forms ---------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)


class _Forms(HTMLParser):
    """The forms of a page with what a browser would send untouched (hidden inputs, checked
    boxes, selected options, text areas)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: list[str] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name", "")
        if name:
            self._form.names.add(name)
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
            elif kind not in {"submit", "button", "file"}:
                self._form.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value", ""), "selected" if "selected" in a else ""]
            if "value" in a:
                self._select[1].append((a["value"], "selected" in a))
                self._option = None
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None and self._select is not None:
            self._select[1].append((data.strip(), self._option[1] == "selected"))
            self._option = None

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "select" and self._select is not None:
            name, options = self._select
            chosen = [v for v, selected in options if selected] or [v for v, _ in options[:1]]
            self._form.fields.extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            self._form.fields.append((name, "".join(parts).removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_on(page: str, action_pattern: str) -> Form:
    parser = _Forms()
    parser.feed(page)
    for form in parser.forms:
        if re.search(action_pattern, form.action):
            return form
    actions = [f.action for f in parser.forms]
    raise Failed(f"no form whose action matches {action_pattern!r} (forms: {actions})")


def submit(
    client: httpx.Client, origin: str, page: str, action_pattern: str, **values: str
) -> httpx.Response:
    """Fill a page's form as a browser would (its hidden CSRF field included) and post it."""
    form = form_on(page, action_pattern)
    missing = set(values) - form.names
    expect(not missing, f"the form {form.action} has no field {sorted(missing)}")
    data = [(k, v) for k, v in form.fields if k not in values] + list(values.items())
    return post_form(client, origin + form.action, data)


def post_form(
    client: httpx.Client,
    url: str,
    pairs: list[tuple[str, str]],
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST fields in order, repeated names kept (as a browser encodes a form)."""
    return client.post(
        url,
        content=urlencode(pairs),
        headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
    )


# --- the mail sink and the database cut-off, on one event loop in a thread ------------------


class Loop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)


class SmtpSink:
    """Just enough SMTP to take mails (no TLS, no login) and keep them, in arrival order."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.server: asyncio.Server | None = None

    async def start(self, port: int) -> None:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", port)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        say("220 sink ESMTP")
        try:
            while line := await reader.readline():
                verb = line[:4].decode("ascii", "replace").upper()
                if verb == "EHLO":
                    say("250-sink")
                    say("250-8BITMIME")
                    say("250 SMTPUTF8")
                elif verb == "DATA":
                    say("354 end with <CR><LF>.<CR><LF>")
                    await writer.drain()
                    lines: list[bytes] = []
                    while (data := await reader.readline()) not in {b".\r\n", b".\n", b""}:
                        lines.append(data[1:] if data.startswith(b"..") else data)
                    self.messages.append(
                        email.message_from_bytes(b"".join(lines), policy=email.policy.default)  # type: ignore[arg-type]
                    )
                    say("250 queued")
                elif verb == "QUIT":
                    say("221 bye")
                    break
                elif verb in {"HELO", "MAIL", "RCPT", "RSET", "NOOP"}:
                    say("250 ok")
                else:
                    say("502 not implemented")
                await writer.drain()
        finally:
            writer.close()


class Relay:
    """A TCP relay to PostgreSQL that can be cut: the database 'goes away' for one server."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self, port: int) -> None:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", port)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", 5432)
        self.writers += [writer, up_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except OSError:
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()


# --- the checks -----------------------------------------------------------------------------


def origin(index: int) -> str:
    return f"http://127.0.0.1:{APP_PORTS[index]}"


def healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def check_migrate() -> None:
    """Two migrations at once (as two replicas started together would run)."""
    # The project's network first, once: two `run`s that both find it missing both create it,
    # and the second fails ("Pool overlaps with other one on this address space").
    subprocess.run(  # noqa: S603
        [*COMPOSE, "up", "--no-start", "--no-deps", "migrate"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    runs = [
        subprocess.Popen(  # noqa: S603
            [*COMPOSE, "run", "--rm", "--no-deps", "migrate"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600)[0] for p in runs]
    for number, (process, output) in enumerate(zip(runs, outputs, strict=True), 1):
        lines = [x for x in output.splitlines() if x.strip() and not x.startswith("Creating")]
        note(f"migrate #{number} exited {process.returncode}: {' | '.join(lines[-3:])[:300]}")
    expect(all(p.returncode == 0 for p in runs), "a concurrent migrate failed")
    versions = sql("SELECT version_num FROM alembic_version")
    expect(len(versions) == 1, f"alembic_version holds {versions}")
    note(f"alembic_version: one row, {versions[0][0]}")


def start_apps() -> None:
    compose("up", "-d", "--no-deps", "app", "app2")
    for index in (0, 1):
        wait_for(f"{origin(index)}/healthz answers 200", lambda i=index: healthy(origin(i)), 240)


def check_health() -> None:
    for index in (0, 1):
        response = httpx.get(origin(index) + "/healthz", timeout=10)
        expect(response.status_code == 200, f"{origin(index)}/healthz: {response.status_code}")
        expect(response.json() == {"status": "ok"}, f"/healthz said {response.text!r}")
        note(f"{origin(index)}/healthz: 200 {response.text}")
    (app,) = container_of("app")

    def docker_health() -> bool:
        state = run(["docker", "inspect", "--format", "{{json .State.Health}}", app])
        return json.loads(state or "null") is not None and '"healthy"' in state

    wait_for("Docker reports the app container healthy", docker_health, 60)
    note("docker inspect: app container healthy (HEALTHCHECK on /healthz)")


def database_gone(loop: Loop, client: httpx.Client) -> None:
    """A third server (app-relayed) reaches the database through a relay; the relay is cut."""
    relay = Relay()
    loop.call(relay.start(RELAY_PORT))
    compose("up", "-d", "--no-deps", "app-relayed")
    port = APP_PORTS[2]
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/healthz answers 200 through the relay", lambda: healthy(url), 240)
        members = f"{url}/c/{SLUG}/members"
        before = client.get(members)
        expect(before.status_code == 200, f"{members} before the cut: {before.status_code}")
        loop.call(relay.cut())
        note("database connection cut")
        response = httpx.get(url + "/healthz", timeout=15)
        note(f"/healthz: {response.status_code} {response.text}")
        expect(
            response.status_code == 503, f"/healthz with the database gone: {response.status_code}"
        )
        expect("status" in response.json(), "the 503 names no status")
        page = client.get(members)
        expect(page.status_code == 503, f"{members} with the database gone: {page.status_code}")
        expect("text/html" in page.headers.get("content-type", ""), "the 503 page is not HTML")
        expect("Traceback" not in page.text, "the 503 page shows a traceback")
        title = re.search(r"<h1[^>]*>(.*?)</h1>", page.text, re.S)
        note(f"a page: 503, HTML, says {(title.group(1).strip() if title else '?')!r}")
    finally:
        compose("rm", "--stop", "--force", "app-relayed", check=False)


def login(client: httpx.Client, url: str, password: str, forwarded: str | None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    page = client.get(url + "/login", headers=headers)
    expect(page.status_code == 200, f"GET /login: {page.status_code}")
    form = form_on(page.text, r"^/login")
    data = [(k, v) for k, v in form.fields if k not in {"email", "password"}]
    data += [("email", COORDINATOR), ("password", password)]
    return post_form(client, url + "/login", data, headers)


def check_invitation(client: httpx.Client) -> None:
    (app,) = container_of("app")
    run(["docker", "exec", app, "governance", "create-coop", "--slug", SLUG, "--name", "Check"])
    run([
        "docker", "exec", "-e", f"GOVERNANCE_PASSWORD={PASSWORD}", app,
        "governance", "create-coordinator", "--coop", SLUG, "--email", COORDINATOR,
        "--name", "Camille Coordinator",
    ])  # fmt: skip
    note("create-coop and create-coordinator by docker exec")
    response = login(client, origin(0), PASSWORD, None)
    expect(response.status_code in {302, 303}, f"log in: {response.status_code}")
    note(f"logged in on {origin(0)} (CSRF cookie and form field)")
    # The other replica: the same secret key reads the same session.
    page = client.get(f"{origin(1)}/c/{SLUG}/members")
    expect(page.status_code == 200, f"the members page on the second server: {page.status_code}")
    response = submit(
        client, origin(1), page.text, r"/members/invite$", email="new.member@coop.example.test"
    )
    expect(response.status_code == 200, f"invite: {response.status_code}")
    link = re.search(r"<code>\s*(\S+/invite/\S+?)\s*</code>", response.text)
    expect(link is not None, "no invitation link on the page")
    assert link is not None
    expect(link.group(1).startswith(BASE_URL + "/invite/"), f"the link is {link.group(1)}")
    note(f"invitation link: {link.group(1)[:60]}...")


def check_throttle() -> None:
    attacker = httpx.Client(timeout=30)
    statuses = [
        login(attacker, origin(0), "wrong password", "203.0.113.5").status_code for _ in range(5)
    ]
    note(f"five wrong passwords from 203.0.113.5: {statuses}")
    expect(all(s in {400, 429} for s in statuses), "a wrong password was not refused")
    after = login(attacker, origin(0), PASSWORD, "203.0.113.5").status_code
    note(f"then the right password from 203.0.113.5: {after}")
    expect(after == 429, "the same client is not throttled after five failures")
    member = httpx.Client(timeout=30)
    other = login(member, origin(1), PASSWORD, "198.51.100.7").status_code
    note(f"the right password from 198.51.100.7: {other}")
    expect(other in {302, 303}, "another client is locked out by the first one's failures")


def check_vote_counted(client: httpx.Client) -> None:
    proposals = f"{origin(0)}/c/{SLUG}/proposals"
    page = client.get(proposals + "/new")
    expect(page.status_code == 200, f"new proposal form: {page.status_code}")
    response = submit(
        client,
        origin(0),
        page.text,
        r"/proposals/$",
        kind="decision",
        title="Buy a coffee machine",
        body="Counted by the worker, with no page visited.",
        method="approval",
    )
    expect(response.status_code == 303, f"draft: {response.status_code} {response.text[-300:]}")
    location = response.headers["location"]
    found = re.search(r"/proposals/(\d+)", location)
    expect(found is not None, f"draft redirected to {location}")
    assert found is not None
    pid = int(found.group(1))
    page = client.get(f"{proposals}/{pid}")
    closes = dt.datetime.now(ZoneInfo("Europe/Brussels")) + dt.timedelta(minutes=12)
    response = submit(
        client,
        origin(0),
        page.text,
        r"/open$",
        closes_on=closes.date().isoformat(),
        closes_time=closes.strftime("%H:%M"),
    )
    expect(response.status_code == 303, f"open: {response.status_code}")
    ((state, closes_at),) = sql("SELECT state, closes_at FROM proposal WHERE id = %s", pid)
    expect(state == "open", f"the proposal is {state} after opening")
    note(f"proposal {pid} open, closes at {closes_at:%H:%M} UTC")
    output = compose(
        "run", "--rm", "--no-deps",
        "-e", "GOVERNANCE_ENV=development", "-e", "GOVERNANCE_CLOCK_SHIFT_SECONDS=1200",
        "worker", "governance", "worker", "--once", merge=True,
    )  # fmt: skip
    lines = [x for x in output.splitlines() if x.strip() and not x.startswith("Creating")]
    note(f"worker --once, clock 20 minutes ahead: {' | '.join(lines[-3:])[:300]}")
    ((state,),) = sql("SELECT state FROM proposal WHERE id = %s", pid)
    expect(state == "closed", f"the proposal is {state} after the worker ran")
    note(f"proposal {pid} closed by the worker")


def check_mail_once(client: httpx.Client, loop: Loop) -> None:
    sink = SmtpSink()
    loop.call(sink.start(SMTP_PORT))
    rules = client.get(f"{origin(0)}/c/{SLUG}/proposals/rules")
    expect(rules.status_code == 200, f"rules page: {rules.status_code}")
    response = submit(client, origin(0), rules.text, r"/proposals/email$", email_notices="on")
    expect(response.status_code == 303, f"turning email on: {response.status_code}")
    members = client.get(f"{origin(1)}/c/{SLUG}/members").text
    for number in range(INVITEES):
        response = submit(
            client, origin(number % 2), members, r"/members/invite$",
            email=f"invitee{number}@coop.example.test",
        )  # fmt: skip
        expect(response.status_code == 200, f"invitation {number}: {response.status_code}")
    ((queued,),) = sql("SELECT count(*) FROM outbox_mail WHERE sent_at IS NULL")
    note(f"{queued} mails queued ({INVITEES} invitations)")
    expect(queued >= INVITEES, f"only {queued} mails queued for {INVITEES} invitations")
    compose("up", "-d", "--no-deps", "--scale", "worker=2", "worker")
    workers = container_of("worker")
    expect(len(workers) == 2, f"{len(workers)} worker containers")
    note("two workers started together")

    def outbox_empty() -> bool:
        ((left,),) = sql("SELECT count(*) FROM outbox_mail WHERE sent_at IS NULL")
        return left == 0

    wait_for("the outbox empties", outbox_empty, 240)
    time.sleep(3)  # a duplicate would arrive now
    ids = [m["Message-ID"] for m in sink.messages]
    stored = {row[0] for row in sql("SELECT message_id FROM outbox_mail")}
    note(f"the sink received {len(ids)} mails, {len(set(ids))} distinct Message-IDs")
    expect(len(ids) == queued, f"{len(ids)} mails received for {queued} queued")
    expect(len(set(ids)) == len(ids), "a mail was delivered twice")
    expect(set(ids) == stored, "the Message-IDs received differ from the outbox's")
    invitations = [m for m in sink.messages if "/invite/" in m.get_body().get_content()]  # type: ignore[union-attr]
    links = [
        re.search(r"\S+/invite/\S+", m.get_body().get_content()).group(0)  # type: ignore[union-attr]
        for m in invitations
    ]
    expect(len(links) == INVITEES, f"{len(links)} invitation mails")
    expect(all(x.startswith(BASE_URL + "/invite/") for x in links), f"links: {links}")
    note(f"every invitation mail links to {BASE_URL}/invite/...")


def check_stop_times() -> None:
    for service in ("app2", "worker"):
        target = container_of(service)[0]
        started = time.monotonic()
        run(["docker", "stop", target], timeout=60)
        took = time.monotonic() - started
        code = run(["docker", "inspect", "--format", "{{.State.ExitCode}}", target]).strip()
        note(f"docker stop {service}: {took:.1f} s, exit code {code}")
        expect(took < 10, f"docker stop {service} took {took:.1f} s (SIGTERM ignored?)")


def main() -> int:
    loop = Loop()
    client = httpx.Client(timeout=30)
    results: dict[str, str] = {}
    checks: list[tuple[str, str, Callable[[], None], tuple[str, ...]]] = [
        ("migrate", "two migrations at once", check_migrate, ()),
        ("start", "two web servers start", start_apps, ("migrate",)),
        ("a", "/healthz on both servers", check_health, ("start",)),
        ("b", "log in, invite: the link's base URL", lambda: check_invitation(client), ("start",)),
        ("a2", "database gone: /healthz, a page 503", lambda: database_gone(loop, client), ("b",)),
        ("c", "throttling per forwarded client", check_throttle, ("b",)),
        ("d", "a due vote counted by the worker", lambda: check_vote_counted(client), ("b",)),
        ("e", "two workers: each mail once", lambda: check_mail_once(client, loop), ("b",)),
        ("f", "docker stop under 10 s", check_stop_times, ("e",)),
    ]
    for key, title, check, needs in checks:
        header(f"{key}: {title}")
        if any(results.get(n) != "pass" for n in needs):
            results[key] = "skipped"
            note(f"skipped: needs {', '.join(needs)}")
            continue
        started = time.monotonic()
        try:
            check()
            results[key] = "pass"
        except (Failed, httpx.HTTPError, psycopg.Error, subprocess.TimeoutExpired) as error:
            results[key] = "FAIL"
            note(f"FAILED: {error}")
        except Exception:  # a mistake of the check itself: say where, go on with the others
            results[key] = "FAIL"
            note(f"FAILED (error in the check):\n{traceback.format_exc()}")
        note(f"{results[key]} in {time.monotonic() - started:.0f} s")
    header("summary")
    for key, title, _check, _needs in checks:
        note(f"{results[key]:8} {key:8} {title}")
    return 0 if all(v == "pass" for v in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
