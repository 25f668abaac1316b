"""Pieces every config model shares: the strict base model, names and error helper.

A module of its own so that section modules (``config/receivers.py`` ...) and
``config/schema.py`` can all use them without importing each other in a circle.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

Name = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def config_error(message: str, fix: str) -> PydanticCustomError:
    """A validation error whose message and fix reach the person reading the config."""
    return PydanticCustomError(
        "earful", message.replace("{", "{{").replace("}", "}}"), {"fix": fix}
    )
