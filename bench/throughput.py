"""Throughput: mentions/s through raw -> scoring -> scored/alert topics on the real broker.

    python -m bench.throughput [--count 40000] [--texts unique|repeating]

Side by side in one run: (a) the same scoring code in-process with no Kafka (the ceiling),
(b) a hand-written kafka-python consume-score-produce loop with the same scorer, (c) the
Faust pipeline with one and with two worker processes, and (d) Faust's floor: one worker
of the same app forwarding each message unscored (``bench.faust_floor``), the bound on
any Faust agent here; with it, the best one worker could reach if scoring cost exactly
the ceiling's time (the two costs added). Each Kafka case drains a backlog
preloaded by a separate producer process; the rate is counted from the first scored record
to the last, and the consumer group's lag must return to zero. Prints a table and writes
bench/results/throughput.json and throughput.png.

Texts are unique by default (each carries its own booking reference), as in a real
stream: every mention is scored afresh and every one that needs a response alerts.
``--texts repeating`` cycles 720 texts, which the scorer's caches answer after the first
pass: that measures the pipeline around scoring more than scoring.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, KafkaProducer

from bench.corpus import corpus
from bench.harness import (
    RESULTS,
    bench_broker,
    bench_settings,
    end_offsets,
    group_lag,
    print_table,
    start_process,
    start_worker,
    stop_all,
    write_results,
)
from bench.plots import plot_throughput
from config.schema import Settings
from streams.pipeline import Scored, process
from streams.scoring import build_scorer
from streams.topics import ALERTS, MENTIONS_RAW, MENTIONS_SCORED, topic_name

CEILING_PASSES = 3


def in_process_ceiling(settings: Settings, mentions: list[bytes]) -> float:
    """The best of a few passes, each with empty caches: one pass moved by a tenth from
    run to run on the shared machine."""
    scorer = build_scorer(settings)
    # As a worker does before its first record: Lingua's models take seconds to load.
    scorer.languages.warm_up()
    best = float("inf")
    for _ in range(CEILING_PASSES):
        scorer.clear_caches()
        started = time.perf_counter()
        for raw in mentions:
            outcome = process(raw, scorer)
            if isinstance(outcome, Scored):
                outcome.scored.model_dump_json()
                if outcome.alert is not None:
                    outcome.alert.model_dump_json()
        best = min(best, time.perf_counter() - started)
    return len(mentions) / best


def _preload(bootstrap: str, topic: str, count: int, unique: bool) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, batch_size=256_000, acks=1)
    for raw in corpus(count, unique=unique):
        producer.send(topic, value=raw)
    producer.flush()
    producer.close()


def preload(settings: Settings, count: int, unique: bool) -> None:
    """Fill the raw topic from a second process, as a real load generator would."""
    kafka = settings.kafka
    raw_topic = topic_name(MENTIONS_RAW, kafka.topic_prefix)
    child = multiprocessing.get_context("spawn").Process(
        target=_preload, args=(kafka.bootstrap_servers, raw_topic, count, unique)
    )
    child.start()
    child.join()


def _handwritten_loop(settings: Settings, count: int, result: Any) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    kafka = settings.kafka
    prefix = kafka.topic_prefix
    consumer = KafkaConsumer(
        topic_name(MENTIONS_RAW, prefix),
        bootstrap_servers=kafka.bootstrap_servers,
        group_id=f"{prefix}loop",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=500,
    )
    producer = KafkaProducer(bootstrap_servers=kafka.bootstrap_servers, linger_ms=20, acks=1)
    scorer = build_scorer(settings)
    scored_topic = topic_name(MENTIONS_SCORED, prefix)
    alerts_topic = topic_name(ALERTS, prefix)
    seen = 0
    first: float | None = None
    while seen < count:
        for records in consumer.poll(timeout_ms=500).values():
            first = first or time.perf_counter()
            for record in records:
                outcome = process(record.value, scorer)
                if isinstance(outcome, Scored):
                    key = outcome.scored.partition_key().encode()
                    producer.send(
                        scored_topic, key=key, value=outcome.scored.model_dump_json().encode()
                    )
                    if outcome.alert is not None:
                        producer.send(
                            alerts_topic, key=key, value=outcome.alert.model_dump_json().encode()
                        )
                seen += 1
        producer.flush()
        consumer.commit()
    result.value = count / (time.perf_counter() - (first or time.perf_counter()))
    consumer.close()
    producer.close()


def handwritten_loop(settings: Settings, count: int) -> float:
    ctx = multiprocessing.get_context("spawn")
    result = ctx.Value("d", 0.0)
    child = ctx.Process(target=_handwritten_loop, args=(settings, count, result))
    child.start()
    child.join()
    return float(result.value)


def drain_rate(
    settings: Settings,
    processes: list[Any],
    group: str,
    count: int,
    timeout: float = 600,
) -> dict[str, float | None]:
    """Mentions/s onto the scored topic while ``processes`` drain the raw topic's backlog,
    and ``group``'s lag on the raw topic at the end; stops the processes."""
    bootstrap = settings.kafka.bootstrap_servers
    prefix = settings.kafka.topic_prefix
    scored = topic_name(MENTIONS_SCORED, prefix)
    try:
        first_at: float | None = None
        first_count = 0
        started = time.monotonic()
        done_at: float | None = None
        while time.monotonic() - started < timeout:
            now_count = end_offsets(bootstrap, scored)
            if now_count and first_at is None:
                first_at, first_count = time.monotonic(), now_count
            if now_count >= count:
                done_at = time.monotonic()
                break
            time.sleep(0.05)
        rate = None
        if first_at is not None and done_at is not None and done_at > first_at:
            rate = (count - first_count) / (done_at - first_at)
        lag = None
        for _ in range(60):  # Faust commits every few seconds
            lag = group_lag(bootstrap, f"{prefix}{group}", topic_name(MENTIONS_RAW, prefix))
            if lag == 0:
                break
            time.sleep(0.5)
        return {"rate": rate, "final_lag": float(lag) if lag is not None else None}
    finally:
        stop_all(processes)


def faust_pipeline(
    settings: Settings, config: Path, workdir: Path, workers: int, count: int
) -> dict[str, float | None]:
    processes = [start_worker("streams", config, workdir, cpu=i % 2) for i in range(workers)]
    return drain_rate(settings, processes, "earful-streams", count)


def faust_floor_command(config: Path, datadir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bench.faust_floor",
        "--config",
        str(config),
        "--datadir",
        str(datadir),
    ]


def faust_floor(
    settings: Settings, config: Path, workdir: Path, count: int
) -> dict[str, float | None]:
    command = faust_floor_command(config, workdir / f"floor-{uuid.uuid4().hex[:6]}")
    process = start_process("floor", command, workdir, cpu=0)
    return drain_rate(settings, [process], "earful-floor", count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=40_000)
    parser.add_argument("--texts", choices=("unique", "repeating"), default="unique")
    args = parser.parse_args()
    unique = args.texts == "unique"
    rows: list[dict[str, Any]] = []
    with bench_broker() as bootstrap, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        settings, _ = bench_settings(bootstrap, workdir)
        ceiling = in_process_ceiling(settings, corpus(min(args.count, 20_000), unique=unique))
        rows.append({"case": "in-process ceiling (no Kafka)", "mentions/s": ceiling})

        settings, _ = bench_settings(bootstrap, workdir)
        preload(settings, args.count, unique)
        loop = handwritten_loop(settings, args.count)
        rows.append(
            {
                "case": "hand-written kafka-python loop",
                "mentions/s": loop,
                "of ceiling": loop / ceiling,
            }
        )

        results: dict[int, dict[str, float | None]] = {}
        for workers in (1, 2):
            settings, config = bench_settings(bootstrap, workdir)
            preload(settings, args.count, unique)
            results[workers] = faust_pipeline(settings, config, workdir, workers, args.count)
            rate = results[workers]["rate"]
            rows.append(
                {
                    "case": f"Earful pipeline, {workers} worker(s)",
                    "mentions/s": rate,
                    "of ceiling": rate / ceiling if rate else None,
                    "vs loop": rate / loop if rate and loop else None,
                    "final lag": results[workers]["final_lag"],
                }
            )
        settings, config = bench_settings(bootstrap, workdir)
        preload(settings, args.count, unique)
        floor = faust_floor(settings, config, workdir, args.count)
        floor_rate = floor["rate"]
        rows.append(
            {
                "case": "Faust floor, 1 worker (no scoring)",
                "mentions/s": floor_rate,
                "final lag": floor["final_lag"],
            }
        )
        if floor_rate:
            # Floor and scoring costs added: what one worker could reach with nothing else.
            bound = 1 / (1 / floor_rate + 1 / ceiling)
            rows.append(
                {
                    "case": "bound: floor + ceiling's scoring",
                    "mentions/s": bound,
                    "of ceiling": bound / ceiling,
                    "vs loop": bound / loop if loop else None,
                }
            )
    one, two = results[1]["rate"], results[2]["rate"]
    print(
        f"\nthroughput, {args.count} mentions per Kafka case, {args.texts} texts,"
        f" {os.cpu_count()} cores"
    )
    print_table(rows, ["case", "mentions/s", "of ceiling", "vs loop", "final lag"])
    if one and two:
        print(f"\ntwo workers / one worker: {two / one:.2f}x")
    path = write_results(
        "throughput",
        {
            "count": args.count,
            "texts": args.texts,
            "rows": rows,
            "scale_2_over_1": (two / one) if one and two else None,
        },
    )
    picture = plot_throughput(rows, RESULTS / "throughput.png")
    print(f"results: {path}" + (f", plot: {picture}" if picture else ""))


if __name__ == "__main__":
    main()
