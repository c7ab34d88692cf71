"""The ranked ballots: generated from a fixed seed, and filled into a database with their
open proposal and their voters."""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

from bench.cooperative import (
    found,
    person_rows,
)
from bench.databases import after_fill, next_id
from bench.votes import (
    BALLOTS_SLUG,
    BLOCS,
    LENGTHS,
    OPTIONS,
    RECEIPT_ALPHABET,
    SEED,
)
from governance.auth.models import Person
from governance.base import clock
from governance.base.db import bulk_insert, make_engine, make_sessionmaker
from governance.votes.counting.kinds import ProposalKind, ProposalState, Visibility
from governance.votes.models import Ballot, Proposal


def rankings(n: int, seed: int = SEED) -> list[list[str]]:
    """`n` rankings, best first, reproducible from `seed`: each voter belongs to a bloc and
    ranks the options by a Plackett-Luce draw with the bloc's weights, keeping the first 1 to 6
    (exponential keys: the option with the smallest Exp(weight) draw comes first)."""
    rng = random.Random(seed)
    bloc_cumulative = list(_cumulative([share for share, _w in BLOCS]))
    length_cumulative = list(_cumulative([w for _n, w in LENGTHS]))
    found = []
    log = math.log
    for _ in range(n):
        weights = BLOCS[_pick(bloc_cumulative, rng.random())][1]
        keys = [-log(1.0 - rng.random()) / w for w in weights]
        order = sorted(range(len(OPTIONS)), key=keys.__getitem__)
        length = LENGTHS[_pick(length_cumulative, rng.random())][0]
        found.append([OPTIONS[i] for i in order[:length]])
    return found


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = sum(weights)
    running = 0.0
    for w in weights:
        running += w / total
        yield running


def _pick(cumulative: list[float], u: float) -> int:
    for index, edge in enumerate(cumulative):
        if u < edge:
            return index
    return len(cumulative) - 1


def receipts(n: int, seed: int = SEED) -> list[str]:
    """`n` distinct receipts in the service's format (XXXX-XXXX-XXXX), reproducible."""
    rng = random.Random(seed + 1)
    seen: set[str] = set()
    while len(seen) < n:
        code = "".join(rng.choices(RECEIPT_ALPHABET, k=12))
        seen.add(f"{code[:4]}-{code[4:8]}-{code[8:]}")
    found = sorted(seen)
    rng.shuffle(found)
    return found


@dataclass
class BallotsFilled:
    cooperative_id: int
    proposal_id: int
    ballots: int
    seconds: float


async def fill_ballots(url: str, ballots: list[list[str]]) -> BallotsFilled:
    """An open ranked proposal (ORM), its voters as person rows and one ballot each (bulk)."""
    started = time.perf_counter()
    engine = make_engine(url)
    n = len(ballots)
    try:
        coop_id, coordinator = await found(
            engine, BALLOTS_SLUG, "Bench votes", "coord@votes.bench.example"
        )
        assert coordinator.id is not None
        now = clock.now()
        sessions = make_sessionmaker(engine)
        async with sessions() as session, session.begin():
            connection = await session.connection()
            if engine.dialect.name == "postgresql":
                # Not measured: skip the foreign-key triggers of 2 × n rows (all valid).
                await connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            proposal = Proposal(
                cooperative_id=coop_id,
                kind=ProposalKind.DECISION,
                title="Où installer le bureau de la coopérative ?",
                body="Six lieux possibles. Classez ceux que vous acceptez, du meilleur "
                "au moins bon.",
                method="ranked",
                quorum="1/2",
                threshold="1/2",
                visibility=Visibility.SECRET,
                results_hidden=True,
                options=[{"label": label} for label in OPTIONS],
                effect={},
                state=ProposalState.OPEN,
                created_by_id=coordinator.id,
                created_at=now,
                opened_by_id=coordinator.id,
                opens_at=now,
                closes_at=now + dt.timedelta(days=14),
                eligible_count=n,
            )
            session.add(proposal)
            await session.flush()
            assert proposal.id is not None
            first = await next_id(connection, "person")
            persons = person_rows(
                first, n, "voter", "votes.bench.example", coordinator.password_hash, now
            )
            await bulk_insert(session, Person.__table__, persons)  # type: ignore[attr-defined]
            rows = [
                {
                    "proposal_id": proposal.id,
                    "voter_id": first + i,
                    "cast_by_id": first + i,
                    "choice": ranking,
                    "reason": "",
                    "receipt": receipt,
                    "cast_at": now,
                }
                for i, (ranking, receipt) in enumerate(zip(ballots, receipts(n), strict=True))
            ]
            await bulk_insert(session, Ballot.__table__, rows)  # type: ignore[attr-defined]
            proposal_id = proposal.id
        await after_fill(engine, ("person",))
    finally:
        await engine.dispose()
    return BallotsFilled(coop_id, proposal_id, n, time.perf_counter() - started)
