"""The review's e-mails: a month's review starts, and it ends within a day. Queued in the
outbox in the transaction of the event, each in its reader's language, only when the
cooperative sends its notices by e-mail (governance.mail.outbox)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base.i18n import N_, _
from governance.language import months
from governance.ledger.books.models import Period
from governance.ledger.closing.review_window import review_ends_at
from governance.mail.outbox import enqueue
from governance.mail.times import mail_time, zone_of
from governance.members.models import Cooperative


def _link(cooperative: Cooperative, period: Period) -> str:
    return f"{{base_url}}/c/{cooperative.slug}/periods/{period.month}"


def _ends(cooperative: Cooperative, period: Period) -> str:
    ends = review_ends_at(period.review_started_at, cooperative.settings)
    return mail_time(ends, zone_of(cooperative)) if ends is not None else ""


# Each e-mail's subject (with %(month)s) and body (with %(name)s, %(coop)s, %(of_month)s,
# %(ends)s and %(link)s), translated when composed, in the reader's language.
_STARTED = (
    N_("Review of the month: %(month)s. Your draft statement is ready"),
    N_(
        "Hello %(name)s,\n\nThe review of %(of_month)s has started in %(coop)s. "
        "Your draft statement is ready. Check each line and your share; if something is "
        "wrong, contest it with a comment. The month cannot close before %(ends)s, unless "
        "every member has marked their draft as read.\n\nYour draft statement: %(link)s\n"
    ),
)
_ENDING = (
    N_("Review of the month: %(month)s. Less than a day left"),
    N_(
        "Hello %(name)s,\n\nThe review of %(of_month)s in %(coop)s ends on %(ends)s: the "
        "month can be closed from then on. If a line of your draft statement is wrong, "
        "contest it before. If it is right, you can mark it as read.\n\n"
        "Your draft statement: %(link)s\n"
    ),
)


async def _send(
    session: AsyncSession,
    cooperative: Cooperative,
    period: Period,
    members: Iterable[int],
    texts: tuple[str, str],
) -> int:
    """Queue the e-mail `texts` (subject, body) about the month's review to each member."""
    subject_text, body_text = texts

    def compose(person: Person) -> tuple[str, str]:
        subject = _(subject_text) % {"month": months.month_name(period.month)}
        body = _(body_text) % {
            "name": person.name,
            "coop": cooperative.name,
            "of_month": months.month_of(period.month),
            "ends": _ends(cooperative, period),
            "link": _link(cooperative, period),
        }
        return subject, body

    return await enqueue(session, cooperative, members, compose)


async def review_started(
    session: AsyncSession, cooperative: Cooperative, period: Period, members: Iterable[int]
) -> int:
    """The review has started: each member's draft statement is ready."""
    return await _send(session, cooperative, period, members, _STARTED)


async def review_ending(
    session: AsyncSession, cooperative: Cooperative, period: Period, members: Iterable[int]
) -> int:
    """The review ends within a day: to the members who have not read their draft."""
    return await _send(session, cooperative, period, members, _ENDING)
