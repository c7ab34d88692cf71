"""Each account's debit and credit totals per period and for all time, kept by the database
as lines arrive.

The trial balance summed every line of the cooperative; after five years that is millions of
lines read on each request. `account_period_total` holds, per account and period, the sum of
the account's debits and of its credits, and one more row per account, period `ALL_TIME`
(""), for all its periods together; a trigger on `ledger_line` adds each new line to both
rows (two upserts per line on SQLite, two grouped upserts per INSERT statement on
PostgreSQL), so every path that writes lines keeps them without knowing of it. The ledger
itself stays append-only; this table is derived from it and can be rebuilt from it at any
time (`rebuild_statements`).

Used by migrations: the statements must never change once a migration has used them.
"""

from __future__ import annotations

ALL_TIME = ""  # the period of an account's row for all time (no month is "")

_COLUMNS = "(cooperative_id, account_id, period, debit, credit)"
_UPSERT_TAIL = (
    "ON CONFLICT (cooperative_id, account_id, period) DO UPDATE SET "
    "debit = account_period_total.debit + excluded.debit, "
    "credit = account_period_total.credit + excluded.credit"
)
_SUMS = (
    "SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END), "
    "SUM(CASE WHEN amount < 0 THEN -amount ELSE 0 END)"
)


def rebuild_statements() -> list[str]:
    """Fill the (empty) table from every ledger line: the periods' rows, then all time's."""
    return [
        f"INSERT INTO account_period_total {_COLUMNS} "  # noqa: S608
        f"SELECT cooperative_id, account_id, period, {_SUMS} "
        "FROM ledger_line GROUP BY cooperative_id, account_id, period",
        f"INSERT INTO account_period_total {_COLUMNS} "  # noqa: S608
        f"SELECT cooperative_id, account_id, '{ALL_TIME}', {_SUMS} "
        "FROM ledger_line GROUP BY cooperative_id, account_id",
    ]


def add_lines_statements() -> list[str]:
    """Add the lines with ids from :first to before :after to the totals: for a bulk load that
    wrote them without the trigger (PostgreSQL's `session_replication_role = replica`)."""
    where = "FROM ledger_line WHERE id >= :first AND id < :after"
    return [
        f"INSERT INTO account_period_total {_COLUMNS} "
        f"SELECT cooperative_id, account_id, period, {_SUMS} {where} "
        f"GROUP BY cooperative_id, account_id, period {_UPSERT_TAIL}",
        f"INSERT INTO account_period_total {_COLUMNS} "
        f"SELECT cooperative_id, account_id, '{ALL_TIME}', {_SUMS} {where} "
        f"GROUP BY cooperative_id, account_id {_UPSERT_TAIL}",
    ]


def trigger_statements(dialect: str) -> list[str]:
    """The trigger that adds each new ledger line to its account's totals."""
    if dialect == "sqlite":
        values = (
            "NEW.cooperative_id, NEW.account_id, {period}, MAX(NEW.amount, 0), MAX(-NEW.amount, 0)"
        )
        return [
            "CREATE TRIGGER ledger_line_period_total AFTER INSERT ON ledger_line BEGIN "  # noqa: S608
            f"INSERT INTO account_period_total {_COLUMNS} "
            f"VALUES ({values.format(period='NEW.period')}) {_UPSERT_TAIL}; "
            f"INSERT INTO account_period_total {_COLUMNS} "
            f"VALUES ({values.format(period=repr(ALL_TIME))}) {_UPSERT_TAIL}; END",
        ]
    if dialect == "postgresql":
        sums = "SUM(GREATEST(amount, 0)), SUM(GREATEST(-amount, 0))"
        return [
            "CREATE OR REPLACE FUNCTION ledger_line_add_period_totals() RETURNS trigger "  # noqa: S608
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"INSERT INTO account_period_total {_COLUMNS} "
            f"SELECT cooperative_id, account_id, period, {sums} FROM new_lines "
            "GROUP BY cooperative_id, account_id, period "
            "ORDER BY cooperative_id, account_id, period "
            f"{_UPSERT_TAIL}; "
            f"INSERT INTO account_period_total {_COLUMNS} "
            f"SELECT cooperative_id, account_id, '{ALL_TIME}', {sums} FROM new_lines "
            "GROUP BY cooperative_id, account_id ORDER BY cooperative_id, account_id "
            f"{_UPSERT_TAIL}; RETURN NULL; END $$",
            "CREATE TRIGGER ledger_line_period_totals AFTER INSERT ON ledger_line "
            "REFERENCING NEW TABLE AS new_lines "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_line_add_period_totals()",
        ]
    raise ValueError(f"no period-total trigger for {dialect}")


def drop_trigger_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return ["DROP TRIGGER IF EXISTS ledger_line_period_total"]
    return [
        "DROP TRIGGER IF EXISTS ledger_line_period_totals ON ledger_line",
        "DROP FUNCTION IF EXISTS ledger_line_add_period_totals()",
    ]
