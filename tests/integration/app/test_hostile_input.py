"""Whatever a tired coordinator or a hostile visitor types, no request gives a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

FORMS: dict[str, list[str]] = {
    "/login": ["email", "password", "next"],
    "/language": ["language", "next"],
    "/account/profile": ["name", "language"],
    "/account/password": ["current_password", "new_password"],
    "/c/alpha/members/invite": ["email", "role"],
    "/c/alpha/details": [
        "legal_name",
        "address",
        "enterprise_number",
        "iban",
        "bic",
        "email",
        "phone",
    ],
    "/c/alpha/members/{wen}/role": ["role"],
    "/invite/{token}": ["name", "password", "language"],
    "/c/alpha/work/": [
        "client_id",
        "member_id",
        "date",
        "start_time",
        "duration_minutes",
        "rate",
        "fixed_amount",
        "travel",
        "kind",
        "languages",
        "note",
        "idempotency_key",
        "action",
    ],
    "/c/alpha/work/validate": ["ids"],
    "/c/alpha/work/1/reject": ["reason"],
    "/c/alpha/costs/": ["date", "category", "supplier", "amount", "note"],
    "/c/alpha/clients/": ["name", "kind", "vat_number", "address", "default_rate"],
    "/c/alpha/invoices/": ["client_id", "month"],
    "/c/alpha/payments/": ["client_id", "date", "amount", "reference", "invoice_ids"],
    "/c/alpha/work/import/confirm": ["payload", "signature"],
}

texts = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "fr",
            "ar",
            "coordinator",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00",
            "%00",
            "é" * 5000,
            "//evil.example",
            "../../etc",
            "😀" * 100,
            "1e309",
            "-1",
            "99999999999999999999999",
        ]
    ),
)
slow = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@slow
@given(data=st.data())
def test_no_form_gives_a_server_error(visitor: Any, world: Any, data: st.DataObject) -> None:
    if "governance_session" not in visitor.jar:
        visitor.login("carla")
    path = data.draw(st.sampled_from(sorted(FORMS)))
    fields = {name: data.draw(texts) for name in FORMS[path]}
    url = path.format(wen=world.memberships["wen"], token=quote(data.draw(texts), safe="") or "x")
    response = visitor.post(url, fields)
    assert response.status_code < 500, (url, fields, response.text[:500])


@slow
@given(data=st.data())
def test_no_query_gives_a_server_error(visitor: Any, world: Any, data: st.DataObject) -> None:
    if "governance_session" not in visitor.jar:
        visitor.login("omar")
    path = data.draw(st.sampled_from(["/c/alpha/audit/", "/api/c/alpha/audit", "/login"]))
    params = {name: data.draw(texts) for name in ("actor", "subject", "before", "next")}
    # Beyond 64 KiB the HTTP client refuses to send the URL at all (so would any proxy).
    assume(len(urlencode(params)) < 60_000)
    response = visitor.get(path, params=params)
    assert response.status_code < 500, (path, params, response.text[:500])


@slow
@given(slug=texts)
def test_no_cooperative_address_gives_a_server_error(visitor: Any, world: Any, slug: str) -> None:
    if "governance_session" not in visitor.jar:
        visitor.login("omar")
    response = visitor.get("/c/" + quote(slug, safe="") + "/members")
    assert response.status_code in (404, 200), (slug, response.status_code)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@slow
@given(data=st.data())
def test_no_json_body_gives_a_server_error(visitor: Any, world: Any, data: st.DataObject) -> None:
    if "governance_session" not in visitor.jar:
        visitor.login("carla")
    path = data.draw(
        st.sampled_from(
            [
                "/api/c/alpha/prestations",
                "/api/c/alpha/prestations/validate",
                "/api/c/alpha/prestations/1/submit",
            ]
        )
    )
    keys = st.sampled_from(
        [
            "client_id",
            "date",
            "duration_minutes",
            "rate_cents",
            "kind",
            "ids",
            "languages",
            "submit",
            "fixed_amount_cents",
            "travel_cents",
            "member_id",
            "start_time",
            "note",
            "rate",  # the old name: refused as unknown
        ]
    )
    body = data.draw(st.one_of(json_values, st.dictionaries(keys, json_values, max_size=8)))
    response = visitor.post_json(
        path,
        body,
        headers={
            "idempotency-key": data.draw(texts)[:40].encode("ascii", "ignore").decode() or "k"
        },
    )
    assert response.status_code < 500, (path, body, response.text[:300])
