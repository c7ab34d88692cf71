"""For scripts/check-api: log in to the running demo as a browser does, and write what
Schemathesis needs: the cookie and CSRF header, and a config whose dictionaries hold real
ids of the demo (clients, prestations, proposals, accounts), so that the generated requests
reach the services instead of stopping at "not found".

Usage: check_api_login.py BASE_URL EMAIL PASSWORD SLUG CONFIG_PATH
Prints two lines: the Cookie header's value, then the CSRF token.
"""

from __future__ import annotations

import json
import sys

import httpx


def login(client: httpx.Client, email: str, password: str) -> str:
    client.get("/login").raise_for_status()
    token = client.cookies["csrftoken"]
    answer = client.post(
        "/login", data={"email": email, "password": password, "_csrf_token": token}
    )
    if answer.status_code != 302 or not client.cookies.get("governance_session"):
        sys.exit(f"check-api: {email} could not log in ({answer.status_code})")
    if client.get("/api/me").status_code != 200:
        sys.exit(f"check-api: {email} is not known to /api/me")
    return token


def ids(client: httpx.Client, path: str, key: str = "id") -> list[int | str]:
    answer = client.get(path)
    if answer.status_code != 200:
        return []
    rows = answer.json()
    rows = rows.get("accounts", []) if isinstance(rows, dict) else rows
    return [row[key] for row in rows][:50]


def config(client: httpx.Client, slug: str) -> str:
    api = f"/api/c/{slug}"
    found = {
        "clients": ids(client, f"{api}/clients?archived=true"),
        "prestations": ids(client, f"{api}/prestations"),
        "proposals": ids(client, f"{api}/proposals"),
        "accounts": ids(client, f"{api}/books/trial-balance", "account"),
        "kinds": ["on_site", "phone", "video", "translation", "other"],
        "choices": ["yes", "no", "abstain", "consent", "object"],
    }
    bindings = {
        "path.client_id": "clients",
        "body.client_id": "clients",
        "path.prestation_id": "prestations",
        "path.proposal_id": "proposals",
        "path.code": "accounts",
        "body.kind": "kinds",
        "body.choice": "choices",
    }
    lines = ["[parameters]", f'"path.slug" = {json.dumps(slug)}']
    for key, name in bindings.items():
        if found[name]:
            lines.append(f'"{key}" = {{ dictionary = "{name}", probability = 0.6 }}')
    lines.append("")
    for name, values in found.items():
        if values:
            lines.append(f"[dictionaries.{name}]")
            lines.append(f"values = {json.dumps(values)}")
    return "\n".join(lines) + "\n"


def main() -> None:
    base, email, password, slug, path = sys.argv[1:6]
    with httpx.Client(base_url=base) as client:
        token = login(client, email, password)
        with open(path, "w", encoding="utf-8") as out:
            out.write(config(client, slug))
        print(f"governance_session={client.cookies['governance_session']}; csrftoken={token}")
        print(token)


if __name__ == "__main__":
    main()
