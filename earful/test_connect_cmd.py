from __future__ import annotations

from pathlib import Path

import pytest

from config import parse_settings
from earful.cli import main
from earful.connect_cmd import build_source

EVERY_TYPE = """
brands: [{name: acmeair, keywords: [acme air], handles: ["@acmeair"]}]
connectors:
  - {name: m, type: mastodon, instance_url: "https://m.test"}
  - {name: b, type: bluesky}
  - {name: h, type: hackernews, query: acme}
  - {name: r, type: reddit, client_id: app, token: s, query: acme}
  - {name: s, type: rss, feeds: ["https://f.test/feed.xml"]}
  - {name: x, type: x, token: t, rules: [{value: acme}]}
  - {name: y, type: youtube, token: k, videos: [abcdefgh]}
  - {name: i, type: http_ingest, token: t}
  - {name: f, type: files, paths: [a.jsonl]}
  - {name: k, type: kafka, topic: partner.posts}
"""


def test_every_connector_type_has_its_source() -> None:
    settings = parse_settings(EVERY_TYPE, "config", {})
    names = [type(build_source(c, settings)).__name__ for c in settings.connectors]
    assert names == [
        "MastodonSource",
        "BlueskySource",
        "HackerNewsSource",
        "RedditSource",
        "RssSource",
        "XSource",
        "YouTubeSource",
        "HttpIngestSource",
        "FilesSource",
        "KafkaSource",
    ]


def test_bluesky_matches_the_brands_when_it_has_no_terms_of_its_own() -> None:
    settings = parse_settings(EVERY_TYPE, "config", {})
    bluesky = build_source(settings.connectors[1], settings)
    assert bluesky.matcher.matches("flying Acme Air today")  # type: ignore[attr-defined]
    assert not bluesky.matcher.matches("acmeairline")  # type: ignore[attr-defined]


def test_an_unknown_name_lists_the_configured_ones(tmp_path: Path) -> None:
    config = tmp_path / "earful.yaml"
    config.write_text(EVERY_TYPE)
    with pytest.raises(SystemExit) as stopped:
        main(["--config", str(config), "connect", "m", "nope"])
    assert str(stopped.value) == (
        "earful connect: no connector named 'nope' (configured: b, f, h, i, k, m, r, s, x, y)"
    )
