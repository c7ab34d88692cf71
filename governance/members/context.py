"""The cooperative of a `/c/{slug}` URL and the asking person's membership there: the context
every cooperative page and API handler receives."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import FromPath

from governance.auth.current import require_person
from governance.auth.models import Person
from governance.base.errors import NotFound
from governance.base.http import Db
from governance.base.i18n import _
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


async def provide_coop(request: Request, slug: FromPath[str], db: Db) -> CoopContext:
    """The cooperative of the URL and the person's active membership there.

    Anonymous: LoginRequired. Unknown cooperative or not a member: NotFound (a person never
    learns about cooperatives they do not belong to). Suspended: PermissionDenied.
    """
    person = require_person(request)
    assert person.id is not None
    found = await members.membership_in(db, person.id, slug)
    if found is None:
        raise NotFound(_("There is no cooperative at this address."))
    cooperative, membership = found
    await db.rollback()  # the services begin their own transactions on this session
    # A request never ends a lapsed mandate (GET requests never write): the worker does
    # (governance/worker.py), within a minute of the term's end.
    membership = members.ensure_not_denied(membership)
    context = CoopContext(cooperative, membership, person)
    request.state.coop = context
    return context
