"""Votes through the pages and the API: drafting, opening, voting, refusals, the board."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from sqlmodel import select

from governance.votes.counting.board import differences, load_board, tally
from governance.votes.models import Ballot, Proposal, ProposalComment
from tests.votes_support import DECISION, closing_form, later, run_worker_once

BASE = "/c/alpha/proposals"
HOSTILE = (
    "Hello <script>alert(1)</script> <iframe src=//evil></iframe> "
    "[click](javascript:alert(2)) <img src=x onerror=alert(3)> "
    '<a href="https://ok.example" onclick="alert(4)">x</a>\n\n'
    "[fine](https://example.org)"
)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _dangerous(page: str) -> list[str]:
    """Elements and attributes of the page that could run something."""
    parser = _Elements()
    parser.feed(page)
    bad = []
    for tag, attrs in parser.found:
        if tag in {"iframe", "object", "embed", "img"}:
            bad.append(tag)
        if tag == "script" and not dict(attrs).get("src", "").startswith("/static/"):
            bad.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript"):
                bad.append(f"{tag} {name}={value}")
    return bad


def _draft(visitor: Any, form: dict[str, Any] | None = None) -> int:
    response = visitor.post(f"{BASE}/", form or DECISION)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def _open(visitor: Any, pid: int) -> None:
    response = visitor.post(f"{BASE}/{pid}/open", closing_form())
    assert response.status_code == 303, response.text


def test_draft_open_vote_and_read_the_board(
    world: Any, make_visitor: Any, monkeypatch, settings: Any
) -> None:
    omar, carla, wen = make_visitor(), make_visitor(), make_visitor()
    omar.login("omar")
    carla.login("carla")
    wen.login("wen")
    pid = _draft(omar, {**DECISION, "body": HOSTILE})
    page = omar.get(f"{BASE}/{pid}").text
    assert _dangerous(page) == []
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">fine</a>' in page
    # Omar may not open it; Carla does.
    assert omar.post(f"{BASE}/{pid}/open", closing_form()).status_code == 403
    _open(carla, pid)
    assert omar.post(f"{BASE}/{pid}/ballot", {"choice": "yes"}).status_code == 303
    assert carla.post(f"{BASE}/{pid}/ballot", {"choice": "no"}).status_code == 303
    refused = wen.post(f"{BASE}/{pid}/ballot", {"choice": "yes"})
    assert (
        refused.status_code == 403 and "Only cooperators vote" in refused.text
    ) or "coopérat" in refused.text
    mine = omar.get(f"{BASE}/{pid}").text
    assert "receipt" in mine
    assert omar.get(f"{BASE}/{pid}/board").status_code == 404  # not before the close
    later(monkeypatch)
    omar.login("omar")  # a day later: the sessions of the morning (12 hours) are over
    wen.login("wen")
    # Past the closing time a page counts nothing: it says the count is coming, and takes
    # no more ballots; the worker counts.
    ended = omar.get(f"{BASE}/{pid}")
    assert 'id="counting"' in ended.text and 'id="vote"' not in ended.text
    assert omar.get(f"{BASE}/{pid}/board").status_code == 404
    run_worker_once(settings)
    closed = omar.get(f"{BASE}/{pid}")
    assert closed.status_code == 200 and 'id="counting"' not in closed.text
    download = wen.get(f"{BASE}/{pid}/board.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    board = load_board(download.text)
    result = tally(board)
    assert differences(board, result) == []
    assert result.adopted is False  # one yes, one no: not more yes than no
    api = omar.get(f"/api/c/alpha/proposals/{pid}").json()
    assert api["state"] == "closed" and api["result"]["counts"] == {"yes": 1, "no": 1, "abstain": 0}


def test_bad_input_gets_a_message_and_changes_nothing(
    world: Any, make_visitor: Any, run: Any
) -> None:
    omar, carla = make_visitor(), make_visitor()
    omar.login("omar")
    carla.login("carla")
    pid = _draft(omar)
    ranked = _draft(omar, {**DECISION, "method": "ranked", "choices": "Red\nBlue\nGreen"})
    consent = _draft(omar, {**DECISION, "method": "consent"})
    for p in (pid, ranked, consent):
        _open(carla, p)
    attempts = [
        (f"{BASE}/", {**DECISION, "kind": "nonsense"}),
        (f"{BASE}/", {**DECISION, "title": ""}),
        (f"{BASE}/", {**DECISION, "quorum": "7/2"}),
        (f"{BASE}/", {**DECISION, "body": "x\x00y"}),
        (
            f"{BASE}/",
            {**DECISION, "kind": "distribution_rule", "rule_json": "{", "start_month": "x"},
        ),
        (f"{BASE}/", {**DECISION, "kind": "fund_spending", "fund": "nope", "amount": "-3"}),
        (f"{BASE}/", {**DECISION, "kind": "membership", "action": "admit", "person_id": "999999"}),
        (f"{BASE}/", {**DECISION, "method": "ranked", "choices": "Same\nSame"}),
        (f"{BASE}/", {**DECISION, "method": "ranked", "choices": "Yes\nYe\u200bs"}),
        (f"{BASE}/{pid}/ballot", {"choice": "maybe"}),
        (f"{BASE}/{pid}/ballot", {}),
        (f"{BASE}/{pid}/ballot", {"choice": "yes", "voter_id": "abc"}),
        (f"{BASE}/{pid}/ballot", {"choice": "yes", "voter_id": "99999999999999"}),
        (f"{BASE}/{ranked}/ballot", {"rank_1": "Red", "rank_2": "Red"}),
        (f"{BASE}/{ranked}/ballot", {"rank_1": "Purple"}),
        (f"{BASE}/{ranked}/ballot", {}),
        (f"{BASE}/{consent}/ballot", {"choice": "object", "reason": ""}),
        (f"{BASE}/{pid}/proxy", {"holder_id": str(world.ids["omar"])}),
        (f"{BASE}/{pid}/proxy", {"holder_id": str(world.ids["wen"])}),
        (f"{BASE}/{pid}/proxy", {"holder_id": "x"}),
        (f"{BASE}/", {**DECISION, "kind": "distribution_rule", "rule_json": "[" * 3000}),
        (f"{BASE}/", {**DECISION, "title": "Budget\u2028line"}),
        (f"{BASE}/{pid}/proxy", {"holder_id": "99999999999"}),
        (f"{BASE}/", {**DECISION, "kind": "membership", "action": "end", "person_id": "9" * 12}),
        (
            f"{BASE}/",
            {
                **DECISION,
                "kind": "mandate",
                "mandate_action": "elect",
                "mandate_person_id": "9" * 12,
                "term_months": "99",
            },
        ),
        (f"{BASE}/{pid}/proxy/revoke", {}),
        (f"{BASE}/{pid}/comments", {"body": ""}),
        (f"{BASE}/{pid}/open", closing_form()),
        (f"{BASE}/999999/ballot", {"choice": "yes"}),
        (f"{BASE}/{pid}/edit", {**DECISION, "title": "Changed after opening"}),
    ]
    for url, form in attempts:
        response = omar.post(url, form)
        assert 400 <= response.status_code < 500, (url, form, response.status_code)
    # The opening form with a closing time in the past, as a coordinator, on a new draft.
    late = _draft(omar)
    for day, at in (("01/01/2020", ""), ("0001-01-01", "00:00"), ("9999-12-31", "23:59")):
        response = carla.post(f"{BASE}/{late}/open", {"closes_on": day, "closes_time": at})
        assert response.status_code == 422, (day, response.status_code)

    async def check(session: Any) -> Any:
        return (
            (await session.exec(select(Ballot))).all(),
            len((await session.exec(select(Proposal))).all()),
            (await session.exec(select(ProposalComment))).all(),
        )

    ballots, proposals, comments = run(check)
    assert ballots == [] and proposals == 4 and comments == []


def test_the_api_votes_and_refuses_malformed_bodies(world: Any, make_visitor: Any) -> None:
    omar, carla = make_visitor(), make_visitor()
    omar.login("omar")
    carla.login("carla")
    pid = _draft(omar, {**DECISION, "method": "ranked", "choices": "A\nB", "results_hidden": "on"})
    _open(carla, pid)
    url = f"/api/c/alpha/proposals/{pid}/ballot"
    for body in (
        {"ranking": ["A"], "voter_id": 99999999999},
        {"ranking": ["A"], "voter_id": -1},
        {"ranking": "[" * 100_000},
        [1],
        {"ranking": "A"},
        {"ranking": [1, "A"]},
        {"ranking": [{"x": 1}]},
        {"ranking": ["A", "A"]},
        {"ranking": ["A"], "voter_id": True},
    ):
        response = omar.post_json(url, body)
        assert response.status_code == 422 or response.status_code == 403, (body, response.text)
    deep = '{"ranking": ' + "[" * 100_000 + "]" * 100_000 + "}"
    nested = omar.request(
        "POST",
        url,
        content=deep,
        headers={"x-csrftoken": omar.csrf(), "content-type": "application/json"},
    )
    assert nested.status_code == 422
    done = omar.post_json(url, {"ranking": ["B", "A"]})
    assert done.status_code == 200 and done.json()["choice"] == ["B", "A"]
    shown = omar.get(f"/api/c/alpha/proposals/{pid}").json()
    assert shown["my_ballot"]["receipt"] == done.json()["receipt"]
    assert shown["result"] is None  # hidden until the close
    assert carla.get(f"/api/c/alpha/proposals/{pid}").json()["my_ballot"] is None


def _scrub(text: str, receipts: list[str]) -> str:
    """A page without what differs between two identical runs: tokens, times, receipts."""
    for receipt in receipts:
        text = text.replace(receipt, "RECEIPT")
    text = re.sub(r'name="_csrf_token" value="[^"]*"', "", text)
    text = re.sub(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", "TIME", text)
    text = re.sub(r"\d{4}-\d{2}-\d{2}T[\d:.]+Z", "TIME", text)
    text = re.sub(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", "RECEIPT", text)
    return text


def _normal(text: str, pid: int) -> str:
    """The page of proposal `pid` with its number replaced, to compare two proposals."""
    text = text.replace(f"proposals/{pid}", "proposals/N").replace(f"board-alpha-{pid}", "")
    text = re.sub(rf'"id": ?{pid}\b', '"id": 0', text)
    try:
        data = json.loads(text)
    except ValueError:
        return text
    return json.dumps(data, indent=1, sort_keys=True)  # a line per value, for sorted lines


def _secret_vote_as_seen(client: Any, run: Any, world: Any, choices: dict[str, str]) -> dict:
    """Every page and API answer of a closed secret vote, as each member sees it."""
    from tests.world import Visitor

    visitors = {}
    for key in ("carla", "omar", "ana", "wen", "olga"):
        visitors[key] = Visitor(client)
        visitors[key].login(key if key != "ana" else "ana@alpha.example")
    pid = _draft(visitors["omar"], {**DECISION, "visibility": "secret"})
    _open(visitors["carla"], pid)
    for key, choice in choices.items():
        assert visitors[key].post(f"{BASE}/{pid}/ballot", {"choice": choice}).status_code == 303
    return visitors, pid


def test_a_secret_vote_links_no_voter_to_a_choice_anywhere(
    client: Any, world: Any, run: Any, monkeypatch, settings: Any
) -> None:
    """Two secret votes with the same voters and the choices swapped between Omar and Ana:
    every page, API answer and board the coordinator and the other members see is the same
    for both (up to receipts, times and the proposal's number). Only the voters' own pages
    differ. The audit trail and the lists never show a choice or a receipt."""
    from tests.votes_support import add_cooperators

    run(lambda s: add_cooperators(s, world, "Ana"))
    first = {"omar": "yes", "ana": "no"}
    second = {"omar": "no", "ana": "yes"}
    visitors, one = _secret_vote_as_seen(client, run, world, first)
    _v, two = _secret_vote_as_seen(client, run, world, second)
    later(monkeypatch)
    run_worker_once(settings)
    for key, visitor in visitors.items():  # a day later: the sessions (12 hours) are over
        visitor.login(key if key != "ana" else "ana@alpha.example")

    def pages(pid: int) -> list[str]:
        return [
            f"{BASE}/",
            f"{BASE}/{pid}",
            f"{BASE}/{pid}/board",
            f"{BASE}/{pid}/board.json",
            f"/api/c/alpha/proposals/{pid}",
            f"/api/c/alpha/proposals/{pid}/board",
            "/api/c/alpha/proposals/",
            "/c/alpha/audit/",
            f"/c/alpha/audit/?subject=proposal&subject_id={pid}",
            "/c/alpha/",
            "/api/c/alpha/audit",
        ]

    async def receipts(session: Any) -> list[str]:
        return [b.receipt for b in (await session.exec(select(Ballot))).all()]

    codes = run(receipts)
    # The coordinator and the other members see the same pages for both votes.
    for key in ("carla", "wen", "olga"):
        for a, b in zip(pages(one), pages(two), strict=True):
            page_a = visitors[key].get(a)
            page_b = visitors[key].get(b)
            assert page_a.status_code == page_b.status_code == 200, (key, a, page_a.status_code)
            text_a = _normal(_scrub(page_a.text, codes), one)
            text_b = _normal(_scrub(page_b.text, codes), two)
            if "audit" in a or a.endswith(("proposals/", "/c/alpha/")):
                continue  # both votes are listed on these: checked below for names and choices
            # The board lists ballots by receipt, a random order: compare the lines as sets.
            assert sorted(text_a.splitlines()) == sorted(text_b.splitlines()), (key, a)
    # The lists and the audit trail name who took part, never a choice next to a name.
    for key in ("ana", "carla", "olga", "omar"):
        for url in (
            "/c/alpha/audit/",
            "/api/c/alpha/audit",
            "/api/c/alpha/proposals/",
            "/c/alpha/",
        ):
            text = visitors[key].get(url).text
            assert "choice" not in text and not any(code in text for code in codes), (key, url)
    # Each voter's board row is found only with their own receipt.
    board = json.loads(visitors["olga"].get(f"{BASE}/{one}/board.json").text)
    assert all(set(b) == {"receipt", "choice"} for b in board["ballots"])
