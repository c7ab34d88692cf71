"""Every GET route, read by every role with open books on and off: nobody sees another
member's money they may not read (docs/privacy.md).

A closed month with recognisable amounts (Omar's work 1 234,57 €, Wen's 678,91 €, Carla's
111,13 €; Omar's and Wen's travel 147,83 € and 163,29 €), a payout sent, an invoice and a
distribution-rule vote; then every GET route of the app, its path parameters filled with the
cooperative's real ids, plus every link the pages give (the audit trail's older pages, an
account's lines, a period's books) and the JSON API's next pages. Each answer is searched for
the amounts of the members the reader may not read, in every form they take: cents in JSON,
euros as French pages write them (`1 234,57`), as exports write them (`1234.57`). And the
crawl must find the amounts the reader may read, or it proves nothing.

PDFs are compressed with embedded fonts: their text cannot be searched here. A reader who may
not read some member's money is served no PDF but their own statement (an invoice lists every
member's work with its amounts).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import deque
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlmodel import col, select

from governance.audit.models import AuditEvent
from governance.audit.service import record
from governance.base import clock
from governance.ledger.billing import invoices
from governance.ledger.billing.models import Invoice
from governance.ledger.books.kinds import ClientKind
from governance.ledger.books.models import Account, Client, LedgerLine, Period
from governance.ledger.closing.models import Statement
from governance.ledger.payouts import payouts
from governance.ledger.payouts.models import PayoutBatch, PayoutLine
from governance.ledger.sharing import rule_versions
from governance.ledger.work.clients import create_client
from governance.ledger.work.models import Contest, Prestation
from governance.members import bank
from governance.members.models import Cooperative
from governance.votes.models import Proposal
from tests.closing_support import TODAY, close_month, record_work
from tests.votes_support import DECISION, open_vote

PAID = ("omar", "wen", "carla")
WORK = {"omar": ("1234,57", "147,83"), "wen": ("678,91", "163,29"), "carla": ("111,13", None)}
# Whose money each reader may not see, with open books on (True) and off (False).
FORBIDDEN: dict[tuple[str, bool], set[str]] = {
    ("carla", True): set(),
    ("carla", False): set(),
    ("olga", True): set(),  # observers read the books like coordinators (docs/privacy.md)
    ("olga", False): set(),
    ("omar", True): set(),
    ("omar", False): {"wen", "carla"},
    ("wen", True): {"omar", "carla"},
    ("wen", False): {"omar", "carla"},
}
SKIPPED = ("/static", "/schema", "/favicon.ico", "/invite", "/login", "/healthz")
MAX_URLS = 400
PAGE = 50  # events on a page of the audit trail
HREF = re.compile(r"""(?:href|hx-get)=["']([^"']+)["']""")


async def build(session: Any, world: Any) -> None:
    """The scenario: October worked, closed and paid; an invoice; a rule proposal."""
    async with session.begin():
        await rule_versions.set_initial_rule(
            session, world.alpha, "mixed_80_20", "2026-01", world.ids["carla"]
        )
    client = await create_client(
        session, world.actor("carla"), name="CHU", kind=ClientKind.HOSPITAL
    )
    for day, who in zip(("2026-10-03", "2026-10-09", "2026-10-20"), PAID, strict=True):
        amount, travel = WORK[who]
        await record_work(session, world, who, client.id, day, amount, travel)
    await close_month(session, world)
    async with session.begin():
        cooperative = await session.get(Cooperative, world.alpha)
        cooperative.iban, cooperative.bic, cooperative.legal_name = (
            "BE68539007547034",
            "GKCCBEBB",
            "Alpha SC",
        )
        session.add(cooperative)
    await bank.set_bank_details(
        session, world.ids["omar"], "BE71096123456769", "GKCCBEBB", "Omar Cooperator"
    )
    await bank.set_bank_details(
        session, world.ids["wen"], "FR1420041010050500013M02606", "", "Wen Worker"
    )
    later = clock.today() + dt.timedelta(days=2)
    prepared = await payouts.prepare_batch(session, world.actor("carla"), later)
    assert prepared.batch.id is not None
    await payouts.confirm_sent(session, world.actor("carla"), prepared.batch.id)
    assert client.id is not None
    await invoices.issue_invoice(session, world.actor("carla"), client.id, "2026-10", TODAY)
    next_year = f"{clock.today().year + 1}-01"
    await open_vote(
        session,
        world,
        {**DECISION, "kind": "distribution_rule", "rule_json": "equal", "start_month": next_year},
    )
    # Newer events without money push the month's events to the trail's second page.
    async with session.begin():
        for n in range(PAGE):
            await record(
                session,
                cooperative_id=world.alpha,
                actor_id=world.ids["carla"],
                action="member.role_changed",
                subject_type="membership",
                subject_id=n,
                data={"name": f"Person {n}", "before": "worker", "after": "cooperator"},
            )


async def secrets_and_ids(session: Any, world: Any) -> tuple[dict[str, set[int]], dict[str, Any]]:
    """Each paid member's amounts, and the ids to fill the routes with."""
    async with session.begin():
        coop = world.alpha
        money: dict[str, set[int]] = {key: set() for key in PAID}
        owner = {world.ids[key]: key for key in PAID}
        for p in (
            await session.exec(select(Prestation).where(Prestation.cooperative_id == coop))
        ).all():
            amounts = {p.amount_cents, p.travel_cents, p.amount_cents + p.travel_cents}
            money[owner[p.member_id]] |= amounts | ({p.rate_cents} if p.rate_cents else set())
        for s in (
            await session.exec(select(Statement).where(Statement.cooperative_id == coop))
        ).all():
            money[owner[s.member_id]].add(s.share_cents)
        for line in (await session.exec(select(PayoutLine))).all():
            money[owner[line.member_id]].add(line.amount_cents)
        accounts = (await session.exec(select(Account).where(Account.cooperative_id == coop))).all()
        for account in accounts:
            family, _sep, rest = account.code.partition(":")
            if family == "payable" and rest.isdigit():
                rows = await session.exec(
                    select(LedgerLine.amount, LedgerLine.balance).where(
                        LedgerLine.account_id == account.id
                    )
                )
                for amount, balance in rows.all():
                    money[owner[int(rest)]] |= {abs(amount), abs(balance)}

        values: dict[str, Any] = {"slug": ["alpha"], "code": [a.code for a in accounts]}
        for name, model in (
            ("prestation_id", Prestation),
            ("client_id", Client),
            ("invoice_id", Invoice),
            ("contest_id", Contest),
            ("proposal_id", Proposal),
        ):
            rows = (await session.exec(select(model).where(model.cooperative_id == coop))).all()
            values[name] = [row.id for row in rows]
        batches = (
            await session.exec(select(PayoutBatch).where(PayoutBatch.cooperative_id == coop))
        ).all()
        values["batch_id"] = [b.id for b in batches]
        months = (
            await session.exec(select(Period.month).where(Period.cooperative_id == coop))
        ).all()
        values["month"] = sorted(set(months) | {"2026-10"})
        values["member_id"] = [world.ids[key] for key in ("omar", "wen", "carla", "olga")]
        values["seq_max"] = (
            await session.exec(select(col(AuditEvent.seq)).where(AuditEvent.cooperative_id == coop))
        ).all()
    money = {key: {cents for cents in amounts if cents >= 100} for key, amounts in money.items()}
    for key, amounts in money.items():
        for other in PAID:
            assert other == key or not amounts & money[other], "two members share an amount"
    return money, values


def pattern(cents: int) -> re.Pattern[str]:
    """An amount as euros (`1 234,57`, `1234.57`, `1,234.57`) or, from 100,00 € on, as cents
    (`123457`: shorter numbers are found in too many other places, an example IBAN say)."""
    euros, rest = divmod(cents, 100)
    digits = str(euros)
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    separator = "[\\s\u00a0\u202f.,']?"
    written = separator.join(groups) + f"[,.]{rest:02d}"
    as_cents = rf"|(?<![\w.,]){cents}(?![\w])" if cents >= 10000 else ""
    return re.compile(rf"(?<![\w.,]){written}(?!\d){as_cents}")


def seeds(app: Any, values: dict[str, Any]) -> list[str]:
    """Every GET route, each path parameter filled with every real value."""
    urls: list[str] = []
    for route in app.routes:
        if "GET" not in getattr(route, "methods", ()) or route.path.startswith(SKIPPED):
            continue
        paths = [route.path]
        for name in re.findall(r"{(\w+):\w+}", route.path):
            assert name in values, f"no value for {{{name}}} in {route.path}"
            paths = [
                re.sub(rf"{{{name}:\w+}}", str(value), path)
                for path in paths
                for value in values[name]
            ]
        urls += paths
    for code in values["code"]:
        urls.append("/c/alpha/books/account?" + urlencode({"code": code}))
    for month in values["month"]:
        urls += [
            f"/c/alpha/books/?period={month}",
            f"/api/c/alpha/books/trial-balance?period={month}",
        ]
    urls += [
        "/api/c/alpha/books/entries?limit=2",
        "/api/c/alpha/audit?before=" + str(max(values["seq_max"]) + 1),
    ]
    urls += [
        f"/c/alpha/audit/?subject={s}"
        for s in ("period", "payout_batch", "journal_entry", "prestation")
    ]
    return urls


def next_pages(url: str, response: Any) -> list[str]:
    """The links a page gives, and the next page a JSON answer names."""
    kind = response.headers.get("content-type", "")
    path = urlsplit(url).path
    query = dict(parse_qsl(urlsplit(url).query))
    found: list[str] = []
    if "html" in kind:
        for link in HREF.findall(response.text):
            link = html.unescape(link)
            if link.startswith("?"):
                link = path + link
            if link.startswith(("/c/alpha", "/api/c/alpha")):
                found.append(link)
    elif "json" in kind:
        body = response.json()
        if isinstance(body, dict):
            for key, parameter in (
                ("next_before", "before"),
                ("next_after_id", "after_id"),
                ("next_after", "after"),
            ):
                if body.get(key):
                    found.append(path + "?" + urlencode({**query, parameter: body[key]}))
    return found


def set_open_books(run: Any, cooperative_id: int, value: bool) -> None:
    async def action(session: Any) -> None:
        async with session.begin():
            cooperative = await session.get(Cooperative, cooperative_id)
            cooperative.settings = {**cooperative.settings, "open_books": value}
            session.add(cooperative)

    run(action)


@pytest.mark.parametrize("open_books", [True, False], ids=["open", "closed"])
@pytest.mark.parametrize("persona", ["wen", "omar", "olga", "carla"])
def test_nobody_reads_money_they_may_not(
    persona: str, open_books: bool, run: Any, world: Any, visitor: Any, app: Any
) -> None:
    run(lambda session: build(session, world))
    money, values = run(lambda session: secrets_and_ids(session, world))
    set_open_books(run, world.alpha, open_books)
    patterns = {who: [pattern(cents) for cents in sorted(money[who])] for who in PAID}
    forbidden = FORBIDDEN[(persona, open_books)]
    read: set[str] = set()  # whose amounts the reader did see somewhere
    own_statement = f"/members/{world.ids[persona]}/statement.pdf"
    visitor.login(persona)
    queue = deque(seeds(app, values))
    seen: set[str] = set()
    leaks: list[str] = []
    while queue and len(seen) < MAX_URLS:
        url = queue.popleft()
        if url in seen or "/logout" in url:
            continue
        seen.add(url)
        response = visitor.get(url)
        assert response.status_code < 500, f"GET {url} as {persona}: {response.status_code}"
        if response.status_code != 200:
            continue
        kind = response.headers.get("content-type", "")
        if "pdf" in kind:
            # Unsearchable: a reader kept from anyone's money gets no PDF but their own statement.
            if forbidden and not urlsplit(url).path.endswith(own_statement):
                leaks.append(f"GET {url}: a PDF, while {sorted(forbidden)}'s money is not theirs")
            continue
        text = response.text
        for who, amounts in patterns.items():
            for amount in amounts:
                hit = amount.search(text)
                if hit and who not in forbidden:
                    read.add(who)
                elif hit:
                    start = max(0, hit.start() - 80)
                    context = text[start : hit.end() + 40].replace("\n", " ")
                    leaks.append(f"GET {url}: {who}'s {hit.group()!r} in …{context}…")
        queue.extend(next_pages(url, response))
    assert len(seen) < MAX_URLS, "the crawl did not end: raise MAX_URLS or look for a loop"
    older = {url.split("?")[0] for url in seen if "before=" in url}
    assert {"/c/alpha/audit/", "/api/c/alpha/audit"} <= older, "the trail's older pages"
    assert not leaks, f"{persona} (open books {open_books}) read:\n" + "\n".join(leaks)
    # The crawl reached the money: whatever the reader may read, they did find.
    assert read == set(PAID) - forbidden, (
        f"{persona} never saw the amounts of {set(PAID) - forbidden - read}"
    )


def test_the_menu_offers_the_books_to_their_readers_only(
    make_visitor: Any, world: Any, run: Any
) -> None:
    readers = {key: make_visitor() for key in ("omar", "wen", "olga", "carla")}
    for key, visitor in readers.items():
        visitor.login(key)
    link = 'href="/c/alpha/books/"'
    assert {key for key, v in readers.items() if link in v.get("/c/alpha/").text} == {
        "omar",
        "olga",
        "carla",
    }
    set_open_books(run, world.alpha, False)
    assert {key for key, v in readers.items() if link in v.get("/c/alpha/").text} == {
        "olga",
        "carla",
    }
