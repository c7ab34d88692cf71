"""Wheel build hook: compile the catalogues (.po) into .mo files shipped inside the package.

The checkout keeps only the .po sources; `governance/base/i18n.py` reads a .mo when one is there
(an installed wheel) and otherwise compiles the .po in memory (a checkout)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogueBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        root = Path(self.root)
        out = Path(self.directory) / "catalogues"
        for po in sorted((root / "governance" / "locales").glob("*/LC_MESSAGES/messages.po")):
            relative = po.relative_to(root).with_suffix(".mo")
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            with target.open("wb") as mo:
                write_mo(mo, catalog, use_fuzzy=False)
            build_data["force_include"][str(target)] = str(relative)
