import json

from streams.schema import SCHEMA_FILE, mention_json_schema


def test_committed_schema_matches_the_mention_model() -> None:
    # Regenerate with: earful schema > streams/mention.schema.json
    assert SCHEMA_FILE.read_text() == mention_json_schema()


def test_schema_requires_the_contract_fields() -> None:
    schema = json.loads(mention_json_schema())
    assert set(schema["required"]) == {
        "schema_version",
        "id",
        "source",
        "text",
        "created_at",
        "author",
    }
    assert schema["properties"]["schema_version"]["const"] == 1
