"""An id no row can have (over 32 bits, zero) is a clear 404 on every route, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

HUGE = 2**31


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/c/alpha/clients/{HUGE}"),
        ("POST", f"/c/alpha/invoices/{HUGE}/cancel"),
        ("POST", f"/c/alpha/invoices/{HUGE}/credit"),
        ("GET", f"/c/alpha/invoices/{HUGE}/credit"),
        ("GET", f"/c/alpha/invoices/{HUGE * 1000}/pdf"),
        ("POST", f"/c/alpha/work/{HUGE}/reverse"),
        ("POST", "/c/alpha/work/0/submit"),
        ("POST", f"/c/alpha/members/{HUGE}/role"),
        ("GET", f"/api/c/alpha/clients/{HUGE}"),
        ("POST", f"/api/c/alpha/prestations/{HUGE}/submit"),
    ],
)
def test_an_impossible_id_is_not_found(
    make_visitor: Any, world: Any, method: str, path: str
) -> None:
    carla = make_visitor()
    carla.login("carla")
    if method == "GET":
        response = carla.get(path)
    elif path.startswith("/api/"):
        response = carla.post_json(path, {})
    else:
        response = carla.post(path, {"reason": "x", "role": "worker"})
    assert response.status_code == 404, (path, response.status_code)
