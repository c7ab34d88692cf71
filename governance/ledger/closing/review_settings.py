"""The cooperative's minimum review time (`review_min_hours`,
governance.ledger.closing.review_window):
coordinators change it on the months page, audited with the value before and after. A change
applies at once, to a review under way too (the close reads it when it is asked for)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import lock_cooperative
from governance.base.errors import NotFound
from governance.base.i18n import _
from governance.input.forms import Form
from governance.ledger.closing.review_window import (
    REVIEW_HOURS_RANGE,
    REVIEW_HOURS_SETTING,
    review_hours,
)
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative
from governance.members.settings import save_settings


def parse_hours(data: Mapping[str, Any]) -> int:
    """The form's whole number of hours within the bounds. Raises Invalid. Pure."""
    form = Form(data)
    low, high = REVIEW_HOURS_RANGE
    hours = form.integer(REVIEW_HOURS_SETTING, maximum=100_000)
    if hours is not None and not low <= hours <= high:
        form.fail(
            REVIEW_HOURS_SETTING,
            _("Give a number of hours from %(low)d to %(high)d.") % {"low": low, "high": high},
        )
    form.done()
    assert hours is not None
    return hours


async def set_review_hours(session: AsyncSession, actor: Actor, data: Mapping[str, Any]) -> int:
    """A coordinator sets the minimum review time; the same value changes and records nothing.
    Raises PermissionDenied, Invalid (nothing changed)."""
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_COOPERATIVE)
        hours = parse_hours(data)
        await lock_cooperative(session, actor.cooperative_id)
        cooperative = await session.get(Cooperative, actor.cooperative_id)
        if cooperative is None:
            raise NotFound(_("There is no cooperative at this address."))
        before = review_hours(cooperative.settings)
        if hours == before and REVIEW_HOURS_SETTING in cooperative.settings:
            return hours
        await save_settings(
            session,
            cooperative,
            {REVIEW_HOURS_SETTING: hours},
            actor_id=actor.person_id,
            action="cooperative.review_time_changed",
            data={"before": before, "after": hours},
        )
    return hours
