"""How people tell a brand that it broke their expectations: shared by the sentiment
scorer (a reported failure is negative even without a negative word) and the
needs-response detector (it is a complaint). The patterns are lower case and run on
lowered text (much faster than IGNORECASE)."""

from __future__ import annotations

from streams.scoring.alternation import compile_grouped
from streams.scoring.blanks import blank

# A breach of expectations: something that should have happened did not, or broke. These
# say so whatever the tone ("thanks for ignoring me" is a complaint with a smile).
BREACH = compile_grouped(
    r"\b(?:still|never|not|no|n't|didn't|doesn't|won't|can't|cannot|wasn't|isn't|haven't|"
    r"hasn't|nobody|no one)\b[^.!?]{0,40}\b(?:work\w*|arriv\w*|receiv\w*|deliver\w*|respon\w*|"
    r"answer\w*|refund\w*|fix\w*|load\w*|show\w*|get|got|come|came|help\w*|call\w*|"
    r"replied|heard|available|open|sent|shipped|charged|connect\w*|access\w*|log ?in|"
    r"sign ?in|update\w*|turn\w* on|charg\w*|sync\w*|print\w*|scan\w*|run|running|"
    r"accept\w*|process\w*|track\w*|download\w*|install\w*|boot\w*|play\w*|stream\w*|"
    r"in touch|contact\w*|happy|impressed|satisfied|good enough|acceptable|honou?r\w*|"
    r"dispatch\w*|activated|credited|resolved|sorted|reimburs\w*)\b|"
    r"\b(?:broken|broke|faulty|defective|damaged|missing|lost|cancel+ed|delayed|"
    r"overcharged|charged twice|double charged|crash\w*|outage|down again|"
    r"disappoint\w*|unacceptable|ridiculous|useless|"
    r"on hold|stuck|stranded|complain\w*|frustrat\w*|annoy\w*|disgust\w*|shocking|"
    r"appalling|pathetic|refus\w*|expired|died|not allowed|out of stock|"
    r"overpriced|rip ?off|mislead\w*|lies|lied|pissed|angry|mad at|discriminat\w*|"
    r"drain\w*|endless|unreliable|unsafe|ripped|torn|stained|dirty|filthy|stale|leak\w*|"
    r"cracked|scratched|mou?ldy|regret\w*|ignor(?:ed|es|ing) (?:me|my|us|our)|hostage|"
    r"stolen|scam\w*|"
    r"unhappy|dissatisfied|unable to|waste of|what the (?:hell|heck|fuck)|sick of|"
    r"no respect|mistreat\w*|been (?:out|down|on hold|stuck) for|"
    r"(?:is|are|was|were|went|goes|been) down|"
    r"stopped (?:work\w*|respond\w*|load\w*|charg\w*)|nothing works|"
    r"keeps? (?:crash\w*|freez\w*|fail\w*|drop\w*|disconnect\w*|cancel\w*|logging me out)|"
    r"already (?:called|contacted|emailed|reported|sent|dm'?d|tried|asked|told|paid)|"
    r"(?:several|many|multiple|countless|\d+) times|been trying|tried (?:everything|all|again)|"
    r"should (?:have|'ve) (?:been|arrived|come|received|got)|"
    r"(?:thanks?|thank you|thx) (?:\w+ )?for (?:nothing|ignoring|ruining|wasting|losing|"
    r"breaking|leaving|cancel\w*|the (?:delay|wait))|"
    r"(?:charg\w+|bill\w+) (?:me )?extra|why (?:do|does|did|is|are|can'?t|won'?t|would)|"
    r"what'?s (?:up )?with|wtf|suck|sucks|stole|how come|"
    r"is this (?:normal|really|acceptable|what you call)|"
    r"where is my|no (?:internet|power|service|signal|wifi|water|heat\w*|email|reply)|"
    # Chasing an answer that has not come: a follow-up is a complaint about the wait.
    r"any (?:answer|response|reply|feedback)|"
    r"any updates?(?: (?:on|regarding|about) (?:my|our|this)| yet| please|\s*\?)|"
    r"(?:reply|respond|get back) to (?:my|me|our)|"
    r"expect (?:a|an|any) (?:response|reply|answer|update|call)|"
    r"await\w* (?:ur|your|a) (?:response|reply|answer)|"
    r"(?:sent|dm'?d|emailed|messaged|wrote to) (?:you|u)\b[^.!?]{0,25}\b(?:yesterday|ago|last|"
    r"days|weeks?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|twice|again|since)|"
    r"(?:my|our) money back|"
    r"was working (?:fine |perfectly )?(?:last|yesterday|before|until|this))\b"
)
# Words of displeasure that count as a breach only when the post is not happy: "worst" and
# "waiting" are complaints in "@brand worst service, waiting an hour" but not in
# "@brand waiting for my results, so excited!".
GRIEVANCE = compile_grouped(
    r"\b(?:wrong|late|error|worst|terrible|awful|horrible|poor|rude|joke|fail\w*|issues?|"
    r"problems?|waiting|waited|wait time|seriously|expensive|pricey|empty|supposed to|"
    r"no longer)\b"
)
# Problem words that say there is none ("no problem", "if I have any more issues").
NO_PROBLEM = compile_grouped(
    r"\b(?:(?:no|not an?|not having(?: the same| any)?|without(?: any)?|"
    r"if (?:i|you|we|there) (?:have|has|get|are|is)(?: any ?more| any| more)?) "
    r"(?:problems?|issues?|worries|errors?)|"
    r"(?:could ?n[o']?t|can ?n[o']?t) (?:have been |be )?(?:more|better|happier))\b"
)
# Every match of NO_PROBLEM contains one of these: most posts skip the pattern.
_NO_PROBLEM_WORDS = ("problem", "issue", "worries", "error", "more", "better", "happier")


def blank_no_problem(lowered: str) -> str:
    """``lowered`` with "no problem" and the like blanked out, keeping every position."""
    if any(word in lowered for word in _NO_PROBLEM_WORDS):
        return NO_PROBLEM.sub(blank, lowered)
    return lowered
