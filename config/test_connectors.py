from __future__ import annotations

import re
from pathlib import Path

import pytest

from config import ConfigError, parse_settings
from config.connectors import HttpIngestConnector, MastodonConnector

DOC = Path(__file__).parents[1] / "docs" / "connectors.md"


def test_the_documented_example_is_a_valid_config() -> None:
    example = DOC.read_text().split("## Example", 1)[1]
    yaml_text = re.search(r"```yaml\n(.*?)```", example, re.S)
    assert yaml_text is not None
    env = {
        "MASTODON_TOKEN": "masto-secret",
        "INGEST_TOKEN": "ingest-secret",
        "REDDIT_CLIENT_ID": "app",
        "REDDIT_SECRET": "reddit-secret",
        "YOUTUBE_API_KEY": "yt-key",
    }
    settings = parse_settings(yaml_text[1], "docs/connectors.md", env)
    assert [c.type for c in settings.connectors] == [
        "mastodon",
        "bluesky",
        "hackernews",
        "reddit",
        "x",
        "youtube",
        "rss",
        "http_ingest",
        "files",
        "kafka",
    ]
    masto = settings.connectors[0]
    assert isinstance(masto, MastodonConnector) and masto.secret() == "masto-secret"
    assert "masto-secret" not in repr(settings) and "ingest-secret" not in str(settings.redacted())


def test_a_token_file_is_read_when_asked(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("from-file\n")
    config = HttpIngestConnector(name="in", type="http_ingest", token_file=tmp_path / "token")
    assert config.secret() == "from-file"


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "connectors:\n  - {name: m, type: mastodon, instance_url: 'https://m.test',\n"
            "     stream: hashtag}\n",
            "config:2: connectors.0.mastodon: stream 'hashtag' needs a tag\n"
            "    fix: add tag: yourbrand (without the #)",
        ),
        (
            "connectors:\n  - {name: i, type: http_ingest}\n",
            "config:2: connectors.0.http_ingest: http_ingest needs a token\n"
            "    fix: add token: ${YOUR_TOKEN_VAR} or token_file: /path/to/token",
        ),
        (
            "connectors:\n  - {name: h, type: hackernews, query: a}\n"
            "  - {name: h, type: hackernews, query: b}\n",
            "config:1: connectors: duplicate connector name 'h'\n"
            "    fix: give each connector its own name",
        ),
        (
            "connectors:\n  - {name: f, type: files, paths: [a.csv], format: csv, source: s,\n"
            "     mapping: {id: a, text: b, created_at: c, author.id: d, author.handle: d,\n"
            "               likes: e}}\n",
            "config:2: connectors.0.files.mapping: unknown mention field 'likes' in mapping\n"
            "    fix: map onto these fields: id, text, created_at, author.id, author.handle, "
            "author.followers, author.verified, url, lang, in_reply_to, conversation_id, brand",
        ),
        (
            "connectors:\n  - {name: f, type: files, paths: [a.csv], format: csv, source: s,\n"
            "     mapping: {id: a, text: b}}\n",
            "config:2: connectors.0.files.mapping: the mapping has no created_at, author.id, "
            "author.handle\n"
            "    fix: map every required field: id, text, created_at, author.id, author.handle",
        ),
        (
            "connectors:\n  - {name: x, type: myspace}\n",
            "config:2: connectors.0: Input tag 'myspace' found using 'type' does not match any of "
            "the expected tags: 'mastodon', 'bluesky', 'hackernews', 'reddit', 'rss', 'x', "
            "'youtube', 'http_ingest', 'files', 'kafka'",
        ),
    ],
)
def test_bad_connector_configs_say_where_and_how_to_fix(yaml_text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(yaml_text, "config", {})
    assert message in str(caught.value)
