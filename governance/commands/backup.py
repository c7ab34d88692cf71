"""`governance backup --output FILE` and `governance restore --input FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from governance.base.settings import Settings, SettingsError


def _run(action: Any) -> int:
    from governance.operations.backup_files import BackupError

    try:
        url = Settings.from_env().database_url
        lines: list[str] = action(url)
    except (SettingsError, BackupError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from governance.operations.backup import backup

    return _run(lambda url: backup(url, Path(args.output), force=args.force))


def cmd_restore(args: argparse.Namespace) -> int:
    from governance.operations.backup import restore

    return _run(lambda url: restore(url, Path(args.input)))


def register(commands: argparse._SubParsersAction[Any]) -> None:
    backup = commands.add_parser(
        "backup",
        help="copy the whole database to a file (SQLite: online copy; PostgreSQL: pg_dump "
        "custom format); it holds the signing keys: keep it private",
    )
    backup.add_argument("--output", required=True, help="the file to write")
    backup.add_argument("--force", action="store_true", help="replace an existing file")
    backup.set_defaults(func=cmd_backup)

    restore = commands.add_parser(
        "restore",
        help="restore a backup into the configured database, which must be empty or missing",
    )
    restore.add_argument("--input", required=True, help="the backup file")
    restore.set_defaults(func=cmd_restore)
