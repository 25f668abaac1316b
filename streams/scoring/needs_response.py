"""Does a mention need an answer? A complaint, request or question to the brand.

Separate from sentiment on purpose: a polite complaint ("my order never arrived, can you
check?") needs an answer; a negative joke about the weather does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from streams.scoring.sentiment import Reading

QUESTION = re.compile(
    r"(?:^|[.!?]\s+|\s)(?:can|could|would|will|is|are|was|were|do|does|did|how|when|where|"
    r"why|what|which|who|any|has|have|should)\b[^?]{0,200}\?"
)
REQUEST = re.compile(
    r"\b(?:please|pls|plz|help|assist|dm me|dm us|contact me|call me|get back to me|"
    r"sort (?:this|it) out|fix (?:this|it|my)|refund|compensat\w*|look into|"
    r"need (?:help|assistance|to speak|to talk|someone)|can (?:someone|anyone|you)|"
    r"escalate|supervisor|manager|respond|reply|answer (?:me|my))\b"
)
# A breach of expectations: something that should have happened did not, or broke.
BREACH = re.compile(
    r"\b(?:still|never|not|no|n't|didn't|doesn't|won't|can't|cannot|wasn't|isn't|haven't|"
    r"hasn't)\b[^.!?]{0,40}\b(?:work\w*|arriv\w*|receiv\w*|deliver\w*|respon\w*|"
    r"answer\w*|refund\w*|fix\w*|load\w*|show\w*|get|got|come|came|help\w*|call\w*|"
    r"replied|heard|available|open|sent|shipped|charged|connect\w*|access\w*|log ?in|"
    r"sign ?in|update\w*|turn\w* on|charg\w*)\b|"
    r"\b(?:broken|broke|faulty|defective|damaged|missing|lost|wrong|cancel+ed|delayed|late|"
    r"overcharged|charged twice|double charged|error|crash\w*|outage|down again|"
    r"disappoint\w*|unacceptable|ridiculous|worst|terrible|awful|horrible|poor|rude|useless|"
    r"waiting|waited|on hold|stuck|stranded|joke|fail\w*|issue|issues|problem|problems|"
    r"complain\w*|frustrat\w*|annoy\w*|disgust\w*|shocking|appalling|pathetic|"
    r"refus\w*|expired|died|no longer|not allowed|out of stock|overpriced|rip ?off|"
    r"mislead\w*|lies|lied|pissed|angry|mad at|discriminat\w*|drain\w*|endless|"
    r"(?:charg\w+|bill\w+) (?:me )?extra|why (?:do|does|did|is|are|can'?t|won'?t|would)|"
    r"where is my|no (?:internet|power|service|signal|wifi|water|heat\w*|email|reply))\b"
)
# Thanks for a fix: the conversation is over, nobody needs to answer.
RESOLVED = re.compile(
    r"\b(?:solved|resolved|fixed|sorted|working (?:now|again|right now)|all good)\b"
)
THANKS = re.compile(r"\b(?:thanks?|thank you|thx|ty|cheers|appreciate\w*)\b")
# The patterns are lower case and run on lowered text (much faster than IGNORECASE).
# Shared jokes and reposts: negative words, but nobody is asking the brand for anything.
PLAYFUL = re.compile(r"\b(?:lol|lmao|haha\w*|jk)\b|😂|🤣")
REPOST = re.compile(r"^\s*rt @\w+")
ADDRESSED_REPLY = re.compile(r"^\s*\.?[@\uff20]\w+")
ANY_HANDLE = re.compile(r"(?<!\w)[@\uff20]\w+")


@dataclass(frozen=True)
class Decision:
    needs_response: bool
    kind: str
    reason: str


def addressed_to_someone(text: str) -> bool:
    """Starts with or contains an @handle: written to an account, not about the world."""
    return bool(ANY_HANDLE.search(text))


def needs_response(text: str, reading: Reading, addressed: bool) -> Decision:
    """``addressed``: the text names the brand or is a reply to an account."""
    text = text.lower()
    if REPOST.search(text):
        return Decision(False, "repost", "no response needed: a repost")
    if RESOLVED.search(text) and THANKS.search(text):
        return Decision(False, "thanks", "no response needed: thanks for a resolved issue")
    breach = BREACH.search(text)
    negative = reading.assessed and reading.label == "negative"
    complaint = bool(breach and (addressed or negative)) or (
        negative and addressed and reading.polarity <= -0.3
    )
    if complaint:
        if PLAYFUL.search(text) and not REQUEST.search(text) and reading.polarity > -0.6:
            return Decision(False, "joke", "no response needed: a joke, nothing is asked")
        said = f" ({breach.group(0).strip()!r})" if breach else ", negative and addressed"
        return Decision(True, "complaint", f"needs response: complaint{said}")
    if addressed and (question := QUESTION.search(text)):
        return Decision(
            True, "question", f"needs response: a question ({question.group(0).strip()[:40]!r})"
        )
    if addressed and (request := REQUEST.search(text)):
        return Decision(
            True, "request", f"needs response: asks for help ({request.group(0).lower()!r})"
        )
    return Decision(False, "none", "no response needed: no complaint, question or request")
