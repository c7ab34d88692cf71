"""The one page handler of mail: a coordinator's invitation (the form on the members page,
POST /c/<slug>/members/invite). members writes the invitation; the invitation's mail is queued
here, in the same transaction, because mail sits above members (members never imports mail)."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.response import Template

from governance.base.errors import Invalid
from governance.base.http import Db, form_data, settings_of
from governance.mail.invitations import invitation_mail
from governance.members import invitations
from governance.members.access import Permission
from governance.members.context import Coop, members_page, requires


class InvitationMailController(Controller):
    path = "/"

    @post("/members/invite", guards=[requires(Permission.MANAGE_MEMBERS)])
    async def invite(self, request: Request, db: Db, coop: Coop) -> Template:
        """Create a one-time invitation link and show it to the coordinator."""
        data = await form_data(request)
        settings = settings_of(request)
        try:
            _invitation, token = await invitations.invite(
                db, coop.actor, data, settings.secret_key, then=invitation_mail
            )
        except Invalid as error:
            return await members_page(
                request,
                db,
                coop,
                status_code=400,
                values=data,
                errors=error.fields,
                error=error.message,
            )
        link = f"{settings.base_url}/invite/{token}"
        return await members_page(
            request, db, coop, invite_link=link, invited_email=str(data.get("email", "")).lower()
        )
