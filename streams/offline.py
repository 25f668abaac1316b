"""``earful score``: score a JSONL file with exactly the code the live agent runs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

from streams.pipeline import Scored, process
from streams.scoring import Scorer


@dataclass
class ScoreReport:
    scored: int = 0
    rejected: int = 0
    needs_response: int = 0
    rejections: list[str] = field(default_factory=list)


def score_lines(lines: Iterable[bytes], scorer: Scorer, out: TextIO, errors: TextIO) -> ScoreReport:
    """Write one scored mention per valid line to ``out``; say why each other line failed."""
    report = ScoreReport()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        outcome = process(line.rstrip(b"\r\n"), scorer)
        if isinstance(outcome, Scored):
            report.scored += 1
            report.needs_response += outcome.scored.needs_response
            out.write(outcome.scored.model_dump_json() + "\n")
        else:
            report.rejected += 1
            errors.write(f"line {number}: rejected ({outcome.reason}): {outcome.detail}\n")
    return report
