"""TextBlob's polarity (``PatternAnalyzer``, i.e. ``textblob.en.sentiment``), computed
about three times faster and to the same float.

Earful reports TextBlob's polarity on every mention, and TextBlob spent most of its time
in general-purpose machinery: regex substitutions where a plain replace does, a lazy
dictionary consulted through several method calls per word, per-word dictionaries for
the assessments, and subjectivity, which Earful does not report. This module follows
TextBlob's algorithm step by step (tokenizer, sentence split, sarcasm and emoticon
rewriting, negation, modifiers, exclamation marks, emoticons) with those costs removed,
and reuses TextBlob's own lexicon, constants and compiled patterns (the emoticon pattern's
alternation order is built from a set, so it can differ between processes: reusing the
very object keeps the result identical in every process).

``test_pattern_polarity.py`` compares it with TextBlob on random Unicode, on realistic
posts and on a fixed corpus of tricky cases.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import types
from functools import lru_cache
from typing import Any


def _textblob_modules() -> tuple[types.ModuleType, types.ModuleType]:
    """TextBlob's ``_text`` and ``en`` modules, without running ``textblob/__init__``: that
    imports TextBlob's front end and NLTK with it, about 30 MB in every worker for code
    Earful never calls. The package is stood in for while the two load and removed after,
    so a later ``import textblob`` runs the real one and reuses these very modules."""
    if "textblob" in sys.modules:
        return importlib.import_module("textblob._text"), importlib.import_module("textblob.en")
    spec = importlib.util.find_spec("textblob")
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError("textblob is not installed: pip install textblob")
    stand_in = types.ModuleType("textblob")
    stand_in.__path__ = list(spec.submodule_search_locations)
    sys.modules["textblob"] = stand_in
    try:
        return importlib.import_module("textblob._text"), importlib.import_module("textblob.en")
    finally:
        del sys.modules["textblob"]


pattern, _english = _textblob_modules()

# One entry per lexicon word: (polarity, subjectivity, intensity, is a modifier).
Entry = tuple[float, float, float, bool]

_PUNCTUATION = pattern.PUNCTUATION
_LEADING = tuple(_PUNCTUATION.replace(".", ""))
_TRAILING = (*_LEADING, ".")
_LEADING_CHARS = frozenset(_LEADING)
_TRAILING_CHARS = frozenset(_TRAILING)
_REPLACEMENTS = tuple(pattern.replacements.items())
_LINEBREAK = re.compile(r"\n{2,}")
_EOS = pattern.EOS
_SENTENCE_END = frozenset(("...", ".", "!", "?", _EOS))
# The marks that close a sentence with it. TextBlob lists the two quotes too, but they
# always stop the run (see ``_sentences``).
_CLOSING = frozenset(("\u201d", "\u2019", "...", ".", "!", "?", ")", _EOS))
_NEGATIONS = ("no", "not", "n't", "never")


def _emoticon_join(match: re.Match[str]) -> str:
    return match.group(1).replace(" ", "") + match.group(2)


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, Entry], dict[str, float]]:
    """TextBlob's English sentiment lexicon as a plain dict, and its emoticons by lowered
    form (the first mood in TextBlob's order wins, as in its loop)."""
    sentiment = _english.sentiment
    # The lexicon loads lazily; this loads it (and the "-ly" adverbs TextBlob derives).
    len(sentiment)
    modifiers = tuple(sentiment.modifiers)
    words: dict[str, Entry] = {}
    for word, by_pos in dict.items(sentiment):
        p, s, i = by_pos[None]
        words[word] = (p, s, i, any(m in by_pos for m in modifiers))
    emoticons: dict[str, float] = {}
    for (_mood, valence), forms in pattern.EMOTICONS.items():
        for form in forms:
            emoticons.setdefault(form.lower(), valence)
    return words, emoticons


def _split_token(token: str, tokens: list[str]) -> None:
    """TextBlob's leading/trailing punctuation split of one token (its loop, verbatim)."""
    replace = pattern.replacements
    tail: list[str] = []
    while token.startswith(_LEADING) and token not in replace:
        tokens.append(token[0])
        token = token[1:]
    while token.endswith(_TRAILING) and token not in replace:
        if token.endswith(_LEADING):
            tail.append(token[-1])
            token = token[:-1]
        if token.endswith("..."):
            tail.append("...")
            token = token[:-3].rstrip(".")
        if token.endswith("."):
            if (
                token in pattern.ABBREVIATIONS
                or pattern.RE_ABBR1.match(token) is not None
                or pattern.RE_ABBR2.match(token) is not None
                or pattern.RE_ABBR3.match(token) is not None
            ):
                break
            tail.append(token[-1])
            token = token[:-1]
    if token != "":
        tokens.append(token)
    tokens.extend(reversed(tail))


def _sentences(text: str) -> list[str]:
    """``textblob._text.find_tokens`` with the default arguments."""
    for old, new in _REPLACEMENTS:  # plain strings: a replace is what re.sub did
        if old in text:
            text = text.replace(old, new)
    text = (
        text.replace("\u201c", " \u201c ")
        .replace("\u201d", " \u201d ")
        .replace("\u2018", " \u2018 ")
        .replace("\u2019", " \u2019 ")
        .replace("'", " ' ")
        .replace('"', ' " ')
        .replace("\r\n", "\n")
    )
    if "\n\n" in text:
        text = _LINEBREAK.sub(f" {_EOS} ", text)
    tokens: list[str] = []
    for token in text.split():  # what collapsing \s+ and finding (\S+)\s gave
        if token[0] in _LEADING_CHARS or token[-1] in _TRAILING_CHARS:
            _split_token(token, tokens)
        else:
            tokens.append(token)
    # TextBlob's sentence loop, visiting only the tokens that end a sentence. Its quote
    # check counts quotes in a sentence not yet filled (always none), so a quote always
    # stops the run of closing marks.
    sentences: list[list[str]] = []
    start = resume = 0
    for end in [k for k, token in enumerate(tokens) if token in _SENTENCE_END]:
        if end < resume:  # taken with the closing marks of the sentence before
            continue
        while end < len(tokens) and tokens[end] in _CLOSING:
            end += 1
        sentences.append([t for t in tokens[start:end] if t != _EOS])
        start = end
        resume = end + 1
    sentences.append(tokens[start:])
    joined = (" ".join(s) for s in sentences if s)
    return [
        pattern.RE_EMOTICONS.sub(
            _emoticon_join, pattern.RE_SARCASM.sub("(!)", s) if "(" in s else s
        )
        for s in joined
    ]


def pattern_polarity(text: str) -> float:
    """The polarity ``textblob.en.sentiment(text)`` (and ``TextBlob(text).sentiment``)
    gives, unclamped, as the same float."""
    lexicon, emoticons = _lexicon()
    # An assessment: [words, polarity, intensity, negated]; the list is mutated in place
    # exactly where TextBlob mutates its dicts (a modifier's entry becomes the phrase's).
    found: list[list[Any]] = []
    modifier: str | None = None
    negation: str | None = None
    # Lowered whole: whitespace has no case, so this is each word lowered.
    for word in " ".join(_sentences(text)).lower().split():
        entry = lexicon.get(word)
        if entry is None and len(word) > 2 and word.isalpha() and word not in _NEGATIONS:
            # Most words: what the steps below do with a plain word outside the lexicon.
            modifier = negation = None
            continue
        if entry is not None:
            p, _s, i, is_modifier = entry
            if modifier is None:
                found.append([[word], p, i, False])
            else:
                last = found[-1]
                last[0].append(word)
                last[1] = max(-1.0, min(p * last[2], +1.0))
                last[2] = i
            if negation is not None:
                last = found[-1]
                last[0].insert(0, negation)
                last[2] = 1.0 / last[2]
                last[3] = True
            modifier = word if is_modifier else None
            negation = word if word in _NEGATIONS else None
            continue
        if word in _NEGATIONS:
            negation = word
        elif negation and len(word.strip("'")) > 1:
            negation = None
        if negation is not None and modifier is not None and modifier.endswith("ly"):
            found[-1][0].append(negation)
            found[-1][3] = True
            negation = None
        elif modifier and len(word) > 2:
            modifier = None
        if word == "!" and found:
            found[-1][1] = max(-1.0, min(found[-1][1] * 1.25, +1.0))
        if word == "(!)":
            found.append([[word], 0.0, 1.0, False])
        if word.isalpha() is False and len(word) <= 5 and word not in _PUNCTUATION:
            valence = emoticons.get(word)
            if valence is not None:
                found.append([[word], valence, 1.0, False])
    total = 0.0
    for _words, p, _i, negated in found:
        total += -0.5 * p if negated else p
    return total / float(len(found) or 1)
