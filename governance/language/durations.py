"""A length of work in words: `duration_text(185)` -> "3 h 05", in the reader's language.
Pure module: the invoices and their PDF, the statements and the month pages read it."""

from __future__ import annotations

from governance.base.i18n import _


def duration_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return sign + _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}
