"""The cooperative of a `/c/{slug}` URL and the asking person's membership there: the context
every cooperative page and API handler receives (`provide_coop`, the dependency of the
/c/{slug} and /api/c/{slug} routers in governance/app.py), and the guards that check a
permission before a handler runs (`requires`); and the member list page, which two
controllers show (members/pages.py, and mail/pages.py after an invitation)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, SerializationException
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.params import FromPath
from litestar.response import Template
from sqlmodel import Session

from governance.auth.current import require_person
from governance.auth.middleware import READ_WITH_PERSON
from governance.auth.models import Person
from governance.base.errors import NotFound, PermissionDenied
from governance.base.http import Db, page, read
from governance.base.i18n import _
from governance.members import Role, invitations, listing
from governance.members import service as members
from governance.members.access import Actor, Permission, allows
from governance.members.models import Cooperative, Membership
from governance.members.visibility import reads_everyones_money


@dataclass(frozen=True)
class CoopContext:
    cooperative: Cooperative
    membership: Membership
    person: Person

    @property
    def actor(self) -> Actor:
        assert self.cooperative.id is not None and self.person.id is not None
        return Actor(person_id=self.person.id, cooperative_id=self.cooperative.id)

    def can(self, permission: str) -> bool:
        return allows(self.membership.role, Permission(permission))

    @property
    def reads_everyones_money(self) -> bool:
        """Whether the reader sees other members' money, the books among it (docs/privacy.md)."""
        return reads_everyones_money(self.membership.role, self.cooperative.settings)


Coop = NamedDependency[CoopContext]


async def provide_coop(request: Request, slug: FromPath[str]) -> CoopContext:
    """The cooperative of the URL and the person's active membership there.

    Anonymous: LoginRequired. Unknown cooperative or not a member: NotFound (a person never
    learns about cooperatives they do not belong to). Suspended: PermissionDenied.
    Read once per request: a guard (`requires`) that ran before left it in the request's state.
    """
    found: CoopContext | None = request.state.get(_STATE_KEY)
    if found is not None:
        return found
    return await _read_context(request, slug)


_STATE_KEY = "coop"


def read_coop_with_person(
    session: Session, person: Person, path_params: Mapping[str, Any]
) -> tuple[str, int, tuple[Cooperative, Membership | None] | None] | None:
    """The cooperative of the URL and the person's membership, read by the session check in
    its transaction (a route's `opt` READ_WITH_PERSON, governance.auth.middleware): the slug
    and person it was read for, and what `members.membership_at` found."""
    slug = path_params.get("slug")
    if not isinstance(slug, str) or person.id is None:
        return None
    return slug, person.id, members.membership_at(session, person.id, slug)


COOP_WITH_PERSON = {READ_WITH_PERSON: read_coop_with_person}  # the `opt` of a route that uses it


async def _read_context(request: Request, slug: str) -> CoopContext:
    person = require_person(request)
    person_id = person.id
    assert person_id is not None
    early = request.state.get(READ_WITH_PERSON)
    if early is not None and early[0] == slug and early[1] == person_id:
        found = early[2]  # read with the person, in the session check's transaction
    else:
        # One statement in a read transaction of its own (one hop on SQLite), whatever the
        # method: the services begin their own transactions on the handler's session.
        found = await read(request, lambda session: members.membership_at(session, person_id, slug))
    if found is None:
        raise NotFound(_("There is no cooperative at this address."))
    cooperative, membership = found
    # A request never ends a lapsed mandate (GET requests never write): the worker does
    # (governance/worker.py), within a minute of the term's end.
    membership = members.ensure_not_denied(membership)
    context = CoopContext(cooperative, membership, person)
    request.state[_STATE_KEY] = context
    return context


@dataclass(frozen=True)
class Requires:
    """A Litestar guard: the asking person's role in the URL's cooperative grants `permission`,
    or the request stops with PermissionDenied before its handler runs, before a form or a JSON
    body's fields are read, so that a member learns about their role, not about their input.

    Declared on the handler (`guards=[requires(Permission.POST_JOURNAL)]`) or on a controller
    whose every handler needs it; tests/integration/app/test_guards.py reads `permission`.
    The services check their permission again: the guard is the first of two doors.
    """

    permission: Permission

    async def __call__(self, connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        # Litestar runs guards before anything else. What came before the role check when it
        # was the handler's first line (or its body's dependency) still comes first:
        # the application's before-request hook (the reader's language, impossible ids as 404s),
        # then a JSON body that is not JSON at all (422, as Litestar refuses it when it reads
        # `data`, always a JSON body here), then the cooperative of the URL (login, 404,
        # suspended).
        request = cast(Request, connection)  # an HTTP handler's guard receives its request
        before = cast(HTTPRouteHandler, handler).resolve_before_request()
        if before is not None:
            await before(request)
        if "data" in handler.parsed_fn_signature.parameters:
            try:
                await request.json()
            except SerializationException as error:
                raise ClientException(str(error)) from error
        coop = await _context_of(request)
        if not coop.can(self.permission):
            raise PermissionDenied(_("Your role does not allow this."))


def requires(permission: Permission) -> Requires:
    """The guard of one permission (see `Requires`)."""
    return Requires(permission)


async def _context_of(request: Request) -> CoopContext:
    """The request's cooperative context, read once (guards run before the handler's
    dependencies)."""
    found: CoopContext | None = request.state.get(_STATE_KEY)
    if found is not None:
        return found
    return await _read_context(request, request.path_params["slug"])


async def members_page(
    request: Request,
    db: Db,
    coop: CoopContext,
    status_code: int = 200,
    *,
    after: int | None = None,
    before: int | None = None,
    search: str = "",
    **extra: object,
) -> Template:
    """One page of the member list (members/listing.py: `after`/`before` a person, names
    containing `search`); coordinators also see the pending invitations and the actions.
    `extra`: the form's `values` and `errors`, an `error`, or the link of a new invitation."""
    found = await listing.member_page(db, coop.actor, after=after, before=before, search=search)
    pending = (
        await invitations.pending_invitations(db, coop.actor) if coop.can("manage_members") else []
    )
    return page(
        request,
        "members/list.html",
        status_code=status_code,
        rows=found.rows,
        listing=found,
        paged=after is not None or before is not None,
        invitations=pending,
        roles=list(Role),
        values=extra.pop("values", {}),
        errors=extra.pop("errors", {}),
        **extra,
    )
