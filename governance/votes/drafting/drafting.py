"""What a proposal says, cleaned from a form (pure): its kind, text, method, options, effect.

`parse_proposal(data, context)` returns a `ProposalInput` or raises Invalid naming every bad
field. What depends on the cooperative (its rule templates, funds, categories, members, the
last closed month) comes in `DraftContext`, read by the service; a stored proposal is read
back through the attributes it needs (`Drafted`), not through its table.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from babel.numbers import format_decimal

from governance.base.errors import Invalid
from governance.base.i18n import FORMAT_LOCALES, _
from governance.input.forms import Form, text_problem_message, too_long
from governance.input.text import Level, problem
from governance.language.markdown_text import MAX_LENGTH
from governance.language.months import is_month
from governance.ledger.sharing.rules import TEMPLATES, RuleError, parse_rule, rule_to_data
from governance.votes.counting.kinds import ProposalKind, Visibility
from governance.votes.counting.methods import METHODS, THRESHOLDS, fraction_text
from governance.votes.counting.minimums import Minimums, form_fields, minimums_from
from governance.votes.drafting import funds
from governance.votes.drafting.voting_rules import has_minimums, parse_voting_rules

QUORUMS = ("0", "1/4", "1/3", "1/2", "2/3")
MAX_TITLE = 160
MAX_LABEL = 80
MAX_CHOICES = 20  # options of a ranked decision
# Which methods each kind allows: an effect is a yes or no question, or a choice among rules.
KIND_METHODS: dict[str, tuple[str, ...]] = {
    ProposalKind.DECISION: METHODS,
    ProposalKind.DISTRIBUTION_RULE: METHODS,
    ProposalKind.FUND_SPENDING: ("approval", "consent"),
    ProposalKind.MEMBERSHIP: ("approval", "consent"),
    ProposalKind.MANDATE: ("approval", "consent"),
}
MEMBERSHIP_ACTIONS = ("admit", "end")
MANDATE_ACTIONS = ("elect", "recall")
MAX_TERM_MONTHS = 36
_CONTROL = {"Cc", "Cs"}
_NEWLINES = re.compile(r"\r\n|\r")


@dataclass(frozen=True)
class MemberChoice:
    person_id: int
    name: str
    role: str
    active: bool


@dataclass(frozen=True)
class DraftContext:
    language: str
    current_rule: dict[str, Any] | None
    funds: tuple[str, ...]
    categories: tuple[str, ...]
    members: tuple[MemberChoice, ...]
    last_frozen_month: str | None  # the latest month closed or under review
    minimums: Minimums = field(default_factory=Minimums)  # the voting rules' minimums now
    # What each fund holds now, in cents (governance/votes/drafting/funds.py); None: not read.
    fund_balances: Mapping[str, int] | None = None


@dataclass(frozen=True)
class ProposalInput:
    kind: str
    title: str
    body: str
    method: str
    quorum: str
    threshold: str
    visibility: str
    results_hidden: bool
    options: list[dict[str, Any]] = field(default_factory=list)
    effect: dict[str, Any] = field(default_factory=dict)


def markdown_text(form: Form, name: str, *, required: bool) -> str:
    """Markdown as typed: line breaks and blank lines kept (they mean something), tabs
    allowed, other control characters refused."""
    raw = _NEWLINES.sub("\n", form.raw(name))
    value = unicodedata.normalize("NFC", raw.strip())
    if any(unicodedata.category(c) in _CONTROL and c not in "\n\t" for c in value):
        form.fail(name, _("This field contains characters that are not allowed."))
    elif required and not value:
        form.fail(name, _("This field is required."))
    elif len(value) > MAX_LENGTH:
        form.fail(name, too_long(MAX_LENGTH))
    return value


def _rule(form: Form, name: str, text: str) -> dict[str, Any] | None:
    """A rule from a template's name or from its JSON; every reason when it does not validate."""
    if text in TEMPLATES:
        return rule_to_data(TEMPLATES[text])
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        form.fail(name, _("Choose a template or write the rule in JSON."))
        return None
    try:
        return rule_to_data(parse_rule(data))
    except RuleError as error:
        form.fail(name, " ".join(error.messages))
        return None


def _ranked_rules(form: Form, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    chosen = data.get("rule_options") or []
    if isinstance(chosen, str):
        chosen = [chosen]
    options = []
    for name in TEMPLATES:
        if name in chosen:
            options.append({"label": name, "rule": rule_to_data(TEMPLATES[name])})
    custom = form.raw("rule_json").strip()
    if custom:
        rule = _rule(form, "rule_json", custom)
        label = form.text("custom_label", max_length=MAX_LABEL, required=False) or _("proposed")
        if rule is not None:
            if label in {o["label"] for o in options}:
                form.fail("custom_label", _("Two options cannot have the same name."))
            options.append({"label": label, "rule": rule})
    if len(options) < 2 and "rule_options" not in form.errors:
        form.fail("rule_options", _("A ranked vote needs at least two rules to choose from."))
    return options


def _ranked_labels(form: Form) -> list[dict[str, Any]]:
    lines = [line.strip() for line in _NEWLINES.sub("\n", form.raw("choices")).split("\n")]
    labels = [unicodedata.normalize("NFC", line) for line in lines if line]
    if len(labels) < 2:
        form.fail("choices", _("Write at least two options, one per line."))
    elif len(labels) > MAX_CHOICES:
        form.fail("choices", _("At most %(count)d options.") % {"count": MAX_CHOICES})
    elif len(set(labels)) != len(labels):
        form.fail("choices", _("Two options cannot have the same name."))
    elif any(len(label) > MAX_LABEL for label in labels):
        form.fail("choices", too_long(MAX_LABEL))
    else:
        # As every name (docs/text.md): "Yes" and "Ye\u200bs" must not be two options.
        found = next((p for p in (problem(label, Level.NAME) for label in labels) if p), None)
        if found is not None:
            form.fail("choices", text_problem_message(found))
    return [{"label": label} for label in labels]


def _start_month(form: Form, context: DraftContext) -> str:
    month = form.raw("start_month").strip()
    if not is_month(month):
        form.fail("start_month", _("The start period must be a month like 2026-12."))
    elif context.last_frozen_month is not None and month <= context.last_frozen_month:
        form.fail(
            "start_month",
            _(
                "The period %(month)s is already closed or under review: a new rule can only "
                "start after %(last)s."
            )
            % {"month": month, "last": context.last_frozen_month},
        )
    return month


def _effect(form: Form, kind: str, method: str, context: DraftContext) -> dict[str, Any]:
    if kind == ProposalKind.DISTRIBUTION_RULE:
        month = _start_month(form, context)
        if method == "ranked":
            return {"start_month": month}
        rule = _rule(form, "rule_json", form.raw("rule_json").strip())
        return {"start_month": month, "rule": rule}
    if kind == ProposalKind.FUND_SPENDING:
        fund = form.choice("fund", context.funds)
        category = form.choice("category", context.categories)
        amount = form.money("amount", context.language, required=True)
        balances = context.fund_balances
        if fund in context.funds and amount is not None and balances is not None:
            held = balances.get(fund, 0)
            if amount > held:
                form.fail("amount", funds.refusal(fund, held))
        return {"fund": fund, "category": category, "amount_cents": amount}
    if kind == ProposalKind.MEMBERSHIP:
        action = form.choice("action", MEMBERSHIP_ACTIONS)
        person_id = form.row_id("person_id")
        member = next((m for m in context.members if m.person_id == person_id), None)
        if person_id is not None and member is None:
            form.fail("person_id", _("Choose a member of this cooperative."))
        elif member is not None and action == "admit" and member.role != "worker":
            form.fail("person_id", _("Only a worker can be admitted as a cooperator."))
        elif member is not None and action == "end" and not member.active:
            form.fail("person_id", _("This membership has already ended."))
        return {"action": action, "person_id": person_id}
    if kind == ProposalKind.MANDATE:
        return _mandate(form, context)
    if form.raw("change_rules") in {"on", "yes", "1"}:
        if method == "ranked":
            form.fail(
                "change_rules",
                _("New voting rules need a yes or no vote (or consent), not a ranked one."),
            )
            return {}
        # Without the minimums' fields, the decision leaves the minimums as they are.
        keep = None if has_minimums(form.data, "rules_") else Minimums()
        try:
            rules = parse_voting_rules(form.data, prefix="rules_", minimums=keep)
        except Invalid as error:
            form.errors.update(error.fields)
            return {}
        settings = rules.as_settings()
        if keep is not None:
            del settings["vote_minimums"]
        return {"voting_rules": settings}
    return {}


def _mandate(form: Form, context: DraftContext) -> dict[str, Any]:
    action = form.choice("mandate_action", MANDATE_ACTIONS)
    person_id = form.row_id("mandate_person_id")
    member = next((m for m in context.members if m.person_id == person_id), None)
    if person_id is not None and (member is None or not member.active):
        form.fail("mandate_person_id", _("Choose an active member of this cooperative."))
    elif (
        member is not None
        and action == "elect"
        and member.role
        not in {
            "cooperator",
            "coordinator",
        }
    ):
        form.fail("mandate_person_id", _("Only a cooperator can hold a coordinator's mandate."))
    elif member is not None and action == "recall" and member.role != "coordinator":
        form.fail("mandate_person_id", _("Only a coordinator can be recalled."))
    if action != "elect":
        return {"action": action, "person_id": person_id}
    term = form.integer("term_months")
    if term is not None and not 1 <= term <= MAX_TERM_MONTHS:
        form.fail(
            "term_months",
            _("A mandate lasts from 1 to %(count)d months.") % {"count": MAX_TERM_MONTHS},
        )
    return {"action": action, "person_id": person_id, "term_months": term}


def parse_proposal(data: Mapping[str, Any], context: DraftContext) -> ProposalInput:
    form = Form(data)
    kind = form.choice("kind", [k.value for k in ProposalKind])
    title = form.text("title", max_length=MAX_TITLE)
    body = markdown_text(form, "body", required=True)
    method = form.choice("method", KIND_METHODS.get(kind, METHODS))
    quorum = form.choice("quorum", QUORUMS)
    threshold_texts = [fraction_text(t) for t in THRESHOLDS]
    threshold = form.raw("threshold").strip() or "1/2"
    if method == "approval" and threshold not in threshold_texts:
        form.fail("threshold", _("Choose one of the options."))
    visibility = form.choice("visibility", [v.value for v in Visibility])
    # A secret vote always hides its result until the close: counts moving as people vote,
    # next to who took part when, would tell who chose what.
    hidden = visibility == Visibility.SECRET or form.raw("results_hidden") in {"on", "yes", "1"}
    options: list[dict[str, Any]] = []
    if method == "ranked" and kind in KIND_METHODS:
        if kind == ProposalKind.DISTRIBUTION_RULE:
            options = _ranked_rules(form, data)
        else:
            options = _ranked_labels(form)
    effect = _effect(form, kind, method, context) if kind in KIND_METHODS else {}
    form.done()
    return ProposalInput(
        kind=kind,
        title=title,
        body=body,
        method=method,
        quorum=quorum,
        threshold=threshold if method == "approval" else "1/2",
        visibility=visibility,
        results_hidden=hidden,
        options=options,
        effect=effect,
    )


def option_labels(options: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(option["label"]) for option in options]


def quorum_value(text: str) -> Fraction:
    numerator, _slash, denominator = text.partition("/")
    return Fraction(int(numerator), int(denominator or 1))


def refuse(message: str, name: str) -> Invalid:
    return Invalid(message, {name: message})


class Drafted(Protocol):
    """What `form_values` reads of a proposal (governance/votes/models.py)."""

    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def quorum(self) -> str: ...
    @property
    def threshold(self) -> str: ...
    @property
    def visibility(self) -> str: ...
    @property
    def results_hidden(self) -> bool: ...
    @property
    def options(self) -> list[dict[str, Any]]: ...
    @property
    def effect(self) -> dict[str, Any]: ...


def form_values(proposal: Drafted, language: str) -> dict[str, Any]:
    """The form that `parse_proposal` reads back into the same proposal (to change a draft)."""
    effect = proposal.effect
    values: dict[str, Any] = {
        "kind": proposal.kind,
        "title": proposal.title,
        "body": proposal.body,
        "method": proposal.method,
        "quorum": proposal.quorum,
        "threshold": proposal.threshold,
        "visibility": proposal.visibility,
        "results_hidden": "on" if proposal.results_hidden else "",
    }
    if proposal.kind == ProposalKind.DISTRIBUTION_RULE:
        values["start_month"] = effect.get("start_month", "")
        if proposal.method == "ranked":
            templates = [o for o in proposal.options if o["label"] in TEMPLATES]
            written = [o for o in proposal.options if o["label"] not in TEMPLATES]
            values["rule_options"] = [o["label"] for o in templates]
            if written:
                values["rule_json"] = json.dumps(written[0]["rule"], indent=2)
                values["custom_label"] = written[0]["label"]
        else:
            values["rule_json"] = json.dumps(effect.get("rule"), indent=2)
    elif proposal.method == "ranked":
        values["choices"] = "\n".join(option_labels(proposal.options))
    if proposal.kind == ProposalKind.FUND_SPENDING:
        values["fund"] = effect["fund"]
        values["category"] = effect["category"]
        values["amount"] = format_decimal(
            Decimal(effect["amount_cents"]) / 100, "0.00", locale=FORMAT_LOCALES.get(language)
        )
    elif proposal.kind == ProposalKind.MEMBERSHIP:
        values["action"] = effect["action"]
        values["person_id"] = str(effect["person_id"])
    elif proposal.kind == ProposalKind.MANDATE:
        values["mandate_action"] = effect["action"]
        values["mandate_person_id"] = str(effect["person_id"])
        values["term_months"] = str(effect.get("term_months") or "")
    elif "voting_rules" in effect:
        rules = effect["voting_rules"]
        values["change_rules"] = "on"
        values["rules_open_proposals"] = rules["open_proposals"]
        values["rules_proxy_limit"] = str(rules["proxy_limit"])
        values["rules_coordinators_by_mandate"] = "on" if rules["coordinators_by_mandate"] else ""
        if "vote_minimums" in rules:
            values.update(form_fields(minimums_from(rules["vote_minimums"]), "rules_"))
    return values
