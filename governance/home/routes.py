"""The cooperative's home: the reader's to-do list (governance.home.todo), then the places."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.response import Template

from governance import clock
from governance.votes.notices import notices_for
from governance.web import Coop, Db, page, provide_coop


class CoopHomeController(Controller):
    path = "/c/{slug:str}"
    dependencies = {"coop": Provide(provide_coop)}

    @get("/", name="coop_home")
    async def home(self, request: Request, db: Db, coop: Coop) -> Template:
        """The member's home in this cooperative, with what needs their attention."""
        notices = await notices_for(db, coop.actor, clock.now())
        return page(request, "members/home.html", notices=notices)
