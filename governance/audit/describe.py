"""Each audit action told in the reader's language, from the event's own data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

from governance.base.i18n import N_, _, date_short, datetime_short, join_list, money

ROLE_NAMES = {
    "cooperator": N_("cooperator"),
    "worker": N_("worker"),
    "coordinator": N_("coordinator"),
    "observer": N_("observer"),
}

_TEMPLATES: dict[str, str] = {
    "cooperative.created": N_("%(actor)s created the cooperative %(name)s."),
    "checkpoint.daily": N_(
        "The audit trail up to this event was signed into checkpoint %(number)s, for members "
        "to keep its head."
    ),
    "cooperative.key_created": N_(
        "The cooperative's signing key was made; its public key is on the cooperative's page."
    ),
    "cooperative.details_changed": N_(
        "%(actor)s changed the details of the cooperative: %(changed_details)s."
    ),
    "member.added": N_("%(actor)s added %(name)s as %(role)s."),
    "member.invited": N_("%(actor)s invited %(email)s as %(role)s."),
    "member.joined": N_("%(actor)s joined as %(role)s."),
    "member.role_changed": N_(
        "%(actor)s changed the role of %(name)s from %(before)s to %(after)s."
    ),
    "member.suspended": N_("%(actor)s suspended the membership of %(name)s."),
    "member.reinstated": N_("%(actor)s reinstated the membership of %(name)s."),
    "person.created": N_("%(actor)s created the account of %(name)s."),
    "person.password_changed": N_("%(actor)s changed their password."),
    "person.logged_out_everywhere": N_("%(actor)s ended all their sessions."),
    "person.profile_changed": N_("%(actor)s changed their profile."),
    "client.created": N_("%(actor)s added the client %(name)s."),
    "client.updated": N_("%(actor)s changed the client %(name)s."),
    "client.archived": N_("%(actor)s archived the client %(name)s."),
    "client.restored": N_("%(actor)s restored the client %(name)s."),
    "invoice.issued": N_("%(actor)s issued the invoice %(reference)s."),
    "invoice.cancelled": N_(
        "%(actor)s cancelled the invoice %(reference)s with the credit note %(credit_note)s."
    ),
    "invoice.credited": N_(
        "%(actor)s credited lines of the invoice %(reference)s with the credit note "
        "%(credit_note)s."
    ),
    "payment.recorded": N_("%(actor)s recorded a payment received on %(date)s."),
    "prestation.imported": N_("%(actor)s imported %(count)s prestations from a CSV file."),
    "prestation.recorded": N_("%(actor)s recorded a prestation of %(date)s."),
    "prestation.submitted": N_("%(actor)s sent a prestation for validation."),
    "prestation.validated": N_("%(actor)s validated a prestation."),
    "prestation.rejected": N_("%(actor)s rejected a prestation: %(reason)s"),
    "prestation.reversed": N_("%(actor)s reversed a validated prestation: %(reason)s"),
    "cost.recorded": N_("%(actor)s recorded a cost from %(supplier)s."),
    "cooperative.bank_close_rule_changed": N_(
        "%(actor)s changed whether an unreconciled bank account stops the month close."
    ),
    "bank.statement_imported": N_(
        "%(actor)s imported the bank statement file %(name)s: %(lines)s new lines."
    ),
    "bank.line_matched": N_("A bank line of %(date)s was matched on import, by the rules."),
    "bank.line_confirmed": N_("%(actor)s confirmed what a bank line of %(date)s is."),
    "bank.match_undone": N_(
        "%(actor)s undid the match of a bank line of %(date)s, reversing what it wrote: %(reason)s"
    ),
    "journal.posted": N_("%(actor)s wrote an entry in the books (%(kind)s, %(date)s)."),
    "rule.set": N_("%(actor)s set the first distribution rule: %(template)s."),
    "rule.adopted": N_(
        "%(actor)s applied the distribution rule adopted by proposal %(proposal_id)s from "
        "%(start_month)s on."
    ),
    "period.review_started": N_("%(actor)s started the review of %(month)s: the month is frozen."),
    "cooperative.review_time_changed": N_(
        "%(actor)s changed the minimum review time of a month from %(before)s to %(after)s hours."
    ),
    "period.draft_read": N_("%(actor)s marked their draft statement of %(month)s as read."),
    "period.review_reminded": N_(
        "Members were reminded that the review of %(month)s ends within a day."
    ),
    "period.review_shortened": N_(
        "%(actor)s closed %(month)s before the end of its review, from the server: %(reason)s"
    ),
    "period.closed": N_("%(actor)s closed %(month)s and issued %(statements)s statements."),
    "contest.opened": N_("%(actor)s contested a line of their statement for %(month)s."),
    "contest.kept": N_("%(actor)s kept a contested line: %(reason)s"),
    "contest.corrected": N_("%(actor)s corrected a contested prestation: %(reason)s"),
    "payout.prepared": N_("%(actor)s prepared a payout of %(total_cents)s to %(count)s members."),
    "payout.sent": N_("%(actor)s confirmed that a payout of %(total_cents)s was sent."),
    "payout.cancelled": N_("%(actor)s cancelled a payout of %(total_cents)s."),
    "person.bank_details_changed": N_("%(actor)s changed their bank account."),
    "proposal.drafted": N_("%(actor)s drafted the proposal “%(title)s”."),
    "proposal.changed": N_("%(actor)s changed the draft “%(title)s”."),
    "proposal.opened": N_("%(actor)s opened the vote on “%(title)s” until %(closes_at)s."),
    "proposal.commented": N_("%(actor)s wrote in the discussion of a proposal."),
    "proposal.closed": N_("The vote closed and was counted: %(adopted)s."),
    "ballot.cast": N_("%(actor)s cast a ballot."),
    "ballot.changed": N_("%(actor)s changed a ballot."),
    "proxy.given": N_("%(actor)s gave their proxy to %(holder)s."),
    "proxy.revoked": N_("%(actor)s took their proxy back."),
    "cooperative.voting_rules_changed": N_("%(actor)s changed the voting rules."),
    "cooperative.vat_changed": N_(
        "%(actor)s changed the cooperative's VAT status, which invoices and credit notes print."
    ),
    "cooperative.work_kinds_changed": N_(
        "%(actor)s changed the kinds of work and their day rates."
    ),
    "cooperative.email_notices_changed": N_("%(actor)s changed whether notices are sent by email."),
    "mandate.lapsed": N_("The coordinator's mandate of %(name)s ended on %(ends_on)s."),
}

SUBJECT_NAMES = {
    "cooperative": N_("Cooperative"),
    "membership": N_("Membership"),
    "invitation": N_("Invitation"),
    "person": N_("Account"),
    "client": N_("Client"),
    "prestation": N_("Prestation"),
    "prestation_import": N_("Prestation import"),
    "journal_entry": N_("Journal entry"),
    "cost": N_("Cost"),
    "invoice": N_("Invoice"),
    "payment": N_("Payment"),
    "distribution_rule": N_("Distribution rule"),
    "period": N_("Period"),
    "contest": N_("Contested line"),
    "payout_batch": N_("Payout"),
    "proposal": N_("Proposal"),
    "mandate": N_("Mandate"),
    "checkpoint": N_("Checkpoint"),
}


def _role(value: Any) -> str:
    return _(ROLE_NAMES[value]) if value in ROLE_NAMES else str(value)


ENTRY_KINDS = {
    "prestation": N_("prestation"),
    "reversal": N_("reversal"),
    "cost": N_("cost"),
    "payment": N_("payment"),
    "close": N_("month close"),
    "payout": N_("payout"),
    "payout_return": N_("payout sent back by the bank"),
    "invoice": N_("VAT of an invoice or credit note"),
    "fund_spending": N_("spending from a fund"),
}

# The rule templates a cooperative starts from (the ledger's rules.py names them alike).
RULE_TEMPLATES = {
    "pro_rata": N_("Pro rata of revenue"),
    "equal": N_("Equal shares"),
    "mixed_80_20": N_("Mixed 80/20"),
}


def _day(value: Any) -> str:
    try:
        return date_short(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


# The cooperative's details, named as on their form.
DETAIL_NAMES = {
    "legal_name": N_("Legal name"),
    "address": N_("Address"),
    "enterprise_number": N_("Enterprise or VAT number"),
    "iban": N_("IBAN"),
    "bic": N_("BIC"),
    "email": N_("Email address"),
    "phone": N_("Phone"),
}


def _moment(value: Any) -> str:
    try:
        return datetime_short(dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except ValueError:
        return str(value)


def _detail_names(value: Any) -> str:
    return join_list(
        (_(DETAIL_NAMES[name]) if name in DETAIL_NAMES else name for name in str(value).split(",")),
        "plain",
    )


def _entry_kind(value: Any) -> str:
    return _(ENTRY_KINDS[value]) if value in ENTRY_KINDS else str(value)


_FIELDS: dict[str, Callable[[Any], str]] = {
    "role": _role,
    "before": _role,
    "after": _role,
    "date": _day,
    "ends_on": _day,
    "kind": _entry_kind,
    "changed_details": _detail_names,
    "template": lambda value: _(RULE_TEMPLATES[value]) if value in RULE_TEMPLATES else str(value),
    "total_cents": lambda value: money(int(value)),
    "adopted": lambda value: _("adopted") if value is True else _("not adopted"),
    "closes_at": _moment,
}


def _isolate(text: str) -> str:
    return f"\u2068{text}\u2069"


def describe(action: str, data_json: str, actor: str) -> str:
    """A sentence in the current language, naming `actor` (empty: the system).

    Unknown actions fall back to their code.
    """
    who = actor or _("The system")
    template = _TEMPLATES.get(action)
    if template is None:
        return f"{who}: {action}"
    try:
        data: Mapping[str, Any] = json.loads(data_json)
    except ValueError:
        data = {}
    # First-strong isolates keep an Arabic name in a French sentence (and the reverse) whole.
    values = {
        key: _isolate(_FIELDS.get(key, str)(value))
        for key, value in data.items()
        if isinstance(value, str | int)
    }
    values["actor"] = _isolate(who)
    try:
        return _(template) % values
    except (KeyError, TypeError, ValueError):
        return f"{who}: {action}"


def subject_name(subject_type: str) -> str:
    return _(SUBJECT_NAMES[subject_type]) if subject_type in SUBJECT_NAMES else subject_type
