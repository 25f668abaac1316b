"""The README's examples work as written: its `earful` command block, and the demo."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(400)]


def readme_earful_lines() -> list[str]:
    """Every command line of the README's fenced blocks that runs `earful`."""
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    lines = []
    for block in blocks:
        for line in block.splitlines():
            command = line.split("#", 1)[0].strip()
            if command.startswith("earful "):
                lines.append(command)
    return lines


def run_earful(command: str, home: Path) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "earful", *shlex.split(command)[1:]]
    env = {**os.environ, "EARFUL_HOME": str(home)}
    env.pop("EARFUL_CONFIG", None)
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False
    )


def test_the_readme_lists_the_commands_it_promises() -> None:
    lines = readme_earful_lines()
    assert lines[0].startswith("earful config check")
    assert "earful kafka start" in lines
    assert lines[-1] == "earful kafka stop"


def test_every_earful_command_in_the_readme_runs(tmp_path: Path) -> None:
    """In order, as a reader would type them: the local broker on 9092 included."""
    ran = []
    try:
        for command in readme_earful_lines():
            result = run_earful(command, tmp_path)
            ran.append(command)
            assert result.returncode == 0, f"`{command}` failed:\n{result.stdout}\n{result.stderr}"
    finally:
        if "earful kafka stop" not in ran:
            run_earful("earful kafka stop", tmp_path)


def test_the_demo_shows_alerts_and_dead_letters(tmp_path: Path) -> None:
    env = {**os.environ, "EARFUL_HOME": str(tmp_path)}
    env.pop("EARFUL_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-m", "earful", "demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=360,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = re.search(
        r"summary: (\d+) messages scored or dead-lettered, (\d+) dead-lettered "
        r"with a reason, (\d+) alerts delivered",
        result.stdout,
    )
    assert summary is not None, result.stdout
    consumed, dead, delivered = map(int, summary.groups())
    assert (consumed, dead) == (23, 3)
    assert delivered == result.stdout.count("\n[P")  # every alert shown on the console
    assert delivered > 0
