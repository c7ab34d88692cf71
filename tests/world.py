"""A small, realistic world for tests: two cooperatives and a person in each role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from litestar.testing import TestClient
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from governance.auth.models import Person
from governance.members import MembershipStatus, Role, roles
from governance.members import service as members
from governance.members.access import Actor
from governance.members.models import Cooperative, Membership

PASSWORD = "correct horse battery"


@dataclass
class World:
    alpha: int
    beta: int
    ids: dict[str, int]  # person key -> person id
    memberships: dict[str, int]  # person key -> membership id in alpha (or beta for bea)

    def actor(self, key: str, coop: str = "alpha") -> Actor:
        return Actor(person_id=self.ids[key], cooperative_id=getattr(self, coop))


PEOPLE: dict[str, tuple[str, str, Role]] = {
    "carla": ("carla@alpha.example", "Carla Coordinator", Role.COORDINATOR),
    "omar": ("omar@alpha.example", "Omar Cooperator", Role.COOPERATOR),
    "wen": ("wen@alpha.example", "Wen Worker", Role.WORKER),
    "olga": ("olga@alpha.example", "Olga Observer", Role.OBSERVER),
    "sam": ("sam@alpha.example", "Sam Suspended", Role.COOPERATOR),
}


async def build_world(session: AsyncSession) -> World:
    alpha = await members.create_cooperative(session, slug="alpha", name="Alpha")
    beta = await members.create_cooperative(session, slug="beta", name="Beta")
    for email, name, role in PEOPLE.values():
        await members.add_person_to_cooperative(
            session, slug="alpha", email=email, name=name, password=PASSWORD, role=role
        )
    await members.add_person_to_cooperative(
        session,
        slug="beta",
        email="bea@beta.example",
        name="Bea Beta",
        password=PASSWORD,
        role=Role.COORDINATOR,
    )
    async with session.begin():
        people = {p.email: p for p in (await session.exec(select(Person))).all()}
        ids = {key: people[email].id for key, (email, _n, _r) in PEOPLE.items()}
        ids["bea"] = people["bea@beta.example"].id
        rows = (await session.exec(select(Membership))).all()
        by_person = {m.person_id: m.id for m in rows}
    assert alpha.id is not None and beta.id is not None
    world = World(
        alpha=alpha.id,
        beta=beta.id,
        ids=ids,  # type: ignore[arg-type]
        memberships={k: by_person[v] for k, v in ids.items()},
    )  # type: ignore[misc]
    await roles.set_status(
        session, world.actor("carla"), world.memberships["sam"], MembershipStatus.SUSPENDED
    )
    return world


EMAILS = {key: email for key, (email, _n, _r) in PEOPLE.items()} | {"bea": "bea@beta.example"}


class Visitor:
    """A browser-like client: keeps cookies and sends the CSRF token with every form."""

    def __init__(self, client: TestClient[Any]) -> None:
        self.client = client
        self.jar = httpx.Cookies()

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        # Several visitors share one client (one app lifespan), each with its own cookies.
        self.client.cookies = self.jar
        try:
            return self.client.request(method, url, follow_redirects=False, **kwargs)
        finally:
            self.jar = httpx.Cookies(self.client.cookies)

    def csrf(self) -> str:
        if "csrftoken" not in self.jar:
            self.get("/login")
        return str(self.jar["csrftoken"])

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        form = {"_csrf_token": self.csrf(), **(data or {})}
        return self.request("POST", url, data=form, **kwargs)

    def post_json(self, url: str, body: Any, **kwargs: Any) -> Any:
        headers = {"x-csrftoken": self.csrf(), **kwargs.pop("headers", {})}
        return self.request("POST", url, json=body, headers=headers, **kwargs)

    def login(self, key_or_email: str, password: str = PASSWORD) -> Any:
        email = EMAILS.get(key_or_email, key_or_email)
        response = self.post("/login", {"email": email, "password": password})
        assert response.status_code in (302, 303), response.text
        return response

    def logout(self) -> None:
        self.post("/logout")


async def coop_id(session: AsyncSession, slug: str) -> int:
    async with session.begin():
        coop = (await session.exec(select(Cooperative).where(Cooperative.slug == slug))).one()
    assert coop.id is not None
    return coop.id
