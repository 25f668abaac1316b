from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from config.loader import DEFAULT_CONFIG_PATH
from earful.cli import main
from streams.test_evaluation import AIRLINE, COMPLAINTS


def test_eval_prints_the_table_and_speed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "airline-tweets.csv").write_text(AIRLINE)
    (tmp_path / "complaints.csv").write_text(COMPLAINTS)
    code = main(["--config", str(DEFAULT_CONFIG_PATH), "eval", "--data", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "earful (earful)                 1.000" in out
    assert "textblob alone" in out and "vader alone" in out
    assert "earful needs_response           1.000   1.000    1.000" in out
    assert "mentions/s" in out


def test_eval_without_data_says_where_to_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["eval", "--data", str(tmp_path / "missing")])
    assert code == 2
    assert "--data" in capsys.readouterr().err


def test_backtest_finds_the_burst_in_a_jsonl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    lines = []
    for minute in range(12 * 60):  # a calm day: one mention every minute
        lines.append((start + timedelta(minutes=minute), "Flew acme air today, fine."))
    burst_at = start + timedelta(hours=6)
    lines += [
        (burst_at + timedelta(seconds=5 * i), f"@acmeair app down again, cannot check in {i}")
        for i in range(40)
    ]
    path = tmp_path / "history.jsonl"
    path.write_bytes(
        b"\n".join(
            orjson.dumps(
                {
                    "schema_version": 1,
                    "id": f"test:{i}",
                    "source": "test",
                    "text": text,
                    "created_at": when.isoformat(),
                    "author": {"id": "u", "handle": "u"},
                }
            )
            for i, (when, text) in enumerate(lines)
        )
    )
    assert main(["--config", str(DEFAULT_CONFIG_PATH), "backtest", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("crisis brand:acmeair window 2026-03-01T06:00:00+00:00")
    assert "crisis_resolved brand:acmeair" in captured.out
    assert "1 crises, 1 resolved" in captured.err


def test_backtest_of_a_missing_file_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backtest", str(tmp_path / "none.jsonl")]) == 2
    assert "not a file" in capsys.readouterr().err
