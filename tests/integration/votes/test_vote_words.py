"""Votes say what they mean: labels, never codes, on receipts and boards; a receipt found
however it is typed, or told replaced; forms that keep what was chosen; a proxy holder's card
that says what they hold; an open vote's count in the conditional."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from governance.base import i18n
from governance.language.labels import template_label
from tests.votes_support import (
    DECISION,
    WEEK,
    add_cooperators,
    close,
    later,
    open_vote,
    vote,
)

BASE = "/c/alpha/proposals"
CODES = ("pro_rata", "mixed_80_20", "equal", "reserve", "revenue_generated")
RANKED_RULES = {
    **DECISION,
    "kind": "distribution_rule",
    "method": "ranked",
    "rule_options": ["pro_rata", "mixed_80_20", "equal"],
    "start_month": "2027-03",
}


def _text(html: str) -> str:
    """The visible text of a page part: tags, scripts and closed details' bodies removed."""
    html = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<details(?![^>]*\bopen\b).*?</details>", " ", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"\s+", " ", text.replace("\u2068", "").replace("\u2069", "")).strip()


def _section(page: str, ident: str) -> str:
    found = re.search(rf'<section [^>]*id="{ident}"[^>]*>(.*?)</section>', page, re.S)
    assert found, f"no section {ident}"
    return _text(found[1])


def _main(page: str) -> str:
    found = re.search(r"<main\b.*?</main>", page, re.S)
    return _text(found[0] if found else page)


def _in(language: str, message: str) -> str:
    with i18n.language(language):
        return template_label(message)


def _speak(visitor: Any, language: str) -> None:
    assert visitor.post("/language", {"language": language, "next": "/"}).status_code in (
        200,
        302,
        303,
    )


def test_a_ranked_receipt_and_the_board_name_rules_by_their_labels(
    run: Any, world: Any, make_visitor: Any, monkeypatch: Any
) -> None:
    async def opened(session: Any) -> int:
        await add_cooperators(session, world, "Ana")
        pid = await open_vote(session, world, RANKED_RULES)
        await vote(session, world, "carla", pid, ranking=["equal"])
        await vote(session, world, "ana", pid, ranking=["equal", "pro_rata"])
        return pid

    pid = run(opened)
    omar = make_visitor()
    omar.login("omar")
    ranking = {"rank_1": "pro_rata", "rank_2": "mixed_80_20", "rank_3": "equal"}
    assert omar.post(f"{BASE}/{pid}/ballot", ranking).status_code == 303
    for language in ("fr", "ar", "en", "nl"):
        _speak(omar, language)
        mine = _section(omar.get(f"{BASE}/{pid}").text, "vote")
        labels = [_in(language, code) for code in ("pro_rata", "mixed_80_20", "equal")]
        with i18n.language(language):
            places = [
                i18n.gettext("%(place)d. %(option)s") % {"place": n, "option": label}
                for n, label in enumerate(labels, start=1)
            ]
            joined = places[0]
            for place in places[1:]:
                joined = i18n.gettext("%(before)s, %(after)s") % {"before": joined, "after": place}
        # Numbered, never a chevron: ">" is not mirrored in Arabic and pointed backwards.
        assert joined in mine and ">" not in mine, (language, mine)
        assert mine.index(labels[0]) < mine.index(labels[1]) < mine.index(labels[2])
        for code in CODES:
            assert code not in mine, (language, code, mine)

    later(monkeypatch, WEEK + 1)
    run(lambda session: close(session, pid, world))
    omar.login("omar")
    for language in ("fr", "ar"):
        _speak(omar, language)
        board = _main(omar.get(f"{BASE}/{pid}/board").text)
        assert _in(language, "equal") in board
        assert " > " not in board and "1. " in board, (language, board)
        for code in CODES:
            assert code not in board, (language, code, board)


def test_receipt_search_ignores_case_spaces_and_dashes_and_tells_what_it_found(
    run: Any, world: Any, make_visitor: Any, monkeypatch: Any
) -> None:
    async def voted(session: Any) -> tuple[int, str, str]:
        pid = await open_vote(session, world, DECISION)
        first = (await vote(session, world, "omar", pid, choice="no")).receipt
        second = (await vote(session, world, "omar", pid, choice="yes")).receipt
        await vote(session, world, "carla", pid, choice="yes")
        later(monkeypatch)
        await close(session, pid, world)
        return pid, first, second

    pid, old, current = run(voted)
    omar = make_visitor()
    omar.login("omar")
    _speak(omar, "en")
    board = f"{BASE}/{pid}/board"
    for typed in (current, current.lower(), current.replace("-", ""), " ".join(current)):
        page = omar.get(board, params={"receipt": typed}).text
        assert "is on the board" in _main(page), typed
        assert re.search(rf'<tr class="me" id="mine">\s*<td[^>]*><code>{current}</code>', page)
    replaced = _main(omar.get(board, params={"receipt": old.lower().replace("-", " ")}).text)
    assert "was replaced when the vote was changed" in replaced
    # Printed the way receipts are given, like a found one, not as typed.
    assert f"The receipt {old} was replaced" in replaced, replaced
    missing = _main(omar.get(board, params={"receipt": "zzzzzzzzzzzz"}).text)
    assert "No ballot of this vote has the receipt ZZZZ-ZZZZ-ZZZZ" in missing, missing
    assert 'id="mine"' not in omar.get(board, params={"receipt": old}).text
    nonsense = _main(omar.get(board, params={"receipt": "hello-world"}).text)
    assert "No ballot of this vote has the receipt hello-world" in nonsense
    # Markup typed in the box comes back as text.
    hostile = omar.get(board, params={"receipt": "<b>x</b>"})
    assert hostile.status_code == 200 and "<b>x</b>" not in hostile.text


def test_a_refused_proxy_keeps_the_member_chosen_and_a_holder_sees_what_they_hold(
    run: Any, world: Any, make_visitor: Any
) -> None:
    async def opened(session: Any) -> int:
        await add_cooperators(session, world, "Ana", "Bilal")
        return await open_vote(session, world, DECISION)

    pid = run(opened)
    ana, bilal, omar = make_visitor(), make_visitor(), make_visitor()
    for visitor, email in (
        (ana, "ana@alpha.example"),
        (bilal, "bilal@alpha.example"),
        (omar, "omar"),
    ):
        visitor.login(email)
        _speak(visitor, "en")
    # Bilal gives his proxy to Ana: Ana now holds one and cannot give hers; Omar picks Bilal,
    # who gave his own: refused, and the form still shows Bilal.
    assert bilal.post(f"{BASE}/{pid}/proxy", {"holder_id": world.ids["ana"]}).status_code == 303
    refused = omar.post(f"{BASE}/{pid}/proxy", {"holder_id": str(world.ids["bilal"])})
    assert refused.status_code == 422, refused.status_code
    assert "proxies cannot be passed on" in refused.text
    assert re.search(rf'<option value="{world.ids["bilal"]}" selected>', refused.text)

    card = _section(ana.get(f"{BASE}/{pid}").text, "proxy")
    assert card != "Proxy"
    assert "You hold the proxy of" in card and "Bilal" in card
    assert "Vote for Bilal" in card
    assert "cannot give your own" in card
    # The holder's ballot card names the giver without an elision to make ("Procuration de").
    page = _main(ana.get(f"{BASE}/{pid}").text)
    assert "Proxy given by Bilal" in page and "Proxy of" not in page


def test_a_vote_without_quorum_says_there_is_none(run: Any, world: Any, make_visitor: Any) -> None:
    pid = run(lambda session: open_vote(session, world, {**DECISION, "quorum": "0"}))
    omar = make_visitor()
    omar.login("omar")
    _speak(omar, "en")
    page = _main(omar.get(f"{BASE}/{pid}").text)
    assert "Quorum: none, the result counts however many voters take part" in page, page
    assert "Quorum: 0" not in page


def test_a_refused_ranked_ballot_keeps_the_ranking_chosen(
    run: Any, world: Any, make_visitor: Any
) -> None:
    pid = run(lambda session: open_vote(session, world, RANKED_RULES))
    omar = make_visitor()
    omar.login("omar")
    refused = omar.post(f"{BASE}/{pid}/ballot", {"rank_1": "equal", "rank_2": "equal"})
    assert refused.status_code == 422
    assert re.search(r'id="rank-own-1"[^>]*>.*?<option value="equal" selected>', refused.text, re.S)
    assert re.search(r'id="rank-own-2"[^>]*>.*?<option value="equal" selected>', refused.text, re.S)


def test_an_open_vote_count_reads_as_if_it_closed_now(
    run: Any, world: Any, make_visitor: Any
) -> None:
    async def opened(session: Any) -> int:
        pid = await open_vote(session, world, {**DECISION, "quorum": "0"})
        await vote(session, world, "omar", pid, choice="yes")
        await vote(session, world, "carla", pid, choice="yes")
        return pid

    pid = run(opened)
    omar = make_visitor()
    omar.login("omar")
    for language in ("en", "fr", "nl", "ar"):
        _speak(omar, language)
        with i18n.language(language):
            heading = i18n.gettext("If the vote closed now")
            would = i18n.gettext("The proposal would be adopted.")
            was = i18n.gettext("The proposal was adopted.")
            adopted = i18n.gettext("Adopted")
        result = _section(omar.get(f"{BASE}/{pid}").text, "result")
        assert result.startswith(f"{heading} {would}"), (language, result)
        assert was not in result
        listing = _main(omar.get(f"{BASE}/").text)
        assert adopted not in listing.split(), language


def test_a_refused_draft_keeps_the_counts_box_as_it_was_left(world: Any, make_visitor: Any) -> None:
    omar = make_visitor()
    omar.login("omar")
    fresh = omar.get(f"{BASE}/new").text
    assert re.search(r'id="f-results_hidden"[^>]*checked', fresh)  # hidden by default
    # No title: refused; the box Omar unticked stays unticked.
    refused = omar.post(f"{BASE}/", {**DECISION, "title": ""})
    assert refused.status_code == 422
    assert not re.search(r'id="f-results_hidden"[^>]*checked', refused.text)


def test_no_vote_page_shows_a_raw_code_in_any_language(
    run: Any, world: Any, make_visitor: Any, monkeypatch: Any
) -> None:
    """Drafts, open and closed votes of each kind that names rules, keys or choices, with
    their boards and the drafting form, read in the four languages: no code on them."""
    from tests.raw_codes_support import codes_of, find_codes, user_text, visible_text

    async def built(session: Any) -> list[int]:
        await add_cooperators(session, world, "Ana")
        ranked = await open_vote(session, world, RANKED_RULES)
        await vote(session, world, "omar", ranked, ranking=["mixed_80_20", "equal"])
        await vote(session, world, "ana", ranked, ranking=["equal", "pro_rata"])
        single = {**DECISION, "kind": "distribution_rule", "rule_json": "equal"}
        single_id = await open_vote(session, world, {**single, "start_month": "2027-02"})
        await vote(session, world, "omar", single_id, choice="yes")
        consent = await open_vote(session, world, {**DECISION, "method": "consent"})
        await vote(session, world, "omar", consent, choice="stand_aside")
        await vote(session, world, "ana", consent, choice="object", reason="Too dear")
        live = await open_vote(session, world, {**DECISION, "results_hidden": ""})
        await vote(session, world, "omar", live, choice="abstain")
        later(monkeypatch, WEEK + 1)
        for pid in (ranked, single_id, consent):
            await close(session, pid, world)
        still_open = await open_vote(session, world, {**RANKED_RULES, "start_month": "2027-04"})
        await vote(session, world, "omar", still_open, ranking=["pro_rata"])
        return [ranked, single_id, consent, live, still_open]

    ids = run(built)
    codes = run(codes_of)
    mine = sorted(run(user_text), key=len, reverse=True)
    omar = make_visitor()
    omar.login("omar")
    pages = [f"{BASE}/", f"{BASE}/new", f"{BASE}/rules"]
    pages += [f"{BASE}/{pid}" for pid in ids]
    pages += [f"{BASE}/{pid}/board" for pid in ids[:3]]
    leaks = []
    for language in ("fr", "en", "nl", "ar"):
        _speak(omar, language)
        for url in pages:
            response = omar.get(url)
            assert response.status_code == 200, url
            for leak in find_codes(visible_text(response.text), codes, language, mine):
                leaks.append((language, url, leak))
    assert leaks == []
