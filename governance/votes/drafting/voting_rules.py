"""The cooperative's voting rules, kept in its settings: who opens proposals for voting, how
many proxies a member may carry, whether the coordinator role is held only by mandate, and the
minimum quorum and duration of each category of vote (governance/votes/counting/minimums.py).

While coordinators hold their role by mandate, a coordinator cannot change these rules alone:
they change by an adopted decision that carries them (a proposal's `voting_rules` effect).
The minimums change only that way, whoever the coordinators are: a coordinator's form keeps
them as they are.

Pure module: the rules are read from the settings given; they are written by
`change_voting_rules` and `apply_voting_rules` (governance/votes/service.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from governance.base.i18n import _
from governance.input.forms import Form
from governance.votes.counting.minimums import (
    CATEGORIES,
    Minimums,
    field_names,
    minimums_from,
    parse_minimums,
)

OPENERS = ("coordinators", "cooperators")
MAX_PROXIES = 5


@dataclass(frozen=True)
class VotingRules:
    open_proposals: str  # "coordinators" or "cooperators"
    proxy_limit: int
    coordinators_by_mandate: bool
    minimums: Minimums = field(default_factory=Minimums)

    def as_settings(self) -> dict[str, Any]:
        return {
            "open_proposals": self.open_proposals,
            "proxy_limit": self.proxy_limit,
            "coordinators_by_mandate": self.coordinators_by_mandate,
            "vote_minimums": self.minimums.as_settings(),
        }


def voting_rules(settings: Mapping[str, Any]) -> VotingRules:
    """The rules in `settings`, with the defaults for what is missing or malformed."""
    limit = settings.get("proxy_limit", 1)
    by_mandate = settings.get("coordinators_by_mandate") is True
    return VotingRules(
        # Without appointed coordinators, cooperators must be able to open votes.
        open_proposals="cooperators"
        if by_mandate
        else ("cooperators" if settings.get("open_proposals") == "cooperators" else "coordinators"),
        proxy_limit=limit if isinstance(limit, int) and 0 <= limit <= MAX_PROXIES else 1,
        coordinators_by_mandate=by_mandate,
        minimums=minimums_from(settings.get("vote_minimums")),
    )


def has_minimums(data: Mapping[str, Any], prefix: str = "") -> bool:
    """Whether a form carries the minimums (a form without them leaves them as they are)."""
    return any(name in data for c in CATEGORIES for name in field_names(prefix, c))


def parse_voting_rules(
    data: Mapping[str, Any], prefix: str = "", *, minimums: Minimums | None = None
) -> VotingRules:
    """From a form: `open_proposals`, `proxy_limit` (0 to 5), `coordinators_by_mandate`, and
    the minimums (`min_<category>_quorum`, `min_<category>_days`) unless `minimums` is given."""
    form = Form(data)
    opener = form.choice(f"{prefix}open_proposals", OPENERS)
    limit = form.integer(f"{prefix}proxy_limit")
    if limit is not None and limit > MAX_PROXIES:
        form.fail(
            f"{prefix}proxy_limit",
            _("At most %(count)d proxies per member.") % {"count": MAX_PROXIES},
        )
    by_mandate = form.raw(f"{prefix}coordinators_by_mandate") in {"on", "yes", "1", "true"}
    if minimums is None:
        minimums = parse_minimums(form, prefix)
    form.done()
    assert limit is not None
    return VotingRules(opener, limit, by_mandate, minimums)
