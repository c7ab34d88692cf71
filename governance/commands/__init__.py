"""Sub-commands of `governance` that live beside the core ones of governance/cli.py.

Each module here defines `register(commands)`, adding its sub-parsers (with `func` set) to the
`governance` parser; `register_all` calls them in order."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

# Module names under governance.commands, in the order their commands appear in --help.
MODULES: tuple[str, ...] = ("server", "votes", "backup", "check", "audit", "bank")


def register_all(commands: argparse._SubParsersAction[Any]) -> None:
    for name in MODULES:
        importlib.import_module(f"governance.commands.{name}").register(commands)
