"""Mention schema v1 as JSON Schema, generated from the one ``Mention`` model."""

from __future__ import annotations

import json
from pathlib import Path

from streams.records import Mention

SCHEMA_FILE = Path(__file__).with_name("mention.schema.json")
SCHEMA_ID = "https://earful.dev/schemas/mention/v1.json"


def mention_json_schema() -> str:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **Mention.model_json_schema(),
    }
    schema["title"] = "Earful mention (schema v1)"
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"
