import argparse

import pytest

from earful.cli import build_parser
from earful.silence_cmd import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), ("1d12h", 129600)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "2", "2 hours", "h", "0m", "-1h", "1.5h"])
def test_bad_durations_say_what_is_expected(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_duration(text)


def test_the_silence_commands_are_registered() -> None:
    args = build_parser().parse_args(
        ["silence", "add", 'team="care"', "--duration", "2h", "--comment", "outage"]
    )
    assert (args.matchers, args.duration, args.comment) == (['team="care"'], 7200, "outage")
    assert build_parser().parse_args(["silence", "expire", "a", "b"]).ids == ["a", "b"]
    with pytest.raises(SystemExit):
        build_parser().parse_args(["silence", "add", 'team="care"'])  # no --comment
