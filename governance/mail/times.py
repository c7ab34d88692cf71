"""Times in mails, which are read away from the page and its context: a date in words, the
time, and the time zone it is in, in the reader's language (the caller's i18n.language)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_location

from governance.base import clock, i18n
from governance.base.i18n import _
from governance.members.models import Cooperative


def zone_of(cooperative: Cooperative) -> ZoneInfo:
    """The time zone a cooperative works in: Brussels for every one of them today (the
    months close on Belgian time too, governance.base.clock)."""
    return clock.BRUSSELS


def mail_time(moment: datetime, zone: ZoneInfo = clock.BRUSSELS) -> str:
    """`14 décembre 2026 à 18:00 (heure de Bruxelles, Europe/Brussels)` in French."""
    locale = i18n.FORMAT_LOCALES.get(i18n.current_language(), "fr_BE")
    local = moment.astimezone(zone)
    return _("%(date)s at %(time)s (%(city)s time, %(zone)s)") % {
        "date": format_date(local.date(), format="long", locale=locale),
        "time": format_time(local, format="HH:mm", locale=locale),
        "city": get_timezone_location(zone, locale=locale, return_city=True),
        "zone": zone.key,
    }
