"""The cooperative's home: the reader's to-do list (governance.home.todo), then the places."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get
from litestar.response import Template

from governance.base import clock
from governance.base.http import Db, page, read
from governance.home.todo import todo_for, with_owed_back
from governance.language.months import month_of
from governance.ledger.closing.review_window import duration_text
from governance.ledger.closing.reviews import review_notice
from governance.members.context import Coop


class CoopHomeController(Controller):
    path = "/"

    @get("/", name="coop_home")
    async def home(self, request: Request, db: Db, coop: Coop) -> Template:
        """What the reader has to do now in this cooperative, then links to everything else."""
        now = clock.now()
        actor = coop.actor
        # Every statement of the list in one read transaction (one hop on SQLite).
        todo = await read(request, lambda session: todo_for(session, actor, now))
        todo = await with_owed_back(db, actor, todo)
        notice = None
        if todo.review_month is not None:  # the notice's own reads, only while a month is
            notice = await review_notice(db, actor.cooperative_id, actor.person_id, now)

        def time_left(at: dt.datetime) -> str:
            return duration_text(at - now)

        return page(
            request,
            "home/home.html",
            todo=todo,
            review_notice=notice,
            nothing_to_do=todo.empty and notice is None,
            time_left=time_left,
            month_of=month_of,
        )
