"""Mentions the tests write themselves, and nasty inputs for the bad-input tests."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

TEXTS = [
    "@acmeair my flight was cancelled and nobody answers the phone. Still waiting!",
    "Loved the crew on my @acmeair flight today, thank you!",
    "@acmeair is the Lisbon flight tomorrow delayed?",
    "Acme Air lost my bag, the worst service ever",
    "Flew acme air last week, nothing to report.",
    "@acmeair there is smoke in the cabin and the crew ignores us",
]


def mention(i: int, text: str | None = None, **extra: object) -> bytes:
    return orjson.dumps(
        {
            "schema_version": 1,
            "id": f"test:{i}",
            "source": "test",
            "text": TEXTS[i % len(TEXTS)] if text is None else text,
            "created_at": datetime.now(UTC).isoformat(),
            "author": {"id": f"u{i}", "handle": f"user{i}", "followers": i * 10},
            "conversation_id": f"thread-{i % 7}",
            **extra,
        }
    )


def nasty_valid_texts() -> list[str]:
    """Texts that are valid mentions however odd: each must be scored, never crash."""
    return [
        "",
        " ",
        "\u202e@acmeair dlrow olleh\u202c",  # right-to-left override
        "@acme\u200bair zero\u200dwidth\ufeff joiners",
        "control \x00\x01\x07\x1b[31m chars \x7f",
        "😀😃😄😁😆😅🤣😂🙂🙃😉😊😇🥰😍🤩😘😗" * 50,
        "👩‍👩‍👧‍👦🏳️‍🌈🇵🇹 flags and families",
        "Z̸̡̧̛͓̪̞̥͎̥̞a̸̡̛̭̦̗͇l̷̢̛̘̞̣̥g̵̛̤͖̗̺o̴̡̧̡̥͔ text @acmeair",
        "مرحبا @acmeair الرحلة ملغاة",
        "<script>alert(1)</script> <!channel> <@U123> <https://evil.example|acmeair.com>",
        "x" * 40_000,
        "\ud7ff\ue000\uffff",
    ]


def nasty_invalid_messages() -> list[tuple[bytes, str]]:
    """(message, dead-letter reason) pairs."""
    valid = orjson.loads(mention(0))
    huge = orjson.dumps({**valid, "text": "y" * 999_990})
    return [
        (b"\xc3\x28 invalid utf-8", "not_utf8"),
        (b"", "not_json"),
        (b"{" * 5000, "not_json"),
        (b"[" * 100_000 + b"]" * 100_000, "not_json"),
        (b'"just a string"', "not_an_object"),
        (orjson.dumps({**valid, "text": "z" * 40_001}), "schema_violation"),
        (huge, "too_large"),
        (orjson.dumps({**valid, "author": None}), "schema_violation"),
        (orjson.dumps({**valid, "created_at": "yesterday"}), "schema_violation"),
        (orjson.dumps({**valid, "author": {"id": 5, "handle": ["x"]}}), "schema_violation"),
        (orjson.dumps({**valid, "schema_version": "1"}), "unsupported_schema_version"),
        (orjson.dumps({**valid, "id": "test:\u0000 bad"}), "schema_violation"),
    ]
