"""``earful``: one command for every job. Each subcommand's flags can also be set by
environment variables (``EARFUL_CONFIG``, ``EARFUL_HOME``, ``EARFUL_KAFKA_BOOTSTRAP``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from config import ConfigError, load_settings
from config.schema import Settings
from earful.connect_cmd import add_connect_parser
from earful.localkafka import LocalKafka, LocalKafkaError
from earful.logs import add_logging_flags
from earful.native import StaleNativeBuildError, check_native_build
from earful.silence_cmd import add_silence_parser


def earful_home() -> Path:
    return Path(os.environ.get("EARFUL_HOME", ".earful")).resolve()


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    bootstrap = getattr(args, "bootstrap", None)
    if bootstrap:
        kafka = settings.kafka.model_copy(update={"bootstrap_servers": bootstrap})
        settings = settings.model_copy(update={"kafka": kafka})
    return settings


def cmd_kafka(args: argparse.Namespace) -> int:
    broker = LocalKafka(
        Path(args.home or earful_home() / "kafka").resolve(), args.port, args.controller_port
    )
    if args.action == "start":
        already = broker.running_pid() is not None
        seconds = broker.start()
        state = "was already running" if already else f"started in {seconds:.1f} s"
        print(f"Kafka {_version()} {state} on {broker.bootstrap}")
        print(f"state, data and logs: {broker.home}  (log: {broker.log_file})")
    elif args.action == "stop":
        print("Kafka stopped" if broker.stop() else "Kafka was not running")
    else:
        pid = broker.running_pid()
        print(
            f"Kafka running on {broker.bootstrap} (pid {pid}), state in {broker.home}"
            if pid
            else f"Kafka not running (state folder {broker.home})"
        )
        return 0 if pid else 1
    return 0


def _version() -> str:
    from earful.localkafka import KAFKA_VERSION

    return KAFKA_VERSION


def cmd_config_check(args: argparse.Namespace) -> int:
    settings = load_settings(args.file or args.config)
    routes = len(settings.route.routes)
    print(
        f"{args.file or args.config or os.environ.get('EARFUL_CONFIG') or 'config/earful.yaml'}"
        f": OK ({len(settings.brands)} brands, {len(settings.teams)} teams, "
        f"{len(settings.receivers)} receivers, {routes} top-level routes)"
    )
    return 0


def cmd_topics(args: argparse.Namespace) -> int:
    from earful.admin import ensure_topics

    created = ensure_topics(_settings(args))
    print("created: " + ", ".join(created) if created else "all topics exist")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from earful.logs import configure_logging, secret_values
    from earful.workers import run_alerts_worker, run_streams_worker

    settings = _settings(args)
    configure_logging(args.log_level, args.log_format, secret_values(settings))
    if args.kind == "streams":
        port = (
            settings.workers.streams.metrics_port
            if args.metrics_port is None
            else args.metrics_port
        )
        datadir = Path(args.datadir or earful_home() / "faust")
        run_streams_worker(
            settings,
            datadir=datadir,
            metrics_port=port,
            loglevel=args.log_level,
            log_format=args.log_format,
        )
    elif args.kind == "responder":
        from earful.responder import run_responder_worker

        port = settings.response.metrics_port if args.metrics_port is None else args.metrics_port
        run_responder_worker(settings, metrics_port=port)
    else:
        port = (
            settings.workers.alerts.metrics_port if args.metrics_port is None else args.metrics_port
        )
        run_alerts_worker(settings, metrics_port=port)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from kafka import KafkaProducer

    from config.kafka_security import kafka_client_options
    from connectors.publish import publish_lines
    from streams.topics import MENTIONS_RAW, topic_name

    settings = _settings(args)
    producer = KafkaProducer(
        **kafka_client_options(settings.kafka, "kafka-python"),
        client_id=f"{settings.kafka.client_id}-publish",
        acks="all",
        linger_ms=5,
    )
    topic = topic_name(MENTIONS_RAW, settings.kafka.topic_prefix)
    with _open_input(args.file) as lines:
        report = publish_lines(lines, producer, topic, sys.stderr, validate=not args.no_validate)
    producer.close()
    print(f"sent {report.sent}, rejected {report.rejected} -> {topic}")
    return 0 if report.rejected == 0 else 1


def cmd_score(args: argparse.Namespace) -> int:
    from streams.offline import score_lines
    from streams.scoring import build_scorer

    scorer = build_scorer(_settings(args))
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        with _open_input(args.file) as lines:
            report = score_lines(lines, scorer, out, sys.stderr)
    finally:
        if out is not sys.stdout:
            out.close()
    print(
        f"scored {report.scored} ({report.needs_response} need a response), "
        f"rejected {report.rejected}",
        file=sys.stderr,
    )
    return 0 if report.rejected == 0 else 1


def cmd_schema(args: argparse.Namespace) -> int:
    from streams.schema import mention_json_schema

    print(mention_json_schema(), end="")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from earful.demo import run_demo

    return run_demo(_settings(args), home=earful_home(), keep_running=args.keep_running)


@contextmanager
def _open_input(name: str) -> Iterator[BinaryIO]:
    """A file given on the command line, or standard input for ``-``."""
    if name == "-":
        yield sys.stdin.buffer
        return
    try:
        handle = open(name, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise SystemExit(f"earful: cannot read {name}: {error.strerror}") from None
    with handle:
        yield handle


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="earful", description=__doc__)
    parser.add_argument(
        "--config",
        default=None,
        help="config file (default: $EARFUL_CONFIG, else config/earful.yaml)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    kafka = sub.add_parser("kafka", help="run a local single-node Kafka (KRaft) for development")
    kafka.add_argument("action", choices=["start", "stop", "status"])
    kafka.add_argument("--home", help="state folder (default: $EARFUL_HOME/kafka)")
    kafka.add_argument("--port", type=int, default=9092)
    kafka.add_argument("--controller-port", type=int, default=9093)
    kafka.set_defaults(func=cmd_kafka)

    config = sub.add_parser("config", help="check a configuration file")
    config_sub = config.add_subparsers(dest="config_command", required=True)
    check = config_sub.add_parser("check", help="validate; errors name file, line and fix")
    check.add_argument("file", nargs="?")
    check.set_defaults(func=cmd_config_check)

    topics = sub.add_parser("topics", help="create Earful's topics with partitions from config")
    topics.add_argument("action", choices=["create"])
    topics.add_argument("--bootstrap", default=None)
    topics.set_defaults(func=cmd_topics)

    worker = sub.add_parser("worker", help="run a worker: streams (scoring), alerts or responder")
    worker.add_argument("kind", choices=["streams", "alerts", "responder"])
    worker.add_argument("--bootstrap", default=None, help="override kafka.bootstrap_servers")
    worker.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        help="port of /metrics, /healthz and /readyz (default from config; 0: none)",
    )
    worker.add_argument("--datadir", default=None, help="Faust state (default $EARFUL_HOME/faust)")
    add_logging_flags(worker)
    worker.set_defaults(func=cmd_worker)

    publish = sub.add_parser("publish", help="publish a JSONL file of mentions ('-' for stdin)")
    publish.add_argument("file")
    publish.add_argument("--bootstrap", default=None)
    publish.add_argument(
        "--no-validate",
        action="store_true",
        help="send every line as it is, even invalid ones (tests dead letters)",
    )
    publish.set_defaults(func=cmd_publish)

    score = sub.add_parser("score", help="score a JSONL file offline, no Kafka needed")
    score.add_argument("file")
    score.add_argument("-o", "--output", help="write scored JSONL here (default stdout)")
    score.set_defaults(func=cmd_score)

    schema = sub.add_parser("schema", help="print mention schema v1 (JSON Schema)")
    schema.set_defaults(func=cmd_schema)

    from earful.dlq_cmd import add_dlq_parser

    add_dlq_parser(sub, _settings)

    add_connect_parser(sub)

    demo = sub.add_parser("demo", help="local Kafka + workers + sample mentions; shows alerts")
    demo.add_argument(
        "--keep-running", action="store_true", help="leave Kafka and the workers running afterwards"
    )
    demo.set_defaults(func=cmd_demo)

    add_silence_parser(sub)
    from earful.routes_cmd import add_routes_parser

    add_routes_parser(sub)
    from earful.eval_cmd import register as register_evaluation

    register_evaluation(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_native_build()
        return int(args.func(args))
    except StaleNativeBuildError as error:
        print(f"earful: {error}", file=sys.stderr)
        return 2
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except LocalKafkaError as error:
        print(f"earful: {error}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
