"""The HTTP benchmark's results: each round's app and bare measurements, their medians, and
the printed tables, one-line ratios and warnings."""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass

from bench.common import table
from bench.load import LoadResult


@dataclass
class Round:
    app: LoadResult
    bare: LoadResult
    body_bytes: int

    @property
    def ratio(self) -> float:
        bare = self.bare.requests_per_second
        return self.app.requests_per_second / bare if bare else float("nan")

    def cpu_ms(self, side: str) -> float:
        """The server's CPU time per response, in ms (NaN when it could not be read)."""
        result: LoadResult = getattr(self, side)
        if result.server_cpu_percent is None or not result.requests_per_second:
            return float("nan")
        return result.server_cpu_percent * 10 / result.requests_per_second

    @property
    def cpu_ratio(self) -> float:
        """Bare CPU per response ÷ app CPU per response: the ratio with the machine's other
        work taken out (a server starved of CPU serves fewer requests, not dearer ones)."""
        return self.cpu_ms("bare") / self.cpu_ms("app")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Summary:
    name: str
    description: str
    body_bytes: int
    rounds: list[Round]

    def med(self, side: str, attribute: str) -> float:
        values = [getattr(getattr(r, side), attribute) for r in self.rounds]
        return _median([v for v in values if v is not None])

    @property
    def ratio(self) -> float:
        return _median([r.ratio for r in self.rounds if r.ratio == r.ratio])  # NaN-free

    def med_cpu_ms(self, side: str) -> float:
        return _median([v for r in self.rounds if (v := r.cpu_ms(side)) == v])

    @property
    def cpu_ratio(self) -> float:
        return _median([r.cpu_ratio for r in self.rounds if r.cpu_ratio == r.cpu_ratio])

    @property
    def errors(self) -> int:
        return sum(r.app.errors + r.bare.errors for r in self.rounds)


def fmt(value: float | None, spec: str) -> str:
    if value is None or value != value:  # None or NaN
        return "-"
    return format(value, spec)


def report(summaries: list[Summary], args: argparse.Namespace) -> list[str]:
    """Print the tables and the one-line results; return the warnings."""
    header: tuple[str, ...] = (
        "benchmark",
        "bytes",
        "req/s",
        "bare req/s",
        "ratio",
        "p50 ms",
        "p99 ms",
        "bare p50 ms",
        "bare p99 ms",
        "errors",
    )
    rows: list[tuple[str, ...]] = []
    for s in summaries:
        rows.append(
            (
                s.name,
                str(s.body_bytes),
                fmt(s.med("app", "requests_per_second"), ",.0f"),
                fmt(s.med("bare", "requests_per_second"), ",.0f"),
                fmt(s.ratio, ".2f"),
                fmt(s.med("app", "p50_ms"), ".1f"),
                fmt(s.med("app", "p99_ms"), ".1f"),
                fmt(s.med("bare", "p50_ms"), ".1f"),
                fmt(s.med("bare", "p99_ms"), ".1f"),
                str(s.errors),
            )
        )
    table(header, rows, right=set(range(1, len(header))))

    print()
    header = (
        "measurement",
        "responses",
        "server cpu %",
        "server cpu ms/response",
        "load generator cpu %",
        "body bytes",
    )
    rows = []
    for s in summaries:
        for side, label in (("app", s.name), ("bare", f"{s.name} (bare)")):
            rows.append(
                (
                    label,
                    fmt(s.med(side, "responses"), ",.0f"),
                    fmt(s.med(side, "server_cpu_percent"), ".0f"),
                    fmt(s.med_cpu_ms(side), ".3f"),
                    fmt(s.med(side, "client_cpu_percent"), ".0f"),
                    fmt(s.med(side, "mean_body_bytes"), ".0f"),
                )
            )
    table(header, rows, right=set(range(1, len(header))))

    print()
    for s in summaries:
        print(
            f"{s.name}: {s.med('app', 'requests_per_second'):.0f} req/s vs bare "
            f"{s.med('bare', 'requests_per_second'):.0f} req/s -> ratio {s.ratio:.2f}; "
            f"server CPU per response {s.med_cpu_ms('app'):.3f} ms vs bare "
            f"{s.med_cpu_ms('bare'):.3f} ms -> cpu ratio {s.cpu_ratio:.3f}"
        )

    warnings = []
    for s in summaries:
        for r in s.rounds:
            for side, result in (("app", r.app), ("bare", r.bare)):
                if result.errors:
                    warnings.append(
                        f"{s.name} ({side}): {result.errors} failed requests: {result.error_kinds}"
                    )
                if result.responses and abs(result.mean_body_bytes - r.body_bytes) > 0.05 * (
                    r.body_bytes or 1
                ):
                    warnings.append(
                        f"{s.name} ({side}): responses averaged {result.mean_body_bytes:.0f} "
                        f"bytes, the baseline has {r.body_bytes}: the page changed during the run"
                    )
                if (result.client_cpu_percent or 0) > 90:
                    warnings.append(
                        f"{s.name} ({side}): the load generator used "
                        f"{result.client_cpu_percent:.0f}% of a core; it may have been the "
                        "bottleneck, so this req/s figure is a floor"
                    )
                if result.server_cpu_percent is not None and result.server_cpu_percent < 80:
                    warnings.append(
                        f"{s.name} ({side}): the server used only "
                        f"{result.server_cpu_percent:.0f}% of a core; it was not saturated "
                        "(load generator too slow, or the machine busy with something else)"
                    )
    return warnings
