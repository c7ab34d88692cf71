"""The votes' emails: a vote opens, a vote closes, a proxy is received. Queued in the outbox in
the transaction of the event, each in its reader's language (governance.mail.outbox)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base.i18n import _
from governance.language.labels import template_label
from governance.ledger.sharing.rules import TEMPLATES, rule_to_data
from governance.mail.outbox import enqueue
from governance.mail.times import mail_time, zone_of
from governance.members.models import Cooperative
from governance.votes.counting.kinds import ProposalKind
from governance.votes.drafting import funds
from governance.votes.models import Proposal


def _link(cooperative: Cooperative, proposal: Proposal) -> str:
    return f"{{base_url}}/c/{cooperative.slug}/proposals/{proposal.id}"


async def vote_opened(
    session: AsyncSession, cooperative: Cooperative, proposal: Proposal, voters: Iterable[int]
) -> int:
    def compose(person: Person) -> tuple[str, str]:
        assert proposal.closes_at is not None
        subject = _("Vote open: %(title)s") % {"title": proposal.title}
        body = _(
            "Hello %(name)s,\n\nA vote is open in %(coop)s until %(closes)s:\n%(title)s\n\n"
            "Read the proposal and vote: %(link)s\n"
        ) % {
            "name": person.name,
            "coop": cooperative.name,
            "closes": mail_time(proposal.closes_at, zone_of(cooperative)),
            "title": proposal.title,
            "link": _link(cooperative, proposal),
        }
        return subject, body

    return await enqueue(session, cooperative, voters, compose)


def outcome_words(proposal: Proposal) -> str:
    """A closed proposal's outcome in the reader's language, the winning option by its label
    (a rule template's name, never its code), and whether its effect was carried out."""
    winner = (proposal.result or {}).get("winner") if proposal.method == "ranked" else None
    if winner is not None:
        chosen = _("Chosen: %(option)s") % {"option": _option(str(winner))}
        if proposal.effect_error:
            return _("%(chosen)s, not carried out") % {"chosen": chosen}
        return chosen
    if not proposal.adopted:
        return _("Not adopted")
    if proposal.effect_error:
        return funds.not_carried_out(proposal.effect_error)
    rule = proposal.effect.get("rule") if proposal.kind == ProposalKind.DISTRIBUTION_RULE else None
    named = next((n for n, r in TEMPLATES.items() if rule == rule_to_data(r)), None)
    if named is not None:
        return _("Adopted: %(rule)s") % {"rule": template_label(named)}
    return _("Adopted")


def _option(label: str) -> str:
    return template_label(label) if label in TEMPLATES else label


async def vote_closed(
    session: AsyncSession, cooperative: Cooperative, proposal: Proposal, voters: Iterable[int]
) -> int:
    def compose(person: Person) -> tuple[str, str]:
        subject = _("Result: %(title)s") % {"title": proposal.title}
        body = _(
            "Hello %(name)s,\n\nThe vote on %(title)s is closed.\nOutcome: %(outcome)s\n\n"
            "The result, its explanation and the bulletin board: %(link)s\n"
        ) % {
            "name": person.name,
            "title": proposal.title,
            "outcome": outcome_words(proposal),
            "link": _link(cooperative, proposal),
        }
        if proposal.effect_error:
            body += "\n" + funds.failure_text(proposal.effect_error) + "\n"
        return subject, body

    return await enqueue(session, cooperative, voters, compose)


async def proxy_received(
    session: AsyncSession,
    cooperative: Cooperative,
    proposal: Proposal,
    holder_id: int,
    giver: str,
) -> int:
    def compose(person: Person) -> tuple[str, str]:
        subject = _("%(giver)s gave you their proxy") % {"giver": giver}
        body = _(
            "Hello %(name)s,\n\n%(giver)s gave you their proxy for the vote on %(title)s. "
            "You can vote for them until the close, unless they vote themselves: %(link)s\n"
        ) % {
            "name": person.name,
            "giver": giver,
            "title": proposal.title,
            "link": _link(cooperative, proposal),
        }
        return subject, body

    return await enqueue(session, cooperative, [holder_id], compose)
