"""A vote's count in plain sentences, in the reader's language.

Two tenses, never mixed: while the vote is open (its counts shown live), what would happen if
it closed now and what it still lacks (governance/votes/counting/standing.py: "3 more voters are
needed
for the quorum", "2 more yes are needed"); after the close, what happened, in the past.

Each wording is a verdict (one sentence, shown first: under the heading "If the vote closed
now" while open) and the lines that explain it. Option
labels are typed by members: each is isolated (U+2068…U+2069, docs/text.md) so that a French
label in an Arabic sentence keeps its punctuation at its own end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from governance.base.i18n import _, join_list, ngettext
from governance.input.text import isolate
from governance.votes.counting.methods import Result, fraction_text
from governance.votes.counting.standing import Standing, quorum_needed, standing


@dataclass(frozen=True)
class Wording:
    verdict: str
    lines: tuple[str, ...]


def _namer(labels: Mapping[str, str] | None) -> dict[str, str]:
    shown = {
        "yes": _("yes"),
        "no": _("no"),
        "abstain": _("abstain"),
        "consent": _("consent"),
        "stand_aside": _("stand aside"),
        "object": _("object"),
    }
    return {**shown, **{key: isolate(value) for key, value in (labels or {}).items()}}


def _name(names: Mapping[str, str], key: str) -> str:
    return names.get(key) or isolate(key)


def _count(name: str, number: int) -> str:
    """ "yes: 2" ("oui : 2" in French)."""
    return _("%(choice)s: %(count)d") % {"choice": name, "count": number}


def _counts(result: Result, names: Mapping[str, str]) -> str:
    return join_list((_count(_name(names, k), n) for k, n in result.counts), "plain")


def _rounds(result: Result, names: Mapping[str, str]) -> list[str]:
    """Each instant-runoff round (the same words before and after the close)."""
    lines = []
    for number, r in enumerate(result.rounds, start=1):
        tally = join_list((_count(_name(names, o), n) for o, n in r.counts), "plain")
        text = _("Round %(number)d: %(tally)s.") % {"number": number, "tally": tally}
        if r.exhausted:
            text += " " + _("Ballots with no option left: %(n)d.") % {"n": r.exhausted}
        if r.eliminated is not None:
            text += " " + _("%(option)s is eliminated.") % {"option": _name(names, r.eliminated)}
            if r.tie:
                others = join_list(_name(names, o) for o in r.tie if o != r.eliminated)
                text += " " + _(
                    "It was tied with %(others)s and was eliminated by the tie-break rule: "
                    "fewest votes in the earliest round where the tied options differ, "
                    "then the option listed last."
                ) % {"others": others}
        lines.append(text)
    return lines


def explain(result: Result, labels: Mapping[str, str] | None = None) -> Wording:
    """A closed vote's result, in the past tense. `labels`: how to show each option."""
    names = _namer(labels)
    lines = [
        ngettext(
            "%(n)d of %(eligible)d eligible voter took part.",
            "%(n)d of %(eligible)d eligible voters took part.",
            result.participants,
        )
        % {"n": result.participants, "eligible": result.eligible}
    ]
    quorum = {
        "quorum": fraction_text(result.quorum),
        "needed": quorum_needed(result.quorum, result.eligible),
    }
    if result.quorum == 0:
        lines.append(_("No quorum was required."))
    elif result.quorum_reached:
        lines.append(_("The quorum (%(quorum)s, %(needed)d voters) was reached.") % quorum)
    else:
        lines.append(_("The quorum (%(quorum)s, %(needed)d voters) was not reached.") % quorum)
    if result.method in ("approval", "consent"):
        lines.append(_counts(result, names))
    if result.method == "approval":
        counts = dict(result.counts)
        values = {"yes": counts["yes"], "no": counts["no"]}
        if result.threshold == Fraction(1, 2):
            rule = _("More yes than no was needed (%(yes)d yes, %(no)d no).") % values
        else:
            rule = _(
                "At least %(threshold)s of the yes and no votes had to be yes "
                "(%(yes)d yes, %(no)d no)."
            ) % {**values, "threshold": fraction_text(result.threshold)}
        lines.append(rule)
    elif result.method == "consent":
        objections = dict(result.counts)["object"]
        lines.append(
            ngettext("%(n)d member objected.", "%(n)d members objected.", objections)
            % {"n": objections}
            if objections
            else _("Nobody objected.")
        )
    else:
        lines.extend(_rounds(result, names))
    if result.method != "ranked":
        verdict = (
            _("The proposal was adopted.") if result.adopted else _("The proposal was not adopted.")
        )
    elif result.winner is not None:
        verdict = _("%(option)s won.") % {"option": _name(names, result.winner)}
    elif result.quorum_reached:
        verdict = _("No option won a majority.")
    else:
        verdict = _("No option won: the quorum was not reached.")
    return Wording(verdict, tuple(lines))


def _quorum_now(result: Result, now: Standing) -> str:
    if result.quorum == 0:
        return _("No quorum is required.")
    values = {"num": now.voters, "needed": now.needed, "eligible": result.eligible}
    if not now.voters:
        return _("The quorum is reached (%(needed)d of %(eligible)d must take part).") % values
    return (
        ngettext(
            "The quorum is not reached: %(num)d more voter is needed (%(needed)d of "
            "%(eligible)d must take part; abstaining counts).",
            "The quorum is not reached: %(num)d more voters are needed (%(needed)d of "
            "%(eligible)d must take part; abstaining counts).",
            now.voters,
        )
        % values
    )


def _threshold_now(result: Result, now: Standing) -> list[str]:
    counts = dict(result.counts)
    values = {
        "num": now.yes,
        "yes": counts["yes"],
        "no": counts["no"],
        "threshold": fraction_text(result.threshold),
    }
    half = result.threshold == Fraction(1, 2)
    if not now.yes:
        if half:
            return [_("There are more yes than no (%(yes)d yes, %(no)d no).") % values]
        return [
            _("At least %(threshold)s of the yes and no votes are yes (%(yes)d yes, %(no)d no).")
            % values
        ]
    if half:
        line = ngettext(
            "%(num)d more yes is needed to have more yes than no (now %(yes)d yes, %(no)d no).",
            "%(num)d more yes are needed to have more yes than no (now %(yes)d yes, %(no)d no).",
            now.yes,
        )
    else:
        line = ngettext(
            "%(num)d more yes is needed for %(threshold)s of the yes and no votes to be yes "
            "(now %(yes)d yes, %(no)d no).",
            "%(num)d more yes are needed for %(threshold)s of the yes and no votes to be yes "
            "(now %(yes)d yes, %(no)d no).",
            now.yes,
        )
    lines = [line % values]
    if now.yes > now.waiting:
        lines.append(
            ngettext(
                "Only %(num)d voter has not voted yet: the other yes can only come from voters "
                "who change their vote.",
                "Only %(num)d voters have not voted yet: the other yes can only come from "
                "voters who change their vote.",
                now.waiting,
            )
            % {"num": now.waiting}
        )
    return lines


def _consent_now(now: Standing) -> str:
    if now.objections:
        return ngettext(
            "%(num)d member objects: the proposal cannot pass unless the objection is withdrawn.",
            "%(num)d members object: the proposal cannot pass unless the objections are withdrawn.",
            now.objections,
        ) % {"num": now.objections}
    if now.first_ballot:
        return _("Nobody has voted yet: at least one vote is needed.")
    return _("Nobody objects.")


def explain_now(result: Result, labels: Mapping[str, str] | None = None) -> Wording:
    """An open vote's counts so far: what would happen if it closed now, and what it lacks."""
    names = _namer(labels)
    now = standing(result)
    lines = [
        ngettext(
            "%(n)d of %(eligible)d eligible voters has voted so far.",
            "%(n)d of %(eligible)d eligible voters have voted so far.",
            result.participants,
        )
        % {"n": result.participants, "eligible": result.eligible},
        _quorum_now(result, now),
    ]
    if result.method == "approval":
        lines.extend(_threshold_now(result, now))
    elif result.method == "consent":
        lines.append(_consent_now(now))
    if result.method in ("approval", "consent"):
        lines.append(_counts(result, names))
    else:
        lines.extend(_rounds(result, names))
    if result.method != "ranked":
        verdict = (
            _("The proposal would be adopted.")
            if now.passes
            else _("The proposal would not be adopted.")
        )
    elif result.winner is not None:
        verdict = _("%(option)s would be chosen.") % {"option": _name(names, result.winner)}
    elif not result.quorum_reached:
        verdict = _("No option would be chosen: the quorum is not reached.")
    else:
        verdict = _("No option would have a majority.")
    return Wording(verdict, tuple(lines))
