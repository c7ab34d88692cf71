"""The chain the checkpoints form, checked as pure functions: what is missing, what does not
follow, and what was cut off the end of the audit trail. No database: checkpoints.py reads the
rows and passes plain values in.

Three things say a checkpoint ought to exist: the checkpoint after it (numbers run 1, 2, 3 ...
and each signs the hash of the one before it), an event that announces it (`period.closed` for
a month's close, `checkpoint.daily` for the worker's daily one) and a closed period that points
at it. Each problem is one sentence in the current language that names the checkpoint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from governance.audit.chain import CLOSE, DAILY
from governance.audit.checkpoints import signing
from governance.base.i18n import _

# The events that announce a checkpoint at their own sequence number.
ANNOUNCING = {"period.closed": CLOSE, "checkpoint.daily": DAILY}


@dataclass(frozen=True)
class Link:
    """A stored checkpoint, as the chain check sees it."""

    id: int
    number: int
    kind: str
    label: str  # the month closed, or the day
    seq: int
    head_hash: str
    previous: str | None  # None: made before the chain (migration 0011)
    hash: str | None  # None when its fields are malformed (the signature check names it)


@dataclass(frozen=True)
class Announcement:
    """An event saying that a checkpoint was made at its sequence number."""

    kind: str
    label: str
    seq: int
    number: int | None = None  # a daily checkpoint's event carries its number


def link_hash(
    cooperative_id: int, label: str, seq: int, head: str, previous: str | None
) -> str | None:
    try:
        line = signing.signed_line(cooperative_id, label, seq, head, previous)
    except ValueError:
        return None
    return signing.checkpoint_hash(line)


def missing_sentence(number: int | None, kind: str | None, label: str | None) -> str:
    if number is None and label is not None:
        return _("The checkpoint of %(month)s is missing.") % {"month": label}
    if label is None:
        return _("Checkpoint %(number)s is missing.") % {"number": number}
    if kind == DAILY:
        return _("Checkpoint %(number)s (day %(day)s) is missing.") % {
            "number": number,
            "day": label,
        }
    return _("Checkpoint %(number)s (month %(month)s) is missing.") % {
        "number": number,
        "month": label,
    }


def _links_problems(links: Sequence[Link]) -> list[str]:
    """Each checkpoint must sign the hash of the one numbered before it."""
    problems: list[str] = []
    by_number = {link.number: link for link in links}
    linked_seen = False
    for link in sorted(links, key=lambda item: item.number):
        before = by_number.get(link.number - 1)
        if link.previous is None:
            if linked_seen:
                problems.append(
                    _("Checkpoint %(number)s is not linked to the checkpoint before it.")
                    % {"number": link.number}
                )
            continue
        linked_seen = True
        if link.number == 1:
            if link.previous != signing.GENESIS:
                problems.append(_("Checkpoint 1 does not start the chain of checkpoints."))
        elif before is not None and before.hash != link.previous:
            problems.append(
                _("Checkpoint %(number)s does not follow checkpoint %(previous)s.")
                % {"number": link.number, "previous": before.number}
            )
        elif before is not None and before.seq >= link.seq:
            problems.append(
                _(
                    "Checkpoint %(number)s signed event %(seq)s, not after the event "
                    "%(before_seq)s signed by checkpoint %(previous)s."
                )
                % {
                    "number": link.number,
                    "seq": link.seq,
                    "before_seq": before.seq,
                    "previous": before.number,
                }
            )
    return problems


def chain_problems(
    links: Sequence[Link],
    announcements: Sequence[Announcement],
    closes: Mapping[str, int] | None = None,
) -> list[str]:
    """What is missing from, or out of place in, the chain of checkpoints.

    `closes` maps each closed month to the id of the checkpoint its close points to.
    """
    problems = _links_problems(links)
    present = {link.number: link for link in links}
    claimed = {(link.kind, link.label) for link in links}
    unclaimed = sorted(
        (a for a in announcements if (a.kind, a.label) not in claimed), key=lambda a: a.seq
    )
    named: set[str] = set()

    def report(number: int | None, announcement: Announcement | None) -> None:
        kind = announcement.kind if announcement else None
        label = announcement.label if announcement else None
        if label is not None:
            named.add(label)
        problems.append(missing_sentence(number, kind, label))

    # Numbers skipped between two checkpoints still there: the checkpoints deleted.
    top = max(present, default=0)
    number = 1
    while number <= top:
        if number in present:
            number += 1
            continue
        run_end = number
        while run_end + 1 not in present:
            run_end += 1
        low = present[number - 1].seq if number - 1 in present else 0
        high = present[run_end + 1].seq
        between = [a for a in unclaimed if low < a.seq < high]
        fits = len(between) == run_end - number + 1
        for offset, missing in enumerate(range(number, run_end + 1)):
            announcement = between[offset] if fits else None
            if announcement is not None:
                unclaimed.remove(announcement)
            report(missing, announcement)
        number = run_end + 1

    # Announced after the last checkpoint still there: the last checkpoints deleted.
    last_seq = present[top].seq if top else 0
    after = [a for a in unclaimed if a.seq > last_seq]
    for offset, announcement in enumerate(after):
        report(top + 1 + offset, announcement)
        unclaimed.remove(announcement)
    for announcement in unclaimed:
        report(announcement.number, announcement)

    ids = {link.id: link for link in links}
    for month, checkpoint_id in sorted((closes or {}).items()):
        target = ids.get(checkpoint_id)
        if target is None and month not in named:
            problems.append(
                _("The close of %(month)s points to a checkpoint that is missing.")
                % {"month": month}
            )
        elif target is not None and (target.kind, target.label) != (CLOSE, month):
            problems.append(
                _("The close of %(month)s points to checkpoint %(number)s, of %(other)s.")
                % {"month": month, "number": target.number, "other": target.label}
            )
    return problems


def truncation(links: Sequence[Link], last_event: int) -> tuple[str, Link] | None:
    """The sentence naming the events cut off the end of the trail, and the checkpoint that
    signed the furthest of them; None when every checkpoint's event is still there."""
    beyond = [link for link in links if link.seq > last_event]
    if not beyond:
        return None
    furthest = max(beyond, key=lambda link: link.seq)
    values = {
        "first": last_event + 1,
        "signed": furthest.seq,
        "last": last_event,
        "number": furthest.number,
        "label": furthest.label,
    }
    if furthest.seq == last_event + 1:
        sentence = _(
            "Event %(signed)s is gone: the audit trail ends at event %(last)s but checkpoint "
            "%(number)s (%(label)s) signed event %(signed)s."
        )
    else:
        sentence = _(
            "Events %(first)s–%(signed)s are gone: the audit trail ends at event %(last)s but "
            "checkpoint %(number)s (%(label)s) signed event %(signed)s."
        )
    return sentence % values, furthest
