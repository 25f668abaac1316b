"""Language detection: accuracy on short posts, memory and speed, in each Lingua mode.

    python -m bench.language [--data ../shared/data]

Guesses the language of ``bench/data/short-posts-by-language.csv`` (280 posts the project
wrote itself, 40 in each default language, 1 to 20 words) with Earful's guesser (the
English fast path, then Lingua) in each of ``scoring.languages.accuracy``'s modes. Each
mode runs in its own process, so the memory its models add is its own. Prints accuracy
overall, by post length and by language, the RSS the models add, and posts per second;
with ``--data``, also the share of the labelled English sets' posts called English.
Writes bench/results/language.json.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.harness import print_table, rss_mb, write_results
from config.scoring import LanguageSettings
from streams.evaluation import airline_rows, complaint_rows
from streams.scoring.language import Accuracy, LanguageGuesser, clear_language_cache

POSTS = Path(__file__).parent / "data" / "short-posts-by-language.csv"
LENGTHS = ((1, 3), (4, 8), (9, 10_000))


def length_bucket(text: str) -> str:
    words = len(text.split())
    low, high = next(b for b in LENGTHS if b[0] <= words <= b[1])
    return f"{low}-{high} words" if high < 10_000 else f"{low}+ words"


def read_posts() -> list[tuple[str, str]]:
    """(language, text) of each of the project's short posts."""
    with POSTS.open(encoding="utf-8", newline="") as handle:
        return [(row["lang"], row["text"]) for row in csv.DictReader(handle)]


def shares_right(posts: list[tuple[str, str]], guesses: list[str | None]) -> dict[str, float]:
    """The share of posts whose language was guessed right: of all, by length, by language."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for (lang, text), guess in zip(posts, guesses, strict=True):
        for key in ("all", length_bucket(text), lang):
            total[key] += 1
            right[key] += guess == lang
    return {key: round(right[key] / total[key], 3) for key in total}


def english_sets(folder: Path) -> list[str]:
    return [row.text for row in (*airline_rows(folder), *complaint_rows(folder))]


def _measure(accuracy: Accuracy, data: str | None, results: Any) -> None:
    posts = read_posts()
    before = rss_mb(os.getpid())
    guesser = LanguageGuesser(LanguageSettings().detect, accuracy)
    guesser.warm_up()
    models_mb = rss_mb(os.getpid()) - before
    clear_language_cache()
    started = time.process_time()
    guesses = [guesser.guess(text) for _, text in posts]
    seconds = time.process_time() - started
    row: dict[str, Any] = {
        "accuracy": accuracy,
        "models MB": round(models_mb, 1),
        "posts/s": len(posts) / max(seconds, 1e-9),
        **shares_right(posts, guesses),
    }
    if data:
        texts = english_sets(Path(data))
        called = Counter(guesser.guess(text) for text in texts)
        row["English posts"] = len(texts)
        row["English sets called en"] = round(called["en"] / len(texts), 4)
        row["English sets called other"] = sum(
            n for lang, n in called.items() if lang not in ("en", None)
        )
    results.put(row)


def measure(accuracy: Accuracy, data: str | None) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_measure, args=(accuracy, data, results))
    child.start()
    row: dict[str, Any] = results.get(timeout=600)
    child.join()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="folder of the labelled English sets (../shared/data)")
    args = parser.parse_args()
    rows = [measure(accuracy, args.data) for accuracy in ("high", "low")]
    buckets = [length_bucket("w " * low) for low, _ in LENGTHS]
    print(f"language of {POSTS.name}: accuracy overall, by length and by language")
    print_table(rows, ["accuracy", "models MB", "posts/s", "all", *buckets])
    print()
    print_table(rows, ["accuracy", *sorted(LanguageSettings().detect)])
    if args.data:
        print("\nthe labelled English sets: share called English, how many called another")
        columns = ["English posts", "English sets called en", "English sets called other"]
        print_table(rows, ["accuracy", *columns])
    print(f"results: {write_results('language', {'rows': rows})}")


if __name__ == "__main__":
    main()
