"""``earful publish``: send a JSONL file of mentions to the raw topic, validating each line.

Valid lines are keyed by conversation; invalid ones are reported with their line number
and reason and not sent, so an integrator sees every mistake in one run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

from kafka import KafkaProducer

from streams.validation import Rejection, parse_mention


@dataclass
class PublishReport:
    sent: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)


def publish_lines(
    lines: Iterable[bytes],
    producer: KafkaProducer,
    topic: str,
    errors: TextIO,
    *,
    validate: bool = True,
) -> PublishReport:
    """With ``validate=False`` every line is sent as it is (to exercise the dead-letter path)."""
    report = PublishReport()
    for number, line in enumerate(lines, start=1):
        raw = line.rstrip(b"\r\n")
        if not raw.strip():
            continue
        if not validate:
            producer.send(topic, value=raw)
            report.sent += 1
            continue
        parsed = parse_mention(raw)
        if isinstance(parsed, Rejection):
            report.rejected += 1
            problem = f"line {number}: rejected ({parsed.reason}): {parsed.detail}"
            report.problems.append(problem)
            errors.write(problem + "\n")
            continue
        producer.send(topic, key=parsed.partition_key().encode(), value=raw)
        report.sent += 1
    producer.flush()
    return report
