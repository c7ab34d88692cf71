"""Names by id (governance/members/people_names.py): the same answer by either path."""

from __future__ import annotations

from typing import Any

import pytest

from governance.members import people_names


@pytest.mark.parametrize("many", [1, 50])
def test_names_are_those_asked_for_whoever_they_belong_to(
    run: Any, world: Any, monkeypatch: pytest.MonkeyPatch, many: int
) -> None:
    monkeypatch.setattr(people_names, "MANY", many)  # 1: through the members; 50: by id
    asked = {world.ids["omar"], world.ids["wen"], world.ids["bea"], 999_999, None}

    async def names(session: Any) -> dict[int, str]:
        async with session.begin():
            return await people_names.names_of(session, world.alpha, asked)

    found = run(names)
    # Bea belongs to beta only, and is named all the same; an unknown id is left out.
    assert found == {
        world.ids["omar"]: "Omar Cooperator",
        world.ids["wen"]: "Wen Worker",
        world.ids["bea"]: "Bea Beta",
    }
    assert run(lambda session: people_names.names_of(session, world.alpha, [])) == {}
