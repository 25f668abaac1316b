"""PNG plots of the benchmarks' results, beside their JSON under ``bench/results/``.

Each function takes the rows a benchmark printed and returns the PNG's path, or ``None``
when matplotlib is not installed (it comes with the ``dev`` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

PERCENTILES = ("p50 ms", "p95 ms", "p99 ms", "max ms")
P99_TARGET_MS = 100.0  # issue #7: p99 at 1,000 mentions/s


def _pyplot() -> Any | None:
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: no display on a server or in CI
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def _save(plt: Any, figure: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def plot_throughput(rows: list[dict[str, Any]], path: Path) -> Path | None:
    """One bar per case, mentions per second, each labelled with its rate."""
    plt = _pyplot()
    if plt is None:
        return None
    cases = [str(r["case"]) for r in rows]
    rates = [float(r["mentions/s"] or 0.0) for r in rows]
    figure, axes = plt.subplots(figsize=(8, 0.6 * len(rows) + 1.5))
    bars = axes.barh(cases, rates, color="tab:blue")
    axes.bar_label(bars, labels=[f"{rate:,.0f}/s" for rate in rates], padding=3)
    axes.invert_yaxis()  # the cases in the order the table printed them
    axes.set_xlabel("mentions per second")
    axes.set_xlim(0, max(rates, default=1.0) * 1.2 or 1.0)
    axes.set_title("Earful throughput")
    return _save(plt, figure, path)


def plot_latency(rows: list[dict[str, Any]], path: Path) -> Path | None:
    """End-to-end percentiles against the offered rate, on a log scale (they span orders
    of magnitude once the pipeline saturates)."""
    plt = _pyplot()
    if plt is None:
        return None
    measured = [r for r in rows if r.get("p50 ms") is not None]
    rates = [float(r["rate"]) for r in measured]
    figure, axes = plt.subplots(figsize=(8, 5))
    for column in PERCENTILES:
        axes.plot(rates, [float(r[column]) for r in measured], marker="o", label=column[:-3])
    axes.axhline(P99_TARGET_MS, linestyle=":", color="grey", label="p99 target")
    axes.set_xlabel("offered rate (mentions/s)")
    axes.set_ylabel("publish -> webhook (ms)")
    axes.set_yscale("log")
    axes.legend()
    axes.set_title("Earful end-to-end latency")
    return _save(plt, figure, path)


def plot_soak(samples: list[dict[str, Any]], path: Path) -> Path | None:
    """Workers' memory and the scoring lag over the run."""
    plt = _pyplot()
    if plt is None:
        return None
    minutes = [s["t"] / 60 for s in samples]
    figure, (memory, lag) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    memory.plot(minutes, [s["streams MB"] for s in samples], label="streams worker")
    memory.plot(minutes, [s["alerts MB"] for s in samples], label="alerts worker")
    memory.set_ylabel("RSS (MB)")
    memory.legend()
    lag.plot(minutes, [s["lag"] for s in samples], color="tab:red")
    lag.set_ylabel("scoring lag (msgs)")
    lag.set_xlabel("minutes")
    figure.suptitle("Earful soak")
    return _save(plt, figure, path)
