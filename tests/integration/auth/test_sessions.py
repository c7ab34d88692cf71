"""Server-side sessions: logout kills a copied token, "log out everywhere" kills them all,
impossible ids in signed tokens are refused (never a 500), old rows are purged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jose import jwt
from sqlalchemy import create_engine, text
from sqlmodel import col, select

from governance.auth import tokens
from governance.auth.models import AuthSession, LoginAttempt
from governance.auth.service import purge_login_attempts
from governance.auth.sessions import SESSION_COOKIE, purge_sessions
from governance.base import db
from governance.base.settings import Settings
from tests.conftest import TEST_SECRET

SID = "A" * 32


def token_of(visitor: Any) -> str:
    return str(visitor.jar[SESSION_COOKIE])


def with_token(make_visitor: Any, token: str) -> Any:
    """Another browser holding a copy of `token` (what a thief would have)."""
    thief = make_visitor()
    thief.jar.set(SESSION_COOKIE, token)
    return thief


def refused(visitor: Any) -> None:
    """The JSON API answers 401; a page sends to the login."""
    api = visitor.get("/api/me")
    assert api.status_code == 401, api.text
    assert api.json()["status_code"] == 401
    page = visitor.get("/c/alpha/")
    assert page.status_code in (302, 303)
    assert page.headers["location"].startswith("/login")


def accepted(visitor: Any) -> None:
    assert visitor.get("/api/me").status_code == 200
    assert visitor.get("/c/alpha/").status_code == 200


def live_sessions(settings: Settings, email: str) -> int:
    engine = create_engine(db.sync_url(settings.database_url))
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM auth_session s JOIN person p ON p.id = s.person_id "
                        "WHERE p.email = :email AND s.ended_at IS NULL"
                    ),
                    {"email": email},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_a_token_copied_before_logout_is_refused_after_it(
    make_visitor: Any, world: Any, settings: Settings
) -> None:
    omar = make_visitor()
    omar.login("omar")
    thief = with_token(make_visitor, token_of(omar))
    accepted(thief)  # the control: the copy works while the session lives
    assert live_sessions(settings, "omar@alpha.example") == 1
    omar.logout()
    refused(thief)
    refused(omar)
    assert live_sessions(settings, "omar@alpha.example") == 0


def test_logout_ends_only_this_session(make_visitor: Any, world: Any) -> None:
    phone, laptop = make_visitor(), make_visitor()
    phone.login("omar")
    laptop.login("omar")
    assert token_of(phone) != token_of(laptop)
    laptop.logout()
    refused(laptop)
    accepted(phone)


def test_log_out_everywhere_ends_every_session_and_copy(
    make_visitor: Any, world: Any, settings: Settings
) -> None:
    phone, laptop, tablet = make_visitor(), make_visitor(), make_visitor()
    for device in (phone, laptop, tablet):
        device.login("omar")
    copy = with_token(make_visitor, token_of(phone))
    carla = make_visitor()
    carla.login("carla")
    assert laptop.post("/account/logout-everywhere").status_code in (302, 303)
    for device in (phone, laptop, tablet, copy):
        refused(device)
    accepted(carla)  # someone else's session is not touched
    assert live_sessions(settings, "omar@alpha.example") == 0
    laptop.login("omar")  # a new login after it works
    accepted(laptop)


def test_a_password_change_kills_even_a_copy_of_this_browsers_token(
    make_visitor: Any, world: Any
) -> None:
    laptop = make_visitor()
    laptop.login("omar")
    copy = with_token(make_visitor, token_of(laptop))
    response = laptop.post(
        "/account/password",
        {"current_password": "correct horse battery", "new_password": "a brand new passphrase"},
    )
    assert response.status_code in (302, 303)
    accepted(laptop)
    refused(copy)


def test_a_session_past_its_expiry_on_the_server_is_refused(
    visitor: Any, world: Any, settings: Settings
) -> None:
    visitor.login("omar")
    accepted(visitor)
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE auth_session SET expires_at = created_at"))
    engine.dispose()
    refused(visitor)


def signed_session(world: Any, **overrides: object) -> str:
    """A session token signed with the service's real key."""
    body: dict[str, object] = {
        "sub": str(world.ids["omar"]),
        "ver": 1,
        "sid": SID,
        "iss": tokens.ISSUER,
        "aud": tokens.SESSION_AUDIENCE,
        "exp": datetime.now(UTC) + timedelta(hours=1),
    }
    for name, value in overrides.items():
        if value is None:
            del body[name]
        else:
            body[name] = value
    return jwt.encode(body, TEST_SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    "overrides",
    [
        {"sub": "1" * 30},
        {"sub": "-1"},
        {"sub": str(2**31)},
        {"sub": "abc"},
        {"ver": 2**70},
        {"ver": "1"},
        {"sid": None},
        {"sid": "not a session id"},
        {"sid": 42},
        {},  # well formed, real key, but no such session on the server
    ],
    ids=repr,
)
def test_a_signed_session_token_with_an_impossible_claim_is_401(
    make_visitor: Any, world: Any, overrides: dict[str, object]
) -> None:
    refused(with_token(make_visitor, signed_session(world, **overrides)))


def test_a_signed_session_token_is_accepted_when_its_session_is_live(
    make_visitor: Any, world: Any
) -> None:
    # The control for the test above: with the sid of a real login, a hand-made token works.
    omar = make_visitor()
    omar.login("omar")
    sid = tokens.read_session(token_of(omar), TEST_SECRET).session_id
    accepted(with_token(make_visitor, signed_session(world, sid=sid)))
    refused(with_token(make_visitor, signed_session(world, sid=sid, ver=2)))
    refused(with_token(make_visitor, signed_session(world, sid=sid, sub=str(world.ids["carla"]))))


@pytest.mark.parametrize("inv", [2**70, 2**31, -1, 0, "1", True])
def test_an_invitation_link_with_an_impossible_id_is_a_clear_404(
    make_visitor: Any, world: Any, inv: object
) -> None:
    token = jwt.encode(
        {
            "inv": inv,
            "nonce": "n" * 32,
            "iss": tokens.ISSUER,
            "aud": tokens.INVITATION_AUDIENCE,
            "exp": datetime.now(UTC) + timedelta(days=1),
        },
        TEST_SECRET,
        algorithm="HS256",
    )
    stranger = make_visitor()
    shown = stranger.get(f"/invite/{token}/")
    assert shown.status_code == 404, shown.text
    assert "invitation" in shown.text.lower()
    used = stranger.post(f"/invite/{token}/", {"name": "X", "password": "a long enough pass"})
    assert used.status_code == 404, used.text


def test_an_invitation_link_with_a_non_ascii_nonce_is_a_clear_404(
    make_visitor: Any, world: Any
) -> None:
    token = jwt.encode(
        {
            "inv": 1,
            "nonce": "é" * 32,
            "iss": tokens.ISSUER,
            "aud": tokens.INVITATION_AUDIENCE,
            "exp": datetime.now(UTC) + timedelta(days=1),
        },
        TEST_SECRET,
        algorithm="HS256",
    )
    assert make_visitor().get(f"/invite/{token}/").status_code == 404


NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_login_attempts_older_than_the_window_are_purged(run: Any, world: Any) -> None:
    ages = [timedelta(minutes=m) for m in (1, 14, 16, 60 * 24 * 40)]

    async def action(session: Any) -> tuple[int, list[datetime]]:
        async with session.begin():
            for age in ages:
                session.add(LoginAttempt(email="x@example.org", address="1.2.3.4", at=NOW - age))
        purged = await purge_login_attempts(session, NOW, window_minutes=15)
        async with session.begin():
            left = (await session.exec(select(LoginAttempt.at))).all()
        return purged, sorted(left)

    purged, left = run(action)
    assert purged == 2
    assert left == [NOW - timedelta(minutes=14), NOW - timedelta(minutes=1)]


def test_sessions_ended_or_expired_long_ago_are_purged(run: Any, world: Any) -> None:
    person = world.ids["omar"]
    rows = {
        "live": (NOW - timedelta(hours=1), NOW + timedelta(hours=11), None),
        "ended_yesterday": (
            NOW - timedelta(days=1),
            NOW + timedelta(hours=1),
            NOW - timedelta(days=1),
        ),
        # Ended long ago, expiry still ahead: purged by its end alone.
        "ended_long_ago": (
            NOW - timedelta(days=40),
            NOW + timedelta(days=1),
            NOW - timedelta(days=40),
        ),
        "expired_yesterday": (NOW - timedelta(days=2), NOW - timedelta(days=1), None),
        "expired_long_ago": (NOW - timedelta(days=50), NOW - timedelta(days=49), None),
    }

    async def action(session: Any) -> tuple[int, set[str]]:
        async with session.begin():
            for key, (created, expires, ended) in rows.items():
                session.add(
                    AuthSession(
                        id=key,
                        person_id=person,
                        created_at=created,
                        expires_at=expires,
                        ended_at=ended,
                    )
                )
        purged = await purge_sessions(session, NOW, keep=timedelta(days=30))
        async with session.begin():
            left = set((await session.exec(select(col(AuthSession.id)))).all())
        return purged, left

    purged, left = run(action)
    assert purged == 2
    assert left == {"live", "ended_yesterday", "expired_yesterday"}


def test_the_account_page_counts_the_open_sessions(make_visitor: Any, world: Any) -> None:
    phone, laptop = make_visitor(), make_visitor()
    phone.login("omar")
    laptop.login("omar")
    laptop.post("/language", {"language": "en"})
    assert "2 open sessions, this one included" in laptop.get("/account").text
    phone.logout()
    assert "1 open session, this one included" in laptop.get("/account").text


def own_events(settings: Settings, person_id: int) -> list[tuple[str, dict[str, Any]]]:
    """The person's events in the deployment-wide chain, oldest first."""
    engine = create_engine(db.sync_url(settings.database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT action, data FROM audit_event WHERE chain = 'system' "
                    "AND actor_id = :person ORDER BY seq"
                ),
                {"person": person_id},
            ).all()
    finally:
        engine.dispose()
    return [(action, json.loads(data)) for action, data in rows]


def test_log_out_everywhere_is_audited_with_the_sessions_it_ended_and_logout_is_not(
    make_visitor: Any, world: Any, settings: Settings
) -> None:
    phone, laptop = make_visitor(), make_visitor()
    before = own_events(settings, world.ids["omar"])
    phone.login("omar")
    laptop.login("omar")
    phone.logout()
    assert own_events(settings, world.ids["omar"]) == before
    laptop.post("/account/logout-everywhere")
    assert own_events(settings, world.ids["omar"]) == [
        *before,
        ("person.logged_out_everywhere", {"sessions": 1}),
    ]


def test_logging_out_with_a_dead_session_still_clears_the_cookie(
    make_visitor: Any, world: Any
) -> None:
    omar = make_visitor()
    omar.login("omar")
    copy = with_token(make_visitor, token_of(omar))
    omar.logout()
    response = copy.post("/logout")
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/login"
    cleared = [
        value
        for name, value in response.headers.multi_items()
        if name == "set-cookie" and value.startswith(f"{SESSION_COOKIE}=")
    ]
    assert len(cleared) == 1 and "Max-Age=0" in cleared[0], cleared


def test_a_suspension_ends_every_session_of_the_person(
    make_visitor: Any, world: Any, settings: Settings
) -> None:
    phone, laptop, carla = make_visitor(), make_visitor(), make_visitor()
    phone.login("omar")
    laptop.login("omar")
    carla.login("carla")
    assert live_sessions(settings, "omar@alpha.example") == 2
    suspended = carla.post(f"/c/alpha/members/{world.memberships['omar']}/suspend")
    assert suspended.status_code in (302, 303)
    assert live_sessions(settings, "omar@alpha.example") == 0
    refused(phone)
    refused(laptop)
    accepted(carla)
