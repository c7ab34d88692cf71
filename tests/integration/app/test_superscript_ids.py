"""Ids typed as characters Python calls digits but cannot read as numbers ("²", "①") are
refused like any bad id: a clear answer, nothing written, never a 500 (security review)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.billing_support import _client_with_work, _invoices, _issue, _written

ODD = ("²", "①", "٣" * 40)


@pytest.mark.parametrize("value", ODD)
def test_odd_ids_in_invoice_forms_change_nothing(
    value: str, run: Any, world: Any, make_visitor: Any
) -> None:
    carla = make_visitor()
    carla.login("carla")
    client_id, _work = _client_with_work(run, world)
    _issue(carla, client_id)
    (invoice,) = _invoices(run)
    before = _written(run)
    answers = [
        carla.post("/c/alpha/invoices/", {"client_id": value, "month": "2026-10"}),
        carla.post(
            f"/c/alpha/invoices/{invoice.id}/credit", {"prestation_ids": value, "reason": "x"}
        ),
        carla.post(
            "/c/alpha/payments/",
            {"client_id": value, "date": "2026-11-20", "amount": "1,00", "invoice_ids": value},
        ),
        carla.post("/c/alpha/work/validate", {"ids": value}),
    ]
    assert [a.status_code for a in answers] == [400, 400, 400, 400]
    assert _written(run) == before
