"""governance.base.db.read: a plain reading function in one read transaction, on the reading
engine; on a SQLite file in a thread of the engine's synchronous twin, on PostgreSQL through the
async driver in REPEATABLE READ. Nothing here measures time."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

from sqlalchemy import text
from sqlmodel import Session

from governance.base import clock, db


def _reads(url: str) -> dict[str, object]:
    async def main() -> dict[str, object]:
        engine = db.make_engine(url, read_only=True)
        seen: dict[str, object] = {}
        try:

            def query(session: Session) -> int:
                seen["thread"] = threading.current_thread().name
                seen["now"] = clock.now()
                seen["in_transaction"] = session.in_transaction()
                if engine.dialect.name == "postgresql":
                    seen["isolation"] = session.execute(
                        text("SHOW transaction_isolation")
                    ).scalar_one()
                    seen["read_only"] = session.execute(
                        text("SHOW transaction_read_only")
                    ).scalar_one()
                return int(session.execute(text("SELECT 41 + 1")).scalar_one())

            with clock.shifted(dt.timedelta(days=400)):
                seen["value"] = await db.read(engine, query)
            seen["loop_thread"] = threading.current_thread().name
            # A disposed engine reads again (its twin's threads come back).
            await engine.dispose()
            seen["again"] = await db.read(engine, lambda s: s.execute(text("SELECT 1")).scalar())
        finally:
            await engine.dispose()
        return seen

    return asyncio.run(main())


def test_read_runs_the_function_in_one_transaction(database_url: str) -> None:
    seen = _reads(database_url)
    assert seen["value"] == 42
    assert seen["again"] == 1
    assert seen["in_transaction"] is True
    # The caller's context travels with the function (the clock's shift here; the language too).
    assert isinstance(seen["now"], dt.datetime)
    assert seen["now"] > dt.datetime.now(dt.UTC) + dt.timedelta(days=399)
    if database_url.startswith("sqlite"):
        # Every statement in one thread of the twin: one hop for the event loop.
        assert str(seen["thread"]).startswith("sqlite-read")
        assert seen["thread"] != seen["loop_thread"]
    else:
        assert seen["isolation"] == "repeatable read"
        assert seen["read_only"] == "on"
