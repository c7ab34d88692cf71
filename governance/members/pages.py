"""Home, cooperative switcher, member list, invitations (the invitation form's POST, which
queues the invitation mail, is governance/mail/pages.py), the cooperative's details, a
person's bank details, and the members' JSON API with its bodies."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from governance.auth import sessions
from governance.auth.current import current_person, require_person
from governance.base import clock
from governance.base.errors import Conflict, Invalid, NotFound
from governance.base.http import Db, form_data, page, redirect, settings_of
from governance.input.json_body import API_ERRORS
from governance.input.page_keys import After, Before
from governance.members import (
    MembershipStatus,
    bank,
    details,
    invitations,
    listing,
    roles,
    service,
)
from governance.members.access import Permission
from governance.members.context import Coop, members_page, requires
from governance.members.listing import MAX_SEARCH, PAGE_SIZE
from governance.members.models import Cooperative

# The keys of a page of members: a person's id (32-bit on PostgreSQL), and the name searched.
Search = Annotated[str, QueryParameter(name="q", max_length=MAX_SEARCH)]
MAX_API_PAGE = 500


class HomeController(Controller):
    path = "/"

    @get("/", name="home")
    async def home(self, request: Request, db: Db) -> Redirect:
        """Logged in: the first active cooperative (or the switcher); otherwise the login."""
        person = current_person(request)
        if person is None or person.id is None:
            return Redirect("/login")
        mine = [
            m
            for m in await service.memberships_of(db, person.id)
            if m.membership.status == MembershipStatus.ACTIVE
        ]
        if len(mine) == 1:
            return Redirect(f"/c/{mine[0].cooperative.slug}/")
        return Redirect("/coops")

    @get("/coops")
    async def switcher(self, request: Request, db: Db) -> Template:
        """Every cooperative the person belongs to."""
        person = require_person(request)
        assert person.id is not None
        return page(
            request,
            "members/switcher.html",
            memberships=await service.memberships_of(db, person.id),
        )


class InvitationController(Controller):
    path = "/invite/{token:str}"

    @get("/")
    async def show(self, request: Request, db: Db, token: FromPath[str]) -> Template:
        """The invitation: join as the logged-in person, or create an account."""
        try:
            found = await invitations.open_invitation(db, token, settings_of(request).secret_key)
        except NotFound as error:
            return page(
                request, "members/invitation_dead.html", status_code=404, message=error.message
            )
        return page(
            request, "members/invitation.html", invitation=found, token=token, values={}, errors={}
        )

    @post("/")
    async def accept(self, request: Request, db: Db, token: FromPath[str]) -> Template | Redirect:
        """Use the link: it joins the cooperative and dies."""
        settings = settings_of(request)
        person = current_person(request)
        data = await form_data(request)
        try:
            joined = await invitations.accept_invitation(
                db, token, settings.secret_key, person.id if person else None, data
            )
        except NotFound as error:
            return page(
                request, "members/invitation_dead.html", status_code=404, message=error.message
            )
        except (Invalid, Conflict) as error:
            found = await invitations.open_invitation(db, token, settings.secret_key)
            return page(
                request,
                "members/invitation.html",
                status_code=400,
                invitation=found,
                token=token,
                values=data,
                errors=error.fields,
                error=error.message,
            )
        response = redirect(request, "/", "joined")
        if person is None:
            response.set_cookie(await sessions.start(db, joined, settings, clock.now()))
        return response


class CoopController(Controller):
    path = "/"

    @get("/members")
    async def members(
        self,
        request: Request,
        db: Db,
        coop: Coop,
        after: After = None,
        before: Before = None,
        q: Search = "",
    ) -> Template:
        """The member list a page at a time (after or before a person, names containing `q`);
        coordinators also see invitations and actions."""
        return await members_page(request, db, coop, after=after, before=before, search=q)

    @post("/members/{membership_id:int}/role", guards=[requires(Permission.MANAGE_MEMBERS)])
    async def change_role(
        self, request: Request, db: Db, coop: Coop, membership_id: FromPath[int]
    ) -> Template | Redirect:
        """Give a member another role."""
        data = await form_data(request)
        try:
            await roles.change_role(db, coop.actor, membership_id, data)
        except (Invalid, Conflict) as error:
            return await members_page(request, db, coop, status_code=400, error=error.message)
        return redirect(request, f"/c/{coop.cooperative.slug}/members", "role_changed")

    @post("/members/{membership_id:int}/suspend", guards=[requires(Permission.MANAGE_MEMBERS)])
    async def suspend(
        self, request: Request, db: Db, coop: Coop, membership_id: FromPath[int]
    ) -> Template | Redirect:
        """Suspend a membership; the person loses access on their next request."""
        return await self._set_status(
            request, db, coop, membership_id, MembershipStatus.SUSPENDED, "member_suspended"
        )

    @post("/members/{membership_id:int}/reinstate", guards=[requires(Permission.MANAGE_MEMBERS)])
    async def reinstate(
        self, request: Request, db: Db, coop: Coop, membership_id: FromPath[int]
    ) -> Template | Redirect:
        """Give a suspended member their access back."""
        return await self._set_status(
            request, db, coop, membership_id, MembershipStatus.ACTIVE, "member_reinstated"
        )

    async def _set_status(
        self,
        request: Request,
        db: Db,
        coop: Coop,
        membership_id: FromPath[int],
        status: MembershipStatus,
        flash: str,
    ) -> Template | Redirect:
        try:
            await roles.set_status(db, coop.actor, membership_id, status)
        except Conflict as error:
            return await members_page(request, db, coop, status_code=400, error=error.message)
        return redirect(request, f"/c/{coop.cooperative.slug}/members", flash)

    def _details_page(
        self,
        request: Request,
        cooperative: Cooperative,
        values: dict[str, Any],
        status_code: int = 200,
        error: Invalid | None = None,
    ) -> Template:
        return page(
            request,
            "members/details.html",
            status_code=status_code,
            values=values,
            complete=details.is_complete(cooperative),
            public_key=cooperative.public_key,
            errors=error.fields if error else {},
            error=error.message if error else None,
        )

    @get("/details")
    async def show_details(self, request: Request, db: Db, coop: Coop) -> Template:
        """The cooperative's details printed on invoices; coordinators get them as a form."""
        cooperative = await details.details_of(db, coop.actor)
        return self._details_page(request, cooperative, details.form_values(cooperative))

    @post("/details", guards=[requires(Permission.MANAGE_COOPERATIVE)])
    async def save_details(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Save the details (coordinators); a refused form comes back with its messages."""
        data = await form_data(request)
        try:
            await details.update_details(db, coop.actor, data)
        except Invalid as error:
            cooperative = await details.details_of(db, coop.actor)
            return self._details_page(
                request, cooperative, data, status_code=error.status_code, error=error
            )
        return redirect(request, f"/c/{coop.cooperative.slug}/details", "details_saved")


class BankDetailsController(Controller):
    path = "/"

    @post("/account/bank")
    async def save_bank(self, request: Request, db: Db) -> Template | Redirect:
        """The account the person's share is paid to (holder's name, IBAN, optional BIC); all
        empty: removed. On the account page (auth/account.html), which this form belongs to."""
        person = require_person(request)
        assert person.id is not None
        data = await form_data(request)
        fields = {key: str(data.get(key) or "") for key in ("holder", "iban", "bic")}
        try:
            await bank.set_bank_details(
                db, person.id, fields["iban"], fields["bic"], fields["holder"]
            )
        except Invalid as error:
            return page(
                request,
                "auth/account.html",
                status_code=400,
                values={"name": person.name, "language": person.language},
                bank=fields,
                errors=error.fields,
                error=error.message,
            )
        return redirect(request, "/account", "profile_saved")


class MembershipOut(msgspec.Struct):
    cooperative: str  # its slug, as in /api/c/<slug>/...
    name: str
    role: str
    status: str


class MeOut(msgspec.Struct):
    id: int
    name: str
    email: str
    language: str
    memberships: list[MembershipOut]


class MemberOut(msgspec.Struct, omit_defaults=True):
    """A member; `email` only for those who manage members (left out otherwise)."""

    membership_id: int
    person_id: int
    name: str
    role: str
    status: str
    email: str | None = None


class MembersApiController(Controller):
    path = "/api"
    include_in_schema = True

    @get("/me", responses=API_ERRORS)
    async def me(self, request: Request, db: Db) -> MeOut:
        """The logged-in person and their memberships."""
        person = require_person(request)
        assert person.id is not None
        return MeOut(
            id=person.id,
            name=person.name,
            email=person.email,
            language=person.language,
            memberships=[
                MembershipOut(
                    cooperative=m.cooperative.slug,
                    name=m.cooperative.name,
                    role=m.membership.role,
                    status=m.membership.status,
                )
                for m in await service.memberships_of(db, person.id)
            ],
        )


class CoopMembersApiController(Controller):
    """Under /api/c/{slug} (governance/app.py mounts it there with the cooperative)."""

    path = "/members"
    include_in_schema = True

    @get("/", responses=API_ERRORS)
    async def members(
        self,
        db: Db,
        coop: Coop,
        after: After = None,
        limit: Annotated[int | None, QueryParameter(name="limit", ge=1, le=MAX_API_PAGE)] = None,
    ) -> list[MemberOut]:
        """The cooperative's members by name, then person id; emails only for coordinators.

        All of them, or with `limit` (or `after`) a page: at most `limit` (100 by default)
        members after the person `after` (the `person_id` of the previous page's last member;
        a person who is no member here gives the first page). An empty page is the end."""
        show_email = coop.can("manage_members")
        if after is None and limit is None:
            rows = await service.list_members(db, coop.actor)
        else:
            rows = (
                await listing.member_page(db, coop.actor, after=after, limit=limit or PAGE_SIZE)
            ).rows
        return [
            MemberOut(
                membership_id=row.membership.id or 0,
                person_id=row.person.id or 0,
                name=row.person.name,
                role=row.membership.role,
                status=row.membership.status,
                email=row.person.email if show_email else None,
            )
            for row in rows
        ]
