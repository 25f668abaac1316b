"""Files: backfill mentions from JSONL or CSV files, with a progress line on stderr.

A JSONL line is a mention in schema v1, unless a ``mapping`` says which of its fields
are which; a CSV row always goes through the mapping (mention field -> column). The
cursor is the number of lines or rows done per file, so a re-run resumes after the last
one published (and a finished file is not sent again).
"""

from __future__ import annotations

import asyncio
import csv
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from config.connectors import FilesConnector
from connectors.errors import SourceRefusedError
from connectors.mapping import record_reader
from connectors.runtime import Source, SourceContext


class Progress:
    """``name: file lines done/total (percent)`` on stderr: one rewritten line on a
    terminal (at most twice a second), else a line every ``log_every`` seconds."""

    def __init__(
        self,
        label: str,
        total: int,
        out: TextIO | None,
        every: float = 0.5,
        log_every: float = 10.0,
    ) -> None:
        self.label, self.total, self.out = label, total, out
        self.tty = bool(out is not None and out.isatty())
        self.every = every if self.tty else log_every
        self._shown = time.monotonic()

    def update(self, done: int, *, final: bool = False) -> None:
        now = time.monotonic()
        if self.out is None or (not final and now - self._shown < self.every):
            return
        self._shown = now
        percent = f" ({100 * done // self.total}%)" if self.total else ""
        line = f"{self.label} {done}/{self.total}{percent}"
        self.out.write(f"\r{line}" + ("\n" if final else "") if self.tty else line + "\n")
        self.out.flush()


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


class FilesSource(Source):
    finite = True

    def __init__(self, config: FilesConnector, progress_to: TextIO | None = sys.stderr) -> None:
        super().__init__(config)
        self.config = config
        self.progress_to = progress_to if config.progress else None
        self.queries = {path: str(path.resolve()) for path in config.paths}  # cursor keys
        self.to_mention = record_reader(config.source, config.mapping, config.brand)

    async def run(self, ctx: SourceContext) -> None:
        for path in self.config.paths:
            if not path.is_file():
                raise SourceRefusedError(f"{path}: no such file; check paths: in the connector")
        for path in self.config.paths:
            if ctx.stopping:
                return
            await self._read(path, ctx)

    def _records(self, handle: TextIO, path: Path) -> Iterator[dict[str, str] | str | None]:
        if self.config.format == "jsonl":
            for line in handle:
                yield line if line.strip() else None
            return
        reader = csv.DictReader(handle)
        try:
            yield from reader
        except csv.Error as error:
            raise SourceRefusedError(
                f"{path}:{reader.line_num}: not readable as CSV ({error}); fix the file"
            ) from None

    async def _read(self, path: Path, ctx: SourceContext) -> None:
        query = self.queries[path]
        done = int(ctx.cursor(query) or 0)
        unit = "rows" if self.config.format == "csv" else "lines"
        total = _count_lines(path) - (1 if self.config.format == "csv" else 0)
        progress = Progress(f"{ctx.name}: {path.name} {unit}", total, self.progress_to)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            number = 0
            for record in self._records(handle, path):
                if ctx.stopping:
                    break
                number += 1
                if number <= done:
                    continue
                if record is not None:
                    await ctx.offer(record, self.to_mention)
                ctx.succeeded()
                await ctx.checkpoint(str(number), query)
                progress.update(number)
                if number % 200 == 0:
                    await asyncio.sleep(0)  # let the producer and signals run
        progress.update(number, final=True)
        await ctx.checkpoint(str(max(number, done)), query, now=True)
