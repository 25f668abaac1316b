"""Run Earful's real worker processes for a test, and always stop them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def start_earful(
    config: Path, workdir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``earful --config CONFIG ARGS...`` as a process, its output in a log in workdir;
    ``env`` adds variables (e.g. ``EARFUL_FAILPOINT``) to the test's environment."""
    log = open(workdir / f"{args[0]}-{os.getpid()}-{len(list(workdir.iterdir()))}.log", "ab")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "earful", "--config", str(config), *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "EARFUL_HOME": str(workdir / ".earful"), **(env or {})},
        cwd=workdir,
    )


def start_worker(
    kind: str, config: Path, workdir: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    return start_earful(
        config,
        workdir,
        "worker",
        kind,
        "--metrics-port",
        "0",
        "--datadir",
        str(workdir / f"faust-{kind}"),
        *extra,
        env=env,
    )


def stop(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def workers(config: Path, workdir: Path, *kinds: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    started = [start_worker(kind, config, workdir) for kind in kinds]
    try:
        yield started
    finally:
        for process in started:
            stop(process)


def worker_logs(workdir: Path) -> str:
    return "\n".join(
        f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}"
        for p in sorted(workdir.glob("*.log"))
    )
