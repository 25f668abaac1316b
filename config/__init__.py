"""Earful's configuration: one pydantic schema, a YAML loader that reports file and line.

This package imports none of Earful's other packages, so every stage can depend on it.
"""

from config.errors import ConfigError, ConfigIssue
from config.loader import DEFAULT_CONFIG_PATH, load_settings, parse_settings
from config.schema import Settings

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "ConfigError",
    "ConfigIssue",
    "Settings",
    "load_settings",
    "parse_settings",
]
