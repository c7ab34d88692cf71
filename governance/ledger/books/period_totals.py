"""Each account's debit and credit totals per period, kept by the database as lines arrive.

The trial balance sums every line of the cooperative; after five years that is millions of
lines read on each request. `account_period_total` holds, per account and period, the sum of
the account's debits and of its credits; a trigger on `ledger_line` adds each new line to its
row (one row per line on SQLite, one grouped upsert per INSERT statement on PostgreSQL), so
every path that writes lines keeps it without knowing of it. The ledger itself stays
append-only; this table is derived from it and can be rebuilt from it at any time
(`rebuild_statement`).

Used by migrations: the statements must never change once a migration has used them.
"""

from __future__ import annotations

_UPSERT_TAIL = (
    "ON CONFLICT (cooperative_id, account_id, period) DO UPDATE SET "
    "debit = account_period_total.debit + excluded.debit, "
    "credit = account_period_total.credit + excluded.credit"
)


def rebuild_statement() -> str:
    """Fill the (empty) table from every ledger line."""
    return (
        "INSERT INTO account_period_total (cooperative_id, account_id, period, debit, credit) "
        "SELECT cooperative_id, account_id, period, "
        "SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END), "
        "SUM(CASE WHEN amount < 0 THEN -amount ELSE 0 END) "
        "FROM ledger_line GROUP BY cooperative_id, account_id, period"
    )


def trigger_statements(dialect: str) -> list[str]:
    """The trigger that adds each new ledger line to its account's period totals."""
    if dialect == "sqlite":
        return [
            "CREATE TRIGGER ledger_line_period_total AFTER INSERT ON ledger_line BEGIN "  # noqa: S608
            "INSERT INTO account_period_total "
            "(cooperative_id, account_id, period, debit, credit) VALUES "
            "(NEW.cooperative_id, NEW.account_id, NEW.period, "
            "MAX(NEW.amount, 0), MAX(-NEW.amount, 0)) "
            f"{_UPSERT_TAIL}; END",
        ]
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION ledger_line_add_period_totals() RETURNS trigger "  # noqa: S608
            "LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO account_period_total "
            "(cooperative_id, account_id, period, debit, credit) "
            "SELECT cooperative_id, account_id, period, "
            "SUM(GREATEST(amount, 0)), SUM(GREATEST(-amount, 0)) FROM new_lines "
            "GROUP BY cooperative_id, account_id, period "
            "ORDER BY cooperative_id, account_id, period "
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
