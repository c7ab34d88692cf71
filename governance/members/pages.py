"""Home, cooperative switcher, member list and invitations."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template

from governance.auth import sessions
from governance.auth.current import current_person, require_person
from governance.base import clock
from governance.base.errors import Conflict, Invalid, NotFound
from governance.base.http import Db, form_data, page, redirect, settings_of
from governance.input.json_body import API_ERRORS
from governance.mail.invitations import invitation_mail
from governance.members import details, service
from governance.members.api_bodies import MemberOut, MembershipOut, MeOut
from governance.members.context import Coop, provide_coop
from governance.members.models import Cooperative, MembershipStatus, Role


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
            found = await service.open_invitation(db, token, settings_of(request).secret_key)
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
            joined = await service.accept_invitation(
                db, token, settings.secret_key, person.id if person else None, data
            )
        except NotFound as error:
            return page(
                request, "members/invitation_dead.html", status_code=404, message=error.message
            )
        except (Invalid, Conflict) as error:
            found = await service.open_invitation(db, token, settings.secret_key)
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
    path = "/c/{slug:str}"
    dependencies = {"coop": Provide(provide_coop)}

    @get("/members")
    async def members(self, request: Request, db: Db, coop: Coop) -> Template:
        """The member list; coordinators also see invitations and actions."""
        return await self._members_page(request, db, coop)

    async def _members_page(
        self,
        request: Request,
        db: Db,
        coop: Coop,
        status_code: int = 200,
        **extra: object,
    ) -> Template:
        rows = await service.list_members(db, coop.actor)
        invitations = (
            await service.pending_invitations(db, coop.actor) if coop.can("manage_members") else []
        )
        return page(
            request,
            "members/list.html",
            status_code=status_code,
            rows=rows,
            invitations=invitations,
            roles=list(Role),
            values=extra.pop("values", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    @post("/members/invite")
    async def invite(self, request: Request, db: Db, coop: Coop) -> Template:
        """Create a one-time invitation link and show it to the coordinator."""
        data = await form_data(request)
        settings = settings_of(request)
        try:
            _invitation, token = await service.invite(
                db, coop.actor, data, settings.secret_key, then=invitation_mail
            )
        except Invalid as error:
            return await self._members_page(
                request,
                db,
                coop,
                status_code=400,
                values=data,
                errors=error.fields,
                error=error.message,
            )
        link = f"{settings.base_url}/invite/{token}"
        return await self._members_page(
            request, db, coop, invite_link=link, invited_email=str(data.get("email", "")).lower()
        )

    @post("/members/{membership_id:int}/role")
    async def change_role(
        self, request: Request, db: Db, coop: Coop, membership_id: FromPath[int]
    ) -> Template | Redirect:
        """Give a member another role."""
        data = await form_data(request)
        try:
            await service.change_role(db, coop.actor, membership_id, data)
        except (Invalid, Conflict) as error:
            return await self._members_page(request, db, coop, status_code=400, error=error.message)
        return redirect(request, f"/c/{coop.cooperative.slug}/members", "role_changed")

    @post("/members/{membership_id:int}/suspend")
    async def suspend(
        self, request: Request, db: Db, coop: Coop, membership_id: FromPath[int]
    ) -> Template | Redirect:
        """Suspend a membership; the person loses access on their next request."""
        return await self._set_status(
            request, db, coop, membership_id, MembershipStatus.SUSPENDED, "member_suspended"
        )

    @post("/members/{membership_id:int}/reinstate")
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
            await service.set_status(db, coop.actor, membership_id, status)
        except Conflict as error:
            return await self._members_page(request, db, coop, status_code=400, error=error.message)
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

    @post("/details")
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

    @get(
        "/c/{slug:str}/members",
        dependencies={"coop": Provide(provide_coop)},
        responses=API_ERRORS,
    )
    async def members(self, db: Db, coop: Coop) -> list[MemberOut]:
        """The cooperative's members; emails only for coordinators."""
        show_email = coop.can("manage_members")
        return [
            MemberOut(
                membership_id=row.membership.id or 0,
                person_id=row.person.id or 0,
                name=row.person.name,
                role=row.membership.role,
                status=row.membership.status,
                email=row.person.email if show_email else None,
            )
            for row in await service.list_members(db, coop.actor)
        ]
