"""Votes benchmark: counting 100 000 ranked ballots, and a distribution-rule proposal's page.

    .venv/bin/python -m bench.votes [--db sqlite|postgresql|both] [--runs N] [--ballots N]
                                    [--members N] [--prestations N] [--profile auto|always|never]
                                    [--only count|tally|page]

Three measurements, each in a child process (a fresh interpreter that loads what the server
loads), each against a baseline measured in the same child, best of `--runs`:

- `count`: `methods.ranked` on `--ballots` rankings of 6 options (pure), against a plain
  plurality count of the same ballots' first choices (`collections.Counter`), and against
  pyrankvote's instant runoff of the same rankings (`reference`: same winner, same rounds;
  issue 17's goal: methods.ranked in at most half pyrankvote's time);
- `tally`: `outcome.tally_now(session, proposal)` (every Ballot row of the proposal, then the
  count) on a database holding those ballots, against the bare `SELECT choice FROM ballot
  WHERE proposal_id = :p` in the same session;
- `page`: GET /c/<slug>/proposals/<id> of an open distribution-rule proposal (with its rule
  comparison over three closed months), through the real app in-process, against the
  members page of the same cooperative for the same member; `preview.compare` alone too.

Nothing is asserted about time: the run exits 0 when every step ran and its checks held, 1
when a check failed (the line then says INVALID), 2 when it could not set up. See
bench/README.md, "Votes benchmark".

This package: the ballots and the cooperative of the page as they are filled (`ballots`,
`coop`), the children (`tally`: the count and tally_now; `page`), pyrankvote's count and its
comparison (`reference`), the printed results (`report`), the runner (`__main__`; `--only`
runs the count alone, or the count and one of the database steps).
"""

from __future__ import annotations

GOAL_SECONDS = 1.0  # issue 5: 100 000 ranked ballots over 6 options counted in under a second


GOAL_RATIO = 0.5  # issue 17: methods.ranked at least twice as fast as pyrankvote's count


SEED = 20261204


# The ranked vote: where the cooperative's office goes. Six options, in the proposal's order.
OPTIONS = (
    "Outremeuse",
    "Centre-ville",
    "Guillemins",
    "Bureau partagé",
    "Seraing",
    "Rester rue Saint-Gilles",
)


# Voter blocs: (share of the voters, Plackett-Luce weight of each option). Chosen so that no
# option has a first-round majority and the count takes five rounds, the leader of the first
# round losing in the end.
BLOCS = (
    (0.30, (9, 5, 1, 1, 2, 1)),
    (0.26, (1, 2, 9, 6, 1, 1)),
    (0.20, (4, 9, 1, 1, 6, 2)),
    (0.14, (1, 1, 3, 9, 2, 5)),
    (0.10, (2, 2, 2, 2, 2, 2)),
)


# How many options a ballot ranks (1 to 6): partial rankings are common.
LENGTHS = ((1, 0.12), (2, 0.18), (3, 0.22), (4, 0.18), (5, 0.12), (6, 0.18))


RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as governance.votes.ballots


BALLOTS_SLUG = "benchvotes"


COOP_SLUG = "benchrule"


MONTHS = ("2026-08", "2026-09", "2026-10")  # filled, then closed through the services


START_MONTH = "2026-11"  # the proposal's rule starts the month after the last closed one


PROPOSED_TEMPLATE = "equal"  # the cooperative's rule is mixed_80_20


READER = "member1@rule.bench.example"  # the member who reads the pages (a cooperator)


BARE_SQL = "SELECT choice FROM ballot WHERE proposal_id = :p"


# tally_now's steps, timed apart (see _tally).
PARTS = {
    "bare_ordered": "the bare SELECT with tally_now's ORDER BY receipt",
    "core_choices": "select(ballot.c.choice) ORDER BY receipt: SQLAlchemy Core, JSON decoded",
    "ballots_of": "outcome.ballots_of: the same rows as ORM Ballot objects, all columns",
    "ballots_of_gc_off": "outcome.ballots_of with the garbage collector off",
    "count": "outcome.count (methods.ranked) on the choices",
}
