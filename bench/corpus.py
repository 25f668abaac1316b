"""Synthetic mentions for load: varied, realistic-looking texts the project writes itself."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import orjson

OPENERS = ["@acmeair", "Hey @acmeair", "acme air", "@northwind", "Northwind Bank", "@acmeair_help"]
BODIES = [
    "my flight was cancelled and no one answers the phone",
    "thanks for the upgrade, the crew was wonderful",
    "is the Lisbon flight tomorrow delayed?",
    "lost my bag in Denver, second time this year",
    "the app is down again, can't log in",
    "great coffee on board today",
    "charged twice for the same seat, please refund",
    "on hold for 2 hours, still waiting",
    "how do I change my booking online?",
    "smooth flight, landed early",
    "card declined all day, what is going on",
    "your new savings rate is pretty good",
]
TAILS = [
    "",
    "!",
    "!!!",
    " :(",
    " :)",
    " #fail",
    " #travel",
    " 😡",
    " 🙏",
    " https://example.com/p/1",
]


def booking_reference(i: int) -> str:
    """Six letters unique to ``i`` (< 26**6): letters, because the near-copy fingerprint
    treats every number alike."""
    letters = []
    for _ in range(6):
        i, digit = divmod(i, 26)
        letters.append(chr(ord("A") + digit))
    return "".join(letters)


def mention_bytes(
    i: int, rng: random.Random, now: datetime | None = None, *, unique: bool = False
) -> bytes:
    """Mention ``i``. The texts repeat (720 combinations) unless ``unique``: then each
    carries its own booking reference, so none is a near-copy of another and every one
    that needs a response alerts."""
    text = f"{rng.choice(OPENERS)} {rng.choice(BODIES)}{rng.choice(TAILS)}"
    if unique:
        text += f" (booking ref {booking_reference(i)})"
    return orjson.dumps(
        {
            "schema_version": 1,
            "id": f"bench:{i}",
            "source": rng.choice(["mastodon", "bluesky", "reddit", "rss"]),
            "text": text,
            "created_at": (now or datetime.now(UTC)).isoformat(),
            "author": {
                "id": f"u{i % 5000}",
                "handle": f"user{i % 5000}",
                "followers": rng.choice([3, 40, 800, 12000]),
            },
            "conversation_id": f"thread-{i % 997}",
        }
    )


def corpus(count: int, seed: int = 7, *, unique: bool = False) -> list[bytes]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    return [mention_bytes(i, rng, now, unique=unique) for i in range(count)]
