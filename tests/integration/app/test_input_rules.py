"""Issue 13's attack inputs, each refused with a message and nothing changed: a hidden
direction control in an invitation's e-mail, a zero-width space in a name, work dated
0001-01-01 (form, JSON API, CSV), a proxy to a suspended member, a coordinator resolving a
contest about their own work."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from governance.audit.models import AuditEvent
from governance.auth.models import Person
from governance.base import clock
from governance.base.errors import Conflict, Invalid
from governance.base.settings import Settings
from governance.cli import main
from governance.ledger.closing import closing, contests
from governance.ledger.work import prestations
from governance.ledger.work.models import Contest, Prestation
from governance.ledger.work.statuses import ContestStatus
from governance.members import MembershipStatus, Role, invitations
from governance.members import service as members
from governance.members.models import Cooperative, Invitation, Membership
from governance.votes import ballots
from tests.closing_support import MONTH, TODAY, build_october
from tests.votes_support import add_cooperators, open_vote

ZWSP = "\u200b"
RLO = "\u202e"


def count(run: Any, model: Any) -> int:
    async def action(session: Any) -> int:
        async with session.begin():
            return int((await session.exec(select(func.count()).select_from(model))).one())

    return run(action)


def english(run: Any, world: Any, *keys: str) -> None:
    async def action(session: Any) -> None:
        async with session.begin():
            for key in keys:
                person = await session.get(Person, world.ids[key])
                person.language = "en"

    run(action)


# --- text ----------------------------------------------------------------------------------


def test_an_invitation_to_an_email_with_a_direction_override_is_refused(
    visitor: Any, run: Any, world: Any
) -> None:
    english(run, world, "carla")
    visitor.login("carla")
    before = count(run, Invitation), count(run, AuditEvent)
    response = visitor.post(
        "/c/alpha/members/invite", {"email": f"a{RLO}@b.example", "role": "cooperator"}
    )
    assert response.status_code == 400
    assert "change the direction of the text" in response.text
    assert (count(run, Invitation), count(run, AuditEvent)) == before


def test_an_invitation_refused_by_the_service_whatever_the_caller(
    run: Any, world: Any, settings: Settings
) -> None:
    with pytest.raises(Invalid) as caught:
        run(
            lambda s: invitations.invite(
                s,
                world.actor("carla"),
                {"email": f"a{RLO}@b.example", "role": "cooperator"},
                settings.secret_key,
            )
        )
    assert set(caught.value.fields) == {"email"}
    assert count(run, Invitation) == 0


def test_a_name_with_a_zero_width_space_is_refused_when_joining(run: Any, world: Any) -> None:
    with pytest.raises(Invalid) as caught:
        run(
            lambda s: members.add_person_to_cooperative(
                s,
                slug="alpha",
                email="zoe@alpha.example",
                name=f"Omar{ZWSP} Cooperator",
                password="correct horse battery",
                role=Role.COOPERATOR,
            )
        )
    assert set(caught.value.fields) == {"name"}


def test_a_client_name_with_a_zero_width_space_is_refused_by_form_and_api(
    make_visitor: Any, run: Any, world: Any
) -> None:
    english(run, world, "carla")
    carla = make_visitor()
    carla.login("carla")
    page = carla.post("/c/alpha/clients/", {"name": f"CHU{ZWSP}", "kind": "hospital"})
    assert page.status_code == 400
    assert "invisible characters" in page.text
    api = carla.post_json("/api/c/alpha/clients", {"name": f"CHU{ZWSP}", "kind": "hospital"})
    assert api.status_code == 422, api.text
    assert "name" in api.json()["errors"]
    assert "invisible characters" in api.json()["errors"]["name"]


def test_the_cooperative_details_refuse_a_hidden_direction_control_and_change_nothing(
    visitor: Any, run: Any, world: Any
) -> None:
    visitor.login("carla")
    response = visitor.post(
        "/c/alpha/details",
        {
            "address": "Rue Haute 1\n1000 Bruxelles",
            "enterprise_number": "BE0403170701",
            "iban": "BE71096123456769",
            "email": f"compta{RLO}@alpha.example",
        },
    )
    assert response.status_code == 422

    async def stored(session: Any) -> str:
        async with session.begin():
            coop = await session.get(Cooperative, world.alpha)
            return str(coop.email)

    assert run(stored) == ""


def test_the_command_line_refuses_a_cooperative_name_with_a_zero_width_space(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("GOVERNANCE_VAR_DIR", str(tmp_path))
    assert main(["create-coop", "--slug", "hidden", "--name", f"Red{ZWSP}emarts"]) == 2
    assert "name" in capsys.readouterr().err


def test_an_arabic_cooperative_name_is_isolated_in_the_page_title(
    visitor: Any, run: Any, world: Any
) -> None:
    async def rename(session: Any) -> None:
        async with session.begin():
            coop = await session.get(Cooperative, world.alpha)
            coop.name = "تعاونية ألفا"

    run(rename)
    visitor.login("omar")
    page = visitor.get("/c/alpha/members").text
    assert "\u2068تعاونية ألفا\u2069</title>" in page
    assert "<bdi>تعاونية ألفا</bdi>" in page


# --- dates ---------------------------------------------------------------------------------


CHU_FIXTURE = "chu_at_50_euros"  # which `chu` these tests use (tests/integration/conftest.py)


def work(chu: int, day: str) -> dict[str, str]:
    return {"client_id": str(chu), "date": day, "fixed_amount": "50", "kind": "phone"}


def record(run: Any, world: Any, data: dict[str, str], today: dt.date) -> Any:
    return run(
        lambda s: prestations.record_prestation(
            s, world.actor("omar"), data, language="en", today=today
        )
    )


def test_work_dated_year_one_is_refused_by_the_form_with_the_limit(
    visitor: Any, run: Any, world: Any, chu: int
) -> None:
    english(run, world, "omar")
    visitor.login("omar")
    response = visitor.post("/c/alpha/work/", work(chu, "0001-01-01"))
    assert response.status_code == 400
    limit = (clock.today() - dt.timedelta(days=365)).strftime("%d/%m/%Y")
    assert f"Dates before {limit} are not accepted" in response.text
    assert "up to 365 days old" in response.text
    assert count(run, Prestation) == 0


def test_work_dated_year_one_is_refused_by_the_json_api(
    visitor: Any, run: Any, world: Any, chu: int
) -> None:
    english(run, world, "omar")
    visitor.login("omar")
    body = {"client_id": chu, "date": "0001-01-01", "duration_minutes": 60, "kind": "phone"}
    response = visitor.post_json("/api/c/alpha/prestations", body)
    assert response.status_code == 422, response.text
    assert "are not accepted" in response.json()["errors"]["date"], response.json()
    assert count(run, Prestation) == 0


def test_work_dated_year_one_is_refused_by_the_csv_import(
    visitor: Any, run: Any, world: Any, chu: int
) -> None:
    english(run, world, "carla")
    visitor.login("carla")
    content = (
        b"date;membre;client;montant_fixe;type\r\n01/01/0001;omar@alpha.example;CHU;50;phone\r\n"
    )
    response = visitor.request(
        "POST",
        "/c/alpha/work/import/preview",
        data={"_csrf_token": visitor.csrf()},
        files={"file": ("work.csv", content, "text/csv")},
    )
    assert response.status_code in (200, 400), response.text
    limit = (clock.today() - dt.timedelta(days=365)).strftime("%d/%m/%Y")
    assert f"Dates before {limit} are not accepted" in response.text
    assert count(run, Prestation) == 0


def test_the_limit_is_the_cooperatives_setting_and_its_last_day_is_accepted(
    run: Any, world: Any, chu: int
) -> None:
    today = dt.date(2026, 12, 7)
    with pytest.raises(Invalid) as caught:
        record(run, world, work(chu, "2025-12-06"), today)
    assert caught.value.fields["date"] == (
        "Les dates antérieures au 07/12/2025 ne sont pas acceptées (la coopérative accepte le "
        "travail datant de 365 jours au plus)."
    )
    prestation, created = record(run, world, work(chu, "2025-12-07"), today)
    assert created and prestation.date == dt.date(2025, 12, 7)

    async def thirty_days(session: Any) -> None:
        async with session.begin():
            coop = await session.get(Cooperative, world.alpha)
            coop.settings = {**coop.settings, "prestation_max_age_days": 30}

    run(thirty_days)
    with pytest.raises(Invalid) as caught:
        record(run, world, work(chu, "2026-11-06"), today)
    assert "datant de 30 jours au plus" in caught.value.fields["date"]
    record(run, world, work(chu, "2026-11-07"), today)


def test_work_too_far_ahead_is_still_refused(run: Any, world: Any, chu: int) -> None:
    with pytest.raises(Invalid) as caught:
        record(run, world, work(chu, "9999-12-31"), dt.date(2026, 12, 7))
    assert set(caught.value.fields) == {"date"}


# --- proxies -------------------------------------------------------------------------------


@pytest.fixture
def proposal(run: Any, world: Any) -> int:
    run(lambda s: add_cooperators(s, world, "Nadia"))
    return int(run(lambda s: open_vote(s, world)))


def suspend(run: Any, world: Any, key: str) -> None:
    async def action(session: Any) -> None:
        async with session.begin():
            membership = (
                await session.exec(
                    select(Membership).where(
                        Membership.cooperative_id == world.alpha,
                        Membership.person_id == world.ids[key],
                    )
                )
            ).one()
            membership.status = MembershipStatus.SUSPENDED

    run(action)


def give(run: Any, world: Any, proposal: int, giver: str, holder: str) -> Any:
    data = {"holder_id": str(world.ids[holder])}
    return run(lambda s: ballots.give_proxy(s, world.actor(giver), proposal, data))


def test_a_proxy_to_a_member_suspended_since_the_vote_opened_is_refused(
    run: Any, world: Any, proposal: int
) -> None:
    suspend(run, world, "nadia")
    events = count(run, AuditEvent)
    with pytest.raises(Invalid) as caught:
        give(run, world, proposal, "omar", "nadia")
    assert caught.value.fields["holder_id"] == (
        "Ce membre est suspendu : il ne peut pas porter de procuration."
    )
    assert count(run, AuditEvent) == events


def test_a_proxy_to_a_member_suspended_before_the_vote_is_refused(
    run: Any, world: Any, proposal: int
) -> None:
    with pytest.raises(Invalid) as caught:
        give(run, world, proposal, "omar", "sam")
    assert set(caught.value.fields) == {"holder_id"}


def test_a_proxy_to_a_member_who_lost_the_right_to_vote_is_refused(
    run: Any, world: Any, proposal: int
) -> None:
    async def to_worker(session: Any) -> None:
        async with session.begin():
            membership = (
                await session.exec(
                    select(Membership).where(Membership.person_id == world.ids["nadia"])
                )
            ).one()
            membership.role = Role.WORKER

    run(to_worker)
    with pytest.raises(Invalid) as caught:
        give(run, world, proposal, "omar", "nadia")
    assert "ne lui permet pas de voter" in caught.value.fields["holder_id"]


def test_a_proxy_to_an_active_voter_is_given(run: Any, world: Any, proposal: int) -> None:
    proxy = give(run, world, proposal, "omar", "nadia")
    assert proxy.holder_id == world.ids["nadia"]


# --- contests ------------------------------------------------------------------------------


@pytest.fixture
def carlas_contest(run: Any, world: Any) -> int:
    """October under review, Carla (the only coordinator) contesting her own prestation."""
    ids = run(lambda s: build_october(s, world))
    run(lambda s: closing.start_review(s, world.actor("carla"), MONTH, today=TODAY))
    contest = run(
        lambda s: contests.contest_line(
            s,
            world.actor("carla"),
            MONTH,
            {"comment": "My hours are wrong", "prestation_id": str(ids["carla"])},
        )
    )
    return int(contest.id)


def status_of(run: Any, contest_id: int) -> str:
    async def action(session: Any) -> str:
        async with session.begin():
            contest = await session.get(Contest, contest_id)
            return str(contest.status)

    return run(action)


def test_the_only_coordinator_cannot_resolve_a_contest_on_their_own_line(
    run: Any, world: Any, carlas_contest: int
) -> None:
    events = count(run, AuditEvent)
    for resolve in (
        lambda s: contests.keep_line(s, world.actor("carla"), carlas_contest, {"reason": "ok"}),
        lambda s: contests.correct_line(
            s,
            world.actor("carla"),
            carlas_contest,
            {"reason": "more", "amount": "90"},
            language="en",
        ),
    ):
        with pytest.raises(Conflict) as caught:
            run(resolve)
        assert "pas d'autre coordinateur·rice" in caught.value.message
        assert "vote" in caught.value.message
    assert status_of(run, carlas_contest) == ContestStatus.OPEN
    assert count(run, AuditEvent) == events


def test_another_coordinator_resolves_a_contest_on_a_coordinators_line(
    run: Any, world: Any, carlas_contest: int
) -> None:
    async def omar_coordinates(session: Any) -> None:
        async with session.begin():
            membership = (
                await session.exec(
                    select(Membership).where(Membership.person_id == world.ids["omar"])
                )
            ).one()
            membership.role = Role.COORDINATOR

    run(omar_coordinates)
    with pytest.raises(Conflict) as caught:
        run(lambda s: contests.keep_line(s, world.actor("carla"), carlas_contest, {"reason": "x"}))
    assert "un·e autre coordinateur·rice la traite" in caught.value.message
    run(lambda s: contests.keep_line(s, world.actor("omar"), carlas_contest, {"reason": "Right"}))
    assert status_of(run, carlas_contest) == ContestStatus.KEPT


def test_the_page_says_why_the_coordinator_cannot_resolve(
    visitor: Any, run: Any, world: Any, carlas_contest: int
) -> None:
    english(run, world, "carla")
    visitor.login("carla")
    response = visitor.post(f"/c/alpha/contests/{carlas_contest}/keep", {"reason": "fine"})
    assert response.status_code in (400, 409)
    assert "no other coordinator" in response.text
    assert status_of(run, carlas_contest) == ContestStatus.OPEN
