"""What every `governance` sub-command needs: the settings from the environment (exiting with
the reason when they are wrong) and a database session for one action."""

from __future__ import annotations

import sys

from governance.base import db
from governance.base.settings import Settings, SettingsError


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        sys.exit(f"error: {error}")


async def with_session(action):  # type: ignore[no-untyped-def]
    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    try:
        async with db.make_sessionmaker(engine)() as session:
            return await action(session)
    finally:
        await engine.dispose()
