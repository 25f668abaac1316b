"""``earful eval`` and ``earful backtest``: measure scoring on labelled data, and replay a
file with timestamps through the spike detector."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_DATA = "../shared/data"


def cmd_eval(args: argparse.Namespace) -> int:
    from earful.cli import _settings
    from streams.evaluation import (
        FULL_PATH,
        TEXTBLOB_ALONE,
        EvaluationError,
        airline_rows,
        complaint_rows,
        evaluate_complaints,
        evaluate_sentiment,
        throughput,
    )
    from streams.scoring import build_scorer, compiled

    scorer = build_scorer(_settings(args))
    folder = Path(args.data)
    try:
        airline = airline_rows(folder)
        complaints = complaint_rows(folder)
    except EvaluationError as error:
        print(f"earful eval: {error}", file=sys.stderr)
        return 2
    print(f"sentiment on {folder / 'airline-tweets.csv'} ({len(airline)} rows)")
    print(
        f"  {'system':<28} {'macro-F1':>8} {'neg F1':>7} {'neu F1':>7} {'pos F1':>7}"
        f" {'half A':>7} {'half B':>7}"
    )
    for s in evaluate_sentiment(airline, scorer):
        print(
            f"  {s.system:<28} {s.macro_f1:8.3f} {s.per_class['negative']:7.3f}"
            f" {s.per_class['neutral']:7.3f} {s.per_class['positive']:7.3f}"
            f" {s.halves['A']:7.3f} {s.halves['B']:7.3f}"
        )
    print(
        f"complaints on {folder / 'complaints.csv'} ({len(complaints)} rows; its brands are "
        "the accounts addressed by its posts outside the random domains)"
    )
    print(f"  {'system':<28} {'prec':>8} {'recall':>7} {'macro-F1':>8} {'half A':>7} {'half B':>7}")
    for c in evaluate_complaints(complaints, scorer):
        print(
            f"  {c.system:<28} {c.precision:8.3f} {c.recall:7.3f} {c.macro_f1:8.3f}"
            f" {c.halves['A']:7.3f} {c.halves['B']:7.3f}"
        )
    if not args.no_speed:
        sample = airline[: args.speed_rows]
        build = "native (compiled by mypyc)" if compiled() else "plain Python"
        print(f"speed on one core ({len(sample)} airline mentions; scoring modules: {build})")
        rates = throughput(sample, scorer)
        for name, per_second in rates.items():
            print(f"  {name:<34} {per_second:9.0f} mentions/s")
        ratio = rates[FULL_PATH] / rates[TEXTBLOB_ALONE]
        print(f"  full path / textblob alone: {ratio:.2f}")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from earful.cli import _settings
    from streams.backtest import BacktestError, backtest_file

    settings = _settings(args)
    try:
        events = backtest_file(Path(args.file), settings)
    except BacktestError as error:
        print(f"earful backtest: {error}", file=sys.stderr)
        return 2
    for event in events:
        print(event.describe())
    crises = sum(1 for e in events if e.kind == "crisis")
    print(f"{crises} crises, {len(events) - crises} resolved", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    evaluate = sub.add_parser(
        "eval", help="score the labelled CSVs; Earful beside TextBlob and VADER alone"
    )
    evaluate.add_argument(
        "--data", default=DEFAULT_DATA, help=f"folder with the CSVs (default {DEFAULT_DATA})"
    )
    evaluate.add_argument("--no-speed", action="store_true", help="skip the speed figures")
    evaluate.add_argument(
        "--speed-rows", type=int, default=3000, help="mentions timed for speed (default 3000)"
    )
    evaluate.set_defaults(func=cmd_eval)

    backtest = sub.add_parser(
        "backtest",
        help="replay a JSONL of mentions or the airline CSV through the spike detector",
    )
    backtest.add_argument("file")
    backtest.set_defaults(func=cmd_backtest)
