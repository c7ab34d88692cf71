"""Permissions as guards, visible in the authorization matrix.

Every handler under /c/{slug} and /api/c/{slug} that changes something (POST, PUT, PATCH,
DELETE) declares the permission it needs as a guard (`members.context.requires`), on itself
or on its controller, except the few listed below, where the role alone does not decide
(the service does, from the proposal). And what a
guard refuses, the matrix (tests/authorization_support.py) expects to be refused: every
member whose role lacks the guard's permission gets a 403 there.
"""

from __future__ import annotations

from typing import Any

from governance.members.access import ROLES_FOR, Permission
from governance.members.context import Requires
from tests.authorization_support import MEMBERS, ROUTES
from tests.world import PEOPLE

CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Handlers without a role guard: the service decides from the proposal, not from the role.
OPEN_TO_MEMBERS = {
    # Who may vote is the proposal's voters, frozen when it opened, whatever their role now.
    ("POST", "/c/{slug:str}/proposals/{proposal_id:int}/ballot"),
    ("POST", "/api/c/{slug:str}/proposals/{proposal_id:int}/ballot"),
    # Giving and taking back one's proxy: a voter of the proposal, whatever their role now.
    ("POST", "/c/{slug:str}/proposals/{proposal_id:int}/proxy"),
    ("POST", "/c/{slug:str}/proposals/{proposal_id:int}/proxy/revoke"),
    # Opening a vote: coordinators, and cooperators when the cooperative's setting says so,
    # which a role alone cannot tell.
    ("POST", "/c/{slug:str}/proposals/{proposal_id:int}/open"),
}


def _cooperative_handlers(app: Any) -> dict[tuple[str, str], Any]:
    return {
        (method, route.path): handler
        for route in app.routes
        if route.path.startswith(("/c/", "/api/c/"))
        for handler in getattr(route, "route_handlers", ())
        for method in handler.http_methods
    }


def _permissions(handler: Any) -> list[Permission]:
    """The permissions of the guards declared on the handler or a layer above it."""
    return [
        guard.permission
        for layer in handler.ownership_layers
        for guard in layer.guards or ()
        if isinstance(guard, Requires)
    ]


def test_every_change_declares_its_permission(app: Any) -> None:
    handlers = _cooperative_handlers(app)
    unguarded = sorted(
        key
        for key, handler in handlers.items()
        if key[0] in CHANGES and key not in OPEN_TO_MEMBERS and not _permissions(handler)
    )
    assert not unguarded, f"handlers that change something without a permission guard: {unguarded}"
    stale = sorted(OPEN_TO_MEMBERS - set(handlers))
    assert not stale, f"no such handler any more: {stale}"
    guarded_open = sorted(key for key in OPEN_TO_MEMBERS if _permissions(handlers[key]))
    assert not guarded_open, f"listed as open to every member but guarded: {guarded_open}"


def test_the_matrix_refuses_what_the_guards_refuse(app: Any) -> None:
    mismatches = []
    for key, handler in _cooperative_handlers(app).items():
        if key not in ROUTES:
            continue  # the matrix test says which routes it misses
        expected_of = ROUTES[key][2]
        for permission in _permissions(handler):
            for persona in MEMBERS:
                role = PEOPLE[persona][2]
                expected = expected_of(persona)
                if role not in ROLES_FOR[permission] and expected != 403:
                    mismatches.append(f"{key}: {persona} lacks {permission}, matrix: {expected}")
    assert not mismatches, "\n".join(mismatches)
