"""Which brand and which topics a mention is about, from queries compiled once."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from config.queries import Query, parse_query
from config.schema import Brand
from config.scoring import Topic
from streams.scoring.blanks import blank


@dataclass(frozen=True)
class _Names:
    """A brand's keywords and @handles, found as whole words in any case."""

    pattern: re.Pattern[str]
    # Lowered, when all are ASCII: in an ASCII post the pattern can match only where one
    # of them is a substring of the lowered post, a test much cheaper than the pattern.
    ascii_terms: tuple[str, ...] | None

    @classmethod
    def of(cls, brand: Brand) -> _Names | None:
        terms = [*brand.keywords, *("@" + h.lstrip("@") for h in brand.handles)]
        if not terms:
            return None
        # Word boundaries that also work for @handles and multi-word keywords.
        pattern = re.compile(
            r"(?<![\w@])(?:" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", re.IGNORECASE
        )
        ascii_terms = tuple(t.lower() for t in terms) if all(t.isascii() for t in terms) else None
        return cls(pattern, ascii_terms)

    def found_in(self, text: str) -> bool:
        # Not in other posts: some letters outside ASCII match ASCII ones in any case
        # ("\u017f" is an "s", "\u0130" an "i") but are not lowered to them.
        if self.ascii_terms is not None and text.isascii():
            lowered = text.lower()
            if not any(term in lowered for term in self.ascii_terms):
                return False
        return self.pattern.search(text) is not None


@dataclass(frozen=True)
class BrandNames:
    """The brands' keywords, to be left out where their words would mean something else
    (a brand named "United" or "Best Buy" is not a feeling)."""

    keywords: tuple[str, ...]  # lower case
    pattern: re.Pattern[str]

    @classmethod
    def from_config(cls, brands: Sequence[Brand]) -> BrandNames | None:
        keywords = sorted({k.lower() for b in brands for k in b.keywords}, key=len, reverse=True)
        if not keywords:
            return None
        # Whole words, not inside a handle or hashtag, any case.
        alternatives = "|".join(re.escape(k) for k in keywords)
        pattern = re.compile(rf"(?<![\w@#])(?:{alternatives})(?!\w)", re.IGNORECASE)
        return cls(tuple(keywords), pattern)

    def blank(self, text: str) -> str:
        """``text`` with the keywords replaced by spaces (a substring test first: most posts
        name no brand by keyword, and the pattern costs more than the test)."""
        lowered = text.lower()
        if not any(k in lowered for k in self.keywords):
            return text
        return self.pattern.sub(blank, text)


@dataclass(frozen=True)
class _BrandRule:
    name: str
    names: _Names | None
    query: Query | None

    def matches(self, text: str) -> bool:
        if self.names is not None and self.names.found_in(text):
            return True
        return self.query is not None and self.query.matches(text)


@dataclass(frozen=True)
class BrandMatcher:
    _rules: tuple[_BrandRule, ...]

    @classmethod
    def from_config(cls, brands: Sequence[Brand]) -> BrandMatcher:
        return cls(
            tuple(
                _BrandRule(b.name, _Names.of(b), parse_query(b.query) if b.query else None)
                for b in brands
            )
        )

    def brand_of(self, text: str, declared: str | None = None) -> str | None:
        """The declared brand if it is one we know, else the first brand the text matches."""
        if declared is not None and any(r.name == declared for r in self._rules):
            return declared
        for rule in self._rules:
            if rule.matches(text):
                return rule.name
        return None

    def brand_and_addressed(
        self, text: str, declared: str | None = None
    ) -> tuple[str | None, bool]:
        """``brand_of`` and ``addressed`` at once: a brand found in the text is named by it."""
        brand = self.brand_of(text, declared)
        if brand is not None and brand != declared:
            return brand, True
        return brand, self.addressed(text, brand)

    def addressed(self, text: str, brand: str | None) -> bool:
        """True when the text names the brand (so it is written to or about it)."""
        return any(r.name == brand and r.matches(text) for r in self._rules)


@dataclass(frozen=True)
class TopicMatcher:
    _topics: tuple[tuple[str, Query], ...]

    @classmethod
    def from_config(cls, topics: Sequence[Topic]) -> TopicMatcher:
        return cls(tuple((t.name, parse_query(t.query)) for t in topics))

    def topics_of(self, text: str) -> list[str]:
        """Every topic whose query matches, in config order."""
        return [name for name, query in self._topics if query.matches(text)]
