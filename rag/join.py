"""Questions that join several articles: "Did TechCrunch report X before The Verge reported Y?", "Which
company, named by both Engadget and Wired, ...?", "Do the BBC and Fortune agree that ...?".

The joining is done here, in code; the reading is left to retrieval and the claim checker:
1. analyse(): the outlets the question names (metadata of the index), the dates and the order it asks
   about, the claim it attributes to each outlet, and the answer it wants (yes/no, one of two options,
   an entity, an outlet);
2. gather(): for each claim, passages retrieved within that outlet's articles (the `source` filter), and
   the checker's verdict on the claim against their sentences;
3. decide(): the answer by its form, citing for each claim the sentence that decided it, with outlet and
   date.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .cite import EXPLAIN_SIMILAR, evidence_of, follows
from .claims import CONTRADICTED, SUPPORTED, ClaimChecker, Verdict
from .errors import BadFilterError
from .lexicon import ALIASES, TITLES, initials
from .stores import matches

# --- 1. question analysis ------------------------------------------------------------------------
YESNO, CHOICE, ENTITY, OUTLET = "yesno", "choice", "entity", "outlet"


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    outlet: str  # the outlet's name as the index's metadata writes it


@dataclass(frozen=True)
class Claim:
    outlets: tuple[str, ...]  # who the question says states it
    text: str  # the statement, as the question words it, without the outlets
    dates: tuple[Day, ...] = ()  # the days the question attaches to it ("published after October 5, 2023")


@dataclass(frozen=True)
class Question:
    text: str
    form: str  # YESNO, CHOICE, ENTITY or OUTLET
    claims: tuple[Claim, ...]
    outlets: tuple[str, ...]  # every outlet named, in order
    order: str | None = None  # "ascending" / "descending": the order the question says its reports came in
    difference: bool = False  # the question asks whether reports differ (changed, disagree, inconsistent)
    relation: bool = False  # the question asks how reports relate (consistent, changed, agree), not what each says
    options: tuple[str, ...] = ()  # CHOICE: the options as the question writes them
    wants: str = ""  # ENTITY: the kind of thing asked for ("person", "company", ...)
    bare: str = ""  # the question without the outlets that it names (what is searched for an entity)
    failed: bool = False  # it asks whether an outlet failed to report something ("Did X fail to report A ...?")
    # ENTITY: the things the question says each outlet reported of the entity ("accused by Fortune of X,
    # claimed by The Verge to Y"), by outlet
    told: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # the difference asked about is a change ("did X change its stance", "was there a difference between the
    # reports"), not a conflict ("inconsistent", "contradict"): reports that say different things differ
    change: bool = False


_QUOTE = "'\"‘’“”"
_DOC = r"(?:articles?|reports?|coverage|piece|story|stories|post|publication|reporting|news|sources)\b"
_FRAME = re.compile(
    r"(?:,?\s*(?:\bas\s+)?(?:(?:recently\s+)?(?:reported|covered|featured|discussed|mentioned|noted|described|"
    r"scrutini[sz]ed|highlighted|detailed)\s+(?:by|in|on)|according\s+to)\s+(?:both\s+)?)?"
    rf"(?:\b(?:the|an?|both)\s+)*(?:(?:{_DOC})\s+(?:from|by|in|of|including|published\s+(?:by|in))\s+(?:both\s+)?)?"
    rf"[{_QUOTE}]?@@(?:['’]s\b|[{_QUOTE}](?:['’]s\b)?)?(?:\s+{_DOC})?",
    re.I,
)
_SAY = re.compile(
    r"^(?:.*?\b)?(?:suggests?|claims?|reports?|reported|states?|stated|indicates?|indicated|implies|implied|says?|"
    r"said|mentions?|mentioned|asserts?|argues?|notes?|noted|highlights?|highlighted|describes?|portrays?|"
    r"attributes?|presents?|discuss(?:es)?|express(?:es)?|explains?|emphasi[sz]es?|attribute|suggest|claim|"
    r"focus(?:es)?\s+on|alleges?|details?|covers?|"
    r"report|state|indicate|imply|say|mention|assert|argue|note|highlight|describe|portray|present|discuss|"
    r"express|explain|emphasi[sz]e)\s+(?:that\s+)?",
    re.I,
)
_SPLIT = re.compile(  # where a question's claims part: not at the comma of a number ("2,000-plus")
    r"\s*(?:,\s*)?\b(?:while|whereas|but|compared\s+(?:to|with)|in\s+contrast\s+to|as\s+opposed\s+to|versus|"
    r"before|after|prior\s+to|"
    r"and\s+(?:then\s+)?(?:later\s+|subsequently\s+)?(?:did|does|do|is|was|has|had)?)\b\s*|\s*(?:;|(?<!\d),|,(?!\d))\s*",
    re.I,
)
_AUX = re.compile(
    r"^\s*(?:(?:after|before|between|following|prior\s+to|given|considering|when|since|according\s+to)\b[^,?]*,\s*)*"
    r"(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would|should)\b",
    re.I,
)
_OPTIONS = re.compile(r"\b([a-z][\w-]+)\s+or\s+(?:an?\s+)?([a-z][\w-]+)\b", re.I)
_OPPOSED = {("same", "different"), ("before", "after"), ("increase", "decrease"), ("higher", "lower"), ("more", "less")}


def _options(q: str) -> tuple[str, ...]:
    """The two answers a question offers ("consistent or inconsistent", "agreement or disagreement")."""
    for m in _OPTIONS.finditer(q):
        a, b = m.group(1), m.group(2)
        x, y = a.lower(), b.lower()
        negated = r"(?:in|dis|un|non-?)"
        if re.fullmatch(negated + re.escape(x), y) or re.fullmatch(negated + re.escape(y), x):
            return (a, b)
        if (x, y) in _OPPOSED or (y, x) in _OPPOSED:
            return (a, b)
    return ()


_WH = re.compile(r"\b(?:who|whom|whose|which|what)\b", re.I)
_ORDER = re.compile(
    r"\b(before|after|since|earlier|later|first|prior\s+to|following|subsequent(?:ly)?|preced\w*)\b", re.I
)
_DIFFERENCE = re.compile(
    r"\b(?:chang\w*|differ\w*|disagree\w*|shift\w*|contradict\w*|inconsisten\w*|contrast\w*|diverg\w*|"
    r"depart\w*|evolv\w*|alter\w*|revers\w*)\b",
    re.I,
)
_FAILED = re.compile(  # "Did X fail to report A", "was A not discussed in X": a report verb negated
    r"\b(?:fail\w*\s+to|neglect\w*\s+to|(?:was|were)\s+[^?]{0,80}?\bnot)\s+(?:\w+\s+)?"
    r"(?:report|mention|cover|discuss|indicate|note|address|highlight)\w*",
    re.I,
)
_ALTERNATIVE = re.compile(
    r",?\s+or\s+(?:do|does|did|are|is|was|were|has|have|had)\s+(?:they|these|the|both|it)\b", re.I
)
_RELATION = re.compile(
    r"\b(?:(?:in)?consisten\w*|portray\w*|depict\w*|(?:dis)?agree\w*|remain\w*\s+(?:the\s+same|consistent|unchanged)|"
    r"(?:was|is)\s+there\s+(?:an?\s+|any\s+|no\s+)?(?:change|shift|difference|alignment)|align\w*|"
    r"chang\w*\s+(?:its|their|the)\s+(?:reporting|coverage|stance|portrayal|view|position|narrative|tone|focus)|"
    r"(?:reporting|coverage|stance|portrayal|narrative|tone|focus)\s+(?:\w+\s+){0,6}?chang\w*)\b",
    re.I,
)
_SAY_VERB = (
    r"(?:suggest|claim|report|state|indicate|impl|say|said|assert|argue|attribute|present|mention|highlight|"
    r"describe|note|express|emphasi|focus\w*\s+on|discuss|allege|detail|cover)\w*\s+(?:that\s+)?"
)
_SAMENESS_Q = re.compile(
    r"\b(?:consisten\w*|remain\w*|agree\w*|align\w*|(?:the\s+)?same\s+(?:as|way)|maintain\w*)\b", re.I
)
_WANTS = (
    (
        "person",
        r"\b(?:who|whom|individual|person|people|player|athlete|ceo|founder|executive|entrepreneur|figure|man|"
        r"woman|artist|singer|actor|actress|coach|quarterback|politician|leader|celebrity)\b",
    ),
    # a product before a company: the small recogniser has no label for many products, and tags "ChatGPT" as nothing
    (
        "product",
        r"\b(?:chatbot|app|application|product|device|gadget|tool|model|game|console|phone|show|series|film|movie|"
        r"software|AI)s?\b",
    ),
    (
        "company",
        r"\b(?:company|companies|firm|corporation|organi[sz]ation|entity|platform|service|business|"
        r"startup|tech\s+giant|giant|brand|retailer|sportsbook|operator|maker|developer|manufacturer|network|"
        r"agency|institution|body|team|club|group|bank|exchange|event)\b",
    ),
    ("place", r"\b(?:country|countries|city|cities|nation|state|region|town|venue|stadium|where)\b"),
)


def mentions(question: str, aliases: dict[str, str]) -> list[Mention]:
    """Where the question names an outlet of the index (longest names first, no overlaps)."""
    from .retrieve import outlet_mentions

    return [Mention(*m) for m in outlet_mentions(question, aliases)]


_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    r"(?:,?\s*(?:(?:which\s+was\s+|that\s+was\s+)?(?:published|released|posted|dated|reported|written)\s+)?"
    r"(?P<prep>on|after|before|by|prior\s+to|since|from|in|as\s+of|around)?\s*(?:the\s+)?(?:date\s+)?)?"
    rf"(?:(?P<m1>{_MONTHS})\s+(?P<d1>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?(?:,?\s+(?P<y1>\d{{4}}))?|"
    rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTHS})(?:,?\s+(?P<y2>\d{{4}}))?|"
    r"['\"‘’“”(]*(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2})[\w:.+'\"‘’“”)-]*)",
    re.I,
)
_NUMBER_OF = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}


@dataclass(frozen=True)
class Day:
    iso: str  # YYYY-MM-DD, or --MM-DD when the question gives no year
    relation: str = "on"  # on, after or before


def _days(text: str) -> list[tuple[int, int, Day]]:
    """The dates a part of the question gives, with "after" / "before" where it says so."""
    out = []
    for m in _DATE.finditer(text):
        g = m.groupdict()
        if g["y3"]:
            iso = f"{g['y3']}-{g['m3']}-{g['d3']}"
        else:
            month = _NUMBER_OF.get((g["m1"] or g["m2"] or "")[:3].lower(), 0)
            day = int(g["d1"] or g["d2"] or 0)
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            iso = f"{g['y1'] or g['y2'] or '-'}-{month:02d}-{day:02d}"
        prep = (g["prep"] or "on").lower()
        rel = (
            "after"
            if prep in ("after", "since", "from")
            else "before"
            if prep in ("before", "by", "prior to")
            else "on"
        )
        out.append((m.start(), m.end(), Day(iso, rel)))
    return out


_LEADING = re.compile(
    r"^(?:\s*(?:(?:there\s+)?(?:(?:an?|any|no)\s+)?(?:inconsistency|consistency|disagreement|agreement|change|difference|"
    r"shift|contradiction|alignment)\s+(?:in|between|from)|there|between|after|before|following|and|while|whereas|but|compared\s+(?:to|with)|in\s+contrast\s+to|"
    r"with|than|then|also|both|the|its|their|his|her|on|about|regarding|concerning|discussing|covering|stating|"
    r"revealing|reporting|subsequent|later|earlier|previous|prior|did|does|do|is|are|was|were|has|have|had|that|"
    r"which|who|another|other|second|third|first|same|in\s+another|one)\b\s*)+",
    re.I,
)
# the question's own clause after the last report ("..., was the reporting consistent?")
_TAIL = re.compile(
    r",\s*(?:was|were|is|are|did|does|do|has|have|had)\s+(?:there|the|it|this|that|they|its|their|coverage|"
    r"reporting|information)\b.*$",
    re.I,
)


# what the question's writer adds about a claim, not what the outlet says: ", indicating a difference in
# focus", "without mentioning the strength of upcoming opponents"
_COMMENT = re.compile(
    r"(?:,\s*|\s+)(?:(?:thus|therefore|so)\s+)?(?:indicating|suggesting|implying|showing|highlighting|reflecting|"
    r"signifying|demonstrating|comparing|contrasting|which\s+(?:indicates|suggests|implies|shows))\b.*$|"
    r"(?:,\s*|\s+)without\s+(?:\w+\s+)?(?:mentioning|specifying|addressing|discussing|attributing|providing|"
    r"referring|noting|detailing|explicitly|any)\b.*$",
    re.I,
)


def _claim_text(segment: str) -> str:
    """A statement from a part of the question: the outlets, dates and the reporting frame taken out."""
    text = re.sub(r"@@", " ", _FRAME.sub("@@", segment) if "@@" in segment else segment)
    for a, b, _ in reversed(_days(text)):
        text = text[:a] + " " + text[b:]
    text = _TAIL.sub("", text)
    text = _COMMENT.sub("", text)
    text = re.sub(r"\s+", " ", text)
    for _ in range(3):
        text = _LEADING.sub("", text.lstrip(" ,;:"))
        m = _SAY.match(text)
        if m and len(text) - m.end() > 12:
            text = text[m.end() :]
    text = re.sub(r"\s+", " ", text).strip(f" ,.;:?{_QUOTE}")
    return text[:1].upper() + text[1:] if text else ""


def analyse(question: str, aliases: dict[str, str]) -> Question | None:
    """The question's outlets, claims, dates, order and the form of answer it wants. A question naming no
    outlet is None (not a question about what named outlets reported), unless it describes one person or
    thing by several clauses (`_described`): an entity of the whole collection."""
    found = mentions(question, aliases)
    if not found:
        return _described(question.strip())
    q = question.strip()
    outlets = tuple(dict.fromkeys(m.outlet for m in found))
    # the parts of the question, each about the outlets it names: cut between two mentions at the last
    # connective ("while", "compared to", ", and") between them
    cuts = [0]
    for a, b in itertools.pairwise(found):
        between = q[a.end : b.start]
        seps = list(_SPLIT.finditer(between))
        # a connective cuts after a part that says something, not after "the article published" alone
        seps = [s for s in seps if _says(between[: s.start()])]
        if seps:
            cuts.append(a.end + seps[-1].start())
    cuts.append(len(q))
    claims = []
    for lo, hi in itertools.pairwise(cuts):
        segment = q[lo:hi]
        named = [m for m in found if lo <= m.start < hi]
        if not named:
            continue
        days = _days(segment)
        # two reports in one part ("their report on X on October 13 compared to their report on Y on
        # October 25"): cut at the last connective between the two dates
        bounds = [(lo, hi, days)]
        if len(days) >= 2:
            seps = list(_SPLIT.finditer(segment, days[0][1], days[1][0]))
            if seps:
                cut = lo + seps[-1].start()
                bounds = [(lo, cut, days[:1]), (cut, hi, days[1:])]
        outlets_ = tuple(dict.fromkeys(m.outlet for m in named))
        for start, end, days_ in bounds:
            marked = q[start:end]
            for m in sorted((m for m in named if start <= m.start < end), key=lambda m: -m.start):
                marked = marked[: m.start - start] + "@@" + marked[m.end - start :]
            claims.append(Claim(outlets_, _claim_text(marked), tuple(d for _, _, d in days_)))
    years = {d.iso[:4] for c in claims for d in c.dates if not d.iso.startswith("-")}
    if len(years) == 1:  # "October 28" in a question that says 2023 elsewhere
        year = years.pop()
        claims = [
            Claim(
                c.outlets,
                c.text,
                tuple(Day(year + d.iso[1:], d.relation) if d.iso.startswith("-") else d for d in c.dates),
            )
            for c in claims
        ]
    order = _order(q, found)
    form = YESNO
    opts = _options(q)
    wh = _WH.search(q)
    if opts:
        form = CHOICE
    elif not _AUX.match(q) and wh is not None and wh.start() < len(q) // 2 + 40 and not _asks_after(q, wh):
        form = ENTITY
        head = q[wh.start() : wh.start() + 60]
        if re.search(
            r"\b(?:outlet|publication|source|news\s+(?:source|outlet|organization)|newspaper|website)\b", head, re.I
        ):
            form = OUTLET
    wants = _wants(q, wh) if form == ENTITY and wh is not None else ""
    return Question(
        q,
        form,
        tuple(claims),
        outlets,
        order,
        _asks_difference(q),
        _asks_relation(q, found),
        opts,
        wants,
        _bare(q, found),
        _FAILED.search(q) is not None,
        _told(q, found) if form == ENTITY else (),
        _asks_change(q),
    )


# the yes/no question after a long opening ("After the report from Fortune ..., which described ..., did
# TechCrunch ...?", "Between ... and the article detailing what was learned ..., was there a change ...?")
_MAIN_AUX = re.compile(r",\s*(?:(?:did|does|do|has|have|had)\s+(?:the\s+)?[A-Z'‘\"“]|(?:was|were|is|are)\s+there\b)")


def _asks_after(q: str, wh: re.Match[str]) -> bool:
    """Whether the question word is a relative pronoun in an opening clause ("which described", "what was
    learned"), before the yes/no question itself; not "which NFL team ..., does Patrick Queen play for?"."""
    relative = re.match(r"\s+(?:\w+ed|was|were|is|are|has|have|had)\b", q[wh.end() :], re.I)
    return wh.start() > 0 and relative is not None and _MAIN_AUX.search(q, wh.end()) is not None


def _wants(q: str, wh: re.Match[str]) -> str:
    """The noun the question word asks for ("which company", "who", "what is the name of the team")."""
    for head in (q[wh.start() : wh.start() + 30], q[wh.start() : wh.start() + 70]):
        wants = next((kind for kind, pattern in _WANTS if re.search(pattern, head, re.I)), "")
        if wants:
            return wants
    return ""


# "Which company ...", "Who is the individual ...": a question that describes what it asks for, not "Who sat on
# the board when ..., and who was named ...?" (two questions, for the reader)
_DESCRIBED = re.compile(
    r"(?:which|what)\s+(?!(?:is|was|are|were|did|does|do|has|have|had)\b)\w+|"
    r"(?:who|what)\s+(?:is|was|are|were)\s+(?:the|an?)\s+(?:name\s+of\s+the\s+)?\w+",
    re.I,
)


def _described(q: str) -> Question | None:
    """A question, naming no outlet, for the one person or thing that it describes by several things ("Who is
    the individual under 30, once considered the richest ..., who has pleaded not guilty ...?"): it is answered
    as an entity found in the whole collection. A short question ("Who founded FTX?") is not: the reader
    answers it."""
    wh = _WH.search(q)
    if wh is None or wh.start() > 0 or not _DESCRIBED.match(q) or len(clauses(q)) < 2:
        return None
    wants = _wants(q, wh)
    if not wants:
        return None
    return Question(q, ENTITY, (Claim((), q),), (), wants=wants, bare=q)


def _order(q: str, found: list[Mention]) -> str | None:
    """The order the question says its reports came in: "ascending" (the first report it names came first),
    "descending", or None. A date's own "after" ("published after October 5") is not an order of reports."""
    # "..., did Y report B before that date?": the later-named report's place, said outright, decides
    back = re.search(r"\b(before|after|prior\s+to)\s+(?:that|this|then)\s+(?:date|day|time|report)?\s*[?.]?$", q, re.I)
    if back:
        return "ascending" if back.group(1).lower() == "after" else "descending"
    dated = [(a, b) for a, b, _ in _days(q)]
    # an order word about reports ("before The Verge reported", "the subsequent report"), not one inside a
    # claim ("earlier in his career")
    reports = re.compile(rf"^[^,;?]{{0,60}}?(?:\b(?:{_DOC}|reported|published)|@@)", re.I)
    marked = q
    for x in sorted(found, key=lambda x: -x.start):
        marked = marked[: x.start] + "@@".ljust(x.end - x.start) + marked[x.end :]
    words = [
        w
        for w in _ORDER.finditer(q)
        if not any(a <= w.start() < b for a, b in dated) and reports.match(marked[w.end() : w.end() + 80])
    ]
    if any(w.group(1).lower() in ("later", "following", "subsequent", "subsequently", "first") for w in words):
        return "ascending"  # "the subsequent report by Y": Y's came second
    for w in words:
        leading = w.start() < found[0].start  # "After X reported A, did Y ...": X is the earlier report
        if w.group(1).lower() in ("after", "since"):
            return "ascending" if leading else "descending"
        return "descending" if leading else "ascending"  # before, earlier, prior to, preceding
    return None


def _says(part: str) -> bool:
    """Whether a part of the question holds a word beyond the frame of a report ("'s article published")."""
    words = re.findall(r"[a-z]{3,}", re.sub(_DOC, " ", part.lower()))
    return any(w not in _FRAME_WORDS for w in words)


_FRAME_WORDS = frozenset(["published", "posted", "released", "written", "the", "from", "that", "and", "which"])


def _asks_difference(q: str) -> bool:
    """Whether the question asks if reports differ ("did X change", "was there inconsistency"), not whether
    they are the same ("was there no change", "remained consistent"). Of two alternatives ("Do they agree
    ..., or do they report different amounts?"), the first is the question."""
    q = _ALTERNATIVE.split(q, maxsplit=1)[0]
    m = _DIFFERENCE.search(q)
    if m is None:
        return bool(
            re.search(
                r"\b(?:fail\w*|lack\w*|cease\w*|stop\w*)\s+(?:to\s+)?(?:\w+\s+)?(?:maintain|keep|stay|remain|show)",
                q,
                re.I,
            )
        )
    return not re.search(r"\b(?:no|not|without|never|n[’']t)\s+(?:\w+\s+)?$", q[: m.start()], re.I)


_CHANGE = re.compile(r"chang\w*|shift\w*|evolv\w*|alter\w*|depart\w*|differ\w*", re.I)


def _asks_change(q: str) -> bool:
    """Whether the difference the question asks about is a change in what is reported ("was there a change in the
    portrayal", "a different allegation"), which two reports saying different things make, rather than a conflict
    ("inconsistent", "contradict", "disagree"), which only a contradiction makes."""
    m = _DIFFERENCE.search(_ALTERNATIVE.split(q, maxsplit=1)[0])
    return m is not None and _CHANGE.fullmatch(m.group(0)) is not None


def _asks_relation(q: str, found: list[Mention]) -> bool:
    """Whether the question asks how reports relate (consistent, changed, agree) rather than what each says:
    it names reports by their topic ("the report on X") and asks about sameness or change."""
    if not (_DIFFERENCE.search(q) or _SAMENESS_Q.search(q)):
        return False
    says = 0
    for m in found:
        after = q[m.end : m.end + 60]
        says += bool(re.match(rf"[{_QUOTE}]?(?:['’]s)?\s+(?:\w+\s+){{0,2}}?{_SAY_VERB}", after, re.I))
    return says == 0 or bool(_RELATION.search(q))


# where a question's clauses part (not at the comma of "2,000")
_CLAUSE = re.compile(r"(?<!\d),|,(?!\d)|;|\b(?:and|while|but|who|which|that)\b")
CLAUSE_WORDS = 3  # a part of fewer words says nothing of its own ("as reported by @@", "and")


def _marked(question: str, found: list[Mention]) -> str:
    """The question with each outlet it names written "@@" (what _FRAME finds the reporting frame around)."""
    for m in sorted(found, key=lambda m: -m.start):
        question = question[: m.start] + "@@" + question[m.end :]
    return question


def _unframed(marked: str) -> str:
    """A marked text without its outlets and their reporting frame ("as reported by @@")."""
    return re.sub(r"\s+", " ", _FRAME.sub(" ", marked).replace("@@", " ")).strip()


def _bare(question: str, found: list[Mention]) -> str:
    return _unframed(_marked(question, found))


def _told(question: str, found: list[Mention]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What the question says each outlet reported, clause by clause: a clause naming an outlet is that
    outlet's ("reported by TechCrunch to have offered ..."); a clause that only names outlets ("as discussed
    on TalkSport", "as reported by Fortune, The Verge, and TechCrunch") gives them the clauses before it that
    name none; a clause after the last one naming outlets is every outlet's."""
    order = iter(m.outlet for m in found)
    pieces: list[tuple[str, list[str]]] = []  # (what a clause says, the outlets it is told by)
    waiting: list[int] = []  # clauses naming no outlet since the last one that did
    given: list[int] = []  # the clauses the last attribution gave its outlets to ("Fortune, The Verge, and ...")
    for segment in _CLAUSE.split(_marked(question, found)):
        named = [next(order) for _ in range(segment.count("@@"))]
        said = _unframed(segment).strip(" ?.")
        if len(said.split()) >= CLAUSE_WORDS:
            pieces.append((said, named))
            waiting = [] if named else [*waiting, len(pieces) - 1]
            given = []
        elif named:
            given = waiting or given
            waiting = []
            for i in given:
                pieces[i][1].extend(named)
    everything = tuple(said for said, _ in pieces)
    # a clause after the last attribution names no outlet ("..., as reported by both The Verge and TechCrunch, and is
    # accused by prosecutors of committing fraud"): any of them may have reported it, so each outlet has it too
    unowned = tuple(said for said, outlets in pieces if not outlets)
    return tuple(
        (o, own + unowned if (own := tuple(said for said, outlets in pieces if o in outlets)) else everything)
        for o in dict.fromkeys(m.outlet for m in found)
    )


# --- 2. evidence per claim ---------------------------------------------------------------------------
@dataclass
class Finding:
    claim: Claim
    outlet: str
    verdict: Verdict
    passage: Any = None  # the Passage whose sentence decided it
    sentence: tuple[int, int] = (0, 0)  # offsets of that sentence in the article
    date: str = ""
    top: float = 0.0  # the retrieval similarity of the best passage found within the outlet
    topic: bool = False  # the claim names a topic (no verb: "Google's impact on news"), not a statement


@dataclass
class Evidence:
    question: Question
    findings: list[Finding] = field(default_factory=list)
    passages: list[Any] = field(default_factory=list)  # everything retrieved, per outlet, in order


def gather(
    q: Question,
    search: Callable[[str, dict[str, str], int], list[Any]],
    checker: ClaimChecker,
    k: int = 4,
) -> Evidence:
    """Retrieve within each named outlet for each claim and check the claim there."""
    from .parse import analyse_many
    from .retrieve import check_filters

    ev = Evidence(q)
    seen: set[tuple[str, int]] = set()

    def keep(passages: list[Any]) -> None:  # each passage once, in the order found
        for p in passages:
            if (p.source, p.start) not in seen:
                seen.add((p.source, p.start))
                ev.passages.append(p)

    def by_clause(filters: dict[str, str], parts: Sequence[str] = (), k: int = 1) -> list[Any]:
        # an entity is also searched by each thing the question says of it: a long question is close to no one
        # passage, each of its clauses to the passage that says it
        return [p for part in (parts or clauses(q.bare)) for p in search(part, filters, k)]

    if not q.outlets:  # an entity described by a question naming no outlet: searched in the whole collection
        keep(search(q.bare, {}, k) + by_clause({}))
        return ev
    told = dict(q.told)
    for claim in q.claims:
        for outlet in claim.outlets:
            filters = {"source": outlet}
            if len(claim.dates) == 1 and not claim.dates[0].iso.startswith("-"):
                day = claim.dates[0]
                filters[{"on": "date", "after": "after", "before": "before"}[day.relation]] = day.iso
                try:
                    check_filters(filters)
                except BadFilterError:  # a day that does not exist ("February 30"): the outlet alone
                    filters = {"source": outlet}
            text = claim.text or q.bare  # a report named by its outlet and date alone: about the question's topic
            # an entity is searched by all the question says of it; a report the question compares, by its
            # topic and what the comparison is about
            query = q.bare if q.form in (ENTITY, OUTLET) else f"{text}. {q.bare}" if q.relation else text
            passages = search(query, filters, k)
            if not passages and len(filters) > 1:  # no article of that outlet on that day: the outlet's nearest
                passages = search(query, {"source": outlet}, k)
            if q.form == ENTITY:  # chosen from the passages (entity()): there is no claim to check
                # within an outlet, by the things the question says that outlet reported ("accused by Fortune of X"):
                # the outlet has several articles on one story, and the one the question draws on says them
                keep(passages + by_clause(filters, told.get(outlet, ()), TOLD_K))
                continue
            keep(passages)
            sents = evidence_of(passages)
            if not sents:
                ev.findings.append(Finding(claim, outlet, Verdict("not found", 0.0, None), None))
                continue
            v = checker.check(text, [s[3] for s in sents], follows(sents))
            if v.sentence is None:
                ev.findings.append(Finding(claim, outlet, v, passages[0], (passages[0].start, passages[0].start)))
                continue
            window = [sents[j] for j in v.sentences]  # the deciding sentence, or two that follow each other
            if passages[window[0][0]].source != passages[0].source:
                # the article the search ranked first for this claim decides it the same way: cite it (several
                # articles of one outlet often tell the same story; the first is the one the claim is about)
                top = [j for j, s in enumerate(sents) if passages[s[0]].source == passages[0].source]
                first = checker.check(text, [sents[j][3] for j in top], follows(sents, top))
                if first.label == v.label and first.sentence is not None:
                    v = first
                    window = [sents[top[j]] for j in first.sentences]
            pi, s0, s1 = window[0][0], window[0][1], window[-1][2]
            p = passages[pi]
            topic = not analyse_many([text])[0].asserts  # "A situation where the coach chose ...": no verb at its root
            ev.findings.append(
                Finding(claim, outlet, v, p, (s0, s1), p.metadata.get("date", ""), passages[0].score, topic)
            )
    return ev


# --- 3. the answer ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cited:
    passage: Any
    start: int  # offsets of the deciding sentence in the article
    end: int
    outlet: str
    date: str


@dataclass(frozen=True)
class Result:
    text: str  # one short sentence, with [n] markers into `cited`
    cited: tuple[Cited, ...]
    declined: bool = False
    verdict: str = ""  # "yes", "no", an option, the entity or outlet; "" when declined


_PERSON_LABELS = ("PERSON",)
# passages searched within an outlet for each thing the question says it reported (1, 2 and 3 measured on the tune
# half of MultiHop-RAG's inference queries: 2 finds the articles the questions draw on most often; docs/answers.md)
TOLD_K = 2
# a sentence counts by the 4th power of its closeness: a few that say what the question says outweigh many
# that merely name the candidate (fitted on the tune half: 0.68 -> 0.71 there, with 1, 2, 4, 8 tried)
CLOSENESS_POWER = 4
MISFIT = 0.5  # a company or place of another kind than asked for counts half (the parser mislabels those names)
_THING_LABELS = ("ORG", "PRODUCT", "WORK_OF_ART", "EVENT", "FAC", "LAW")
_PLACE_LABELS = ("GPE", "LOC", "FAC")


def clauses(text: str) -> list[str]:
    """The things a question says of the entity it asks for, one clause each."""
    return [c for c in _CLAUSE.split(text) if len(c.split()) >= CLAUSE_WORDS]


def _words(text: str) -> set[str]:
    from .lexicon import fold

    return {fold(w) for w in re.findall(r"[\w’'-]+", text)}


def _where(outlet: str, date: str) -> str:
    return f"{outlet} ({date})" if date else outlet


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def outlet(q: Question, ev: Evidence) -> Result:
    """Which of the named outlets reported it (first, when the question asks for an order)."""
    good = [f for f in ev.findings if f.verdict.label == SUPPORTED]
    if not good:
        return Result("", (), True)
    if q.order is not None and all(f.date for f in good):
        pick = min(good, key=lambda f: f.date)
    else:
        pick = max(good, key=lambda f: f.verdict.score)
    cited, refs = _cite([pick])
    return Result(f"{pick.outlet}, {refs[0]}.", tuple(cited), False, pick.outlet)


def entity(q: Question, ev: Evidence, checker: ClaimChecker, article: Callable[[str], str] | None = None) -> Result:
    """The one entity that the named outlets' passages share: scored by how many of the outlets have it in
    a retrieved passage, and how close those passages are to the question. `article`: an article's whole text
    by its id, where the full name is looked up."""
    from .parse import analyse_many

    # the question's own words are not answers, nor are the parts of its hyphenated words ("AI-powered")
    asked = _words(q.text)
    asked |= {part for w in asked for part in w.split("-") if part}
    outlets = {o.lower() for o in q.outlets}
    # a proper name the recogniser tagged as nothing ("PROPN") is a candidate only where a product is asked for
    labels = {
        "person": _PERSON_LABELS,
        "product": (*_THING_LABELS, "PROPN"),
        "company": _THING_LABELS,
        "place": _PLACE_LABELS,
    }.get(q.wants)
    sents = evidence_of(ev.passages)
    parsed = analyse_many([s[3] for s in sents])
    # every mention of a name, by its words; the kind of a name is what most of its mentions say,
    # and a surname alone ("Bankman-Fried", often tagged as an organisation) counts for the full name
    mentions_: dict[str, list[tuple[int, str, str]]] = {}  # key -> [(sentence, written, label)]
    for j, a in enumerate(parsed):
        for name, label in a.entities:
            if label == "PROPN" and q.wants != "product":
                continue
            words = _words(name) - {"the"}
            if not words or words <= asked or name.lower() in outlets or len(name) < 2:
                continue
            mentions_.setdefault(" ".join(sorted(words)), []).append((j, name, label))
    people = {k for k, ms in mentions_.items() if any(m[2] == "PERSON" for m in ms)}
    for short in sorted(mentions_, key=len):
        longer = [k for k in people if k in mentions_ and set(short.split()) < set(k.split())]
        nested = all(
            set(a.split()) <= set(b.split()) or set(b.split()) <= set(a.split()) for a in longer for b in longer
        )
        if longer and nested:  # not "Sam" when both Sam Altman and Sam Bankman-Fried are named
            into = max(longer, key=lambda k: len(mentions_[k]))
            mentions_[into] += mentions_.pop(short)
            people.discard(short)
    texts: dict[str, str] = {}  # each article read once

    def whole(source: str) -> str:
        if source not in texts:
            texts[source] = article(source) if article is not None else ""
        return texts[source]

    if q.wants == "person" and article is not None:
        # a surname that the small recogniser takes for an organisation ("Bankman-Fried" alone, wherever the passages
        # found never write the full name) is a person where its articles write it in full as a person's name
        for key in [k for k in mentions_ if k not in people]:
            written = Counter(w for _, w, _ in mentions_[key]).most_common(1)[0][0]
            sources = dict.fromkeys(ev.passages[sents[j][0]].source for j, _, _ in mentions_[key])
            full = full_name(written, "\n".join(whole(s) for s in sources))
            if full != written and "PERSON" in dict(analyse_many([full])[0].entities).values():
                people.add(key)

    def fits(key: str) -> bool:  # of the kind asked for (the small parser's labels are a guide, not a rule)
        if labels is None:
            return True
        return (key in people) == (labels == _PERSON_LABELS) and (
            key in people or any(m[2] in labels for m in mentions_[key])
        )

    if not mentions_:
        return Result("", (), True)

    # what the question says of the entity is said in the sentences that name it: a candidate gathers the
    # closeness to the question of every sentence naming it, over the named outlets it is found in
    vectors = checker.vectors([q.text] + [s[3] for s in sents])
    parts = clauses(q.bare)
    clause_vectors = checker.vectors(parts or [q.bare]) if vectors is not None else None
    if vectors is None or clause_vectors is None:
        close = [1.0] * len(sents)
    else:  # how closely a sentence says one of the things the question says (its clauses)
        close = [max(0.0, max(float(c @ v) for c in clause_vectors)) for v in vectors[1:]]

    def rank(key: str) -> tuple[float, ...]:
        js = {j for j, _, _ in mentions_[key]}
        # the named outlets that name it, as the source filter matches them ("The Independent": any section)
        found_in = sum(any(matches(ev.passages[sents[j][0]].metadata, {"source": o}) for j in js) for o in q.outlets)
        said = sum(close[j] ** CLOSENESS_POWER for j in js)
        if q.wants == "person":  # the parser tells people apart well: a person is asked, a person answers
            return (float(fits(key)), found_in, said)
        return (found_in, said * (1.0 if fits(key) else MISFIT))

    best = max(mentions_, key=rank)
    counts: dict[str, int] = {}
    with_the: dict[str, int] = {}
    for _, w, _ in mentions_[best]:
        bare = w.removeprefix("the ")
        counts[bare] = counts.get(bare, 0) + 1
        with_the[bare] = with_the.get(bare, 0) + (bare != w)
    name = max(counts, key=lambda w: (len(w.split()) > 1, counts[w], len(w)))
    if with_the[name] * 2 >= counts[name]:  # "the Federal Reserve", as the articles mostly write it
        name = f"the {name}"
    # the full name, as the passages write it, or for a person the whole articles they come from (a story
    # names "Taylor Swift" once, then "Swift")
    told = list(dict.fromkeys(s[3] for s in sents))  # each sentence once
    labels_ = Counter(m[2] for m in mentions_[best])
    person = q.wants == "person" or 2 * labels_["PERSON"] > sum(labels_.values())  # asked for, or mostly tagged
    if article is not None and person:
        told += [whole(a) for a in dict.fromkeys(ev.passages[sents[j][0]].source for j, _, _ in mentions_[best])]
    name = full_name(name, "\n".join(told))
    naming = [j for j, _, _ in mentions_[best]]  # the sentences that name it
    cited: list[Cited] = []

    told_vectors = {o: checker.vectors(list(c)) for o, c in q.told if c}

    def said(j: int, outlet: str = "") -> float:  # how closely a sentence naming it says one of the things the
        # question says of it (that the question says `outlet` reported)
        cs = told_vectors.get(outlet)
        cs = cs if cs is not None else clause_vectors
        if cs is None or vectors is None:
            return ev.passages[sents[j][0]].score
        return max(float(c @ vectors[j + 1]) for c in cs)

    # for each named outlet, its sentence that says most closely one of the things the question says that outlet
    # reported; with no outlet named, that sentence of all
    if q.outlets:
        groups = [
            (o, [j for j in naming if matches(ev.passages[sents[j][0]].metadata, {"source": o})]) for o in q.outlets
        ]
    else:
        top = max(naming, key=said)
        groups = [(ev.passages[sents[top][0]].metadata.get("source", ""), [top])]
    for outlet, js in groups:
        if not js:
            continue
        j = max(js, key=lambda j: said(j, outlet))
        p = ev.passages[sents[j][0]]
        cited.append(Cited(p, sents[j][1], sents[j][2], outlet, p.metadata.get("date", "")))
    if not cited:
        return Result("", (), True)
    name = f"{name[:1].upper()}{name[1:]}"
    if not q.outlets and not _described_holds(q, name, [sents[j][3] for j in naming], checker, follows(sents, naming)):
        return Result("", (), True)
    if not any(c.outlet for c in cited):  # articles without an outlet in their metadata
        return Result(f"{name}. [1]", tuple(cited[:1]), False, name)  # as the reader writes a name
    refs = [f"{_where(c.outlet, c.date)} [{n}]" for n, c in enumerate(cited, 1)]
    return Result(f"{name}, according to {_join(refs)}.", tuple(cited), False, name)


_WH_HEAD = re.compile(r"^\s*(?:who|whom|(?:which|what)\s+[\w-]+)\b", re.I)  # "Who", "Which company"


def _described_holds(
    q: Question, name: str, sentences: list[str], checker: ClaimChecker, adjacent: Sequence[bool] | None = None
) -> bool:
    """Whether the sentences that name the entity state most of the things a question naming no outlet says of
    it, each said of the entity ("Juan Guaido is the Brazilian president", "Juan Guaido offered to mediate
    ..."): a name that only stands near the question's words is no answer. (With outlets named, the outlets'
    own passages vouch for it.)"""
    parts = clauses(q.bare)
    statements = [_WH_HEAD.sub(name, c).strip() if _WH_HEAD.match(c) else f"{name} {c.strip()}" for c in parts]
    held = sum(v.label == SUPPORTED for v in checker.check_all(statements, sentences, adjacent))
    return 2 * held > len(statements)


_NAME_WORD = r"[A-Z](?:[\w'’-]|\.(?=\w))*(?<!['’]s)(?<!['’])"  # a capitalised word, not a possessive ("Zealand’s")
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those"})
_SENTENCE_START = set(".!?:;\"“”'‘’\n()[]|-–—")  # after these (or at the start of the text) a sentence begins


def _name_word(word: str, at: int, text: str) -> bool:
    """Whether a capitalised word is part of a name: any word is capitalised at the start of a sentence ("When
    Google ..."), where it counts only if the text never writes it in lower case ("Brock Purdy threw ...")."""
    i = at - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i >= 0 and text[i] not in _SENTENCE_START:
        return True
    return word.lower() not in _DETERMINERS and not _lower_in(word.lower(), text)


@functools.lru_cache(maxsize=64)
def _lower_in(word: str, text: str) -> bool:
    """Whether the text writes the word in lower case (asked once per word and text)."""
    return re.search(rf"\b{re.escape(word)}\b", text) is not None


def full_name(name: str, text: str) -> str:
    """The entity's name in full, as the passages write it, for a short form the parser found:
    - a surname or a last word: the longer name ending with it that the passages write, word by word
      ("Purdy" -> "Brock Purdy", "Blacks" -> "All Blacks", "United" -> "Manchester United"), where at least
      two of the passages' sentences write it; of several ("Sam Altman", "Jack Altman") the one written most often;
    - an abbreviation: the run of capitalised words whose initials it is ("HSF" -> "Hipgnosis Songs Fund
      (HSF)", "SBF" -> "Sam Bankman-Fried (SBF)"), or, when the passages hold none, a known alias whose
      first word it begins ("the Fed" -> "the Federal Reserve (the Fed)").
    A name with no longer form in the passages is returned as it is."""
    the = "the " if name.lower().startswith("the ") else ""
    bare = name[len(the) :]
    if re.fullmatch(r"[A-Z]{2,6}", bare) or (" " not in bare and bare.lower() in ALIASES):
        runs = re.findall(rf"{_NAME_WORD}(?:[ \t]+(?:of[ \t]+)?{_NAME_WORD})+", text)
        full = [r for r in runs if initials(r) == bare.lower() and r.split()[0].lower() not in _DETERMINERS]
        if full:
            return f"{max(set(full), key=lambda r: (full.count(r), len(r)))} ({bare})"
        alias = ALIASES.get(bare.lower(), "")
        if len(alias.split()) > 1 and alias.split()[0].startswith(bare.lower()):
            m = re.search(r"\b" + r"\s+".join(map(re.escape, alias.split())) + r"\b", text, re.I)
            return f"{the}{m.group(0) if m else alias.title()} ({name})"
    for step in range(2):  # "Blacks" -> "All Blacks"; at most two words more
        written = Counter(  # longer form -> how many times the text writes it (on one line)
            m.group(0)
            for m in re.finditer(rf"({_NAME_WORD})[ \t]+{re.escape(bare)}\b", text)
            if m.group(1).lower() not in _DETERMINERS | TITLES
            and m.group(1) != bare.split()[0]  # "Valve Valve": a heading run into the text
            and _name_word(m.group(1), m.start(), text)
        )
        good = {k: n for k, n in written.items() if n >= 2}  # once may be a table's run-on ("by Sportsline Brock")
        if step and good:  # a second word more ("New Zealand All Blacks") only where the text mostly writes it so
            times = len(re.findall(rf"\b{re.escape(bare)}\b", text))
            good = {k: n for k, n in good.items() if 2 * n > times}
        if not good:
            break
        bare = max(good, key=lambda k: (good[k], len(k)))
    return name if bare == name[len(the) :] else f"{the}{bare}"


def _cite(findings: Sequence[Finding]) -> tuple[list[Cited], list[str]]:
    """One citation per finding with a deciding sentence (the same sentence once), and its place in words."""
    cited: list[Cited] = []
    refs: list[str] = []
    seen: set[tuple[str, int, int]] = set()  # a sentence by its article and place: found by two searches, the
    for f in findings:  # passages holding it differ (their scores, or overlapping chunks)
        if f.passage is None or f.sentence[0] == f.sentence[1]:
            continue
        if (f.passage.source, *f.sentence) not in seen:
            seen.add((f.passage.source, *f.sentence))
            cited.append(Cited(f.passage, f.sentence[0], f.sentence[1], f.outlet, f.date))
            refs.append(f"{_where(f.outlet, f.date)} [{len(cited)}]")
    return cited, refs


def _order_holds(q: Question, ev: Evidence) -> bool | None:
    """For "did A report X before B reported Y": whether the dates of the articles where the claims hold are in
    that order; None when the question asks no order or the dates are missing."""
    if q.order is None or len(q.claims) < 2:
        return None
    first = [f.date for f in ev.findings if f.claim == q.claims[0] and _holds(f) and f.date]
    second = [f.date for f in ev.findings if f.claim == q.claims[-1] and _holds(f) and f.date]
    if not first or not second or first[0] == second[0]:
        return None
    return (first[0] < second[0]) == (q.order == "ascending")


def _stated(ev: Evidence) -> list[tuple[Finding, str]]:
    """Each finding that has a deciding sentence, with that sentence."""
    return [
        (f, f.passage.text[f.sentence[0] - f.passage.start : f.sentence[1] - f.passage.start])
        for f in ev.findings
        if f.passage is not None and f.sentence[0] < f.sentence[1]
    ]


def _agree(ev: Evidence, checker: ClaimChecker) -> Finding | None:
    """The finding whose sentence another outlet's sentence contradicts (the reports disagree), or None."""
    found = _stated(ev)
    for i, (a, sa) in enumerate(found):
        for b, sb in found[i + 1 :]:
            if a.claim != b.claim and a.outlet == b.outlet and a.date == b.date:
                continue
            if checker.check(sa, [sb]).label == CONTRADICTED:
                return b
    return None


def _repeats(ev: Evidence, checker: ClaimChecker) -> bool:
    """Whether one report's sentence says what another report's does (the checker supports the one by the other):
    the reports say the same thing. A report is a claim within an outlet ("Do The Age and FOX News suggest ...?"
    names two reports of one claim); a sentence found for two reports says nothing of their agreeing."""
    found = _stated(ev)
    for a, sa in found:
        for b, sb in found:
            same_report = (a.claim, a.outlet) == (b.claim, b.outlet)
            same_sentence = (a.passage.source, a.sentence) == (b.passage.source, b.sentence)
            if not (same_report or same_sentence) and checker.check(sa, [sb]).label == SUPPORTED:
                return True
    return False


def yesno(q: Question, ev: Evidence, checker: ClaimChecker) -> Result:
    """Yes or no (or one of the question's two options).

    - A question about what each outlet says ("Does X report A, while Y says B?"): yes when every claim is
      supported, no when one is contradicted or the dates are in the wrong order, else the articles don't say.
    - A question about how the reports relate ("was the reporting consistent?", "did X change its stance?"):
      each outlet's report must be found; they fit together unless the checker finds one contradicting another
      (the answer says they agree only when one report's sentence says what another's does). Asked about a change
      ("was there a change in the portrayal ...?"), they are the same only where one says what another does.
    """
    contradicted = [f for f in ev.findings if f.verdict.label == CONTRADICTED]
    holding = [f for f in ev.findings if _holds(f)]
    claims_ok = all(any(f.claim == c for f in holding) for c in q.claims)
    order = _order_holds(q, ev)
    if q.relation or q.form == CHOICE:
        # each report the question names must be found: a passage of that outlet (on that day) about its topic
        if not all(any(f.claim == c and _found(f) for f in ev.findings) for c in q.claims):
            return Result("", (), True)
        # the reports fit together (consistent) unless the checker finds one contradicting another; the answer says
        # they agree only where one report's sentence says what another's does. What was reported is unchanged only
        # where it is said again: a later report that says something else is a change, though it contradicts nothing
        against = _agree(ev, checker)
        repeats = against is None and _repeats(ev, checker)
        same = against is None and (repeats or not q.change)
        # each report the question names is cited: by the sentence that supports its claim, else by the one found
        # for it (a report cited by the other's support alone left the reader one side of the comparison)
        cited, refs = _cite(
            [
                f
                for c in q.claims
                for f in (
                    [g for g in ev.findings if g.claim == c and g.verdict.label == SUPPORTED]
                    or [g for g in ev.findings if g.claim == c and _found(g)]
                )
            ]
        )
        if q.form == CHOICE and q.options:
            pick = _option(q.options, same)
            return Result(f"{pick[:1].upper()}{pick[1:]}: {_join(refs)}.", tuple(cited), False, pick)
        yes = same != q.difference
        agree = "align" if re.search(r"\balign", q.text, re.I) else "agree"
        if against is not None:
            how = "the reports disagree"
        elif repeats:
            how = f"the reports {agree}"
        elif q.change:
            how = "the reports say different things"
        elif re.search(r"\b(?:dis)?agree|\balign", q.text, re.I):  # the question's own word, and what it rests on
            how = f"the reports {agree} in that neither contradicts the other"
        else:  # what was checked is that neither contradicts the other, not that they say the same
            how = "neither report contradicts the other"
        return Result(f"{'Yes' if yes else 'No'}: {how}, {_join(refs)}.", tuple(cited), False, "yes" if yes else "no")
    cited, refs = _cite(contradicted[:1])
    if refs:
        return Result(f"No: {refs[0]} says otherwise.", tuple(cited), False, "no")
    if claims_ok and q.failed:  # "Did X fail to report A (before Y reported B)?": it reported it (in time) or not
        cited, refs = _cite(holding)
        if order is False:
            return Result(f"Yes: it was reported only later, {_join(refs)}.", tuple(cited), False, "yes")
        return Result(f"No: it was reported, according to {_join(refs)}.", tuple(cited), False, "no")
    if claims_ok and order is False:
        cited, refs = _cite(holding)
        return Result(f"No: the order of the reports is the other way round, {_join(refs)}.", tuple(cited), False, "no")
    if claims_ok:
        cited, refs = _cite(holding)
        return Result(f"Yes, according to {_join(refs)}.", tuple(cited), False, "yes")
    return Result("", (), True)


def _holds(f: Finding) -> bool:
    """A claim holds when the checker supports it; a topic ("his awareness of financial discrepancies": the
    outlet focuses on it, the question does not say what it says) when the outlet's passages are about it."""
    return f.verdict.label == SUPPORTED or (f.topic and _found(f))


def _found(f: Finding) -> bool:
    """A report named by its outlet, day and topic is found when the checker supports the topic in it, or the
    passage retrieved within that outlet (and day) is as close to the topic as answers require."""
    return f.verdict.label == SUPPORTED or (
        f.passage is not None and f.verdict.label != CONTRADICTED and f.top >= EXPLAIN_SIMILAR
    )


def _option(options: Sequence[str], same: bool) -> str:
    """Of "consistent or inconsistent", "agreement or disagreement": the one that says the reports agree, or not."""
    negative = [o for o in options if re.match(r"(?:in|dis|un|non-?|not\s)", o, re.I) or _DIFFERENCE.search(o)]
    positive = [o for o in options if o not in negative]
    if same:
        return positive[0] if positive else options[0]
    return negative[0] if negative else options[-1]


def why_not(q: Question, ev: Evidence) -> str:
    """Why a yes/no question was declined, in words: the first claim that no passage of its outlet supports."""
    for c in q.claims:
        got = [f for f in ev.findings if f.claim == c]
        if not any(f.verdict.label == SUPPORTED for f in got):
            outlets = _join(list(c.outlets))
            what = f"“{c.text}”" if c.text else "the report the question describes"
            return f"Nothing in {outlets} states {what}."
    return "The reports the question names were not found."


def topic(q: Question) -> str:
    """The question without its outlets and dates: the names in it must be in the passages found."""
    text = q.bare
    for a, b, _ in reversed(_days(text)):
        text = text[:a] + " " + text[b:]
    return re.sub(r"\s+", " ", text).strip()
