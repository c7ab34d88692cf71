"""Invitations, roles, suspensions and switching between cooperatives, over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import create_engine, text

from governance.base import db
from governance.base.settings import Settings

LINK = re.compile(r"https?://[^/<\s]+(/invite/[A-Za-z0-9._\-]+)")


def invite(visitor: Any, email: str, role: str = "cooperator") -> str:
    response = visitor.post("/c/alpha/members/invite", {"email": email, "role": role})
    assert response.status_code == 200, response.text
    match = LINK.search(response.text)
    assert match, response.text
    return match.group(1)


def test_a_coordinator_invites_and_the_new_member_joins(make_visitor: Any, world: Any) -> None:
    carla, newcomer = make_visitor(), make_visitor()
    carla.login("carla")
    path = invite(carla, "Nour@Example.org")
    page = newcomer.get(path)
    assert page.status_code == 200
    assert "nour@example.org" in page.text
    joined = newcomer.post(
        path, {"name": "نور الهدى", "password": "a long enough pass", "language": "ar"}
    )
    assert joined.status_code in (302, 303), joined.text
    home = newcomer.get("/c/alpha/")
    assert home.status_code == 200
    assert 'dir="rtl"' in home.text
    members = carla.get("/c/alpha/members")
    assert "نور الهدى" in members.text


def test_an_invitation_link_dies_once_used(make_visitor: Any, world: Any) -> None:
    carla, first, second = make_visitor(), make_visitor(), make_visitor()
    carla.login("carla")
    path = invite(carla, "once@example.org")
    first.post(path, {"name": "Once", "password": "a long enough pass", "language": "fr"})
    again = second.get(path)
    assert again.status_code == 404
    reuse = second.post(path, {"name": "Twice", "password": "a long enough pass", "language": "fr"})
    assert reuse.status_code == 404


def test_a_tampered_invitation_link_is_refused(make_visitor: Any, world: Any) -> None:
    carla, stranger = make_visitor(), make_visitor()
    carla.login("carla")
    path = invite(carla, "tamper@example.org")
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert stranger.get(forged).status_code == 404
    assert stranger.get("/invite/not-a-token").status_code == 404


def test_an_expired_invitation_is_refused(
    make_visitor: Any, world: Any, settings: Settings
) -> None:
    carla, late = make_visitor(), make_visitor()
    carla.login("carla")
    path = invite(carla, "late@example.org")
    engine = create_engine(db.sync_url(settings.database_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE invitation SET expires_at = created_at"))
    engine.dispose()
    assert late.get(path).status_code == 404
    assert timedelta(days=7)  # the link's own expiry is checked by the token tests


def test_only_coordinators_invite(visitor: Any, world: Any) -> None:
    visitor.login("omar")
    response = visitor.post(
        "/c/alpha/members/invite", {"email": "x@example.org", "role": "cooperator"}
    )
    assert response.status_code == 403


def test_an_invitation_with_a_bad_email_says_so_and_creates_nothing(
    visitor: Any, world: Any
) -> None:
    visitor.login("carla")
    response = visitor.post(
        "/c/alpha/members/invite", {"email": "not an email", "role": "cooperator"}
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert "/invite/" not in response.text


def test_a_coordinator_changes_a_role_and_it_is_audited(visitor: Any, world: Any) -> None:
    visitor.login("carla")
    response = visitor.post(
        f"/c/alpha/members/{world.memberships['wen']}/role", {"role": "cooperator"}
    )
    assert response.status_code in (302, 303)
    trail = visitor.get("/c/alpha/audit/")
    assert "Wen Worker" in trail.text


def test_the_last_coordinator_cannot_step_down(visitor: Any, world: Any) -> None:
    visitor.login("carla")
    response = visitor.post(
        f"/c/alpha/members/{world.memberships['carla']}/role", {"role": "cooperator"}
    )
    assert response.status_code == 400


def test_a_suspended_member_loses_access_on_the_next_request(make_visitor: Any, world: Any) -> None:
    carla, omar = make_visitor(), make_visitor()
    carla.login("carla")
    omar.login("omar")
    assert omar.get("/c/alpha/").status_code == 200
    carla.post(f"/c/alpha/members/{world.memberships['omar']}/suspend")
    assert omar.get("/c/alpha/").status_code in (302, 303, 403)
    omar.login("omar")
    assert omar.get("/c/alpha/").status_code == 403


def test_a_member_of_another_cooperative_sees_nothing(visitor: Any, world: Any) -> None:
    visitor.login("bea")
    assert visitor.get("/c/alpha/").status_code == 404
    assert visitor.get("/c/alpha/members").status_code == 404
    assert visitor.post(f"/c/alpha/members/{world.memberships['omar']}/suspend").status_code == 404


def test_a_coordinator_cannot_touch_a_membership_of_another_cooperative(
    visitor: Any, world: Any
) -> None:
    visitor.login("bea")
    response = visitor.post(f"/c/beta/members/{world.memberships['omar']}/suspend")
    assert response.status_code == 404


def test_a_person_in_two_cooperatives_switches_between_them(make_visitor: Any, world: Any) -> None:
    bea, omar = make_visitor(), make_visitor()
    bea.login("bea")
    path = bea.post("/c/beta/members/invite", {"email": "omar@alpha.example", "role": "worker"})
    match = LINK.search(path.text)
    assert match
    omar.login("omar")
    assert omar.post(match.group(1)).status_code in (302, 303)
    assert omar.get("/").headers["location"] == "/coops"
    switcher = omar.get("/coops")
    assert "/c/alpha/" in switcher.text and "/c/beta/" in switcher.text
    assert omar.get("/c/beta/").status_code == 200


def test_names_in_any_script_are_kept_and_html_is_escaped(make_visitor: Any, world: Any) -> None:
    carla, newcomer = make_visitor(), make_visitor()
    carla.login("carla")
    path = invite(carla, "script@example.org")
    name = "<script>alert(1)</script> Zoë 李 ✓"
    newcomer.post(path, {"name": name, "password": "a long enough pass", "language": "fr"})
    members = carla.get("/c/alpha/members")
    assert "<script>alert(1)</script>" not in members.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Zoë 李 ✓" in members.text


def test_an_over_long_name_is_refused_with_a_message(make_visitor: Any, world: Any) -> None:
    carla, newcomer = make_visitor(), make_visitor()
    carla.login("carla")
    path = invite(carla, "long@example.org")
    response = newcomer.post(
        path, {"name": "x" * 5000, "password": "a long enough pass", "language": "fr"}
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert newcomer.get(path).status_code == 200  # the link still works


def test_an_unknown_cooperative_is_404(visitor: Any, world: Any) -> None:
    visitor.login("omar")
    assert visitor.get("/c/does-not-exist/").status_code == 404
    assert visitor.get("/c/" + "x" * 300 + "/").status_code == 404


def test_a_forged_session_cookie_is_anonymous(visitor: Any, world: Any) -> None:
    visitor.jar.set("governance_session", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")
    assert visitor.get("/c/alpha/").status_code in (302, 303)
