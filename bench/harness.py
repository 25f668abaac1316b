"""Shared pieces of the benchmarks: a private broker, worker processes, topic offsets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from config.loader import parse_settings
from config.schema import Settings
from earful.admin import ensure_topics
from earful.localkafka.broker import LocalKafka, free_port
from tests.support.scrape import get

RESULTS = Path(__file__).with_name("results")
CHECKOUT = Path(__file__).resolve().parent.parent


@contextmanager
def bench_broker() -> Iterator[str]:
    """A broker of the benchmark's own (or $EARFUL_BENCH_BOOTSTRAP), stopped afterwards."""
    existing = os.environ.get("EARFUL_BENCH_BOOTSTRAP")
    if existing:
        yield existing
        return
    with tempfile.TemporaryDirectory(prefix="earful-bench-") as home:
        broker = LocalKafka(Path(home), free_port(), free_port(), heap="1g")
        seconds = broker.start()
        print(f"# Kafka {broker.bootstrap} started in {seconds:.1f} s", file=sys.stderr)
        pin_to_last_core(broker.running_pid())
        try:
            yield broker.bootstrap
        finally:
            broker.stop()


def pin_to_last_core(pid: int | None) -> None:
    """Keep the broker (all its threads) on the last core, so a worker pinned to core 0
    measures one worker on one core, not one core shared with the broker."""
    cores = os.cpu_count() or 1
    if pid is None or cores < 2 or not _has_taskset():
        return
    subprocess.run(
        ["taskset", "-a", "-pc", str(cores - 1), str(pid)], capture_output=True, check=True
    )
    print(f"# Kafka pinned to core {cores - 1}", file=sys.stderr)


def bench_settings(
    bootstrap: str, workdir: Path, partitions: int = 4, **sections: Any
) -> tuple[Settings, Path]:
    data: dict[str, Any] = {
        "version": 1,
        "kafka": {
            "bootstrap_servers": bootstrap,
            "topic_prefix": f"b{uuid.uuid4().hex[:8]}.",
            "partitions": {
                "mentions_raw": partitions,
                "mentions_scored": partitions,
                "alerts": partitions,
            },
        },
        "brands": [
            {"name": "acmeair", "keywords": ["acme air"], "handles": ["@acmeair", "@acmeair_help"]},
            {"name": "northwind", "keywords": ["northwind bank"], "handles": ["@northwind"]},
        ],
        "teams": [
            {"name": "air-care", "brands": ["acmeair"]},
            {"name": "bank-care", "brands": ["northwind"]},
        ],
        "default_team": "air-care",
    }
    data.update(sections)
    path = workdir / f"bench-{uuid.uuid4().hex[:6]}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    settings = parse_settings(path.read_text(), str(path), {})
    ensure_topics(settings)
    return settings, path


def start_worker(
    kind: str, config: Path, workdir: Path, cpu: int | None = None, metrics_port: int = 0
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "earful",
        "--config",
        str(config),
        "worker",
        kind,
        "--metrics-port",
        str(metrics_port),
        "--log-level",
        "warning",
        "--datadir",
        str(workdir / f"faust-{uuid.uuid4().hex[:6]}"),
    ]
    return start_process(kind, command, workdir, cpu)


def start_process(
    name: str, command: list[str], workdir: Path, cpu: int | None = None
) -> subprocess.Popen[bytes]:
    """``command`` in ``workdir``, pinned to ``cpu`` where taskset exists, its output in
    ``workdir/<name>-*.log``; the checkout is on its path, for ``-m bench.<module>``."""
    if cpu is not None and _has_taskset():
        command = ["taskset", "-c", str(cpu), *command]
    log = (workdir / f"{name}-{uuid.uuid4().hex[:6]}.log").open("ab")
    # Last: a PYTHONPATH given first (a native build under test) still wins.
    path = os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(CHECKOUT)]))
    return subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": path},
    )


def _has_taskset() -> bool:
    return subprocess.run(["which", "taskset"], capture_output=True, check=False).returncode == 0


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def end_offsets(bootstrap: str, topic: str) -> int:
    """Sum of the topic's end offsets: how many records it holds (no compaction here)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        return sum(consumer.end_offsets(tps).values()) if tps else 0
    finally:
        consumer.close()


def group_lag(bootstrap: str, group: str, topic: str) -> int:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        committed = admin.list_group_offsets(group).get(group, {})
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        ends = consumer.end_offsets(tps)
        return sum(ends[tp] - (committed[tp].offset if tp in committed else 0) for tp in tps)
    finally:
        admin.close()
        consumer.close()


def wait_for_count(bootstrap: str, topic: str, target: int, timeout: float) -> float | None:
    """Seconds until the topic holds ``target`` records, or None on timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if end_offsets(bootstrap, topic) >= target:
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def wait_ready(ports: list[int], timeout: float = 90) -> float:
    """Seconds until every worker's ``/readyz`` answers 200 (partitions assigned, tables
    recovered); a fixed sleep instead let a slow start fall inside the measurement."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if all(get(port, "/readyz")[0] == 200 for port in ports):
            return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError(f"workers on ports {ports} not ready after {timeout:.0f} s")


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2))
    return path


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (0 once it is gone)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    widths = [max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(_fmt(row.get(c)).ljust(w) for c, w in zip(columns, widths, strict=True)))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return "" if value is None else str(value)
