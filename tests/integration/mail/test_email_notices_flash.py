"""Saving whether notices go by e-mail says that, not that the voting rules changed."""

from __future__ import annotations

from typing import Any


def test_the_email_setting_confirms_itself(visitor: Any, world: Any) -> None:
    visitor.login("carla")
    done = visitor.post("/c/alpha/proposals/email", {"email_notices": "on"})
    assert done.status_code == 303
    page = visitor.get(done.headers["location"]).text
    assert "Le choix d'envoyer ou non les avis par e-mail est enregistré." in page.replace(
        "&#39;", "'"
    )
    assert "Les règles de vote ont été changées" not in page
