"""Blanking parts of a text out for a pass that must not see them."""

from __future__ import annotations

import re


def blank(match: re.Match[str]) -> str:
    """As many spaces as the match: what follows it keeps its position (``pattern.sub``)."""
    return " " * len(match.group(0))
