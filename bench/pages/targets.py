"""What each database's pages need, read with plain SQL before anything is measured: the
cooperative, who logs in, a closed month with the member's statement, the open rule proposal,
the audit trail's page 1 000 and the `revenue` account's page 1 000 (or the deepest page a
small cooperative has).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import create_engine, text

PAGE = 50  # rows per page of the audit trail and of an account
DEEP = 1_000  # the deep page measured


@dataclass(frozen=True)
class Targets:
    slug: str
    cooperative_id: int
    member_email: str
    member_password: str
    member_id: int
    coordinator_email: str
    coordinator_password: str
    month: str
    proposal_id: int
    audit_events: int
    audit_before: int
    audit_page: int  # the page `audit_before` shows (1 000, or the last of a smaller trail)
    revenue_lines: int
    account_after: int
    account_page: int

    def fields(self) -> dict[str, Any]:
        return asdict(self)


def sync_url(url: str) -> str:
    return url.replace("sqlite+aiosqlite://", "sqlite://")


def read_targets(
    url: str, slug: str, member_email: str, password: str, proposal_id: int | None
) -> Targets:
    """The targets of cooperative `slug` (the coordinator is its first, with `password` too)."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as c:

            def one(sql: str, **params: Any) -> Any:
                return c.execute(text(sql), params).first()

            coop_id = one("SELECT id FROM cooperative WHERE slug = :s", s=slug)[0]
            member_id = one("SELECT id FROM person WHERE email = :e", e=member_email)[0]
            coordinator = one(
                "SELECT p.email FROM person p JOIN membership m ON m.person_id = p.id "
                "WHERE m.cooperative_id = :c AND m.role = 'coordinator' ORDER BY p.id LIMIT 1",
                c=coop_id,
            )[0]
            month = one(
                "SELECT max(month) FROM statement WHERE cooperative_id = :c AND member_id = :m",
                c=coop_id,
                m=member_id,
            )[0]
            if proposal_id is None:
                proposal_id = one(
                    "SELECT max(id) FROM proposal WHERE cooperative_id = :c "
                    "AND kind = 'distribution_rule' AND state = 'open'",
                    c=coop_id,
                )[0]
            events = one(
                "SELECT max(seq) FROM audit_event WHERE chain = :ch", ch=f"coop:{coop_id}"
            )[0]
            # Page n of the trail shows the events before max + 1 - 50 (n - 1).
            audit_page = min(DEEP, max(1, (events - 1) // PAGE))
            audit_before = events + 1 - PAGE * (audit_page - 1)
            revenue = one(
                "SELECT id FROM account WHERE cooperative_id = :c AND code = 'revenue'", c=coop_id
            )[0]
            lines = one("SELECT count(*) FROM ledger_line WHERE account_id = :a", a=revenue)[0]
            account_page = min(DEEP, max(2, lines // PAGE))
            account_after = one(
                "SELECT id FROM ledger_line WHERE account_id = :a ORDER BY id LIMIT 1 OFFSET :o",
                a=revenue,
                o=PAGE * (account_page - 1) - 1,
            )[0]
    finally:
        engine.dispose()
    if month is None or proposal_id is None:
        raise ValueError(f"{slug}: no closed month for {member_email}, or no open rule proposal")
    return Targets(
        slug=slug,
        cooperative_id=int(coop_id),
        member_email=member_email,
        member_password=password,
        member_id=int(member_id),
        coordinator_email=str(coordinator),
        coordinator_password=password,
        month=str(month),
        proposal_id=int(proposal_id),
        audit_events=int(events),
        audit_before=int(audit_before),
        audit_page=audit_page,
        revenue_lines=int(lines),
        account_after=int(account_after),
        account_page=account_page,
    )
