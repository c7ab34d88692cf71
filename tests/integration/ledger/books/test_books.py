"""Reading the books: trial balance, an account's pages, exports checked by hledger itself."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command as alembic
from sqlalchemy import text as sql

from governance.base import db
from governance.base.errors import NotFound, PermissionDenied
from governance.base.settings import Settings
from governance.cli import main
from governance.ledger.books import export_reads, reading
from governance.ledger.books.export import hledger_account, to_hledger
from governance.ledger.books.journal import Posting
from governance.ledger.books.posting import post
from governance.ledger.work.export_reads import prestations_for_export
from governance.members.access import Actor
from tests.books_support import TRICKY_MEMO, read, set_open_books


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("GOVERNANCE_VAR_DIR", str(tmp_path))
    return settings


def hledger() -> str:
    path = shutil.which("hledger")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("hledger is not installed (it is required in CI)")
        pytest.skip("hledger is not installed")
    return path


def hledger_balances(path: Path, *args: str) -> dict[str, int]:
    """`hledger bal` of a journal as {account: cents}; zero balances are left out."""
    out = subprocess.run(
        [hledger(), "-f", str(path), "bal", "-N", "--flat", "-O", "csv", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    balances = {}
    for account, amount in list(csv.reader(io.StringIO(out)))[1:]:
        number = amount.replace("EUR", "").replace(",", "").strip()
        cents = Decimal(number) * 100
        assert cents == cents.to_integral_value(), amount
        if cents:
            balances[account] = int(cents)
    return balances


def expected_balances(rows: list[reading.BalanceRow]) -> dict[str, int]:
    return {
        hledger_account(row.account, row.type): row.balance_cents
        for row in rows
        if row.balance_cents
    }


def test_the_trial_balance_balances(run: Any, world: Any, ledger: dict[str, int]) -> None:
    rows = read(run, reading.trial_balance, world.actor("carla"))
    by_code = {row.account: row for row in rows}
    assert sum(row.balance_cents for row in rows) == 0
    assert sum(row.debit_cents for row in rows) == sum(row.credit_cents for row in rows)
    # Revenue: 2 × 82.50 + 2 × 60.00 - 60.00 reversed - 10.01 to the fund.
    # Receivable CHU: 95.00 (with 12.50 travel) + 82.50 - 95.00 paid.
    assert by_code["revenue"].balance_cents == -(2 * 8250 + 6000) + 1001
    assert by_code[f"receivable:{ledger['chu']}"].balance_cents == 9500 + 8250 - 9500
    assert by_code[f"receivable:{ledger['cpas']}"].debit_cents == 2 * 6000
    assert by_code[f"receivable:{ledger['cpas']}"].credit_cents == 6000
    assert by_code["bank"].balance_cents == 9500 - 2399  # beta's 7.77 is not here
    assert by_code[f"payable:{world.ids['omar']}"].balance_cents == -1250
    october = read(run, reading.trial_balance, world.actor("carla"), "2026-10")
    assert {row.account: row.balance_cents for row in october} == {
        f"receivable:{ledger['chu']}": 9500,
        "revenue": -8250,
        f"payable:{world.ids['omar']}": -1250,
    }
    assert read(run, reading.trial_balance, world.actor("carla"), "2026-13") == []


def test_hledger_accepts_the_export_and_agrees_on_every_balance(
    run: Any,
    world: Any,
    ledger: dict[str, int],
    env: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "alpha.journal"
    assert main(["export", "--coop", "alpha", "--format", "hledger", "--output", str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    assert text == to_hledger(read(run, export_reads.journal_for_export, world.actor("olga")))
    assert "beta only" not in text

    check = subprocess.run(
        [hledger(), "-f", str(path), "check", "-s"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr + text

    rows = read(run, reading.trial_balance, world.actor("carla"))
    assert hledger_balances(path) == expected_balances(rows)
    assert "expenses:office%20supplies%3B%20%3Dx" in hledger_balances(path)
    for period, hledger_period in (("2026-10", "2026-10"), ("2026-11", "2026-11")):
        rows = read(run, reading.trial_balance, world.actor("carla"), period)
        assert hledger_balances(path, "-p", hledger_period) == expected_balances(rows)

    reversal = subprocess.run(
        [hledger(), "-f", str(path), "print", f"tag:reverses={ledger['reversed']}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert f"entry:{ledger['reversal']}," in reversal
    assert 'reversal =HYPERLINK("x") wrong client see ticket  ;' in reversal


def test_the_csv_export_of_lines_adds_up_to_the_trial_balance(
    run: Any, world: Any, ledger: dict[str, int], env: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "alpha.csv"
    assert main(["export", "--coop", "alpha", "--format", "csv", "--output", str(path)]) == 0
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    totals: Counter[str] = Counter()
    for row in rows:
        totals[row["account"]] += int(Decimal(row["amount"]) * 100)
    balances = read(run, reading.trial_balance, world.actor("carla"))
    assert {k: v for k, v in totals.items() if v} == {
        row.account: row.balance_cents for row in balances if row.balance_cents
    }
    memos = {row["memo"] for row in rows}
    assert "'" + TRICKY_MEMO in memos  # a formula-looking memo is neutralised
    assert any(row["amount"].startswith("-") for row in rows)  # amounts are not


def test_the_csv_export_of_prestations(
    world: Any, ledger: dict[str, int], env: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "prestations.csv"
    args = ["export", "--coop", "alpha", "--format", "csv", "--what", "prestations"]
    assert main([*args, "--output", str(path)]) == 0
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    assert {row["client"] for row in rows} == {"CHU", "'=CPAS"}
    assert "'-note" in {row["note"] for row in rows}
    assert {row["amount"] for row in rows} == {"82.50", "60.00"}


def test_export_of_an_unknown_cooperative_or_prestations_as_hledger_is_refused(
    env: Settings, world: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--coop", "nope", "--format", "hledger"]) == 2
    assert "no cooperative 'nope'" in capsys.readouterr().err
    args = ["export", "--coop", "alpha", "--format", "hledger", "--what", "prestations"]
    assert main(args) == 2


def test_export_to_standard_output(
    env: Settings, world: Any, ledger: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--coop", "beta", "--format", "hledger"]) == 0
    out = capsys.readouterr().out
    assert "payment beta only" in out
    assert "CHU" not in out


def test_pages_of_an_account_carry_the_running_balance(
    run: Any, world: Any, ledger: dict[str, int]
) -> None:
    async def more(session: Any) -> None:
        async with session.begin():
            for n in range(1, 9):
                await post(
                    session,
                    cooperative_id=world.alpha,
                    day=dt.date(2026, 11, 27),
                    kind="payment",
                    memo=f"payment {n}",
                    author_id=world.ids["carla"],
                    postings=[Posting("bank", 100 * n + 1), Posting("revenue", -(100 * n + 1))],
                )

    run(more)
    carla = world.actor("carla")
    whole = read(run, reading.account_lines, carla, "bank", limit=500)
    assert whole.next_after_id is None and whole.opening_balance == 0
    assert len(whole.lines) == 10
    running = 0
    for line in whole.lines:
        running += line.amount
        assert line.balance == running
    assert [line.line_id for line in whole.lines] == sorted(line.line_id for line in whole.lines)

    pages = [read(run, reading.account_lines, carla, "bank", limit=3)]
    while pages[-1].next_after_id is not None:
        pages.append(
            read(run, reading.account_lines, carla, "bank", pages[-1].next_after_id, limit=3)
        )
    assert [len(page.lines) for page in pages] == [3, 3, 3, 1]
    assert [line for page in pages for line in page.lines] == whole.lines
    third = pages[2]
    assert third.opening_balance == sum(line.amount for line in whole.lines[:6])
    assert third.opening_balance == pages[1].lines[-1].balance
    assert third.lines[0].memo == "payment 5"

    past_the_end = read(run, reading.account_lines, carla, "bank", whole.lines[-1].line_id)
    assert (past_the_end.lines, past_the_end.next_after_id) == ([], None)
    assert past_the_end.opening_balance == whole.lines[-1].balance
    with pytest.raises(NotFound):
        read(run, reading.account_lines, carla, "bank:nowhere")
    # Beta's bank is another account: alpha's pages never show it, and the reverse.
    beta_bank = read(run, reading.account_lines, world.actor("bea", "beta"), "bank")
    assert [line.amount for line in beta_bank.lines] == [777]


READERS = [
    (reading.trial_balance, ()),
    (reading.account_lines, ("bank",)),
    (export_reads.journal_for_export, ()),
]


@pytest.mark.parametrize(("function", "args"), READERS)
def test_open_books_let_cooperators_read(
    run: Any, world: Any, ledger: dict[str, int], function: Any, args: tuple[Any, ...]
) -> None:
    for key in ("omar", "olga", "carla"):
        assert read(run, function, world.actor(key), *args) is not None
    # The books hold every member's money: a worker reads only their own (docs/privacy.md).
    with pytest.raises(PermissionDenied):
        read(run, function, world.actor("wen"), *args)


@pytest.mark.parametrize(("function", "args"), READERS)
@pytest.mark.parametrize("closed", [False, "false", None])
def test_closed_books_refuse_cooperators_and_workers_only(
    run: Any,
    world: Any,
    ledger: dict[str, int],
    function: Any,
    args: tuple[Any, ...],
    closed: Any,
) -> None:
    set_open_books(run, world.alpha, closed)
    for key in ("omar", "wen"):
        with pytest.raises(PermissionDenied):
            read(run, function, world.actor(key), *args)
    for key in ("olga", "carla"):
        assert read(run, function, world.actor(key), *args) is not None
    assert read(run, function, reading.Operator(world.alpha), *args) is not None


@pytest.mark.parametrize(("function", "args"), READERS)
def test_strangers_and_suspended_members_never_read(
    run: Any, world: Any, ledger: dict[str, int], function: Any, args: tuple[Any, ...]
) -> None:
    for actor in (world.actor("bea", "alpha"), world.actor("sam")):
        with pytest.raises(PermissionDenied):
            read(run, function, actor, *args)
    nobody = Actor(person_id=world.ids["omar"], cooperative_id=world.beta)
    with pytest.raises(PermissionDenied):
        read(run, function, nobody, *args)


def test_prestations_for_export_follow_who_sees_whose_work(
    run: Any, world: Any, ledger: dict[str, int]
) -> None:
    everyone = read(run, prestations_for_export, world.actor("olga"))
    own = read(run, prestations_for_export, world.actor("omar"))
    operator = read(run, prestations_for_export, reading.Operator(world.alpha))
    assert len(everyone) == len(operator) == 4
    assert len(own) == 3 and {row.member for row in own} == {"Omar Cooperator"}
    assert [row.date for row in everyone] == sorted(row.date for row in everyone)
    with pytest.raises(PermissionDenied):
        read(run, prestations_for_export, world.actor("bea", "alpha"))


@pytest.mark.parametrize("batch", [1, 2, 3, 5000])
def test_the_exports_written_batch_by_batch_are_the_whole_texts(
    run: Any,
    world: Any,
    ledger: dict[str, int],
    env: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    batch: int,
) -> None:
    """The command writes each batch as it is read; entries cut by a batch are carried over,
    and the files are byte for byte the texts made from the whole lists."""
    from governance.ledger.books.export import to_csv_lines, to_csv_prestations
    from governance.ledger.work import export_reads as work_export

    operator = reading.Operator(world.alpha)
    entries = read(run, export_reads.journal_for_export, operator)
    prestations = read(run, prestations_for_export, operator)
    expected = {
        ("hledger", "lines"): to_hledger(entries),
        ("csv", "lines"): to_csv_lines(entries),
        ("csv", "prestations"): to_csv_prestations(prestations),
    }
    monkeypatch.setattr(export_reads, "EXPORT_BATCH", batch)
    monkeypatch.setattr(work_export, "EXPORT_BATCH", batch)
    for (fmt, what), text in expected.items():
        path = tmp_path / f"{fmt}-{what}.out"
        command = ["export", "--coop", "alpha", "--format", fmt, "--what", what]
        assert main([*command, "--output", str(path)]) == 0
        assert path.read_bytes() == text.encode("utf-8")


def test_the_period_totals_are_the_sums_of_the_lines(
    run: Any, ledger: dict[str, int], settings: Settings
) -> None:
    """The trigger-kept totals (governance/ledger/books/period_totals.py) equal the lines',
    per period and for all time (period ""), and the migration that brings them fills them
    from the lines already written."""
    sums = (
        "SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END), "
        "SUM(CASE WHEN amount < 0 THEN -amount ELSE 0 END)"
    )
    statements = (
        "SELECT cooperative_id, account_id, period, debit, credit FROM account_period_total "
        "WHERE period <> '' ORDER BY 1, 2, 3",
        f"SELECT cooperative_id, account_id, period, {sums} FROM ledger_line "
        "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        "SELECT cooperative_id, account_id, debit, credit FROM account_period_total "
        "WHERE period = '' ORDER BY 1, 2",
        f"SELECT cooperative_id, account_id, {sums} FROM ledger_line GROUP BY 1, 2 ORDER BY 1, 2",
    )

    async def read(session: Any) -> list[list[tuple[str, ...]]]:
        async with session.begin():
            connection = await session.connection()
            return [
                [tuple(map(str, row)) for row in await connection.execute(sql(statement))]
                for statement in statements
            ]

    kept, summed, kept_all, summed_all = run(read)
    assert len(kept) > 5 and len(kept_all) > 3
    assert len({row[0] for row in kept}) == 2  # alpha's and beta's
    assert kept == summed
    assert kept_all == summed_all

    config = db.alembic_config(settings.database_url)
    alembic.downgrade(config, "0020")
    alembic.upgrade(config, "head")
    assert run(read) == [summed, summed, summed_all, summed_all]
