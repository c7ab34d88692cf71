"""The `governance` command, against a real database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from governance.base.settings import Settings
from governance.cli import main


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("GOVERNANCE_VAR_DIR", str(tmp_path))
    return settings


def test_first_set_up_from_the_command_line(
    env: Settings, visitor: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["create-coop", "--slug", "redemarts", "--name", "Redém'arts"]) == 0
    monkeypatch.setenv("GOVERNANCE_PASSWORD", "a long enough password")
    assert (
        main(
            [
                "create-coordinator",
                "--coop",
                "redemarts",
                "--email",
                "Lea@Example.org",
                "--name",
                "Léa",
            ]
        )
        == 0
    )
    assert "lea@example.org is now a coordinator of redemarts" in capsys.readouterr().out
    visitor.login("lea@example.org", "a long enough password")
    assert visitor.get("/c/redemarts/members").status_code == 200
    assert main(["audit", "verify", "--coop", "redemarts"]) == 0


def test_a_bad_slug_is_refused_with_a_message(
    env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["create-coop", "--slug", "Not A Slug!", "--name", "X"]) == 2
    assert "slug" in capsys.readouterr().err


def test_a_taken_slug_is_refused(
    env: Settings, world: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["create-coop", "--slug", "alpha", "--name", "Again"]) == 2


def test_the_demo_builds_univerbal_with_a_whole_audit_chain(
    env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "coordination@univerbal.example" in out
    assert "univerbal-demo-2026" in out
    assert main(["audit", "verify", "--coop", "univerbal"]) == 0
    assert "whole" in capsys.readouterr().out


def test_verify_on_an_unknown_cooperative_says_so(
    env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", "--coop", "nope"]) == 2
