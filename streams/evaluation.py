"""``earful eval``: Earful's scoring against labelled CSVs, beside TextBlob and VADER alone.

Earful's rows go through ``pipeline.process`` (the path the agent runs), so the figures
describe what a care team gets. Rows are split into two halves by a hash of their id: the
report shows both, so a rule that fits one half and not the other shows up.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from config.schema import Brand
from streams.pipeline import Scored, process
from streams.records import SentimentLabel
from streams.scoring import Scorer, build_scorer
from streams.scoring.sentiment import label_for, textblob_polarity, vader_polarity

CLASSES: tuple[SentimentLabel, ...] = ("negative", "neutral", "positive")
# The thresholds each lexicon is usually run with: TextBlob as Earful's old baseline,
# VADER as its authors recommend.
TEXTBLOB_THRESHOLDS = (-0.1, 0.2)
VADER_THRESHOLDS = (-0.05, 0.05)
SPEED_REPEATS = 5


class EvaluationError(Exception):
    """The labelled data cannot be read; the message says which file and what to do."""


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    label: str
    created_at: datetime
    group: str = ""


@dataclass(frozen=True)
class ClassScores:
    precision: float
    recall: float
    f1: float


def class_scores(gold: Sequence[object], predicted: Sequence[object], cls: object) -> ClassScores:
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == cls and p == cls)
    fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != cls and p == cls)
    fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == cls and p != cls)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ClassScores(precision, recall, f1)


def macro_f1(
    gold: Sequence[object], predicted: Sequence[object], classes: Iterable[object]
) -> float:
    scores = [class_scores(gold, predicted, c).f1 for c in classes]
    return sum(scores) / len(scores)


def half_of(row_id: str) -> str:
    """A stable split: "A" or "B" from a hash of the row's id."""
    return "A" if hashlib.sha256(row_id.encode()).digest()[0] % 2 == 0 else "B"


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    except OSError as error:
        raise EvaluationError(
            f"cannot read {path}: {error.strerror}; pass the folder holding "
            "airline-tweets.csv and complaints.csv with --data"
        ) from None


def _timestamp(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return datetime(2015, 1, 1, tzinfo=UTC)


def airline_rows(folder: Path) -> list[Row]:
    return [
        Row(
            r["tweet_id"],
            r["text"],
            r["airline_sentiment"],
            _timestamp(r.get("tweet_created", "")),
            r.get("airline", ""),
        )
        for r in _read_csv(folder / "airline-tweets.csv")
    ]


def complaint_rows(folder: Path) -> list[Row]:
    return [
        Row(r["tweet_id"], r["text"], r["label"], datetime(2018, 1, 1, tzinfo=UTC), r["domain"])
        for r in _read_csv(folder / "complaints.csv")
    ]


def mention_bytes(row: Row, source: str) -> bytes:
    """The row as a mention (schema v1), as a connector would publish it."""
    return json.dumps(
        {
            "schema_version": 1,
            "id": f"{source}:{row.id}",
            "source": source,
            "text": row.text,
            "created_at": row.created_at.isoformat(),
            "author": {"id": f"eval-{row.id}", "handle": "eval"},
        }
    ).encode()


def score_rows(rows: Sequence[Row], scorer: Scorer, source: str) -> list[Scored]:
    outcomes = [process(mention_bytes(row, source), scorer) for row in rows]
    scored = [o for o in outcomes if isinstance(o, Scored)]
    if len(scored) != len(rows):
        raise EvaluationError(f"{len(rows) - len(scored)} rows of {source} were rejected")
    return scored


@dataclass(frozen=True)
class SentimentReport:
    system: str
    macro_f1: float
    per_class: dict[str, float]
    halves: dict[str, float]


@dataclass(frozen=True)
class ComplaintReport:
    system: str
    precision: float
    recall: float
    macro_f1: float
    halves: dict[str, float]


def sentiment_report(system: str, rows: Sequence[Row], predicted: Sequence[str]) -> SentimentReport:
    gold = [r.label for r in rows]
    halves = {}
    for half in ("A", "B"):
        picked = [i for i, r in enumerate(rows) if half_of(r.id) == half]
        halves[half] = macro_f1([gold[i] for i in picked], [predicted[i] for i in picked], CLASSES)
    return SentimentReport(
        system,
        macro_f1(gold, predicted, CLASSES),
        {c: class_scores(gold, predicted, c).f1 for c in CLASSES},
        halves,
    )


def complaint_report(
    system: str, rows: Sequence[Row], predicted: Sequence[bool]
) -> ComplaintReport:
    gold = [r.label == "1" for r in rows]
    positive = class_scores(gold, predicted, True)
    halves = {}
    for half in ("A", "B"):
        picked = [i for i, r in enumerate(rows) if half_of(r.id) == half]
        halves[half] = macro_f1(
            [gold[i] for i in picked], [predicted[i] for i in picked], (True, False)
        )
    return ComplaintReport(
        system,
        positive.precision,
        positive.recall,
        macro_f1(gold, predicted, (True, False)),
        halves,
    )


def lexicon_labels(
    texts: Sequence[str], polarity: Callable[[str], float], thresholds: tuple[float, float]
) -> list[SentimentLabel]:
    return [label_for(polarity(t), *thresholds) for t in texts]


# The airlines of the airline set as a team listening for them would configure them.
AIRLINES = (
    Brand(name="united", keywords=["united airlines", "united"], handles=["@united"]),
    Brand(name="usairways", keywords=["us airways"], handles=["@USAirways"]),
    Brand(name="american", keywords=["american airlines"], handles=["@AmericanAir"]),
    Brand(
        name="southwest", keywords=["southwest airlines", "southwest"], handles=["@SouthwestAir"]
    ),
    Brand(name="delta", keywords=["delta air lines", "delta"], handles=["@Delta"]),
    Brand(name="jetblue", keywords=["jetblue"], handles=["@JetBlue"]),
    Brand(name="virginamerica", keywords=["virgin america"], handles=["@VirginAmerica"]),
)


def with_brands(scorer: Scorer, brands: Sequence[Brand]) -> Scorer:
    return build_scorer(scorer.settings.model_copy(update={"brands": list(brands)}))


def evaluate_sentiment(rows: Sequence[Row], scorer: Scorer) -> list[SentimentReport]:
    """Earful scores the airline set with its airlines configured as brands, so their names
    ("United") are not read as feelings, as in a deployment listening for them."""
    texts = [r.text for r in rows]
    airlines = with_brands(scorer, AIRLINES)
    earful = [s.scored.sentiment.label for s in score_rows(rows, airlines, "airline")]
    return [
        sentiment_report(f"earful ({scorer.settings.scoring.backend})", rows, earful),
        sentiment_report(
            "textblob alone", rows, lexicon_labels(texts, textblob_polarity, TEXTBLOB_THRESHOLDS)
        ),
        sentiment_report(
            "vader alone", rows, lexicon_labels(texts, vader_polarity, VADER_THRESHOLDS)
        ),
    ]


# Domains of the complaints set that are not posts to brands: random replies and tweets.
RANDOM_DOMAINS = ("random_reply", "random_tweet")
HANDLE = re.compile(r"(?<!\w)@([A-Za-z0-9_]{1,64})")


def collection_accounts(rows: Iterable[Row]) -> list[str]:
    """The brand accounts the complaints set was collected from: the first @handle of each
    post of a brand domain (random replies and tweets name people, not brands)."""
    accounts = set()
    for row in rows:
        if row.group not in RANDOM_DOMAINS and (found := HANDLE.search(row.text)):
            accounts.add("@" + found.group(1).lower())
    return sorted(accounts)


def addressee_as_brand(
    scorer: Scorer, accounts: Sequence[str] | None, *, complaints_only: bool = False
) -> Scorer:
    """The complaints set names no brand in Earful's terms; its brands are the accounts it
    was collected from (``accounts``), configured as one brand's handles, as a team
    listening for them would. ``None``: every @handle counts as the brand (the reading of
    earlier releases, which treats replies between people as posts to a brand).
    ``complaints_only``: with ``scoring.needs_response`` questions and requests off."""
    if accounts is None:
        brand = Brand(name="addressee", query="@*")
    else:
        brand = Brand(name="addressee", handles=list(accounts))
    scoring = scorer.settings.scoring
    if complaints_only:
        only = scoring.needs_response.model_copy(update={"questions": False, "requests": False})
        scoring = scoring.model_copy(update={"needs_response": only})
    return build_scorer(scorer.settings.model_copy(update={"brands": [brand], "scoring": scoring}))


def evaluate_complaints(rows: Sequence[Row], scorer: Scorer) -> list[ComplaintReport]:
    texts = [r.text for r in rows]
    accounts = collection_accounts(rows)

    def earful(accounts: Sequence[str] | None, *, complaints_only: bool = False) -> list[bool]:
        chosen = addressee_as_brand(scorer, accounts, complaints_only=complaints_only)
        return [s.scored.needs_response for s in score_rows(rows, chosen, "complaints")]

    return [
        complaint_report("earful needs_response", rows, earful(accounts)),
        complaint_report("  questions/requests off", rows, earful(accounts, complaints_only=True)),
        complaint_report("  every @handle a brand", rows, earful(None)),
        complaint_report(
            "textblob negative",
            rows,
            [
                label == "negative"
                for label in lexicon_labels(texts, textblob_polarity, TEXTBLOB_THRESHOLDS)
            ],
        ),
        complaint_report(
            "vader negative",
            rows,
            [
                label == "negative"
                for label in lexicon_labels(texts, vader_polarity, VADER_THRESHOLDS)
            ],
        ),
    ]


@dataclass(frozen=True)
class SpeedCase:
    """``work`` handles ``count`` items; ``before`` runs ahead of each timing, untimed."""

    work: Callable[[], object]
    count: int
    before: Callable[[], object] = lambda: None


def rates(cases: Mapping[str, SpeedCase]) -> dict[str, float]:
    """Items per second of each case on one core: CPU time of this process, so other load
    on a shared machine counts less. The cases take turns for ``SPEED_REPEATS`` rounds and
    each keeps its best: a neighbour that slows the machine for a while then slows every
    case alike, rather than whichever ran at that moment, and no run is ever sped up."""
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(SPEED_REPEATS):
        for name, case in cases.items():
            case.before()
            started = time.process_time()
            case.work()
            best[name] = min(best[name], time.process_time() - started)
    return {name: cases[name].count / max(seconds, 1e-9) for name, seconds in best.items()}


FULL_PATH = "earful full path (process)"
TEXTBLOB_ALONE = "textblob alone (TextBlob(text))"


def throughput(rows: Sequence[Row], scorer: Scorer) -> dict[str, float]:
    """Mentions per second on one core: the full path, TextBlob as users call it
    (``TextBlob(text).sentiment``), and TextBlob with one reused analyzer (its fastest).
    The posts are scored with their airlines configured as brands, as in a deployment:
    a post that names no brand skips the needs-response rules and would flatter the
    figure."""
    from textblob import TextBlob
    from textblob.en.sentiments import PatternAnalyzer

    scorer = with_brands(scorer, AIRLINES)
    analyzer = PatternAnalyzer()
    texts = [r.text for r in rows]
    raw = [mention_bytes(r, "speed") for r in rows]
    scorer.languages.warm_up()  # loads the language models once, outside the timing
    process(raw[0], scorer)
    return rates(
        {
            # Cold caches in every run: the figure is for texts the scorer has not seen.
            FULL_PATH: SpeedCase(
                lambda: [process(m, scorer) for m in raw], len(raw), scorer.clear_caches
            ),
            TEXTBLOB_ALONE: SpeedCase(
                lambda: [TextBlob(t).sentiment for t in texts], len(texts)
            ),
            "textblob, one reused analyzer": SpeedCase(
                lambda: [analyzer.analyze(t) for t in texts], len(texts)
            ),
            "vader alone": SpeedCase(lambda: [vader_polarity(t) for t in texts], len(texts)),
        }
    )
