"""Sentiment backends: ``earful`` (default), ``vader`` and ``textblob``.

Every backend returns a polarity in [-1, 1]; TextBlob's polarity is always computed too,
because it is reported on every scored mention. Analyzers and patterns are built once.
"""

from __future__ import annotations

import html
import math
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from streams.records import SentimentLabel
from streams.scoring.alternation import compile_grouped
from streams.scoring.blanks import blank
from streams.scoring.brands import BrandNames
from streams.scoring.breach import BREACH, blank_no_problem
from streams.scoring.lexicon import (
    BOOSTERS,
    CONTRAST,
    EMOJI,
    HASHTAG_PARTS,
    NEGATORS,
    PHRASES,
    WORDS,
)
from streams.scoring.pattern_polarity import pattern_polarity

Backend = Literal["earful", "vader", "textblob"]

URL = re.compile(r"https?://\S+|www\.\S+")
HANDLE = re.compile(r"(?<!\w)[@\uff20]\w+")
HASHTAG = re.compile(r"(?<!\w)#(\w+)")
EMOTICON = r"</?3|[:;=][\-o^']?[()\[\]dDpP/\\|*oO$@]|[()\[\]][\-o^']?[:;=]"
# Clause marks end the reach of a negation or an intensifier ("no gate agent. So rude").
CLAUSE_MARKS = ".,;:?-\u2013\u2014"
TOKEN = re.compile(
    EMOTICON
    + r"|[A-Za-z][A-Za-z'\u2019]*|!|"
    + "["
    + "".join(re.escape(e) for e in EMOJI)  # single characters: a class, not 52 branches
    + "]"
    + r"|[.,;:?]+"
    # A dash between spaces, or an en or em dash, ends a clause too ("no it isn't - sheer
    # incompetence"); a hyphen inside a word does not.
    + r"|(?<!\S)-+(?!\S)|[\u2013\u2014]+"
)
ELONGATED = re.compile(r"(\w)\1{2,}")
HASHTAG_PART = compile_grouped("|".join(re.escape(p) for p in HASHTAG_PARTS))
NUMBER = "<number>"
# A yes/no question about a disruption asks whether it happened; it does not report it
# ("is flight 1202 delayed?", "will my flight be cancelled tonight?").
YES_NO_QUESTION = compile_grouped(
    r"(?:^|(?<=[.!?])\s)\s*(?:is|are|will|would|does|do|did|was|were|has|have|can|could|"
    r"should)\b[^.!?]*\?",
    re.IGNORECASE,
)
DISRUPTION = re.compile(r"\b(?:cancel\w*|delay\w*|late|affected)\b", re.IGNORECASE)


def _asked_not_told(question: re.Match[str]) -> str:
    return DISRUPTION.sub(blank, question.group(0))


def _first_words(pattern: str) -> set[str]:
    """The words a phrase pattern can start with (see the lexicon's convention)."""
    if pattern.startswith("(?:"):
        depth, closing = 0, 0
        for index, char in enumerate(pattern):
            depth += char == "("
            depth -= char == ")"
            if depth == 0:
                closing = index
                break
        alternatives = pattern[3:closing].split("|")
    else:
        alternatives = [pattern]
    words: set[str] = set()
    for alternative in alternatives:
        if alternative.startswith("\\d"):
            words.add(NUMBER)
            continue
        head = re.match(r"[a-z'?]+", alternative)
        if head is None:
            raise ValueError(f"phrase {pattern!r} does not start with a word")
        variants = [""]
        text = head.group(0)
        for i, char in enumerate(text):
            if char == "?":
                continue
            optional = i + 1 < len(text) and text[i + 1] == "?"
            variants = [v + char for v in variants] + (variants if optional else [])
        words.update(variants)
    return words


def _phrase_index() -> dict[str, tuple[tuple[re.Pattern[str], float], ...]]:
    index: dict[str, list[tuple[re.Pattern[str], float]]] = {}
    for pattern, valence in PHRASES.items():
        compiled = re.compile(pattern + r"(?![a-z0-9'])")
        for word in _first_words(pattern):
            index.setdefault(word, []).append((compiled, valence))
    return {word: tuple(entries) for word, entries in index.items()}


PHRASE_INDEX = _phrase_index()
# Where a phrase may start: a whole word that starts one, or a number (not after an
# apostrophe: "'til" holds no word "til"). One scan finds them all, and the words in
# between are never looked at.
PHRASE_START = compile_grouped(
    r"(?<![a-z0-9'])(?:(?:"
    + "|".join(re.escape(w) for w in PHRASE_INDEX if w[0] in string.ascii_lowercase)
    + r")(?![a-z0-9'])"
    + (r"|[0-9][a-z0-9']*" if NUMBER in PHRASE_INDEX else "")
    + ")"
)


def find_phrases(lowered: str) -> list[tuple[int, int, float]]:
    """Non-overlapping (start, end, valence) of lexicon phrases, leftmost first."""
    found: list[tuple[int, int, float]] = []
    resume = 0
    for word in PHRASE_START.finditer(lowered):
        start = word.start()
        if start < resume:
            continue
        first = word.group(0)
        for pattern, valence in PHRASE_INDEX[NUMBER if first[0].isdigit() else first]:
            match = pattern.match(lowered, start)
            if match is not None:
                found.append((start, match.end(), valence))
                resume = match.end()
                break
    return found


NEGATION_SCALAR = -0.74
# A negator ending just before a phrase, at most one word between ("not a great flight").
NEGATED_BEFORE = compile_grouped(
    r"(?<![a-z'])(?:not|no|never|isn't|wasn't|aren't|don't|didn't|doesn't|hardly)"
    r"[\s,]+(?:[a-z']+\s+)?$"
)
# A reported breach of expectations (see ``breach.py``) with no negative word of its own.
BREACH_VALENCE = -2.0
CAPS_BOOST = 0.733
EXCLAMATION_BOOST = 0.292
# Praise next to a reported failure is usually sarcasm ("thanks for losing my bag").
SARCASM_DAMPING = 0.3
# Thanks inside a question is politeness, not praise ("how much is a bag? thanks!").
POLITENESS_DAMPING = 0.5
NORMALISER = 15.0


@dataclass(frozen=True)
class Reading:
    """What a sentiment backend decided, with the cues that decided it."""

    label: SentimentLabel
    polarity: float
    textblob_polarity: float
    cues: tuple[str, ...] = ()
    assessed: bool = True
    # The words reporting a breach of expectations (``breach.py``), found once here and
    # used again by the needs-response detector; None in unassessed languages.
    breach: str | None = None


@lru_cache(maxsize=1)
def _vader() -> object:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _vader_lexicon() -> dict[str, float]:
    lexicon: dict[str, float] = _vader().lexicon  # type: ignore[attr-defined]
    return lexicon


@lru_cache(maxsize=1)
def _word_valences() -> dict[str, float]:
    """VADER's general lexicon, overridden by Earful's brand-mention words; and the emoji
    (single characters no word can be), so a token needs one lookup."""
    return {**EMOJI, **_vader_lexicon(), **WORDS}


@lru_cache(maxsize=1)
def _telling_words() -> frozenset[str]:
    """The words ``earful_reading`` weighs: a valence other than 0, or a contrast."""
    return frozenset(w for w, v in _word_valences().items() if v) | CONTRAST


def textblob_polarity(text: str) -> float:
    """TextBlob's pattern polarity: the same float ``TextBlob(text).sentiment`` gives (see
    ``pattern_polarity``), clamped to [-1, 1]."""
    return max(-1.0, min(1.0, pattern_polarity(text)))


def vader_polarity(text: str) -> float:
    scores: dict[str, float] = _vader().polarity_scores(text)  # type: ignore[attr-defined]
    return float(scores["compound"])


def earful_polarity(text: str) -> tuple[float, tuple[str, ...]]:
    """Polarity in [-1, 1] tuned for brand mentions, and its strongest cues."""
    polarity, cues, _breach = earful_reading(text)
    return polarity, cues


def find_breach(text: str) -> str | None:
    """The words in ``text`` that report a breach of expectations, if any."""
    found = BREACH.search(blank_no_problem(text.lower()))
    return None if found is None else found.group(0)


def earful_reading(
    text: str, brand_names: BrandNames | None = None
) -> tuple[float, tuple[str, ...], str | None]:
    """``earful_polarity`` and the breach of expectations it found (``find_breach``).
    ``brand_names``: the configured brands' keywords, which say nothing of feeling however
    the general lexicon reads them ("United", "Best Buy")."""
    valences = _word_valences()
    if "&" in text:
        text = html.unescape(text)
    # Each pass only when its mark is there: most posts have no link or hashtag.
    if "http" in text or "www." in text:
        text = URL.sub(" ", text)
    if "@" in text or "\uff20" in text:
        text = HANDLE.sub(" ", text)
    if brand_names is not None:
        text = brand_names.blank(text)
    contributions: list[tuple[float, str]] = []
    if "#" in text:
        for tag in HASHTAG.findall(text):
            for part in HASHTAG_PART.findall(tag.lower()):
                contributions.append((HASHTAG_PARTS[part], f"#{tag}"))
        text = HASHTAG.sub(" ", text)
    question = "?" in text
    if question and DISRUPTION.search(text):
        text = YES_NO_QUESTION.sub(_asked_not_told, text)
    lowered = text.lower()
    has_capitals = lowered != text
    if len(lowered) != len(text):  # a few non-ASCII letters change length when lowered
        text = lowered
    failure = 0.0
    kept: list[str] = []
    start = 0
    phrases = find_phrases(lowered)
    for begin, end, valence in phrases:
        if NEGATED_BEFORE.search(lowered, max(0, begin - 24), begin):
            valence *= NEGATION_SCALAR  # "not a great experience"
        failure += min(0.0, valence)
        contributions.append((valence, lowered[begin:end]))
        kept.append(text[start:begin])
        start = end
    # A reported failure is negative even in neutral words ("your agent did not call back").
    # Counted once: not when a phrase or a negative word already says it.
    breach = BREACH.search(blank_no_problem(lowered))
    if (
        breach is not None
        and valences.get(breach.group(0), 0.0) >= 0
        and not any(b < breach.end() and breach.start() < e for b, e, _ in phrases)
    ):
        contributions.append((BREACH_VALENCE, breach.group(0)))
        failure += BREACH_VALENCE
    if kept:
        kept.append(text[start:])
        text = " , ".join(kept)
    tokens = TOKEN.findall(text)
    # One search of the whole text spares one per unknown word in most posts.
    elongated = ELONGATED.search(text) is not None
    marks = sum(1 for t in tokens if t[0] in CLAUSE_MARKS and t[-1] in CLAUSE_MARKS)
    # A clause mark is never upper case, so it never counts as shouting.
    shouting = sum(1 for t in tokens if t.isupper() and len(t) > 1) if has_capitals else 0
    mixed_case = shouting < (len(tokens) - marks) / 2
    lowered_tokens = [t.lower() for t in tokens]
    if "\u2019" in text:
        lowered_tokens = [t.replace("\u2019", "'") for t in lowered_tokens]
    # Most tokens carry no feeling: only those that may are looked at one by one.
    telling = _telling_words()
    may_tell = [
        i
        for i, word in enumerate(lowered_tokens)
        if word in telling
        or (elongated and word not in valences and ELONGATED.search(word) is not None)
    ]
    contrast_at = -1
    words: list[tuple[float, str]] = []
    for index in may_tell:
        token = tokens[index]
        if token[0] in CLAUSE_MARKS and token[-1] in CLAUSE_MARKS:  # not ":(" or ";)"
            continue
        word = lowered_tokens[index]
        if word in CONTRAST:
            contrast_at = len(words)
            continue
        value: float | None = valences.get(word)
        if value is None and elongated and ELONGATED.search(word):
            word = ELONGATED.sub(r"\1\1", word)
            value = valences.get(word) or valences.get(ELONGATED.sub(r"\1", token.lower()))
        if not value:
            continue
        if (
            word in BOOSTERS
            and index + 1 < len(tokens)
            and tokens[index + 1][0] not in CLAUSE_MARKS
        ):
            continue  # "super bummed", "kind of late": it strengthens the next word instead
        if mixed_case and token.isupper() and len(token) > 1:
            value += CAPS_BOOST if value > 0 else -CAPS_BOOST
        # A clause mark or a contrast ends what a negator or booster reaches: "nothing but
        # frustration" and "not bad, but late" negate neither word. A contrast before this
        # word has set contrast_at already, so most words skip the search.
        first = max(0, index - 3)
        for cut in range(index - 1, first - 1, -1) if marks or contrast_at >= 0 else ():
            before = tokens[cut]
            if (before[0] in CLAUSE_MARKS and before[-1] in CLAUSE_MARKS) or (
                lowered_tokens[cut] in CONTRAST
            ):
                first = cut + 1
                break
        window = lowered_tokens[first:index]
        for before_word in window:
            boost = BOOSTERS.get(before_word)
            if boost:
                value += boost if value > 0 else -boost
            if before_word in NEGATORS and "more" not in window:  # "never been more upset"
                value *= NEGATION_SCALAR
        words.append((value, token))
    if contrast_at >= 0:
        words = [(v * (0.5 if i < contrast_at else 1.5), w) for i, (v, w) in enumerate(words)]
    contributions.extend(words)
    complaint = failure + sum(v for v, _ in words if v < 0)
    if failure <= -1.5 or complaint <= -2.0:
        contributions = [(v * SARCASM_DAMPING if v > 0 else v, w) for v, w in contributions]
    elif question:
        contributions = [(v * POLITENESS_DAMPING if v > 0 else v, w) for v, w in contributions]
    total = sum(v for v, _ in contributions)
    if total:
        bangs = min(text.count("!"), 4) * EXCLAMATION_BOOST
        total += bangs if total > 0 else -bangs
    polarity = total / math.sqrt(total * total + NORMALISER)
    strongest = sorted(contributions, key=lambda c: -abs(c[0]))[:3]
    return (
        polarity,
        tuple(f"{w!r} {v:+.1f}" for v, w in strongest),
        None if breach is None else breach.group(0),
    )


def label_for(polarity: float, negative_below: float, positive_above: float) -> SentimentLabel:
    if polarity < negative_below:
        return "negative"
    if polarity > positive_above:
        return "positive"
    return "neutral"


@dataclass(frozen=True)
class SentimentScorer:
    """One backend with its thresholds; ``read`` never raises on any string."""

    backend: Backend
    negative_below: float
    positive_above: float
    brand_names: BrandNames | None = None

    def read(self, text: str) -> Reading:
        # Reposts and copies repeat texts: a bounded cache answers them again for free.
        return _read_cached(self, text)

    def read_uncached(self, text: str) -> Reading:
        tb = textblob_polarity(text)
        cues: tuple[str, ...] = ()
        if self.backend == "textblob":
            polarity, breach = tb, find_breach(text)
        elif self.backend == "vader":
            polarity, breach = vader_polarity(text), find_breach(text)
        else:
            polarity, cues, breach = earful_reading(text, self.brand_names)
        polarity = max(-1.0, min(1.0, polarity))
        label = label_for(polarity, self.negative_below, self.positive_above)
        return Reading(label, round(polarity, 4), round(tb, 4), cues, breach=breach)


READ_CACHE_SIZE = 4096


@lru_cache(maxsize=READ_CACHE_SIZE)
def _read_cached(scorer: SentimentScorer, text: str) -> Reading:
    return scorer.read_uncached(text)


def clear_sentiment_cache() -> None:
    _read_cached.cache_clear()


BACKENDS: dict[Backend, Callable[[str], float]] = {
    "earful": lambda text: earful_polarity(text)[0],
    "vader": vader_polarity,
    "textblob": textblob_polarity,
}
