"""Language of short posts: a fast path for plain English, Lingua for the rest.

Lingua is built once per process, restricted to the configured languages (fewer
candidates: faster and more accurate on short text). A source's own language tag wins.
Lingua's high-accuracy mode holds 25-35 MB of models per language; its low-accuracy mode
about 2 MB, and is less accurate on posts of a few words (``bench/language.py``).
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

NOISE = re.compile(r"https?://\S+|www\.\S+|(?<!\w)[@#\uff20]\w+|&\w+;")
WORD = re.compile(r"[a-z']+")
NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Function words frequent in English and rare in the other Latin-script languages, so two
# of them in an ASCII post settle it without a model ("my", "the", "is", "to", ...).
_MARKER_WORDS = (
    "the my is are to and it you your of for was were this that with have has had "
    "i'm it's can't don't didn't doesn't that's i'll i've im dont cant ur "
    "been be just will what why how when where who which our we they them their "
    "there from not please thanks thank still again would could should "
    "i any every even always about after than then too very really want get got "
    "today yes good great up out off down "
    # Frequent in English posts and not words of the other Latin-script languages.
    "but if its new first last next now here more much some such these those over "
    "back well into only like thx"
)
ENGLISH_MARKERS = frozenset(_MARKER_WORDS.split(" "))
# Function words of the other Latin-script languages that English does not use: a post
# with an English marker and none of these is English without asking the model.
_OTHER_WORDS = (
    "el la los las del que y en por para una es muy pero como est son "
    "le les des du et une dans pour avec pas sur qui je tu il nous vous ce cette mais tres "
    "der das und ist nicht ein eine mit ich du sie wir auf zu von dem sehr aber "
    "os um uma nao com da dos das muito "
    "lo gli che di non sono della molto ma "
    "het een ik niet voor zijn dat maar"
)
OTHER_LANGUAGE_WORDS = frozenset(_OTHER_WORDS.split(" "))
# Frequent English words of posts to brands that are not words of the other Latin-script
# languages above (the project wrote them; cognates such as "help", "week", "service" or
# "terrible" are left out). Weaker than the function words: they count only in a post with
# no function word of another language ("smooth flight, landed early", "Phone").
_CONTENT_WORDS = (
    "flight flights delayed delay delays cancelled canceled landed boarding airport airline "
    "airlines crew luggage baggage bag bags suitcase seat seats booking booked rebooked "
    "refund refunds customer customers phone called calling wait waiting waited hour hours "
    "days weeks tomorrow yesterday tonight morning evening night weekend birthday travel "
    "traveling travelling ride drive driver delivery delivered package shipping account "
    "password money paid pay charged bill price cheap expensive worth awful worst amazing "
    "awesome happy unhappy angry upset sad disappointed disappointing frustrated "
    "frustrating annoying annoyed ridiculous unacceptable useless helpful unhelpful friendly "
    "lovely wonderful beautiful smooth early slow quick quickly easy worse better nice sorry "
    "guys folks seriously literally totally finally actually definitely hilarious sucks "
    "suck stuck stranded broken missing found received need needs know think told said "
    "asked tried trying going getting having doing took gave came left answer answered "
    "reply response done never ever everyone anyone someone nobody nothing something "
    "anything everything because without another other while since love hate fun ruined "
    "wrong right sure yeah nope"
)
ENGLISH_CONTENT_WORDS = frozenset(_CONTENT_WORDS.split(" "))


Accuracy = Literal["high", "low"]


@lru_cache(maxsize=8)
def _detector(languages: tuple[str, ...], accuracy: Accuracy = "high") -> LanguageDetector:
    codes = [Language.from_iso_code_639_1(IsoCode639_1.from_str(code)) for code in languages]
    if len(codes) == 1:
        codes.append(Language.ENGLISH if codes[0] != Language.ENGLISH else Language.SPANISH)
    builder = LanguageDetectorBuilder.from_languages(*codes)
    if accuracy == "low":
        builder = builder.with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


def _release_freed_memory() -> None:
    """Hand the allocator's free pages back to the system. Lingua parses its models on
    several threads and frees the buffers after; glibc keeps them in its arenas, 13-56 MB
    in measurements. Other C libraries have no ``malloc_trim``: nothing to do there."""
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return
    trim(0)


class LanguageGuesser:
    """Two-letter language of a post, or None when it has no letters to judge."""

    def __init__(self, languages: Sequence[str], accuracy: Accuracy = "high") -> None:
        self._languages = tuple(sorted(set(languages)))
        self._accuracy: Accuracy = accuracy
        self._english = "en" in self._languages

    def warm_up(self) -> None:
        """Load the models now (a worker does it before it joins its group)."""
        _detector(self._languages, self._accuracy)
        _release_freed_memory()

    def guess(self, text: str, declared: str | None = None) -> str | None:
        if declared:
            return declared.split("-")[0].lower()
        cleaned = NOISE.sub(" ", text)
        # Emoji, curly quotes and dashes say nothing about the language: only letters do.
        if self._english and (
            cleaned.isascii() or not any(c.isalpha() for c in NON_ASCII.findall(cleaned))
        ):
            words = WORD.findall(cleaned.lower().replace("\u2019", "'"))
            markers = sum(map(ENGLISH_MARKERS.__contains__, words))
            if markers >= 2 or (markers == 1 and len(words) <= 4):
                return "en"
            if (
                markers or not ENGLISH_CONTENT_WORDS.isdisjoint(words)
            ) and OTHER_LANGUAGE_WORDS.isdisjoint(words):
                return "en"
        if not any(ch.isalpha() for ch in cleaned):
            return None
        return _detect(self._languages, self._accuracy, cleaned)


@lru_cache(maxsize=4096)
def _detect(languages: tuple[str, ...], accuracy: Accuracy, cleaned: str) -> str | None:
    """Lingua's answer, cached: it costs ~0.4 ms a post, and reposts repeat texts."""
    found = _detector(languages, accuracy).detect_language_of(cleaned)
    return None if found is None else found.iso_code_639_1.name.lower()


def clear_language_cache() -> None:
    _detect.cache_clear()
