"""The CSV export of the books, as the operator runs it (`governance export --format csv`, the
only export of the whole journal), timed in its own process: start-up included, the same for
both databases."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT


def export_csv(url: str, slug: str, runs: int) -> dict[str, Any]:
    """Best of `runs` of `governance export --coop <slug> --format csv --output FILE`."""
    measured: list[float] = []
    size = 0
    problem = ""
    with tempfile.TemporaryDirectory(prefix="bench-pages-export-") as tmp:
        out = Path(tmp) / "lines.csv"
        for _ in range(runs):
            started = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "governance.cli",
                    "export",
                    "--coop",
                    slug,
                    "--format",
                    "csv",
                    "--output",
                    str(out),
                ],
                cwd=ROOT,
                env={**os.environ, "DATABASE_URL": url},
                capture_output=True,
                text=True,
                check=False,
            )
            measured.append(time.perf_counter() - started)
            if done.returncode != 0:
                problem = f"exit {done.returncode}: {done.stderr.strip()[-300:]}"
                break
            size = out.stat().st_size
    return {
        "best_seconds": min(measured),
        "all_seconds": measured,
        "bytes": size,
        "problem": problem,
    }
