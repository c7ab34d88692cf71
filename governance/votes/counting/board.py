"""The bulletin board as a file: read it, recount it, compare with the result it claims.

Format `governance-board/1` (docs/votes-board.md). Pure: text in, results out; the CLI
(`governance votes tally|verify FILE`) prints them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from governance.votes.counting.methods import (
    METHODS,
    BallotError,
    Result,
    approval,
    consent,
    parse_fraction,
    ranked,
)

FORMAT = "governance-board/1"
MAX_BALLOTS = 100_000


@dataclass(frozen=True)
class Board:
    method: str
    options: tuple[str, ...]
    eligible: int
    quorum: Fraction
    threshold: Fraction
    choices: tuple[str, ...]  # approval, consent
    rankings: tuple[tuple[str, ...], ...]  # ranked
    claimed: dict[str, Any] | None  # the board's own "result", if any


def _text_list(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise BallotError(f"{what} must be a list of non-empty strings")
    return tuple(value)


def load_board(text: str) -> Board:
    """A board from its JSON text. Raises BallotError naming the first problem."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BallotError(f"not JSON: {error}") from None
    if not isinstance(data, dict):
        raise BallotError("a board is a JSON object")
    if data.get("format") != FORMAT:
        raise BallotError(f'"format" must be "{FORMAT}"')
    method = data.get("method")
    if method not in METHODS:
        raise BallotError(f'"method" must be one of {", ".join(METHODS)}')
    eligible = data.get("eligible")
    if isinstance(eligible, bool) or not isinstance(eligible, int) or eligible < 0:
        raise BallotError('"eligible" must be a whole number')
    quorum = parse_fraction(data.get("quorum"), '"quorum"')
    # consent has no threshold (adopted without objection): the key is ignored there.
    threshold = (
        Fraction(0) if method == "consent" else parse_fraction(data.get("threshold"), '"threshold"')
    )
    options = _text_list(data.get("options", []), '"options"')
    ballots = data.get("ballots")
    if not isinstance(ballots, list):
        raise BallotError('"ballots" must be a list')
    if len(ballots) > MAX_BALLOTS:
        raise BallotError(f"more than {MAX_BALLOTS} ballots")
    receipts: set[str] = set()
    choices: list[str] = []
    rankings: list[tuple[str, ...]] = []
    for number, ballot in enumerate(ballots, start=1):
        where = f"ballot {number}"
        if not isinstance(ballot, dict):
            raise BallotError(f"{where} must be an object")
        receipt = ballot.get("receipt")
        if not isinstance(receipt, str) or not receipt:
            raise BallotError(f'{where} has no "receipt"')
        if receipt in receipts:
            raise BallotError(f"{where}: the receipt {receipt!r} appears twice")
        receipts.add(receipt)
        if method == "ranked":
            rankings.append(_text_list(ballot.get("ranking"), f'{where}: "ranking"'))
        else:
            choice = ballot.get("choice")
            if not isinstance(choice, str):
                raise BallotError(f'{where} has no "choice"')
            choices.append(choice)
    claimed = data.get("result")
    if claimed is not None and not isinstance(claimed, dict):
        raise BallotError('"result" must be an object')
    return Board(
        method=method,
        options=options,
        eligible=eligible,
        quorum=quorum,
        threshold=threshold,
        choices=tuple(choices),
        rankings=tuple(rankings),
        claimed=claimed,
    )


def tally(board: Board) -> Result:
    """The result computed from the ballots alone (any `result` in the board is ignored)."""
    if board.method == "approval":
        return approval(
            board.choices, eligible=board.eligible, quorum=board.quorum, threshold=board.threshold
        )
    if board.method == "consent":
        return consent(board.choices, eligible=board.eligible, quorum=board.quorum)
    if board.threshold != Fraction(1, 2):
        raise BallotError('a ranked vote is won by a majority: "threshold" must be "1/2"')
    return ranked(
        board.rankings, options=board.options, eligible=board.eligible, quorum=board.quorum
    )


def differences(board: Board, result: Result) -> list[str]:
    """Where the board's own result differs from the recount (every key the recount gives;
    keys only the board has are ignored). A board without a result differs."""
    if board.claimed is None:
        return ['the board has no "result" to verify']
    computed = result.as_data()
    return [
        f"{key}: the board says {json.dumps(board.claimed.get(key))}, "
        f"the recount gives {json.dumps(value)}"
        for key, value in computed.items()
        if not _same(key, board.claimed.get(key), value)
    ]


def _same(key: str, claimed: object, computed: object) -> bool:
    """Equal as JSON (true is not 1, 5.0 is not 5); fractions by value ("2/4" is "1/2")."""
    if key in ("quorum", "threshold") and isinstance(claimed, str):
        try:
            return parse_fraction(claimed, key) == parse_fraction(computed, key)
        except BallotError:
            return False
    return json.dumps(claimed, sort_keys=True) == json.dumps(computed, sort_keys=True)
