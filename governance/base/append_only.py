"""Database triggers that guard the journal, on SQLite and PostgreSQL alike: append-only tables,
and ledger lines whose running balance must add up.

Used by migrations; the statements must never change once a migration has used them.
"""

from __future__ import annotations


def create_statements(dialect: str, table: str) -> list[str]:
    message = f"{table} is append-only: corrections are new rows"
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        ]
    if dialect == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {table}_refuse_change() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{message}' "
            f"USING ERRCODE = 'integrity_constraint_violation'; END $$",
            f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse_change()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse_change()",
        ]
    raise ValueError(f"no append-only triggers for {dialect}")


def drop_statements(dialect: str, table: str) -> list[str]:
    if dialect == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_update",
            f"DROP TRIGGER IF EXISTS {table}_no_delete",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_refuse_change()",
    ]


# The account's balance before a new line: the balance of its latest line, or 0.
_PREVIOUS_BALANCE = (
    "COALESCE((SELECT balance FROM ledger_line AS previous "
    "WHERE previous.account_id = NEW.account_id ORDER BY previous.id DESC LIMIT 1), 0)"
)
_BALANCE_MESSAGE = "ledger_line.balance must be the previous balance of the account plus the amount"


def running_balance_statements(dialect: str) -> list[str]:
    """A trigger refusing a ledger line whose `balance` is not the running balance."""
    if dialect == "sqlite":
        return [
            "CREATE TRIGGER ledger_line_running_balance BEFORE INSERT ON ledger_line "
            f"WHEN NEW.balance IS NOT {_PREVIOUS_BALANCE} + NEW.amount "
            f"BEGIN SELECT RAISE(ABORT, '{_BALANCE_MESSAGE}'); END",
        ]
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION ledger_line_check_balance() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.balance IS DISTINCT FROM {_PREVIOUS_BALANCE} + NEW.amount THEN "
            f"RAISE EXCEPTION '{_BALANCE_MESSAGE}' "
            "USING ERRCODE = 'integrity_constraint_violation'; END IF; RETURN NEW; END $$",
            "CREATE TRIGGER ledger_line_running_balance BEFORE INSERT ON ledger_line "
            "FOR EACH ROW EXECUTE FUNCTION ledger_line_check_balance()",
        ]
    raise ValueError(f"no running-balance trigger for {dialect}")


def drop_running_balance_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return ["DROP TRIGGER IF EXISTS ledger_line_running_balance"]
    return [
        "DROP TRIGGER IF EXISTS ledger_line_running_balance ON ledger_line",
        "DROP FUNCTION IF EXISTS ledger_line_check_balance()",
    ]


# PostgreSQL, from migration 0008: the same check once per INSERT statement over all its rows
# (a transition table), so that a close's thousand lines are one check, not a thousand plans.
_PREVIOUS_OF_NEW = (
    "COALESCE((SELECT previous.balance FROM ledger_line AS previous "
    "WHERE previous.account_id >= line.account_id AND previous.account_id <= line.account_id "
    "AND previous.id < line.id "
    "ORDER BY previous.account_id DESC, previous.id DESC LIMIT 1), 0)"
)
# The account as a range and the order as the (account_id, id) index's: only that index gives
# the order, so no plan walks the primary key backwards through the whole journal looking for
# an account without lines (with `account_id = x` the order by id alone would do).


# A new line must also come after every earlier line of its account (the row trigger compared
# with the account's latest line): a line slipped in below an existing one would break the
# balance of the line after it.
# Read backwards from the account's newest line, as above: the first line found that is not
# one of the statement's is the newest earlier line.
_OLDER_THAN_EXISTING = (
    "COALESCE((SELECT later.id FROM ledger_line AS later "
    "WHERE later.account_id >= line.account_id AND later.account_id <= line.account_id "
    "AND later.id NOT IN (SELECT id FROM new_lines) "
    "ORDER BY later.account_id DESC, later.id DESC LIMIT 1), 0) > line.id"
)


def statement_balance_statements() -> list[str]:
    """PostgreSQL only: the running-balance check as an AFTER INSERT statement trigger."""
    return [
        "CREATE OR REPLACE FUNCTION ledger_line_check_balances() RETURNS trigger "  # noqa: S608
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM new_lines AS line "
        f"WHERE line.balance IS DISTINCT FROM {_PREVIOUS_OF_NEW} + line.amount "
        f"OR {_OLDER_THAN_EXISTING}) THEN "
        f"RAISE EXCEPTION '{_BALANCE_MESSAGE}' "
        "USING ERRCODE = 'integrity_constraint_violation'; END IF; RETURN NULL; END $$",
        "CREATE TRIGGER ledger_line_running_balances AFTER INSERT ON ledger_line "
        "REFERENCING NEW TABLE AS new_lines "
        "FOR EACH STATEMENT EXECUTE FUNCTION ledger_line_check_balances()",
    ]


def drop_statement_balance_statements() -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS ledger_line_running_balances ON ledger_line",
        "DROP FUNCTION IF EXISTS ledger_line_check_balances()",
    ]
