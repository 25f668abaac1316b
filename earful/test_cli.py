from pathlib import Path

import orjson
import pytest

from config.loader import DEFAULT_CONFIG_PATH
from earful.cli import main

SAMPLES = Path(__file__).parent / "samples"


def test_config_check_accepts_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(DEFAULT_CONFIG_PATH)]) == 0
    assert ": OK (2 brands, 2 teams" in capsys.readouterr().out


def test_config_check_reports_line_and_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nroute:\n  receiver: nobody\n")
    assert main(["config", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3: route.receiver: undefined receiver 'nobody' used in route" in err
    assert "fix: define it under receivers:" in err


def test_score_writes_one_scored_line_per_mention(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "scored.jsonl"
    assert main(["score", str(SAMPLES / "mentions.jsonl"), "-o", str(out)]) == 0
    lines = [orjson.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == len((SAMPLES / "mentions.jsonl").read_text().splitlines())
    for line in lines:
        assert {"sentiment", "urgency", "priority", "needs_response", "team", "reasons"} <= set(
            line
        )
        assert line["sentiment"]["label"] in ("negative", "neutral", "positive")
    assert "scored 20" in capsys.readouterr().err


def test_score_reports_bad_lines_by_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", str(SAMPLES / "malformed.jsonl"), "-o", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "line 1: rejected (schema_violation)" in err
    assert "line 2: rejected (not_json)" in err
    assert "line 3: rejected (unsupported_schema_version)" in err


def test_kafka_status_reports_a_stopped_broker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kafka", "status", "--home", str(tmp_path)]) == 1
    assert "Kafka not running" in capsys.readouterr().out
