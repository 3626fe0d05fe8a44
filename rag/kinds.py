"""What kind of answer a question wants: one fact, or an explanation, a list, a change over time, who says
what, a summary, a yes or no. Rules over the question's opening words; `answer(mode=...)` overrides them."""

from __future__ import annotations

import re

from .lexicon import ASKED_SAYING

KINDS = ("fact", "explain", "list", "change", "who_says", "summarize", "yesno")
LABELS = {
    "fact": "a fact (one name, number or date)",
    "explain": "explain (why, how, what role)",
    "list": "list or compare",
    "change": "change over time",
    "who_says": "who says what",
    "summarize": "summarize",
    "yesno": "yes or no",
}

_SUMMARIZE = re.compile(
    r"^\s*(?:please\s+)?(?:summari[sz]e|sum\s+up|give\s+(?:me\s+)?(?:an?\s+)?(?:overview|summary|recap)|"
    r"(?:what\s+is\s+)?an?\s+overview\s+of|tell\s+me\s+(?:about|what\s+happened)|what\s+happened\b|recap\b)",
    re.I,
)
_CHANGE = re.compile(
    r"^\s*how\s+(?:has|have|had|did|does|do|is|are|was|were)\b.*\b(?:chang|evolv|develop|shift|grow|grew|shr[iu]nk|"
    r"progress)|\bover\s+time\b|\bover\s+the\s+(?:course|months|years|weeks)\b|\btimeline\b|\btrajectory\b|"
    r"\bin\s+what\s+order\b|\bwhat\s+changed\b",
    re.I,
)
_WHO_SAYS = re.compile(
    r"\b(?:do|did)\s+(?:the\s+)?(?:articles|outlets|reports|sources|they)\s+(?:agree|disagree|differ)|"
    r"\b(?:agree|disagree)\s+(?:on|about|over|whether|that)\b|"
    rf"^\s*what\s+(?:did|does|do|has|have)\s+.+?\s+(?:{ASKED_SAYING})"
    r"(?:\s+and\s+\w+)?(?:\s+[\w’'.-]+){0,3}?(?:\s+(?:about|on|of|regarding|during|when|after|before|in)\b.*)?\s*\??\s*$|"
    # what someone said to some end: "What has Maria Zakharova said to play down concerns about ...?"
    r"^\s*what\s+(?:did|does|do|has|have)\s+.+?\s+(?:say|said|claim|claimed|argue|argued)\s+to\s+[a-z]+\b|"
    r"^\s*how\s+(?:did|does|do|have|has)\s+.+?\s+(?:react|respond|describe|view|see|frame|characteri[sz]e)\b|"
    r"^\s*who\s+(?:said|says|claimed|claims|reported|reports)\b|\baccording\s+to\s+whom\b|"
    # two sides' views of one thing: "Do Washington and Moscow describe the Russian personnel the same way?"
    r"^\s*(?:do|does|did)\b.*\b(?:the\s+same\s+way|differently|alike)\s*\??\s*$|"
    # people who hold views, saying what something means: "What do legal experts say the trial means ...?"
    r"^\s*what\s+(?:do|did|does)\s+(?:[\w’'.-]+\s+){0,5}?(?:experts|analysts|officials|critics|lawmakers|"
    r"observers|commentators|figures|regulators|investors|economists)\s+(?:say|think|believe|argue|expect|predict)\b|"
    r"\b(?:frame|portray|depict)\b",
    re.I,
)
_LIST = re.compile(
    # "Name the countries that ...", not "Name the admiral in charge of ..." (one fact)
    r"^\s*(?:list|name\s+(?:all|the\s+(?:\w+\s+){0,2}?\w+(?:ies|[^s\W]s)\b)|compare)\b|"
    r"^\s*(?:which|what)\s+(?:\w+\s+){0,2}?(?:countries|companies|officials|people|groups|kinds|types|sorts|"
    r"equipment|weapons|ties|actions|steps|measures|figures|events|outlets|organi[sz]ations|firms|"
    r"products|names|leaders|states|nations|figures|arms)\b"
    # (the plural a modifier of the noun asked for: "which malfunctioning Russian weapons system are ...?")
    r"(?!\s+[a-z]+\s+(?:is|are|was|were|did|does|do|has|have|had)\b)|"
    r"^\s*(?:which|what)\s+(?:\w+\s+){0,2}?\w+(?:ies|[^s\W]s)\s+(?!is\b|was\b)"
    r"(?:did|do|does|have|has|were|are|had|will|would|can|could|should|must|might|may)\b|"
    r"^\s*(?:what|which|who)\s+(?:are|were)\s+the\b|"
    # "Which uses of artificial intelligence ...?" (the small tagger reads "uses" as a verb)
    r"^\s*which\s+\w+(?:ies|[^s\W]s)\s+of\b",
    re.I,
)
_EXPLAIN = re.compile(
    r"^\s*(?:why|explain|what\s+(?:role|led|caused|drove|explains|is\s+the\s+reason|are\s+the\s+reasons)|"
    # a reason asked otherwise: "On what grounds does Moscow justify ...?", "For what reason ...?", "How come ...?"
    r"(?:on|for)\s+what\s+(?:grounds?|basis|reasons?|purpose)|how\s+come|"
    r"how\s+(?:did|does|do|is|are|was|were|can|could|would|has|have)(?!\s+(?:many|much))\b|"
    r"what\s+(?:is|was)\s+the\s+(?:impact|effect|significance|purpose)|"
    # a part someone played, a tie between two things: "What does the Wagner group have to do with Venezuela?"
    r"what\s+part\s+(?:did|does|do|has|have)\b|what\s+(?:is|was|are|were)\s+the\s+(?:relationship|connection|link)s?"
    r"\s+between\b)|\bha(?:ve|s|d)\s+to\s+do\s+with\b",
    re.I,
)
# "What reasons ...", "What were the main causes ...": the reasons asked for, however many
_REASONS_ASKED = (
    r"^\s*(?:what|which)\s+(?:(?:are|were)\s+the\s+)?(?:\w+\s+)?(?:reasons|causes|motives|motivations|factors)\b"
)
# read before the list patterns: reasons asked for are an explanation, however many ("What reasons were given for
# Rostec scaling back ...?", "What were the reasons for ...?"), and so is what people are doing ("What are the Russians
# in Venezuela actually doing there?")
_EXPLAINED = re.compile(
    _REASONS_ASKED + r"|"
    r"^\s*what\s+(?:are|were|is|was)\s+.+?\s+(?:doing|up\s+to)\b",
    re.I,
)
# a question that asks for a cause: "Why did Rostec scale back ...?", "What reasons were given for ...?", "What explains
# the reported shrinking of ...?", "On what grounds ...?" (not "How have officials explained what ... are doing?")
_ASKS_CAUSE = re.compile(
    r"^\s*(?:why|how\s+come)\b|^\s*(?:on|for)\s+what\s+(?:grounds?|basis|reasons?)\b|"
    r"^\s*what\s+(?:led|caused|drove|prompted|explains|motivated|is\s+behind|was\s+behind)\b|"
    r"\b(?:reasons?|causes?|motives?|motivations?)\s+(?:for|behind|why|of)\b|" + _REASONS_ASKED,
    re.I,
)
_WHICH = re.compile(r"^\s*(?:which|what)\b", re.I)
_YESNO = re.compile(r"^\s*(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would|should)\b", re.I)


_LEAD = re.compile(r"^\s*(?:according\s+to\s+[^,]{1,60},|in\s+the\s+articles?,|besides\s+[^,]{1,40},)\s*", re.I)
# a second question ("... and what role did it want"), not a relative clause of the first ("the individual
# who ... and who also admitted ...")
_TWO = re.compile(
    r"\band\s+(?:what|who|which|how|why|when)\b(?!\s+(?:also\s+|later\s+|then\s+)?(?:\w+ed|has|had|was|is)\b)", re.I
)


# a question whose first clause is a whole question ("Who sat on the board", "What caused the fall"), not a
# description that relative clauses go on ("Who is the individual that ..., and who is accused ..."): a second
# "and who ..." after a comma is a second question
_ASKS = re.compile(r"^\s*(?:who|what|which)\s+(?!(?:is|was|are|were|has|have|had|does|do|did)\b)[a-z]+\b", re.I)
_SECOND = re.compile(r",\s*and\s+(?:who|what|which|how|why|when)\b", re.I)


# a question put after a statement: "Jada Pinkett Smith says they have lived apart since 2016, so why haven't they
# divorced?" asks why
_ASKED_AFTER = re.compile(
    r"(?:,\s*(?:so|but|yet)\s+|[.;:!?—–]\s+|\s-\s+)(?=(?:why|how|what|which|who|whom|when|where|did|does|do|is|are|was|"
    r"were|has|have|had|can|could|will|would|should)\b)",
    re.I,
)
_QUESTION_WORD = re.compile(
    r"^\s*(?:why|how|what|which|who|whom|whose|when|where|did|does|do|is|are|was|were|has|have|had|can|could|will|"
    r"would|should|explain|summari[sz]e|list|name|compare|tell|give|describe|please)\b",
    re.I,
)


def detect(question: str) -> str:
    """The kind of answer the question asks for (one of KINDS)."""
    q = _LEAD.sub("", question.strip())
    parts = _ASKED_AFTER.split(q)
    if len(parts) > 1 and not _QUESTION_WORD.match(q):  # a statement, then the question about it
        q = parts[-1]
    if _SUMMARIZE.search(q):
        return "summarize"
    if _WHO_SAYS.search(q):
        return "who_says"
    if _CHANGE.search(q):
        return "change"
    if _EXPLAINED.search(q):
        return "explain"
    if _LIST.search(q):
        return "list"
    if _EXPLAIN.search(q):
        return "explain"
    if _YESNO.search(q):
        return "yesno"
    if _TWO.search(q):  # "What is the Lima Group and what role did it want ...": more than one fact
        return "explain"
    if _ASKS.match(q) and _SECOND.search(q):  # "Who sat on the board ..., and who was named to ...?"
        return "list" if all(w.lower() == "who" for w in re.findall(r"\b(?:who|what|which)\b", q, re.I)) else "explain"
    if _WHICH.match(q):  # the parse tells what the patterns above miss: "Which celebrities and sports brands ...?"
        from .parse import analyse_many

        if analyse_many([q])[0].asks_many:
            return "list"
    return "fact"


def asks_cause(question: str) -> bool:
    """Does the question ask why something happened (its cause or reasons)?"""
    return bool(_ASKS_CAUSE.search(_LEAD.sub("", question.strip())))


# the words that frame what a summary is of: "the story of", "the news about", "the Rostec saga"
_FRAME = re.compile(
    r"\b(?:the\s+)?(?:story|stories|news|coverage|situation|saga|affair|reporting|articles?)\b"
    r"(?:\s+(?:of|about|on|around|regarding|concerning)\b)?",
    re.I,
)


# the words that ask whether the articles name something at all: "Which companies are mentioned in the articles?"
_MENTIONED = re.compile(r"\b(?:mention(?:s|ed)?|nam(?:e|es|ed)|cit(?:e|es|ed)|list(?:s|ed)?|appear(?:s|ed)?)\b", re.I)


def topic(question: str) -> str:
    """What a summary or a list is asked of, less the asking: "Summarize the Rostec story." -> "the Rostec"; "Tell
    me about the Lima Group" -> "the Lima Group"; "Which Russian companies are mentioned in the articles?" ->
    "Which Russian companies are in the". Its words are what a passage must hold, not "summarize", "story" or
    "mentioned"."""
    rest = _MENTIONED.sub(" ", _SUMMARIZE.sub("", question, count=1))
    return " ".join(_FRAME.sub(" ", rest).split()).strip(" .?!:") or question


def check_mode(mode: str | None) -> str | None:
    """None or "auto": detect; else one of KINDS (a ValueError names them)."""
    if mode is None or mode == "auto":
        return None
    if mode not in KINDS:
        raise ValueError(f"mode must be auto or one of {', '.join(KINDS)}; got {mode!r}")
    return mode
