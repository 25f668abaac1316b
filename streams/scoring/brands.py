"""Which brand a mention is about: whole-word keywords and @handles, compiled once."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from config.schema import Brand


@dataclass(frozen=True)
class BrandMatcher:
    _patterns: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def from_config(cls, brands: Sequence[Brand]) -> BrandMatcher:
        compiled = []
        for brand in brands:
            terms = [re.escape(k) for k in brand.keywords]
            terms += [re.escape("@" + h.lstrip("@")) for h in brand.handles]
            # Word boundaries that also work for @handles and multi-word keywords.
            pattern = re.compile(r"(?<![\w@])(?:" + "|".join(terms) + r")(?!\w)", re.IGNORECASE)
            compiled.append((brand.name, pattern))
        return cls(tuple(compiled))

    def brand_of(self, text: str, declared: str | None = None) -> str | None:
        """The declared brand if it is one we know, else the first brand the text names."""
        known = {name for name, _ in self._patterns}
        if declared is not None and declared in known:
            return declared
        for name, pattern in self._patterns:
            if pattern.search(text):
                return name
        return None

    def addressed(self, text: str, brand: str | None) -> bool:
        """True when the text names the brand (so it is written to or about it)."""
        return any(name == brand and p.search(text) for name, p in self._patterns)
