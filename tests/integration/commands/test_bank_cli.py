"""`governance bank import`: the same use case as the page, what it did printed, refusals
with the file's line and exit code 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from governance.base import clock
from governance.base.settings import Settings
from governance.cli import main
from governance.ledger.bank.sample_files import camt053, coda
from governance.ledger.billing.invoices import issue_invoice
from tests.bank_support import bank_line, statement, written
from tests.billing_support import _client_with_work
from tests.payouts_support import set_cooperative_bank


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("GOVERNANCE_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("GOVERNANCE_VAR_DIR", str(tmp_path))
    return settings


def test_the_command_imports_prints_and_refuses(
    env: Settings, run: Any, world: Any, tmp_path: Path, capsys: Any
) -> None:
    run(lambda s: set_cooperative_bank(s, world.alpha))
    client_id, _work = _client_with_work(run, world)
    month = clock.today().strftime("%Y-%m")
    invoice = run(lambda s: issue_invoice(s, world.actor("carla"), client_id, month, clock.today()))
    day = clock.today()
    parsed = statement(
        [
            bank_line(invoice.total_cents, day, communication=invoice.communication),
            bank_line(-1250, day, 2, text="Frais", bank_code="ACMT/MDOP/CHRG"),
            bank_line(700, day, 3, text="inconnu"),
        ],
        first=day,
        last=day,
    )
    path = tmp_path / "extrait.cod"
    path.write_bytes(coda(parsed))
    assert main(["bank", "import", "--coop", "alpha", str(path)]) == 0
    out = capsys.readouterr().out
    assert "3 new line(s)" in out and "carla@alpha.example" in out
    assert "matched: 1 invoice payments" in out
    assert "proposed: 1" in out and "waiting: 1" in out
    before = written(run)
    assert main(["bank", "import", "--coop", "alpha", str(path)]) == 0
    assert "nothing recorded" in capsys.readouterr().out
    broken = tmp_path / "broken.xml"
    broken.write_bytes(camt053(parsed).replace(b"</Stmt>", b"", 1))
    assert main(["bank", "import", "--coop", "alpha", str(broken)]) == 2
    assert "line" in capsys.readouterr().err.lower()
    assert main(["bank", "import", "--coop", "alpha", str(tmp_path / "nope.xml")]) == 2
    assert main(["bank", "import", "--coop", "nope", str(path)]) == 2
    assert main(["bank", "import", "--coop", "alpha", "--by", "omar@alpha.example", str(path)]) == 2
    assert written(run) == before
