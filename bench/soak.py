"""Soak: a steady rate for a long time; worker memory (RSS) and lag over time.

    python -m bench.soak [--minutes 30] [--rate 500] [--window 3600] [--remember-ids 86400]
                         [--remember-deliveries 604800]

Samples every 10 s the RSS of each worker process and the scoring group's lag; prints one
row a minute, the RSS growth over the second half of the run (which should be ~0: growth
that levels off), and writes JSON plus a PNG plot under bench/results/. The dedupe tables
level off once their entries start expiring (``--window``, ``--remember-ids``: the
``scoring.duplicates`` settings, defaults as in the config), and so does the alert
worker's delivery log (``--remember-deliveries``: ``delivery.remember_seconds``), so a
soak shorter than those shows growth that a longer one would see level off.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import (
    RESULTS,
    bench_broker,
    bench_settings,
    group_lag,
    print_table,
    rss_mb,
    start_worker,
    stop_all,
    write_results,
)
from bench.load import check_published, publish_at_rate
from bench.plots import plot_soak
from streams.topics import MENTIONS_RAW, topic_name
from tests.support.receivers import recording_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--window", type=int, default=3600, help="near-copy window, s")
    parser.add_argument("--remember-ids", type=int, default=86400, help="alerted ids kept, s")
    parser.add_argument(
        "--remember-deliveries", type=int, default=604800, help="delivery outcomes kept, s"
    )
    args = parser.parse_args()
    seconds = args.minutes * 60
    samples: list[dict[str, Any]] = []
    with (
        bench_broker() as bootstrap,
        tempfile.TemporaryDirectory() as tmp,
        recording_server(keep_alive=True) as hook,
    ):
        workdir = Path(tmp)
        settings, config = bench_settings(
            bootstrap,
            workdir,
            receivers=[{"name": "hook", "webhook_configs": [{"url": hook.url + "/hook"}]}],
            route={"receiver": "hook"},
            delivery={"remember_seconds": args.remember_deliveries},
            scoring={
                "duplicates": {
                    "window_seconds": args.window,
                    "remember_ids_seconds": args.remember_ids,
                }
            },
        )
        prefix = settings.kafka.topic_prefix
        workers = {
            "streams": start_worker("streams", config, workdir, cpu=0),
            "alerts": start_worker("alerts", config, workdir, cpu=1),
        }
        try:
            time.sleep(10)
            publisher = publish_at_rate(
                bootstrap, topic_name(MENTIONS_RAW, prefix), args.rate, seconds
            )
            started = time.monotonic()
            while publisher.is_alive() or time.monotonic() - started < 10:
                hook.requests.clear()  # keep the receiver's own memory flat
                samples.append(
                    {
                        "t": round(time.monotonic() - started),
                        "streams MB": rss_mb(workers["streams"].pid),
                        "alerts MB": rss_mb(workers["alerts"].pid),
                        "lag": group_lag(
                            bootstrap, f"{prefix}earful-streams", topic_name(MENTIONS_RAW, prefix)
                        ),
                    }
                )
                time.sleep(10)
            check_published(publisher)
        finally:
            stop_all(list(workers.values()))
    half = samples[len(samples) // 2 :]
    growth = {k: half[-1][k] - half[0][k] for k in ("streams MB", "alerts MB")} if half else {}
    print(
        f"\nsoak: {args.rate:.0f} mentions/s for {args.minutes:g} min "
        f"(dedupe window {args.window} s, ids kept {args.remember_ids} s, "
        f"delivery outcomes kept {args.remember_deliveries} s)"
    )
    print_table(samples[::6] + samples[-1:], ["t", "streams MB", "alerts MB", "lag"])
    print(f"\nRSS change over the second half: {growth}")
    path = write_results(
        "soak",
        {
            "rate": args.rate,
            "minutes": args.minutes,
            "dedupe_window_seconds": args.window,
            "remember_ids_seconds": args.remember_ids,
            "remember_deliveries_seconds": args.remember_deliveries,
            "samples": samples,
            "second_half_growth_mb": growth,
        },
    )
    picture = plot_soak(samples, RESULTS / "soak.png")
    print(f"results: {path}" + (f", plot: {picture}" if picture else ""))


if __name__ == "__main__":
    main()
