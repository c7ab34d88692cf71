"""The invitation mail: the link a coordinator's invitation gives, sent to the invited address
when the cooperative sends its notices by email. The invitee has no account yet: the mail is in
the cooperative's language and belongs to no person."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.base import clock, i18n
from governance.base.i18n import _
from governance.mail.models import OutboxMail
from governance.mail.outbox import email_notices
from governance.mail.times import mail_time, zone_of
from governance.members.models import Cooperative, Invitation


async def invitation_mail(session: AsyncSession, invitation: Invitation, token: str) -> int:
    """Queue the invitation's mail in the caller's transaction (the one that writes the
    invitation); 1 when queued, 0 when the cooperative does not send email."""
    cooperative = await session.get(Cooperative, invitation.cooperative_id)
    assert cooperative is not None and cooperative.id is not None
    if not email_notices(cooperative):
        return 0
    inviter = await session.get(Person, invitation.invited_by_id)
    with i18n.language(cooperative.language):
        subject = _("Invitation to join %(coop)s") % {"coop": cooperative.name}
        body = _(
            "Hello,\n\n%(inviter)s invites you to join %(coop)s.\n\n"
            "Accept the invitation: %(link)s\n\n"
            "The link works once, until %(expires)s. "
            "If you did not expect this invitation, you can ignore this mail.\n"
        ) % {
            "inviter": inviter.name if inviter is not None else cooperative.name,
            "coop": cooperative.name,
            # The same path as the link shown to the coordinator (mail/pages.py).
            "link": f"{{base_url}}/invite/{token}",
            "expires": mail_time(invitation.expires_at, zone_of(cooperative)),
        }
    session.add(
        OutboxMail(
            cooperative_id=cooperative.id,
            person_id=None,
            to_address=invitation.email,
            subject=subject[:200],
            body=body,
            created_at=clock.now(),
        )
    )
    return 1
