"""The big cooperative's cooperators, in bulk: `person` and `membership` rows with the events
`members.service.add_person_to_cooperative` writes (`person.created` on the system chain,
`member.added` on the cooperative's), then each one's bank account as
`members.bank.set_bank_details` would set it (checked and cleaned by the same
`parse_bank_details`, audited `person.bank_details_changed` on the system chain with the IBAN
masked). Hashing 1 000 argon2 passwords would take minutes: every member gets the
coordinator's hash (the same password).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bench.bigcoop.chain import BulkChain
from bench.databases import next_id
from governance.auth.models import Person
from governance.base.db import bulk_insert
from governance.members import MembershipStatus, Role
from governance.members.bank import mask, parse_bank_details
from governance.members.models import Membership


def belgian_iban(number: int) -> str:
    """A valid Belgian IBAN for account `number` at bank 001 (national and IBAN check digits)."""
    account = 1_000_000_000 + number  # ten digits: bank 001 + seven
    national = account % 97 or 97
    bban = f"{account:010d}{national:02d}"
    check = 98 - int(bban + "111400") % 97  # B = 11, E = 14, then "00"
    return f"BE{check:02d}{bban}"


async def add_members(
    session: AsyncSession,
    cooperative_id: int,
    n: int,
    domain: str,
    password_hash: str,
    now: dt.datetime,
) -> list[int]:
    """`n` cooperators `member<i>@<domain>` with their bank accounts, and their events; their
    person ids. In the caller's transaction."""
    connection = await session.connection()
    first_person = await next_id(connection, "person")
    first_membership = await next_id(connection, "membership")
    system = await BulkChain.open(session, None)
    coop = await BulkChain.open(session, cooperative_id)
    coop.next_id = system.next_id = max(coop.next_id, system.next_id)
    people: list[dict[str, Any]] = []
    memberships: list[dict[str, Any]] = []
    for i in range(n):
        pid, name = first_person + i, f"Member {i + 1}"
        bank = parse_bank_details(belgian_iban(i + 1), "", name)
        at = now + dt.timedelta(seconds=i)
        people.append(
            {
                "id": pid,
                "email": f"member{i + 1}@{domain}",
                "name": name,
                "password_hash": password_hash,
                "language": "fr",
                "languages": [],
                "token_version": 1,
                "iban": bank.iban,
                "bic": bank.bic,
                "account_holder": bank.holder,
                "created_at": at,
            }
        )
        memberships.append(
            {
                "id": first_membership + i,
                "cooperative_id": cooperative_id,
                "person_id": pid,
                "role": Role.COOPERATOR.value,
                "status": MembershipStatus.ACTIVE.value,
                "joined_at": at,
            }
        )
        system.append(
            at=at,
            actor_id=pid,
            action="person.created",
            subject_type="person",
            subject_id=pid,
            data={"name": name, "language": "fr"},
        )
        coop.next_id = system.next_id
        coop.append(
            at=at,
            actor_id=None,
            action="member.added",
            subject_type="membership",
            subject_id=first_membership + i,
            data={"person_id": pid, "name": name, "role": str(Role.COOPERATOR)},
        )
        system.next_id = coop.next_id
        system.append(
            at=at,
            actor_id=pid,
            action="person.bank_details_changed",
            subject_type="person",
            subject_id=pid,
            data={
                "before": {"iban": mask(""), "bic": "", "holder": ""},
                "after": {"iban": mask(bank.iban), "bic": bank.bic, "holder": bank.holder},
            },
        )
    await bulk_insert(session, Person.__table__, people)  # type: ignore[attr-defined]
    await bulk_insert(session, Membership.__table__, memberships)  # type: ignore[attr-defined]
    await system.flush(session, force=True)
    await coop.flush(session, force=True)
    return [row["id"] for row in people]
