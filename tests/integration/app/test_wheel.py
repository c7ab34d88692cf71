"""The package stands alone: its wheel (`pip wheel .` or `uv build --wheel`), installed into
a fresh virtual environment outside the checkout, migrates, builds the demo and serves the
login page, a member's home page and a static file (templates, static files, compiled
catalogues and migrations are in the wheel)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import is_postgres

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(
    is_postgres(), reason="the wheel is checked once, in the SQLite pass (it serves SQLite)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: list[str], **kwargs: object) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return str(done.stdout)


def test_the_wheel_installed_elsewhere_serves_the_demo(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    assert uv, "uv is installed by scripts/env.sh"
    wheels = tmp_path / "wheels"
    # What `pip wheel --no-deps .` does (the same build back-end, hatchling, in isolation);
    # the project's virtual environment has uv rather than pip.
    _run([uv, "build", "--wheel", "--quiet", "--out-dir", str(wheels), str(ROOT)])
    (wheel,) = wheels.glob("governance-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "governance/templates/base.html",
        "governance/static/style.css",
        "governance/locales/ar/LC_MESSAGES/messages.mo",
        "governance/migrations/env.py",
        "governance/samples/prestations.csv",
    ):
        assert needed in names, f"{needed} is not in the wheel"

    venv = tmp_path / "venv"
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)])
    python = str(venv / "bin" / "python")
    lock = str(ROOT / "requirements-prod.lock")
    _run([uv, "pip", "install", "--quiet", "--python", python, "--require-hashes", "-r", lock])
    _run([uv, "pip", "install", "--quiet", "--python", python, "--no-deps", str(wheel)])

    # Somewhere else entirely: nothing of the checkout is reachable from here.
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GOVERNANCE_", "DATABASE_URL", "PYTHONPATH", "VIRTUAL_ENV"))
    }
    env["GOVERNANCE_VAR_DIR"] = str(work / "var")
    governance = str(venv / "bin" / "governance")
    where = _run([python, "-c", "import governance; print(governance.__file__)"], cwd=work, env=env)
    assert str(ROOT) not in where and str(venv) in where
    _run([governance, "migrate"], cwd=work, env=env)
    out = _run([governance, "demo"], cwd=work, env=env)
    password = re.search(r"password: (\S+)", out)
    member = re.search(r"cooperator\s+(\S+@\S+)", out)
    assert password and member, out

    port = _free_port()
    server = subprocess.Popen(
        [governance, "serve", "--port", str(port)],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(150):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            login = client.get("/login")
            assert login.status_code == 200 and 'lang="fr"' in login.text
            assert "Se connecter" in login.text or "Connexion" in login.text  # the .mo is read
            css = client.get("/static/style.css")
            assert css.status_code == 200 and "{" in css.text
            done = client.post(
                "/login",
                data={
                    "email": member.group(1),
                    "password": password.group(1),
                    "_csrf_token": client.cookies["csrftoken"],
                },
            )
            assert done.status_code in (302, 303)
            home = client.get("/", follow_redirects=True)
            assert home.status_code == 200 and "/c/univerbal/" in str(home.url)
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode(errors="replace")
    assert "Traceback" not in output, output
