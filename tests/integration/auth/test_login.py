"""Logging in and out, sessions that end, throttling."""

from __future__ import annotations

from typing import Any


def test_login_page_is_in_french_by_default(visitor: Any) -> None:
    response = visitor.get("/login")
    assert response.status_code == 200
    assert 'lang="fr"' in response.text


def test_a_member_logs_in_and_reaches_their_cooperative(visitor: Any, world: Any) -> None:
    response = visitor.login("omar")
    assert response.headers["location"] == "/"
    home = visitor.get("/")
    assert home.headers["location"] == "/c/alpha/"
    page = visitor.get("/c/alpha/")
    assert page.status_code == 200
    assert "Omar Cooperator" in page.text


def test_the_session_cookie_is_httponly_and_lax(visitor: Any, world: Any) -> None:
    response = visitor.login("omar")
    cookie = next(
        v
        for k, v in response.headers.multi_items()
        if k == "set-cookie" and v.startswith("governance_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie


def test_a_wrong_password_is_refused_with_a_message(visitor: Any, world: Any) -> None:
    response = visitor.post("/login", {"email": "omar@alpha.example", "password": "nope nope"})
    assert response.status_code == 400
    assert "Wrong email or password." in response.text or "incorrect" in response.text


def test_login_is_throttled_after_five_failures(visitor: Any, world: Any) -> None:
    for _ in range(5):
        visitor.post("/login", {"email": "omar@alpha.example", "password": "wrong password"})
    response = visitor.post(
        "/login", {"email": "omar@alpha.example", "password": "correct horse battery"}
    )
    assert response.status_code == 429
    assert "15" in response.text


def test_logout_ends_the_session(visitor: Any, world: Any) -> None:
    visitor.login("omar")
    visitor.logout()
    assert visitor.get("/c/alpha/").status_code in (302, 303)


def test_logout_everywhere_ends_other_sessions(make_visitor: Any, world: Any) -> None:
    phone, laptop = make_visitor(), make_visitor()
    phone.login("omar")
    laptop.login("omar")
    assert laptop.post("/account/logout-everywhere").status_code in (302, 303)
    assert phone.get("/c/alpha/").status_code in (302, 303)


def test_a_password_change_ends_other_sessions_but_not_this_one(
    make_visitor: Any, world: Any
) -> None:
    phone, laptop = make_visitor(), make_visitor()
    phone.login("omar")
    laptop.login("omar")
    response = laptop.post(
        "/account/password",
        {"current_password": "correct horse battery", "new_password": "a brand new passphrase"},
    )
    assert response.status_code in (302, 303)
    assert laptop.get("/c/alpha/").status_code == 200
    assert phone.get("/c/alpha/").status_code in (302, 303)
    phone.login("omar", "a brand new passphrase")


def test_a_request_without_csrf_token_is_refused(client: Any, world: Any) -> None:
    response = client.post(
        "/login", data={"email": "omar@alpha.example", "password": "correct horse battery"}
    )
    assert response.status_code == 403


def test_login_does_not_redirect_to_another_site(visitor: Any, world: Any) -> None:
    response = visitor.post(
        "/login",
        {
            "email": "omar@alpha.example",
            "password": "correct horse battery",
            "next": "//evil.example/steal",
        },
    )
    assert response.headers["location"] == "/"
