"""The native build of the scoring modules: the same outputs, and how much faster.

    python -m bench.native [--data ../shared/data] [--skip-tests]

Builds Earful as ``EARFUL_NATIVE=1 pip install .`` does (``streams/scoring`` compiled
with mypyc) into a temporary folder, then, each in its own process:

1. scores every post of the labelled sets with the plain and the native modules (a fixed
   clock) and compares every scored record and alert: any difference fails the run;
2. runs ``streams/scoring``'s unit and property tests against the native modules;
3. times the full scoring path and TextBlob alone on one core, plain and native taking
   turns twice, as ``earful eval`` does.

Prints a table and writes bench/results/native.json. Needs a C compiler and PyPI (pip
fetches the build's setuptools and mypy).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import print_table, write_results

ROOT = Path(__file__).resolve().parent.parent
SPEED_ROWS = 3000
TURNS = 2
FIXED_NOW = datetime(2026, 1, 1, tzinfo=UTC)


class NativeBuildError(RuntimeError):
    """The native build failed or its modules did not load."""


def build(target: Path) -> float:
    """Seconds to build and install Earful with native scoring into ``target``."""
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(ROOT),
        ],
        env={**os.environ, "EARFUL_NATIVE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise NativeBuildError(
            f"EARFUL_NATIVE=1 pip install failed (exit {result.returncode}); it needs a C "
            f"compiler (gcc or clang) and PyPI:\n{result.stderr[-2000:]}"
        )
    return time.monotonic() - started


def plain_copy(target: Path) -> Path:
    """The checkout's source without ``./dev``'s in-place native build, whose compiled
    modules Python would load before the plain ones."""
    shutil.copytree(
        ROOT,
        target,
        ignore=shutil.ignore_patterns(
            ".*", "build", "results", "target", "__pycache__", "*.so", "*.egg-info"
        ),
    )
    return target


def child(data: Path) -> dict[str, Any]:
    """In the child process: which implementation loaded, a digest of every output, and
    the speed of the full path against TextBlob alone."""
    import streams.scoring.sentiment
    from earful.cli import _settings
    from streams.evaluation import (
        FULL_PATH,
        TEXTBLOB_ALONE,
        addressee_as_brand,
        airline_rows,
        collection_accounts,
        complaint_rows,
        mention_bytes,
        throughput,
    )
    from streams.pipeline import Scored, process
    from streams.scoring import build_scorer, compiled

    scorer = build_scorer(_settings(argparse.Namespace(config=None)))
    airline = airline_rows(data)
    digest = hashlib.sha256()
    count = 0
    complaints = complaint_rows(data)
    to_accounts = addressee_as_brand(scorer, collection_accounts(complaints))
    for rows, used in ((airline, scorer), (complaints, to_accounts)):
        for row in rows:
            outcome = process(mention_bytes(row, "native"), used, FIXED_NOW)
            if not isinstance(outcome, Scored):
                raise NativeBuildError(f"row {row.id} was rejected: {outcome.detail}")
            digest.update(outcome.scored.model_dump_json().encode())
            if outcome.alert is not None:
                digest.update(outcome.alert.model_dump_json().encode())
            count += 1
    speed = throughput(airline[:SPEED_ROWS], scorer)
    return {
        "module": Path(streams.scoring.sentiment.__file__ or "").name,
        "compiled": compiled(),
        "scored": count,
        "digest": digest.hexdigest(),
        "full path/s": speed[FULL_PATH],
        "textblob alone/s": speed[TEXTBLOB_ALONE],
    }


def run_child(path: str, data: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.native", "--child", "--data", str(data)],
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=False,
        # ``-m`` puts the working folder first on sys.path: it must be the one to test.
        cwd=path.split(os.pathsep)[0],
    )
    if result.returncode != 0:
        raise NativeBuildError(f"the scoring child failed:\n{result.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def native_tests(path: str) -> int:
    """Exit code of ``streams/scoring``'s tests run against the native modules."""
    installed = path.split(os.pathsep)[0]
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            installed,
            str(Path(installed) / "streams" / "scoring"),
        ],
        env={**os.environ, "PYTHONPATH": path},
        cwd=installed,
        check=False,
    ).returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.data)))
        return
    data = args.data.resolve()
    with tempfile.TemporaryDirectory(prefix="earful-native-") as tmp:
        installed = Path(tmp) / "native"
        seconds = build(installed)
        print(f"# native build in {seconds:.0f} s", file=sys.stderr)
        plain_source = plain_copy(Path(tmp) / "plain")
        # Installed modules first; the project (for tests/ and bench/) after them.
        paths = {
            "plain": str(plain_source),
            "native": os.pathsep.join([str(installed), str(ROOT)]),
        }
        reports: dict[str, list[dict[str, Any]]] = {"plain": [], "native": []}
        for _ in range(TURNS):
            for name, path in paths.items():
                reports[name].append(run_child(path, data))
        plain, native = reports["plain"][0], reports["native"][0]
        if not native["compiled"] or plain["compiled"]:
            raise NativeBuildError(f"the runs loaded {plain['module']} and {native['module']}")
        identical = all(r["digest"] == plain["digest"] for rs in reports.values() for r in rs)
        tests = None if args.skip_tests else native_tests(paths["native"])
    rows = [
        {
            "build": name,
            "module": rs[0]["module"],
            "full path/s": max(r["full path/s"] for r in rs),
            "textblob alone/s": max(r["textblob alone/s"] for r in rs),
            "ratio": max(r["full path/s"] / r["textblob alone/s"] for r in rs),
        }
        for name, rs in reports.items()
    ]
    print_table(rows, ["build", "module", "full path/s", "textblob alone/s", "ratio"])
    verdict = "skipped" if tests is None else "passed" if tests == 0 else "FAILED"
    print(f"outputs of {plain['scored']} posts identical: {identical}; native tests: {verdict}")
    print(f"native over plain: {rows[1]['full path/s'] / rows[0]['full path/s']:.2f}x")
    written = write_results(
        "native", {"rows": rows, "identical": identical, "tests_exit": tests, "runs": reports}
    )
    print(f"wrote {written}")
    if not identical or (tests is not None and tests != 0):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
