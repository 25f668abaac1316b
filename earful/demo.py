"""``earful demo``: the main job end to end on the local default.

Starts a local Kafka (unless one answers already), the scoring and alert workers, then
publishes the bundled sample mentions (plus a few malformed lines) and shows the alerts
as the console channel prints them. It waits until every mention is scored and every
alert delivered, prints a summary read from the workers' own metrics, and stops.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path

import orjson
from kafka import KafkaProducer

from config.kafka_security import kafka_client_options
from config.schema import Settings
from earful.admin import ensure_topics
from earful.localkafka import LocalKafka
from streams.pipeline import Scored, process
from streams.scoring import build_scorer
from streams.topics import MENTIONS_RAW, topic_name

STREAMS_PORT, ALERTS_PORT = 9101, 9102


def sample_lines(run_id: str, now: datetime) -> tuple[list[bytes], list[bytes]]:
    """The samples with ids unique to this run (so reruns alert again) and recent times."""
    samples = files("earful.samples")
    mentions = []
    for i, line in enumerate(samples.joinpath("mentions.jsonl").read_bytes().splitlines()):
        data = orjson.loads(line)
        data["id"] = f"{data['source']}:{run_id}-{i + 1}"
        data["created_at"] = (now - timedelta(seconds=30 - i)).isoformat()
        mentions.append(orjson.dumps(data))
    malformed = samples.joinpath("malformed.jsonl").read_bytes().splitlines()
    return mentions, malformed


def run_demo(settings: Settings, *, home: Path, keep_running: bool = False) -> int:
    broker = LocalKafka(home / "kafka")
    started_kafka = False
    if broker.running_pid() is None:
        print(f"starting Kafka in {broker.home} (the first run fetches its jars with Maven) ...")
        seconds = broker.start()
        started_kafka = True
        print(f"Kafka ready on {broker.bootstrap} after {seconds:.1f} s")
    settings = settings.model_copy(
        update={"kafka": settings.kafka.model_copy(update={"bootstrap_servers": broker.bootstrap})}
    )
    ensure_topics(settings)

    run_id = uuid.uuid4().hex[:8]
    mentions, malformed = sample_lines(run_id, datetime.now(UTC))
    scorer = build_scorer(settings)
    expected_alerts = sum(
        1 for m in mentions if isinstance(o := process(m, scorer), Scored) and o.alert is not None
    )

    workers = _start_workers(home, broker.bootstrap)
    try:
        base = _wait_for_metrics()
        producer = KafkaProducer(**kafka_client_options(settings.kafka, "kafka-python"), acks="all")
        topic = topic_name(MENTIONS_RAW, settings.kafka.topic_prefix)
        for line in mentions + malformed:
            producer.send(topic, value=line)
        producer.close()
        print(
            f"published {len(mentions)} sample mentions and {len(malformed)} malformed lines "
            f"to {topic}; {expected_alerts} should need a response. Alerts:\n",
            flush=True,
        )
        consumed_target = base["consumed"] + len(mentions) + len(malformed)
        delivered_target = base["delivered"] + expected_alerts
        deadline = time.monotonic() + 120
        now = base
        while time.monotonic() < deadline:
            now = _read_counts()
            if now["consumed"] >= consumed_target and now["delivered"] >= delivered_target:
                break
            time.sleep(0.5)
        else:
            print("demo: timed out waiting for the workers; see the logs above", file=sys.stderr)
            return 1
        time.sleep(0.5)  # let the last console lines flush
        print(
            f"\nsummary: {int(now['consumed'] - base['consumed'])} messages scored or "
            f"dead-lettered, {int(now['dead'] - base['dead'])} dead-lettered with a reason, "
            f"{int(now['delivered'] - base['delivered'])} alerts delivered."
        )
        print(
            f"metrics: http://127.0.0.1:{STREAMS_PORT}/metrics and "
            f"http://127.0.0.1:{ALERTS_PORT}/metrics"
            if keep_running
            else ""
        )
        return 0
    finally:
        if not keep_running:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
            if started_kafka:
                broker.stop()
                print("stopped the workers and Kafka")


def _start_workers(home: Path, bootstrap: str) -> list[subprocess.Popen[bytes]]:
    """Start both workers; the alert worker's stdout is the terminal, so alerts show there."""
    logs = home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    streams_log = (logs / "streams.log").open("ab")
    alerts_log = (logs / "alerts.log").open("ab")
    common = [sys.executable, "-m", "earful", "worker"]
    streams = subprocess.Popen(
        [
            *common,
            "streams",
            "--bootstrap",
            bootstrap,
            "--metrics-port",
            str(STREAMS_PORT),
            "--datadir",
            str(home / "faust"),
        ],
        stdout=streams_log,
        stderr=subprocess.STDOUT,
    )
    alerts = subprocess.Popen(
        [*common, "alerts", "--bootstrap", bootstrap, "--metrics-port", str(ALERTS_PORT)],
        stderr=alerts_log,
    )
    streams_log.close()  # the children hold their own copies
    alerts_log.close()
    print(f"workers started; their logs are in {logs}")
    return [streams, alerts]


def _wait_for_metrics(timeout: float = 90) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return _read_counts()
        except OSError:
            time.sleep(0.5)
    raise SystemExit("demo: the workers did not start; see .earful/logs/")


def _read_counts() -> dict[str, float]:
    streams = _scrape(STREAMS_PORT)
    alerts = _scrape(ALERTS_PORT)
    return {
        "consumed": _sum(streams, "earful_messages_consumed_total"),
        "dead": _sum(streams, "earful_dead_letters_total"),
        "delivered": _sum(alerts, "earful_alerts_delivered_total"),
    }


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
        return str(response.read().decode())


def _sum(text: str, name: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                total += sample.value
    return total
