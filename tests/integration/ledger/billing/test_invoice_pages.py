"""Invoicing and recording payments through the pages."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import pytest


def test_a_coordinator_invoices_gets_paid_and_cancels(
    make_visitor: Any, world: Any, chu: int
) -> None:
    carla, omar = make_visitor(), make_visitor()
    carla.login("carla")
    month = dt.date.today().strftime("%Y-%m")
    done = carla.post("/c/alpha/invoices/", {"client_id": str(chu), "month": month})
    assert done.status_code in (302, 303), done.text
    listing = carla.get("/c/alpha/invoices/").text
    assert f"{dt.date.today().year}-00001" in listing
    assert re.search(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", listing)
    form = carla.get(f"/c/alpha/payments/new?client={chu}").text
    invoice_id = re.search(r'name="invoice_ids" value="(\d+)"', form)
    assert invoice_id
    paid = carla.post(
        "/c/alpha/payments/",
        {
            "client_id": str(chu),
            "date": "2026-11-20",
            "amount": "60",
            "invoice_ids": invoice_id.group(1),
        },
    )
    assert paid.status_code in (302, 303), paid.text
    assert "50,00" in carla.get("/c/alpha/invoices/").text  # 110,00 owed, 60,00 paid
    omar.login("omar")
    assert omar.get("/c/alpha/invoices/").status_code == 200
    assert omar.post(f"/c/alpha/invoices/{invoice_id.group(1)}/cancel").status_code == 403
    cancelled = carla.post(
        f"/c/alpha/invoices/{invoice_id.group(1)}/cancel",
        {"reason": "Wrong month", "settlement": "offset"},
    )
    assert cancelled.status_code in (302, 303)
    assert carla.post(f"/c/alpha/invoices/{invoice_id.group(1)}/cancel").status_code == 409


def test_nothing_to_invoice_says_so(visitor: Any, world: Any, chu: int) -> None:
    visitor.login("carla")
    response = visitor.post("/c/alpha/invoices/", {"client_id": str(chu), "month": "2020-01"})
    assert response.status_code == 400
    assert "Rien à facturer" in response.text


def test_the_invoice_pdf(make_visitor: Any, world: Any, chu: int) -> None:
    from governance.ledger.billing.invoice_pdf import FONT

    if not FONT.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{FONT} is missing: .ci/run installs fonts-dejavu-core")
        pytest.skip("fonts-dejavu-core is not installed")
    carla, omar = make_visitor(), make_visitor()
    carla.login("carla")
    month = dt.date.today().strftime("%Y-%m")
    carla.post("/c/alpha/invoices/", {"client_id": str(chu), "month": month})
    invoice_id = re.search(r"/invoices/(\d+)/pdf", carla.get("/c/alpha/invoices/").text)
    assert invoice_id
    pdf = carla.get(f"/c/alpha/invoices/{invoice_id.group(1)}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    omar.login("omar")
    assert omar.get(f"/c/alpha/invoices/{invoice_id.group(1)}/pdf").status_code == 200
    assert omar.get("/c/alpha/invoices/999999/pdf").status_code == 404


def test_the_client_page_shows_what_is_owed_and_since_when(
    visitor: Any, world: Any, chu: int
) -> None:
    visitor.login("carla")
    month = dt.date.today().strftime("%Y-%m")
    visitor.post("/c/alpha/invoices/", {"client_id": str(chu), "month": month})
    page = visitor.get(f"/c/alpha/clients/{chu}").text
    assert page.count("110,00") >= 2  # in all, and in the "not yet due" bucket


def test_ageing_buckets() -> None:
    from governance.ledger.billing.invoice_views import age_bucket

    due = dt.date(2026, 10, 1)
    assert [age_bucket(due, due + dt.timedelta(days=d)) for d in (0, 1, 30, 31, 61, 91, 400)] == [
        -1,
        0,
        0,
        1,
        2,
        3,
        3,
    ]
