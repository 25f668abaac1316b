"""The benchmarks' plots are real PNG files, also for a case that measured nothing."""

from __future__ import annotations

from pathlib import Path

from bench.plots import plot_latency, plot_soak, plot_throughput

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def is_png(path: Path | None) -> bool:
    return path is not None and path.read_bytes()[:8] == PNG_SIGNATURE


def test_throughput_plot_has_a_bar_per_case_even_one_without_a_rate(tmp_path: Path) -> None:
    rows = [
        {"case": "in-process ceiling (no Kafka)", "mentions/s": 7000.0},
        {"case": "Earful pipeline, 1 worker(s)", "mentions/s": None},
    ]
    assert is_png(plot_throughput(rows, tmp_path / "results" / "throughput.png"))


def test_latency_plot_skips_a_rate_where_no_alert_arrived(tmp_path: Path) -> None:
    rows = [
        {"rate": 100.0, "alerts": 60, "p50 ms": 40.0, "p95 ms": 90.0, "p99 ms": 120.0,
         "max ms": 150.0},
        {"rate": 500.0, "alerts": 0},
    ]  # fmt: skip
    assert is_png(plot_latency(rows, tmp_path / "latency.png"))


def test_soak_plot(tmp_path: Path) -> None:
    samples = [
        {"t": t, "streams MB": 300.0 + t / 600, "alerts MB": 70.0, "lag": 100} for t in (0, 60)
    ]
    assert is_png(plot_soak(samples, tmp_path / "soak.png"))
