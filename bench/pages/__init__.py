"""Pages benchmark: the server time of every main page on a big cooperative against the demo.

    .venv/bin/python -m bench.pages [--db sqlite|postgresql] [--big PATH|DBNAME] [--runs N]

Both databases are served in the same process by the real app (`governance.app.create_app`,
its lifespan run, in-process through `httpx.ASGITransport`: no network, no server), each with
a member and the coordinator logged in through the login form. Each page is fetched once
untimed (compiled statements, templates, pool), then `--runs` times on the demo and on the big
cooperative in turn; the best of each is kept. **ratio = big ÷ demo**; the goals (from the
issue): ratio ≤ 2 and big ≤ 50 ms. The PDF and the CSV export are reported apart. Nothing is
asserted about time: the run exits 0 when every page answered 200 with what it should show, 1
otherwise, 2 when it could not set up. See /work/i17-notes/bigcoop-readme.md (bench/README.md
once merged).

The demo is `governance demo` into a fresh database (as bench/run.py makes it); the big
cooperative is built by `python -m bench.bigcoop` (`--big` names one kept with its `--out`;
without it one is built here with `--members` and `--years`).

This package: the pages and their goals (here), what each database's pages need (`targets`),
the measuring child (`measure`), the table (`report`), the runner (`__main__`).
"""

from __future__ import annotations

from dataclasses import dataclass

GOAL_RATIO = 2.0
GOAL_MS = 50.0


@dataclass(frozen=True)
class PageSpec:
    name: str
    who: str  # "member" or "coordinator"
    path: str  # formatted with the Targets' fields
    apart: bool = False  # PDF and CSV: reported apart from the goals
    must_show: str = ""  # a text the page must hold (a check that it shows what it should)


PAGES = (
    PageSpec("member home", "member", "/c/{slug}/"),
    PageSpec("my work", "member", "/c/{slug}/work/"),
    PageSpec("my statements", "member", "/c/{slug}/statements"),
    PageSpec("my earnings", "member", "/c/{slug}/me/earnings"),
    PageSpec("statement", "member", "/c/{slug}/statements/{month}/members/{member_id}"),
    PageSpec(
        "statement PDF",
        "member",
        "/c/{slug}/statements/{month}/members/{member_id}/statement.pdf",
        apart=True,
        must_show="%PDF",
    ),
    PageSpec(
        "statement CSV",
        "member",
        "/c/{slug}/statements/{month}/members/{member_id}/statement.csv",
        apart=True,
    ),
    PageSpec("month page", "coordinator", "/c/{slug}/periods/{month}"),
    PageSpec("proposals", "member", "/c/{slug}/proposals/"),
    PageSpec(
        "rule proposal",
        "member",
        "/c/{slug}/proposals/{proposal_id}",
        must_show='id="comparison"',
    ),
    PageSpec("members", "member", "/c/{slug}/members"),
    PageSpec("audit trail p.1", "coordinator", "/c/{slug}/audit/"),
    PageSpec("audit trail p.1000", "coordinator", "/c/{slug}/audit/?before={audit_before}"),
    PageSpec("audit trail p.1 (member)", "member", "/c/{slug}/audit/"),
    PageSpec("trial balance", "coordinator", "/c/{slug}/books/"),
    PageSpec("account p.1", "coordinator", "/c/{slug}/books/account?code=revenue"),
    PageSpec(
        "account p.1000",
        "coordinator",
        "/c/{slug}/books/account?code=revenue&after={account_after}",
    ),
)
