"""What the benchmarks share: their options, the run's clock and load average, timing (best of
N), the ratio to a baseline measured in the same run, tables and profiles as they are printed,
child processes reporting JSON, peak memory, and the JSON file of results.

Nothing here asserts anything about time: a benchmark prints figures and ratios, and exits 0
when its checks held, 1 when one failed, 2 when it could not set up.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import secrets
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
PROFILE_TOP = 15


class BenchError(RuntimeError):
    """The benchmark could not be set up."""


# --------------------------------------------------------------------------- options


def parser(prog: str, doc: str | None) -> argparse.ArgumentParser:
    """The benchmark's parser, described by the first paragraph of its module's docstring."""
    return argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0] if doc else "")


def add_db(parser: argparse.ArgumentParser, *, both: bool = True) -> None:
    choices = ["sqlite", "postgresql", "both"] if both else ["sqlite", "postgresql"]
    parser.add_argument("--db", choices=choices, default="sqlite")


def add_output(parser: argparse.ArgumentParser, name: str) -> None:
    """--json (where the results go) and --keep (the temporary databases)."""
    parser.add_argument("--json", type=Path, help=f"default bench/results/{name}-<db>-<time>.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")


def add_profile(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--profile", choices=["auto", "always", "never"], default="auto", help=help)


def kinds(db: str) -> list[str]:
    """The databases of `--db`: one, or both one after the other."""
    return ["sqlite", "postgresql"] if db == "both" else [db]


def secret_key() -> None:
    """A secret key for the app's settings, unless one is set."""
    os.environ.setdefault("GOVERNANCE_SECRET_KEY", secrets.token_hex(32))


# --------------------------------------------------------------------------- the run


def stamp() -> str:
    """The UTC time, as in the names of the results files."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass
class Run:
    """The run's start: its time and the machine's load average then (and at the end)."""

    stamp: str = field(default_factory=stamp)
    load_before: tuple[float, float, float] = field(default_factory=os.getloadavg)
    started: float = field(default_factory=time.perf_counter)
    load_after: tuple[float, float, float] | None = None

    def end(self) -> None:
        """Note the load average after the run (before the results are printed)."""
        self.load_after = os.getloadavg()

    def print_end(self) -> None:
        assert self.load_after is not None
        print(
            f"\nload average {self.load_before[0]:.2f} before, {self.load_after[0]:.2f} after; "
            f"{time.perf_counter() - self.started:.0f} s in all"
        )

    def save(self, name: str, args: argparse.Namespace, **extra: Any) -> Path:
        """The results as JSON in `args.json` or bench/results/<name>-<db>-<stamp>.json."""
        path = args.json or RESULTS_DIR / f"{name}-{args.db}-{self.stamp}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "started": self.stamp,
            "db": args.db,
            "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "machine": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "load_before": self.load_before,
                "load_after": self.load_after,
            },
            **extra,
        }
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
        print(f"results: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        return path


# --------------------------------------------------------------------------- timing


def ratio(measured: float, baseline: float) -> float:
    """measured ÷ baseline, both from the same run."""
    return measured / baseline


async def best_of(times: int, call: Callable[[], Awaitable[Any]]) -> tuple[float, list[float]]:
    """Call `times` times, one after the other: (the best time, every time) in seconds."""
    measured = []
    for _ in range(times):
        started = time.perf_counter()
        await call()
        measured.append(time.perf_counter() - started)
    return min(measured), measured


def peak_kb() -> int:
    """This process's peak resident memory in KiB.

    VmHWM, not ru_maxrss: on Linux a child's ru_maxrss starts at its parent's peak (the old
    memory's high-water mark survives exec), which would count the parent's fill.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(module: str, what: str, *extra: str) -> dict[str, Any]:
    """`python -m <module> --child <what> ...` in a fresh interpreter; its JSON report (the last
    line it prints)."""
    command = [sys.executable, "-m", module, "--child", what, *extra]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"the {what} child failed (exit {done.returncode})")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(report, dict)
    return report


# --------------------------------------------------------------------------- printing


def ms(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


def table(header: Sequence[str], body: Sequence[Sequence[str]], right: set[int]) -> None:
    """Columns as wide as their widest cell, those in `right` right-aligned, a rule under the
    header."""
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    print(fmt(header))
    print(fmt(["-" * w for w in widths]))
    for row in body:
        print(fmt(row))


def print_invalid(problems: list[str]) -> None:
    for problem in problems:
        print(f"  !!! INVALID: {problem}")


def trim_profile(text: str) -> str:
    """pstats' output from its column header on, paths relative to the repository."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(line.replace(str(ROOT) + "/", "") for line in lines[start:] if line.strip())


def profile_text(profiler: Any, sort: str, only: str | None = None) -> str:
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(sort).print_stats(*([only] if only else []), PROFILE_TOP)
    return trim_profile(out.getvalue())


def profiled(profiler: Any, path: Path, only: str | None = None) -> dict[str, Any]:
    """The top functions by cumulative time (only those matching `only`, a regex, if given)
    and by own time; the profile saved to `path`."""
    profiler.dump_stats(path)
    return {
        "prof_file": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "cumulative": profile_text(profiler, "cumulative", only),
        "only": only,
        "tottime": profile_text(profiler, "tottime"),
    }
