"""Signed checkpoints of a cooperative's audit chain: its keys, signing the head at a month
close and every day the chain grew, and checking every checkpoint against the chain as stored
and against each other (they form a chain of their own: checkpoint_chain.py).

Every function works inside the caller's transaction (none begins one). The private keys live
in the `signing_key` table and are read here only, to sign; no page, API or export reads them.
A checkpoint is worth what its printed copies are: members hold statements carrying month,
sequence number, head hash, signature and public key, and `check_printed` (or
`governance audit check-statement`) checks one without the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.chain import CLOSE, chain_key
from governance.audit.checkpoints import signing
from governance.audit.checkpoints.checkpoint_chain import (
    ANNOUNCING,
    Announcement,
    Link,
    chain_problems,
    link_hash,
    truncation,
)
from governance.audit.checkpoints.cooperatives import publish_key, published_key
from governance.audit.checkpoints.signing import check_printed
from governance.audit.models import AuditEvent, Checkpoint, SigningKey
from governance.audit.service import lock_cooperative, record
from governance.base import clock
from governance.base.i18n import _

__all__ = [
    "SigningKeyMismatch",
    "check_printed",
    "checkpoints_of",
    "ensure_key",
    "hash_of",
    "last_checkpoint",
    "sign_head",
    "verify_checkpoints",
]


class SigningKeyMismatch(RuntimeError):
    """The cooperative's published public key does not belong to its stored private key.

    Signing then would make checkpoints that no member's copy of the key verifies: an
    operator must look (a private key lost from a partial restore, or a tampered row).
    """


async def ensure_key(session: AsyncSession, cooperative_id: int, *, announce: bool = True) -> str:
    """The cooperative's public key (hex), making its key pair first if it has none.

    Cooperatives created before migration 0007 have none. Takes the cooperative's lock so two
    transactions do not both make one. Raises SigningKeyMismatch if a published public key
    has no matching private key (or the reverse does not match): never silently replaced.
    A key made here is announced in the chain ("cooperative.key_created", with the public
    key) unless `announce` is false (creation, whose own event carries the key).
    """
    await lock_cooperative(session, cooperative_id)
    published = await published_key(session, cooperative_id)
    key = await session.get(SigningKey, cooperative_id)
    if key is None:
        if published:
            raise SigningKeyMismatch(
                f"cooperative {cooperative_id} publishes a public key but has no private key"
            )
        private = signing.new_private_key()
        session.add(
            SigningKey(
                cooperative_id=cooperative_id,
                private_key=private,
                created_at=clock.iso(clock.now()),
            )
        )
        published = signing.public_key_of(private)
        await publish_key(session, cooperative_id, published)
        await session.flush()
        if announce:
            await record(
                session,
                cooperative_id=cooperative_id,
                actor_id=None,
                action="cooperative.key_created",
                subject_type="cooperative",
                subject_id=cooperative_id,
                data={"public_key": published},
            )
        return published
    public = signing.public_key_of(key.private_key)
    if not published:
        # The pair was made but the public half not published (an interrupted repair).
        await publish_key(session, cooperative_id, public)
    elif published != public:
        raise SigningKeyMismatch(
            f"cooperative {cooperative_id}: the public key does not match the private key"
        )
    return public


async def last_checkpoint(session: AsyncSession, cooperative_id: int) -> Checkpoint | None:
    """The cooperative's checkpoint with the highest number, or None."""
    return (
        await session.exec(
            select(Checkpoint)
            .where(Checkpoint.cooperative_id == cooperative_id)
            .order_by(col(Checkpoint.number).desc(), col(Checkpoint.id).desc())
            .limit(1)
        )
    ).first()


def hash_of(checkpoint: Checkpoint) -> str:
    """The checkpoint's own hash, which the next checkpoint signs. ValueError if malformed."""
    found = link_hash(
        checkpoint.cooperative_id,
        checkpoint.month,
        checkpoint.seq,
        checkpoint.head_hash,
        checkpoint.previous,
    )
    if found is None:
        raise ValueError(f"checkpoint {checkpoint.number} is malformed: it cannot be linked to")
    return found


async def sign_head(
    session: AsyncSession, cooperative_id: int, month: str, *, kind: str = CLOSE
) -> Checkpoint:
    """Sign the cooperative's chain head as the checkpoint of `month` ("YYYY-MM"; a day
    "YYYY-MM-DD" for a DAILY checkpoint), linked to the cooperative's last checkpoint.

    Call it last in the month close's transaction: the caller holds `lock_cooperative` and has
    recorded its last audit event, so the head signed is the one the statements print.
    Raises ValueError for a malformed month (or a last checkpoint too malformed to link to),
    RuntimeError if the chain is empty (a programming error: creating the cooperative already
    records an event), SigningKeyMismatch (see `ensure_key`); signing the same head twice
    breaks the unique (cooperative, seq).
    """
    if kind == CLOSE and len(month) != 7:
        raise ValueError("the month is YYYY-MM")
    public = await ensure_key(session, cooperative_id)
    key = await session.get(SigningKey, cooperative_id)
    assert key is not None
    head = (
        await session.exec(
            select(AuditEvent.seq, AuditEvent.hash)
            .where(AuditEvent.chain == chain_key(cooperative_id))
            .order_by(col(AuditEvent.seq).desc())
            .limit(1)
        )
    ).first()
    if head is None:
        raise RuntimeError(f"cooperative {cooperative_id} has no audit event to sign")
    seq, head_hash = head
    before = await last_checkpoint(session, cooperative_id)
    previous = hash_of(before) if before is not None else signing.GENESIS
    signed = signing.message_v2(cooperative_id, month, seq, head_hash, previous)
    checkpoint = Checkpoint(
        cooperative_id=cooperative_id,
        number=before.number + 1 if before is not None else 1,
        kind=kind,
        month=month,
        seq=seq,
        head_hash=head_hash,
        previous=previous,
        signature=signing.sign(key.private_key, signed),
        public_key=public,
        at=clock.iso(clock.now()),
    )
    session.add(checkpoint)
    await session.flush()
    return checkpoint


async def checkpoints_of(session: AsyncSession, cooperative_id: int) -> list[Checkpoint]:
    """The cooperative's checkpoints, oldest first."""
    rows = await session.exec(
        select(Checkpoint)
        .where(Checkpoint.cooperative_id == cooperative_id)
        .order_by(col(Checkpoint.number), col(Checkpoint.seq), col(Checkpoint.id))
    )
    return list(rows.all())


def _signature_holds(checkpoint: Checkpoint) -> bool:
    try:
        signed = signing.signed_line(
            checkpoint.cooperative_id,
            checkpoint.month,
            checkpoint.seq,
            checkpoint.head_hash,
            checkpoint.previous,
        )
    except ValueError:
        return False
    return signing.verify(checkpoint.public_key, signed, checkpoint.signature)


async def _key_at_creation(session: AsyncSession, cooperative_id: int) -> str | None:
    """The public key recorded when the key pair was made: in the "cooperative.created" event,
    or in "cooperative.key_created" for a cooperative older than its key."""
    data = (
        await session.exec(
            select(AuditEvent.data)
            .where(
                AuditEvent.chain == chain_key(cooperative_id),
                col(AuditEvent.action).in_(["cooperative.created", "cooperative.key_created"]),
                col(AuditEvent.data).contains('"public_key"'),
            )
            .order_by(col(AuditEvent.seq))
            .limit(1)
        )
    ).first()
    try:
        value = json.loads(data) if data else {}
    except ValueError:
        return None  # a mangled row: verifying the chain names it
    key = value.get("public_key") if isinstance(value, dict) else None
    return key if isinstance(key, str) and key else None


def _link(checkpoint: Checkpoint) -> Link:
    assert checkpoint.id is not None
    return Link(
        id=checkpoint.id,
        number=checkpoint.number,
        kind=checkpoint.kind,
        label=checkpoint.month,
        seq=checkpoint.seq,
        head_hash=checkpoint.head_hash,
        previous=checkpoint.previous,
        hash=link_hash(
            checkpoint.cooperative_id,
            checkpoint.month,
            checkpoint.seq,
            checkpoint.head_hash,
            checkpoint.previous,
        ),
    )


async def _announcements(session: AsyncSession, cooperative_id: int) -> list[Announcement]:
    """The events that say a checkpoint was made: month closes and daily checkpoints."""
    rows = await session.exec(
        select(AuditEvent.action, AuditEvent.seq, AuditEvent.subject_id, AuditEvent.data).where(
            AuditEvent.chain == chain_key(cooperative_id),
            col(AuditEvent.action).in_(sorted(ANNOUNCING)),
        )
    )
    found = []
    for action, seq, subject_id, data in rows.all():
        kind = ANNOUNCING[action]
        if kind == CLOSE:
            found.append(Announcement(kind=kind, label=subject_id, seq=seq))
            continue
        try:
            value = json.loads(data)
            found.append(
                Announcement(
                    kind=kind, label=str(value["day"]), seq=seq, number=int(value["number"])
                )
            )
        except (ValueError, KeyError, TypeError):
            continue  # a mangled row: verifying the chain names it
    return found


async def verify_checkpoints(
    session: AsyncSession,
    cooperative_id: int,
    checkpoints: list[Checkpoint] | None = None,
    closes: Mapping[str, int] | None = None,
) -> list[str]:
    """What is wrong with the cooperative's checkpoints, in the current language; [] if nothing.

    The checkpoints must form their chain (numbers 1, 2, 3 ..., each signing the hash of the
    one before it), none announced by an event (a month's close, a daily checkpoint) or pointed
    at by a closed month (`closes`: month -> checkpoint id, read by the caller from the
    ledger) may be missing. For each checkpoint: the chain must still reach its sequence
    number (else it was truncated), the event there must still have the signed hash (else the
    chain was rewritten, even with every hash recomputed), the signature must verify, and the
    key that made it must be the cooperative's public key. `checkpoints` saves reading them
    again.
    """
    published = await published_key(session, cooperative_id)
    if checkpoints is None:
        checkpoints = await checkpoints_of(session, cooperative_id)
    chain = chain_key(cooperative_id)
    problems: list[str] = []
    at_creation = await _key_at_creation(session, cooperative_id)
    if at_creation is not None and at_creation != published:
        problems.append(
            _("The cooperative's public key is not the one recorded when it was created.")
        )
    links = [_link(checkpoint) for checkpoint in checkpoints]
    problems += chain_problems(links, await _announcements(session, cooperative_id), closes)
    if not checkpoints:
        return problems
    last = (
        await session.exec(select(func.max(AuditEvent.seq)).where(AuditEvent.chain == chain))
    ).one() or 0
    cut = truncation(links, last)
    if cut is not None:
        problems.append(cut[0])
    rows = await session.exec(
        select(AuditEvent.seq, AuditEvent.hash).where(
            AuditEvent.chain == chain,
            col(AuditEvent.seq).in_(sorted({checkpoint.seq for checkpoint in checkpoints})),
        )
    )
    hashes: dict[int, set[str]] = {}
    for seq, event_hash in rows.all():
        hashes.setdefault(seq, set()).add(event_hash)
    for checkpoint in checkpoints:
        values = {"month": checkpoint.month, "seq": checkpoint.seq, "last": last}
        if checkpoint.seq > last:
            pass  # named once above, with the events that are gone
        elif checkpoint.seq not in hashes:
            problems.append(
                _(
                    "The checkpoint of %(month)s signed event %(seq)s, which is no longer in "
                    "the audit trail."
                )
                % values
            )
        elif hashes[checkpoint.seq] != {checkpoint.head_hash}:
            problems.append(
                _(
                    "The audit trail was rewritten: event %(seq)s no longer has the hash signed "
                    "in the checkpoint of %(month)s."
                )
                % values
            )
        if not _signature_holds(checkpoint):
            problems.append(
                _("The signature of the checkpoint of %(month)s (event %(seq)s) is not valid.")
                % values
            )
        if checkpoint.public_key != published:
            problems.append(
                _(
                    "The checkpoint of %(month)s was signed with a key that is not the "
                    "cooperative's public key."
                )
                % values
            )
    return problems
