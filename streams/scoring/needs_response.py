"""Does a mention need an answer? A complaint, request or question to the brand.

Separate from sentiment on purpose: a polite complaint ("my order never arrived, can you
check?") needs an answer; a negative joke about the weather does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from streams.scoring.alternation import compile_grouped
from streams.scoring.breach import GRIEVANCE, blank_no_problem
from streams.scoring.sentiment import Reading

QUESTION = compile_grouped(
    r"(?:^|[.!?]\s+|\s)(?:can|could|would|will|is|are|was|were|do|does|did|how|when|where|"
    r"why|what|which|who|any|has|have|should)\b[^?]{0,200}\?"
)
REQUEST = compile_grouped(
    r"\b(?:please|pls|plz|help|assist|dm me|dm us|contact me|call me|get back to me|"
    r"sort (?:this|it) out|fix (?:this|it|my)|refund|compensat\w*|look into|"
    r"need (?:help|assistance|to speak|to talk|someone)|can (?:someone|anyone|you)|"
    r"escalate|supervisor|manager|respond|reply|answer (?:me|my))\b"
)
# What people complain to a brand about: what they bought, booked or were served, and
# the people and channels that served them. A negative post to an account about none of
# these is usually banter or politics, not a complaint.
SERVICE = compile_grouped(
    r"\b(?:your|ur|y'all|you guys|customer\w*|service\w*|support|order\w*|deliver\w*|"
    r"refund\w*|account|bill\w*|charg\w*|paid|pay\w*|price\w*|fee|fees|tax|product\w*|store|"
    r"shop|website|site|app|online|phone|call\w*|email|chat|agent|staff|employee|manager|"
    r"driver|flight|train|bus|plane|booking|ticket|seat|bag|luggage|package|parcel|"
    r"shipping|item|warranty|repair\w*|replacement|internet|wifi|signal|network|plan|"
    r"subscription|contract|device|printer|laptop|headphones|update|version|login|"
    r"password|money|hold|queue|wait\w*|hours?|minutes?|days?|weeks?|still|again|"
    r"experience|quality|company|business|branch|restaurant|hotel|room|car|"
    r"food|meal|burger|coffee|drink|sauce|cold|stop|fix|crew|cabin|gate|pilot|"
    r"smoke|fire|unsafe|danger\w*|injur\w*)\b"
)
# Clearly happy posts need no answer for a grievance word ("the worst part is over!").
HAPPY_ABOVE = 0.3
# Thanks for a fix: the conversation is over, nobody needs to answer.
RESOLVED = compile_grouped(
    r"\b(?:solved|resolved|fixed|sorted|working (?:now|again|right now)|all good)\b"
)
THANKS = compile_grouped(r"\b(?:thanks?|thank you|thx|ty|cheers|appreciate\w*)\b")
# The patterns are lower case and run on lowered text (much faster than IGNORECASE).
# Shared jokes and reposts: negative words, but nobody is asking the brand for anything.
PLAYFUL = compile_grouped(r"\b(?:lol|lmao|haha\w*|jk)\b|😂|🤣")
REPOST = re.compile(r"^\s*rt @\w+")


@dataclass(frozen=True)
class Decision:
    needs_response: bool
    kind: str
    reason: str


def breach_in(text: str, reading: Reading) -> str | None:
    """The words that report a breach of expectations, if any (``text`` lowered). The
    sentiment reading found the tone-free ones already; grievance words count only in
    posts that are not happy."""
    if reading.breach is not None:
        return reading.breach
    if not reading.assessed or reading.polarity >= HAPPY_ABOVE:
        return None
    if found := GRIEVANCE.search(blank_no_problem(text)):
        return found.group(0)
    return None


def needs_response(
    text: str,
    reading: Reading,
    addressed: bool,
    *,
    questions: bool = True,
    requests: bool = True,
) -> Decision:
    """``addressed``: the text names the brand (a reply to some other account does not
    count: strangers talking among themselves ask the brand for nothing). ``questions``
    and ``requests``: whether plain questions and requests to the brand need an answer
    too (complaints always do)."""
    text = text.lower()
    if REPOST.search(text):
        return Decision(False, "repost", "no response needed: a repost")
    if RESOLVED.search(text) and THANKS.search(text):
        return Decision(False, "thanks", "no response needed: thanks for a resolved issue")
    breach = breach_in(text, reading)
    negative = reading.assessed and reading.label == "negative"
    # A complaint is addressed to someone: the same words in a post to nobody are venting.
    complaint = addressed and (
        bool(breach) or (negative and reading.polarity <= -0.3 and bool(SERVICE.search(text)))
    )
    if complaint:
        if PLAYFUL.search(text) and not REQUEST.search(text) and reading.polarity > -0.6:
            return Decision(False, "joke", "no response needed: a joke, nothing is asked")
        said = f" ({breach.strip()!r})" if breach else ", negative and addressed"
        return Decision(True, "complaint", f"needs response: complaint{said}")
    if questions and addressed and (question := QUESTION.search(text)):
        return Decision(
            True, "question", f"needs response: a question ({question.group(0).strip()[:40]!r})"
        )
    if requests and addressed and (request := REQUEST.search(text)):
        return Decision(
            True, "request", f"needs response: asks for help ({request.group(0).lower()!r})"
        )
    return Decision(False, "none", "no response needed: no complaint, question or request")
