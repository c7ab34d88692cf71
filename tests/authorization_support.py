"""The authorization matrix: every route with what each persona gets (the matrix test and
the operator view and statements tests read it), and the expected statuses by kind of page.
"""

from __future__ import annotations

from typing import Any

PERSONAS = ["anonymous", "omar", "wen", "carla", "olga", "sam", "bea"]


def coop_page(persona: str) -> int:
    if persona == "anonymous":
        return LOGIN
    if persona == "sam":
        return 403
    if persona == "bea":
        return 404
    return 200


def worker_action(persona: str, ok: int) -> int:
    """Recording work: cooperators, workers and coordinators; observers only read."""
    if persona in ("omar", "wen", "carla"):
        return ok
    return coop_page(persona) if persona in ("anonymous", "sam", "bea") else 403


MEMBERS = ("omar", "wen", "carla", "olga")


# Shorthands for the expected statuses.
LOGIN = 302  # sent to the login page (HTML) ...


API_LOGIN = 401  # ... or told to log in (JSON)


def coop_api(persona: str) -> int:
    return API_LOGIN if persona == "anonymous" else coop_page(persona)


def coordinator_action(persona: str, ok: int) -> int:
    if persona == "carla":
        return ok
    return coop_page(persona) if persona in ("anonymous", "sam", "bea") else 403


def voter_action(persona: str, ok: int) -> int:
    """Drafting and voting: cooperators and coordinators; workers and observers do not vote."""
    if persona in ("omar", "carla"):
        return ok
    return coop_page(persona) if persona in ("anonymous", "sam", "bea") else 403


def member_action(persona: str, ok: int) -> int:
    """Voting on a proposal: who may vote is its voters frozen at the opening, whatever their
    role now, so any active member learns first whether the proposal exists."""
    return ok if persona in MEMBERS else coop_page(persona)


def api_worker(persona: str, ok: int) -> int:
    return API_LOGIN if persona == "anonymous" else worker_action(persona, ok)


def logged_in(persona: str, ok: int) -> int:
    return LOGIN if persona == "anonymous" else ok


def books_reader(persona: str, ok: int = 200) -> int:
    """The books hold every member's money: workers never read them (docs/privacy.md)."""
    return 403 if persona == "wen" else ok if persona in MEMBERS else coop_page(persona)


def books_api(persona: str) -> int:
    return API_LOGIN if persona == "anonymous" else books_reader(persona)


# (method, route template as Litestar lists it) -> (concrete path builder, form data, expected)
ROUTES: dict[tuple[str, str], tuple[Any, dict[str, str] | None, Any]] = {
    ("GET", "/healthz"): (lambda w: "/healthz", None, lambda p: 200),
    ("GET", "/static/{file_path:path}"): (lambda w: "/static/style.css", None, lambda p: 200),
    ("GET", "/favicon.ico"): (lambda w: "/favicon.ico", None, lambda p: 302),
    ("GET", "/schema"): (lambda w: "/schema", None, lambda p: 200),
    ("GET", "/schema/openapi.json"): (lambda w: "/schema/openapi.json", None, lambda p: 200),
    ("GET", "/schema/{path:str}"): (lambda w: "/schema/nothing-here", None, lambda p: 404),
    ("GET", "/login"): (lambda w: "/login", None, lambda p: 200 if p == "anonymous" else 302),
    ("POST", "/login"): (
        lambda w: "/login",
        {"email": "nobody@example.org", "password": "not the password"},
        lambda p: 400,
    ),
    ("POST", "/language"): (lambda w: "/language", {"language": "nl", "next": "/"}, lambda p: 302),
    ("GET", "/"): (lambda w: "/", None, lambda p: 302),
    ("GET", "/coops"): (lambda w: "/coops", None, lambda p: logged_in(p, 200)),
    ("GET", "/account"): (lambda w: "/account", None, lambda p: logged_in(p, 200)),
    ("POST", "/account/profile"): (
        lambda w: "/account/profile",
        {"name": "Same Name", "language": "fr"},
        lambda p: logged_in(p, 302),
    ),
    ("POST", "/account/bank"): (
        lambda w: "/account/bank",
        {"iban": "not an iban"},
        lambda p: logged_in(p, 400),
    ),
    ("POST", "/account/password"): (
        lambda w: "/account/password",
        {"current_password": "wrong wrong", "new_password": "whatever is long"},
        lambda p: logged_in(p, 400),
    ),
    ("GET", "/invite/{token:str}"): (lambda w: "/invite/forged.token.value", None, lambda p: 404),
    ("POST", "/invite/{token:str}"): (lambda w: "/invite/forged.token.value", {}, lambda p: 404),
    ("GET", "/c/{slug:str}"): (lambda w: "/c/alpha/", None, coop_page),
    ("GET", "/c/{slug:str}/members"): (lambda w: "/c/alpha/members", None, coop_page),
    ("GET", "/c/{slug:str}/audit"): (lambda w: "/c/alpha/audit/", None, coop_page),
    ("GET", "/c/{slug:str}/checkpoints"): (lambda w: "/c/alpha/checkpoints", None, coop_page),
    ("GET", "/c/{slug:str}/checkpoints.json"): (
        lambda w: "/c/alpha/checkpoints.json",
        None,
        coop_page,
    ),
    ("GET", "/c/{slug:str}/details"): (lambda w: "/c/alpha/details", None, coop_page),
    ("POST", "/c/{slug:str}/details"): (
        lambda w: "/c/alpha/details",
        {"iban": "not an iban"},
        lambda p: coordinator_action(p, 422),
    ),
    ("POST", "/c/{slug:str}/members/invite"): (
        lambda w: "/c/alpha/members/invite",
        {"email": "new@example.org", "role": "worker"},
        lambda p: coordinator_action(p, 200),
    ),
    ("POST", "/c/{slug:str}/members/{membership_id:int}/role"): (
        lambda w: f"/c/alpha/members/{w.memberships['wen']}/role",
        {"role": "worker"},
        lambda p: coordinator_action(p, 302),
    ),
    ("POST", "/c/{slug:str}/members/{membership_id:int}/suspend"): (
        lambda w: f"/c/alpha/members/{w.memberships['sam']}/suspend",
        {},
        lambda p: coordinator_action(p, 302),
    ),
    ("POST", "/c/{slug:str}/members/{membership_id:int}/reinstate"): (
        lambda w: f"/c/alpha/members/{w.memberships['omar']}/reinstate",
        {},
        lambda p: coordinator_action(p, 302),
    ),
    ("GET", "/c/{slug:str}/work"): (lambda w: "/c/alpha/work/", None, coop_page),
    ("GET", "/c/{slug:str}/work/new"): (
        lambda w: "/c/alpha/work/new",
        None,
        lambda p: worker_action(p, 200),
    ),
    ("POST", "/c/{slug:str}/work"): (
        lambda w: "/c/alpha/work/",
        {"client_id": "x"},
        lambda p: worker_action(p, 400),
    ),
    ("POST", "/c/{slug:str}/work/{prestation_id:int}/submit"): (
        lambda w: "/c/alpha/work/999999/submit",
        {},
        lambda p: worker_action(p, 404),
    ),
    ("GET", "/c/{slug:str}/work/queue"): (
        lambda w: "/c/alpha/work/queue",
        None,
        lambda p: coordinator_action(p, 200),
    ),
    ("POST", "/c/{slug:str}/work/validate"): (
        lambda w: "/c/alpha/work/validate",
        {},
        lambda p: coordinator_action(p, 400),
    ),
    ("POST", "/c/{slug:str}/work/{prestation_id:int}/reject"): (
        lambda w: "/c/alpha/work/999999/reject",
        {"reason": "no"},
        lambda p: coordinator_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/work/{prestation_id:int}/reverse"): (
        lambda w: "/c/alpha/work/999999/reverse",
        {"reason": "no"},
        lambda p: coordinator_action(p, 404),
    ),
    ("GET", "/api/c/{slug:str}/prestations"): (
        lambda w: "/api/c/alpha/prestations",
        None,
        coop_api,
    ),
    ("POST", "/api/c/{slug:str}/prestations"): (
        lambda w: "/api/c/alpha/prestations",
        {},
        lambda p: api_worker(p, 422),
    ),
    ("POST", "/api/c/{slug:str}/prestations/{prestation_id:int}/submit"): (
        lambda w: "/api/c/alpha/prestations/999999/submit",
        {},
        lambda p: api_worker(p, 404),
    ),
    ("POST", "/api/c/{slug:str}/prestations/validate"): (
        lambda w: "/api/c/alpha/prestations/validate",
        {},
        lambda p: API_LOGIN if p == "anonymous" else coordinator_action(p, 422),
    ),
    ("POST", "/api/c/{slug:str}/prestations/{prestation_id:int}/reverse"): (
        lambda w: "/api/c/alpha/prestations/999999/reverse",
        {"reason": "no"},
        lambda p: API_LOGIN if p == "anonymous" else coordinator_action(p, 404),
    ),
    ("GET", "/c/{slug:str}/costs"): (lambda w: "/c/alpha/costs/", None, coop_page),
    ("GET", "/c/{slug:str}/costs/new"): (
        lambda w: "/c/alpha/costs/new",
        None,
        lambda p: coordinator_action(p, 200),
    ),
    ("POST", "/c/{slug:str}/costs"): (
        lambda w: "/c/alpha/costs/",
        {"amount": "x"},
        lambda p: coordinator_action(p, 400),
    ),
    ("GET", "/c/{slug:str}/clients"): (lambda w: "/c/alpha/clients/", None, coop_page),
    ("GET", "/c/{slug:str}/clients/new"): (
        lambda w: "/c/alpha/clients/new",
        None,
        lambda p: coordinator_action(p, 200),
    ),
    ("POST", "/c/{slug:str}/clients"): (
        lambda w: "/c/alpha/clients/",
        {"name": ""},
        lambda p: coordinator_action(p, 400),
    ),
    ("GET", "/c/{slug:str}/clients/{client_id:int}"): (
        lambda w: "/c/alpha/clients/999999",
        None,
        lambda p: 404 if p in MEMBERS else coop_page(p),
    ),
    ("GET", "/c/{slug:str}/clients/{client_id:int}/edit"): (
        lambda w: "/c/alpha/clients/999999/edit",
        None,
        lambda p: coordinator_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/clients/{client_id:int}"): (
        lambda w: "/c/alpha/clients/999999",
        {"name": "x", "kind": "other"},
        lambda p: coordinator_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/clients/{client_id:int}/archive"): (
        lambda w: "/c/alpha/clients/999999/archive",
        {},
        lambda p: coordinator_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/clients/{client_id:int}/restore"): (
        lambda w: "/c/alpha/clients/999999/restore",
        {},
        lambda p: coordinator_action(p, 404),
    ),
    ("GET", "/c/{slug:str}/invoices"): (lambda w: "/c/alpha/invoices/", None, coop_page),
    ("POST", "/c/{slug:str}/invoices"): (
        lambda w: "/c/alpha/invoices/",
        {"month": "x"},
        lambda p: coordinator_action(p, 400),
    ),
    ("GET", "/c/{slug:str}/invoices/{invoice_id:int}/pdf"): (
        lambda w: "/c/alpha/invoices/999999/pdf",
        None,
        lambda p: books_reader(p, 404),  # an invoice lists members' work with its amounts
    ),
    ("POST", "/c/{slug:str}/invoices/{invoice_id:int}/cancel"): (
        lambda w: "/c/alpha/invoices/999999/cancel",
        {},
        lambda p: coordinator_action(p, 404),
    ),
    ("GET", "/c/{slug:str}/invoices/{invoice_id:int}/cancel"): (
        lambda w: "/c/alpha/invoices/999999/cancel",
        None,
        lambda p: coordinator_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/invoices/{invoice_id:int}/credit"): (
        lambda w: "/c/alpha/invoices/999999/credit",
        {},
        lambda p: coordinator_action(p, 404),
    ),
    ("GET", "/c/{slug:str}/invoices/{invoice_id:int}/credit"): (
        lambda w: "/c/alpha/invoices/999999/credit",
        None,
        lambda p: coordinator_action(p, 404),
    ),
    ("GET", "/c/{slug:str}/payments"): (
        lambda w: "/c/alpha/payments/",
        None,
        books_reader,  # client payments are the books' (docs/privacy.md)
    ),
    ("GET", "/c/{slug:str}/payments/new"): (
        lambda w: "/c/alpha/payments/new",
        None,
        lambda p: coordinator_action(p, 200),
    ),
    ("GET", "/c/{slug:str}/payments/new/invoices"): (
        lambda w: "/c/alpha/payments/new/invoices",
        None,
        lambda p: coordinator_action(p, 200),
    ),
    ("POST", "/c/{slug:str}/payments"): (
        lambda w: "/c/alpha/payments/",
        {"amount": "x"},
        lambda p: coordinator_action(p, 400),
    ),
    ("GET", "/c/{slug:str}/bank"): (
        lambda w: "/c/alpha/bank/",
        None,
        lambda p: coordinator_action(p, 200),
    ),
    ("POST", "/c/{slug:str}/bank/import"): (
        lambda w: "/c/alpha/bank/import",
        {},
        lambda p: coordinator_action(p, 400),
    ),
    ("POST", "/c/{slug:str}/bank/close-rule"): (
        lambda w: "/c/alpha/bank/close-rule",
        {"close_rule": "maybe"},
        lambda p: coordinator_action(p, 400),
    ),
    ("POST", "/c/{slug:str}/bank/lines/{line_id:int}/undo"): (
        lambda w: "/c/alpha/bank/lines/999999/undo",
        {"reason": "wrong client"},
        lambda p: coordinator_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/bank/lines/{line_id:int}"): (
        lambda w: "/c/alpha/bank/lines/999999",
        {"proposal": "0"},
        lambda p: coordinator_action(p, 404),
    ),
    ("GET", "/c/{slug:str}/payouts"): (
        lambda w: "/c/alpha/payouts/",
        None,
        lambda p: coordinator_action(p, 200),
    ),
    ("POST", "/c/{slug:str}/payouts"): (
        lambda w: "/c/alpha/payouts/",
        {"execution_date": "x"},
        lambda p: coordinator_action(p, 400),
    ),
    ("GET", "/c/{slug:str}/payouts/{batch_id:int}"): (
        lambda w: "/c/alpha/payouts/999999",
        None,
        lambda p: coordinator_action(p, 404),
    ),
    ("GET", "/c/{slug:str}/payouts/{batch_id:int}/sepa.xml"): (
        lambda w: "/c/alpha/payouts/999999/sepa.xml",
        None,
        lambda p: coordinator_action(p, 404),
    ),
    ("GET", "/c/{slug:str}/payouts/{batch_id:int}/confirm"): (
        lambda w: "/c/alpha/payouts/999999/confirm",
        None,
        lambda p: coordinator_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/payouts/{batch_id:int}/confirm"): (
        lambda w: "/c/alpha/payouts/999999/confirm",
        {},
        lambda p: coordinator_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/payouts/{batch_id:int}/cancel"): (
        lambda w: "/c/alpha/payouts/999999/cancel",
        {},
        lambda p: coordinator_action(p, 404),
    ),
    ("GET", "/c/{slug:str}/books"): (lambda w: "/c/alpha/books/", None, books_reader),
    ("GET", "/c/{slug:str}/books/account"): (
        lambda w: "/c/alpha/books/account?code=bank",
        None,
        lambda p: books_reader(p, 404),
    ),
    ("GET", "/c/{slug:str}/work/import"): (
        lambda w: "/c/alpha/work/import",
        None,
        lambda p: coordinator_action(p, 200),
    ),
    ("GET", "/c/{slug:str}/work/import/sample"): (
        lambda w: "/c/alpha/work/import/sample",
        None,
        lambda p: coordinator_action(p, 200),
    ),
    ("POST", "/c/{slug:str}/work/import/preview"): (
        lambda w: "/c/alpha/work/import/preview",
        {},
        lambda p: coordinator_action(p, 400),
    ),
    ("POST", "/c/{slug:str}/work/import/confirm"): (
        lambda w: "/c/alpha/work/import/confirm",
        {},
        lambda p: coordinator_action(p, 400),
    ),
    ("GET", "/api/me"): (
        lambda w: "/api/me",
        None,
        lambda p: API_LOGIN if p == "anonymous" else 200,
    ),
    ("GET", "/api/c/{slug:str}/members"): (lambda w: "/api/c/alpha/members", None, coop_api),
    ("GET", "/api/c/{slug:str}/audit"): (lambda w: "/api/c/alpha/audit", None, coop_api),
    ("GET", "/api/c/{slug:str}/clients"): (lambda w: "/api/c/alpha/clients", None, coop_api),
    ("POST", "/api/c/{slug:str}/clients"): (
        lambda w: "/api/c/alpha/clients",
        {},
        lambda p: API_LOGIN if p == "anonymous" else coordinator_action(p, 422),
    ),
    ("GET", "/api/c/{slug:str}/clients/{client_id:int}"): (
        lambda w: "/api/c/alpha/clients/999999",
        None,
        lambda p: 404 if p in MEMBERS else coop_api(p),
    ),
    ("POST", "/api/c/{slug:str}/clients/{client_id:int}/archive"): (
        lambda w: "/api/c/alpha/clients/999999/archive",
        {},
        lambda p: API_LOGIN if p == "anonymous" else coordinator_action(p, 404),
    ),
    ("POST", "/api/c/{slug:str}/clients/{client_id:int}/restore"): (
        lambda w: "/api/c/alpha/clients/999999/restore",
        {},
        lambda p: API_LOGIN if p == "anonymous" else coordinator_action(p, 404),
    ),
    ("GET", "/api/c/{slug:str}/books/trial-balance"): (
        lambda w: "/api/c/alpha/books/trial-balance?period=2026-11",
        None,
        books_api,
    ),
    ("GET", "/api/c/{slug:str}/books/accounts/{code:str}"): (
        lambda w: "/api/c/alpha/books/accounts/receivable:999999",
        None,
        lambda p: 403 if p == "wen" else 404 if p in MEMBERS else coop_api(p),
    ),
    ("GET", "/api/c/{slug:str}/books/entries"): (
        lambda w: "/api/c/alpha/books/entries?limit=10",
        None,
        books_api,
    ),
    # The month close. 2020-01 has no period in this world: nothing to show (404) and
    # nothing to start (no rule: 422), contest (409) or close (409); the role is checked first.
    ("GET", "/c/{slug:str}/periods"): (lambda w: "/c/alpha/periods", None, coop_page),
    ("GET", "/c/{slug:str}/periods/{month:str}"): (
        lambda w: "/c/alpha/periods/2020-01",
        None,
        lambda p: 404 if p in MEMBERS else coop_page(p),
    ),
    ("POST", "/c/{slug:str}/periods/{month:str}/review"): (
        lambda w: "/c/alpha/periods/2020-01/review",
        {},
        lambda p: coordinator_action(p, 422),
    ),
    ("POST", "/c/{slug:str}/periods/{month:str}/contests"): (
        lambda w: "/c/alpha/periods/2020-01/contests",
        {"comment": "This line is wrong."},
        lambda p: worker_action(p, 409),
    ),
    ("POST", "/c/{slug:str}/contests/{contest_id:int}/keep"): (
        lambda w: "/c/alpha/contests/999999/keep",
        {"reason": "no"},
        lambda p: coordinator_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/contests/{contest_id:int}/correct"): (
        lambda w: "/c/alpha/contests/999999/correct",
        {"amount": "1", "reason": "no"},
        lambda p: coordinator_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/periods/review-time"): (
        lambda w: "/c/alpha/periods/review-time",
        {"review_min_hours": "72"},
        lambda p: coordinator_action(p, 303),
    ),
    ("POST", "/c/{slug:str}/periods/{month:str}/read"): (
        lambda w: "/c/alpha/periods/2020-01/read",
        {},
        lambda p: worker_action(p, 404),
    ),
    ("GET", "/c/{slug:str}/periods/{month:str}/close"): (
        lambda w: "/c/alpha/periods/2020-01/close",
        None,
        lambda p: coordinator_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/periods/{month:str}/close"): (
        lambda w: "/c/alpha/periods/2020-01/close",
        {"checked": "yes"},
        lambda p: coordinator_action(p, 409),
    ),
    # Statements. No month is closed in this world: each statement is 404 for members, after
    # the role check (a worker does not read the cooperative's statement: 403).
    # tests/integration/ledger/statements/test_statements.py checks these routes again with a
    # closed month.
    ("GET", "/c/{slug:str}/statements"): (lambda w: "/c/alpha/statements", None, coop_page),
    ("GET", "/c/{slug:str}/statements/{month:str}"): (
        lambda w: "/c/alpha/statements/2026-10",
        None,
        lambda p: 403 if p == "wen" else 404 if p in MEMBERS else coop_page(p),
    ),
    ("GET", "/c/{slug:str}/statements/{month:str}/members/{member_id:int}"): (
        lambda w: f"/c/alpha/statements/2026-10/members/{w.ids['omar']}",
        None,
        lambda p: 404 if p in MEMBERS else coop_page(p),
    ),
    ("GET", "/c/{slug:str}/statements/{month:str}/members/{member_id:int}/statement.pdf"): (
        lambda w: f"/c/alpha/statements/2026-10/members/{w.ids['omar']}/statement.pdf",
        None,
        lambda p: 404 if p in MEMBERS else coop_page(p),
    ),
    ("GET", "/c/{slug:str}/statements/{month:str}/members/{member_id:int}/statement.csv"): (
        lambda w: f"/c/alpha/statements/2026-10/members/{w.ids['omar']}/statement.csv",
        None,
        lambda p: 404 if p in MEMBERS else coop_page(p),
    ),
    ("GET", "/c/{slug:str}/me/earnings"): (
        lambda w: "/c/alpha/me/earnings",
        None,
        lambda p: worker_action(p, 200),
    ),
    # Votes. No proposal 999999 here: members learn it does not exist after the role check.
    ("GET", "/c/{slug:str}/proposals"): (lambda w: "/c/alpha/proposals/", None, coop_page),
    ("GET", "/c/{slug:str}/proposals/rules"): (
        lambda w: "/c/alpha/proposals/rules",
        None,
        coop_page,
    ),
    ("POST", "/c/{slug:str}/proposals/rules"): (
        lambda w: "/c/alpha/proposals/rules",
        {"rules_open_proposals": "everyone"},
        lambda p: coordinator_action(p, 422),
    ),
    ("POST", "/c/{slug:str}/proposals/email"): (
        lambda w: "/c/alpha/proposals/email",
        {},
        lambda p: coordinator_action(p, 303),
    ),
    ("GET", "/c/{slug:str}/proposals/new"): (
        lambda w: "/c/alpha/proposals/new",
        None,
        lambda p: voter_action(p, 200),
    ),
    ("POST", "/c/{slug:str}/proposals"): (
        lambda w: "/c/alpha/proposals/",
        {},
        lambda p: voter_action(p, 422),
    ),
    ("GET", "/c/{slug:str}/proposals/{proposal_id:int}"): (
        lambda w: "/c/alpha/proposals/999999",
        None,
        lambda p: 404 if p in MEMBERS else coop_page(p),
    ),
    ("GET", "/c/{slug:str}/proposals/{proposal_id:int}/edit"): (
        lambda w: "/c/alpha/proposals/999999/edit",
        None,
        lambda p: 404 if p in MEMBERS else coop_page(p),
    ),
    ("POST", "/c/{slug:str}/proposals/{proposal_id:int}/edit"): (
        lambda w: "/c/alpha/proposals/999999/edit",
        {},
        lambda p: voter_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/proposals/{proposal_id:int}/open"): (
        lambda w: "/c/alpha/proposals/999999/open",
        {},
        lambda p: coordinator_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/proposals/{proposal_id:int}/ballot"): (
        lambda w: "/c/alpha/proposals/999999/ballot",
        {"choice": "yes"},
        lambda p: member_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/proposals/{proposal_id:int}/proxy"): (
        lambda w: "/c/alpha/proposals/999999/proxy",
        {"holder_id": "1"},
        lambda p: member_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/proposals/{proposal_id:int}/proxy/revoke"): (
        lambda w: "/c/alpha/proposals/999999/proxy/revoke",
        {},
        lambda p: member_action(p, 404),
    ),
    ("POST", "/c/{slug:str}/proposals/{proposal_id:int}/comments"): (
        lambda w: "/c/alpha/proposals/999999/comments",
        {"body": "Hello"},
        lambda p: worker_action(p, 404),
    ),
    ("GET", "/c/{slug:str}/proposals/{proposal_id:int}/board"): (
        lambda w: "/c/alpha/proposals/999999/board",
        None,
        lambda p: 404 if p in MEMBERS else coop_page(p),
    ),
    ("GET", "/c/{slug:str}/proposals/{proposal_id:int}/board.json"): (
        lambda w: "/c/alpha/proposals/999999/board.json",
        None,
        lambda p: 404 if p in MEMBERS else coop_page(p),
    ),
    ("GET", "/api/c/{slug:str}/proposals"): (lambda w: "/api/c/alpha/proposals/", None, coop_api),
    ("GET", "/api/c/{slug:str}/proposals/{proposal_id:int}"): (
        lambda w: "/api/c/alpha/proposals/999999",
        None,
        lambda p: 404 if p in MEMBERS else coop_api(p),
    ),
    ("POST", "/api/c/{slug:str}/proposals/{proposal_id:int}/ballot"): (
        lambda w: "/api/c/alpha/proposals/999999/ballot",
        {"choice": "yes"},
        lambda p: API_LOGIN if p == "anonymous" else member_action(p, 404),
    ),
    ("GET", "/api/c/{slug:str}/proposals/{proposal_id:int}/board"): (
        lambda w: "/api/c/alpha/proposals/999999/board",
        None,
        lambda p: 404 if p in MEMBERS else coop_api(p),
    ),
    # Last: these end the visitor's session.
    ("POST", "/logout"): (lambda w: "/logout", {}, lambda p: 302),
    ("POST", "/account/logout-everywhere"): (
        lambda w: "/account/logout-everywhere",
        {},
        lambda p: logged_in(p, 302),
    ),
}
