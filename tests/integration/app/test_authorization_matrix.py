"""Every route, called by every kind of visitor: the expected status, cell by cell.

Personas: anonymous, a cooperator, a worker, a coordinator, an observer, a suspended member
and a coordinator of another cooperative. The first test fails when a route is added without
its row here, so the matrix always covers every route.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.authorization_support import (
    PERSONAS,
    ROUTES,
)


def test_the_matrix_covers_every_route(app: Any) -> None:
    routes = {
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in ("OPTIONS", "HEAD")
    }
    assert routes == set(ROUTES), (
        f"missing from the matrix: {sorted(routes - set(ROUTES))}; "
        f"stale in the matrix: {sorted(set(ROUTES) - routes)}"
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_cell_of_the_matrix_holds(persona: str, visitor: Any, world: Any) -> None:
    if persona != "anonymous":
        visitor.login(persona)
    failures = []
    for (method, _template), (path_of, data, expected_of) in ROUTES.items():
        path = path_of(world)
        if method == "GET":
            response = visitor.get(path)
        elif path.startswith("/api/"):
            response = visitor.post_json(path, data)
        else:
            response = visitor.post(path, data)
        expected = expected_of(persona)
        if response.status_code != expected:
            failures.append(f"{method} {path}: expected {expected}, got {response.status_code}")
        assert response.status_code != 500, f"{method} {path} gave a 500"
    assert not failures, f"{persona}:\n" + "\n".join(failures)


@pytest.mark.parametrize("method_path", [k for k in ROUTES if k[0] == "POST"])
def test_every_form_is_refused_without_a_csrf_token(
    method_path: tuple[str, str], client: Any, world: Any
) -> None:
    path = ROUTES[method_path][0](world)
    response = client.post(path, data=ROUTES[method_path][1] or {}, follow_redirects=False)
    assert response.status_code == 403


# What a statement that writes, or takes a writer's lock, starts with.
WRITES = re.compile(
    r"\b(INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|CREATE|DROP|ALTER|TRUNCATE|COPY)\b"
    r"|BEGIN IMMEDIATE|FOR (NO KEY )?UPDATE|FOR (KEY )?SHARE|pg_advisory",
    re.IGNORECASE,
)


@pytest.mark.parametrize("persona", ["anonymous", "omar", "carla", "sam", "bea"])
def test_no_get_route_writes(persona: str, visitor: Any, world: Any, app: Any) -> None:
    """Every GET of the matrix, with the database's statements watched: none writes, none
    takes the writer's lock (GET requests only read; the worker does what time brings).
    On PostgreSQL the reading engine's transactions are read-only besides: the server itself
    refuses a write that this watch could miss (COPY through the driver, say)."""
    from sqlalchemy import event

    if persona != "anonymous":
        visitor.login(persona)
    seen: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if WRITES.search(statement):
            seen.append(statement.split("\n", 1)[0][:120])

    engines = {id(e): e for e in (app.state.engine, app.state.read_engine)}
    for engine in engines.values():
        event.listen(engine.sync_engine, "before_cursor_execute", watch)
    try:
        for (method, _template), (path_of, _data, _expected) in ROUTES.items():
            if method == "GET":
                seen.clear()
                response = visitor.get(path_of(world))
                assert response.status_code != 500
                assert seen == [], f"GET {path_of(world)} wrote: {seen}"
    finally:
        for engine in engines.values():
            event.remove(engine.sync_engine, "before_cursor_execute", watch)


def test_on_postgresql_the_reading_engine_refuses_to_write(app: Any, client: Any) -> None:

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    if app.state.read_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL: SQLite's reader is kept from the write lock instead")

    async def write_through_the_reader() -> str:
        async with app.state.read_engine.connect() as connection:
            try:
                await connection.execute(text("UPDATE cooperative SET name = name"))
            except DBAPIError as error:
                return str(error.orig)
        return "written"

    assert "read-only transaction" in client.blocking_portal.call(write_through_the_reader)
