"""Every action the code records has a sentence in the audit trail."""

from __future__ import annotations

import re
from pathlib import Path

from governance.audit.describe import _TEMPLATES

PACKAGE = Path(__file__).resolve().parents[3] / "governance"


def test_every_recorded_action_is_told_in_a_sentence() -> None:
    actions = {
        match
        for path in PACKAGE.rglob("*.py")
        for match in re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8"))
    }
    assert len(actions) > 20
    assert sorted(actions - set(_TEMPLATES)) == []
