"""The cooperative's own details (legal name, address, enterprise number, bank account,
contact), printed on its invoices. Every member reads them; coordinators change them.

`parse_details` is pure; `details_of` and `update_details` are one transaction each,
permission-checked, and a change is audited with each changed field before and after (a
changed IBAN is what a fraud would change, so everyone can see it in the audit trail).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from governance.audit.service import record
from governance.base.errors import Invalid, NotFound
from governance.base.i18n import _
from governance.input.forms import Form
from governance.input.iban import format_iban
from governance.members import vat
from governance.members.access import Actor, Permission, authorize
from governance.members.models import Cooperative
from governance.members.service import save_settings

LEGAL_NAME_MAX = 160
ADDRESS_MAX = 300
ENTERPRISE_INPUT_MAX = 30


@dataclass(frozen=True)
class CooperativeDetails:
    """Clean values, as stored: '' where nothing was given."""

    legal_name: str
    address: str  # lines separated by "\n"
    enterprise_number: str  # compact: "BE0403170701"
    iban: str  # compact: "BE71096123456769"
    bic: str  # "GKCCBEBB"
    email: str
    phone: str


FIELDS = tuple(field.name for field in fields(CooperativeDetails))


def parse_details(data: Mapping[str, Any]) -> CooperativeDetails:
    """Clean the details form. Raises Invalid naming every bad field. Pure.

    Required: what a Belgian invoice must carry and what a client needs to pay (address,
    enterprise number, IBAN) and an e-mail address. Optional: a legal name different from
    the usual one, the BIC, a phone number.
    """
    form = Form(data)
    details = CooperativeDetails(
        legal_name=form.text("legal_name", max_length=LEGAL_NAME_MAX, required=False),
        address=form.text("address", max_length=ADDRESS_MAX, multiline=True),
        enterprise_number=form.be_vat(
            "enterprise_number", max_length=ENTERPRISE_INPUT_MAX, required=True
        )
        or "",
        iban=form.iban("iban") or "",
        bic=form.bic("bic") or "",
        email=form.email("email"),
        phone=form.phone("phone"),
    )
    form.done()
    return details


def stored_details(cooperative: Cooperative) -> CooperativeDetails:
    return CooperativeDetails(**{name: getattr(cooperative, name) for name in FIELDS})


def format_enterprise_number(number: str) -> str:
    """The compact number as Belgians write it: BE0403170701 as BE 0403.170.701."""
    match = re.fullmatch(r"BE(\d{4})(\d{3})(\d{3})", number)
    return f"BE {match[1]}.{match[2]}.{match[3]}" if match else number


def form_values(cooperative: Cooperative) -> dict[str, str]:
    """The stored details as the form shows them again, numbers grouped for reading."""
    values = asdict(stored_details(cooperative))
    values["enterprise_number"] = format_enterprise_number(cooperative.enterprise_number)
    values["iban"] = format_iban(cooperative.iban)
    return {**values, **vat.form_values(cooperative.settings)}


def is_complete(cooperative: Cooperative) -> bool:
    """Whether an invoice can carry everything it must (the required fields are filled)."""
    return all(
        getattr(cooperative, name) for name in ("address", "enterprise_number", "iban", "email")
    )


def _parse_all(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The details and the VAT status (None when the form does not carry it), clean. Raises
    Invalid naming every bad field of both."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    new_vat = None
    try:
        clean = asdict(parse_details(data))
    except Invalid as error:
        errors.update(error.fields or {"legal_name": error.message})
    if "vat_status" in data:
        try:
            new_vat = vat.parse(data)
        except Invalid as error:
            errors.update(error.fields)
    if errors:
        raise Invalid(_("Please correct the fields marked below."), errors)
    return clean, new_vat


async def _load(session: AsyncSession, actor: Actor) -> Cooperative:
    cooperative = await session.get(Cooperative, actor.cooperative_id)
    if cooperative is None:
        raise NotFound(_("There is no cooperative at this address."))
    return cooperative


async def details_of(session: AsyncSession, actor: Actor) -> Cooperative:
    """The cooperative with its details, for any active member. Raises PermissionDenied."""
    async with session.begin():
        await authorize(session, actor, Permission.READ_COOPERATIVE)
        return await _load(session, actor)


async def update_details(
    session: AsyncSession, actor: Actor, form_data: Mapping[str, Any]
) -> Cooperative:
    """A coordinator changes the cooperative's details; the audit keeps each changed field
    before and after, in the same transaction.

    The VAT status (when the form carries it) is saved in the settings and audited apart
    (`cooperative.vat_changed`). Nothing changed: nothing is written. Raises
    PermissionDenied (not a coordinator, suspended), Invalid (every bad field; nothing is
    written).
    """
    async with session.begin():
        await authorize(session, actor, Permission.MANAGE_COOPERATIVE)
        cooperative = await _load(session, actor)
        clean, new_vat = _parse_all(form_data)
        before = asdict(stored_details(cooperative))
        old_vat = vat.stored(cooperative.settings)
        if new_vat is not None and new_vat != old_vat:
            await save_settings(
                session,
                cooperative,
                {"vat": new_vat},
                actor_id=actor.person_id,
                action="cooperative.vat_changed",
                data={"name": cooperative.name, "before": old_vat, "after": new_vat},
            )
        changed = [name for name in FIELDS if clean[name] != before[name]]
        if not changed:
            return cooperative
        for name in changed:
            setattr(cooperative, name, clean[name])
        session.add(cooperative)
        await record(
            session,
            cooperative_id=actor.cooperative_id,
            actor_id=actor.person_id,
            action="cooperative.details_changed",
            subject_type="cooperative",
            subject_id=cooperative.id,
            data={
                "name": cooperative.name,
                "changed_details": ",".join(changed),
                "before": {name: before[name] for name in changed},
                "after": {name: clean[name] for name in changed},
            },
        )
    return cooperative
