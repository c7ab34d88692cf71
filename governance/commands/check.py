"""`governance check`: what is wrong with this server's configuration (exit 1 if anything)."""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

from governance.base import db
from governance.base.settings import Settings, SettingsError
from governance.operations import config_check


async def _cooperatives_with_mail(database_url: str) -> list[str]:
    from sqlmodel import select

    from governance.mail.outbox import email_notices
    from governance.members.models import Cooperative

    engine = db.make_engine(database_url, read_only=True)
    try:
        async with db.make_sessionmaker(engine)() as session, session.begin():
            cooperatives = (await session.exec(select(Cooperative))).all()
            return [c.slug for c in cooperatives if email_notices(c)]
    finally:
        await engine.dispose()


def database_problems(settings: Settings, environ: dict[str, str]) -> list[str]:
    """What only the database tells: is it reachable and migrated, who sends mail."""
    try:
        db.check_migrated(settings.database_url)
    except db.NotMigratedError as error:
        return [str(error)]
    except Exception as error:
        # The error's text could quote the connection string: its kind only.
        return [f"the database cannot be reached ({type(error).__name__})"]
    slugs = asyncio.run(_cooperatives_with_mail(settings.database_url))
    return config_check.mail_problems(slugs, environ)


def cmd_check(_args: argparse.Namespace) -> int:
    environ = dict(os.environ)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        # Settings' messages name the variable and never show a secret.
        print(f"problem: {error}")
        print("configuration: 1 problem")
        return 1
    problems = config_check.problems(settings, environ) + database_problems(settings, environ)
    for line in config_check.notes(settings, environ):
        print(f"note: {line}")
    for line in problems:
        print(f"problem: {line}")
    if problems:
        print(f"configuration: {len(problems)} problem{'s' if len(problems) > 1 else ''}")
        return 1
    print("configuration: ok")
    return 0


def register(commands: argparse._SubParsersAction[Any]) -> None:
    check = commands.add_parser(
        "check",
        help="check the configuration (production settings, secret key, database, mail); "
        "exit 1 if anything is wrong; never prints a secret",
    )
    check.set_defaults(func=cmd_check)
