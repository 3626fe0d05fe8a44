"""Answers that explain: 2 to 6 sentences, each an article's own sentence (lightly trimmed), chosen for the
question from every article that bears on it, no two saying the same thing, each cited to itself and
passed by the claim checker.

Why extractive: on 2 cores a model that writes a faithful multi-sentence answer is too slow (a 0.5B model
needs ~16 s to read 5 passages), and the 270M default copies one sentence at best. Choosing and ordering
sentences is fast and, checked sentence by sentence, never says what the articles don't.

By kind (rag/kinds.py):
    explain, list, summarize  the most relevant distinct points, most relevant first
    change                    in the order of the articles' dates, each line dated
    who_says                  each line says who (the outlet); where two sentences contradict each
                              other (the claim checker says so), the answer says the articles disagree
    yesno                     "Yes" / "No" when the question's claim is supported / contradicted by a
                              sentence and no other chosen sentence decides it the other way (else
                              the answer says the articles say both), then the sentences that bear on it
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .chunking import date_words
from .cite import NOT_NAMES, evidence_of, expected_type
from .claims import CONTRADICTED, SUPPORTED, ClaimChecker
from .kinds import asks_cause
from .lexicon import ASKED_SAYING, COUNTRIES, PRONOUNS, fold
from .parse import ENTITY_LABELS, Analysis, akin, analyse_many, declarative, name_in
from .retrieve import Passage

if TYPE_CHECKING:
    import numpy as np

UNDECIDED = "The articles give neither answer outright. What they say:"  # a yes/no question no sentence decides
MAX_POINTS = 6
MIN_POINTS = 2
DUPLICATE = 0.85  # cosine between two sentences above which they say the same thing (wire copies)
RELEVANT_SHARE = 0.7  # a point past MIN_POINTS must score at least this share of the last of those points' relevance
DIVERSITY = 0.5  # maximal marginal relevance: relevance minus this times the closeness to a chosen point
NEW_ARTICLE = 0.05  # a small preference for a point from an article not yet cited
# A sentence is read in its passage: the passage's similarity to the question counts half as much as the
# sentence's own (as its key words do). A sentence from a passage about the question is more likely to answer it
# than one as close in words from a passage about something else (any weight from 0.3 to 0.6 gives the same
# answers covered on both explanatory sets; docs/answers.md).
CONTEXT = 0.5
INFORMATIVE = 0.03  # added to a sentence's relevance for each fact of its own it tells, up to FACTS
FACTS = 3
# A leading connective, cut from a line of the answer: "But" and "And" as they stand; the others only with
# their comma, since without it they may begin the sentence's own words ("In addition to the US, 54 other
# countries ...", "So far ...", "Still unclear is ...").
_LEAD = re.compile(
    r"^(?:(?:but|and)\s+|(?:however|meanwhile|instead|at\s+the\s+same\s+time|in\s+addition|also|"
    r"still|moreover|furthermore|therefore|thus|so|yet)\s*,\s*)",
    re.I,
)
# What a sentence that answers each kind of question tends to hold: a reason, a date or change, a speaker,
# an enumeration. A sentence with the cue gets CUE added to its relevance.
CUE = 0.15
CUES = {
    "explain": re.compile(
        r"\b(?:because|due\s+to|owing\s+to|as\s+a\s+result|in\s+order\s+to|so\s+that|reason|since|after|"
        r"led\s+to|aim(?:s|ed)?\s+to|to\s+(?:provide|help|protect|support|ensure)|"
        # the grounds an act stands on: "as part of a long-standing agreement", "under contracts for the supply ..."
        r"as\s+part\s+of|in\s+(?:accordance|line)\s+with|under\s+(?:the\s+|an?\s+|its\s+|their\s+)?"
        r"(?:[\w-]+\s+){0,3}(?:agreements?|contracts?|treat(?:y|ies)|deals?|accords?))\b",
        re.I,
    ),
    "change": re.compile(
        r"\b(?:19|20)\d\d\b|\b(?:January|February|March|April|May|June|July|August|September|October|November|"
        r"December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|earlier|later|now|since|previously|"
        r"recently|from\b.{1,40}\bto|increas|reduc|withdr|grew|fell|rose|cut|expand|scal)",
        re.I,
    ),
    "who_says": re.compile(
        r"\b(?:said|says|told|stated|added|according\s+to|claimed|denied|refuted|warned|insisted|reported|"
        r"called|accused|described)\b|[“\"]",
        re.I,
    ),
    "list": re.compile(
        r"(?:\b[\w-]+(?:\s+[\w-]+)?,\s+){2,}|\b(?:include|including|such\s+as|from\b.{3,60}\bto)\b", re.I
    ),
}
CUES["summarize"] = CUES["who_says"]
CUES["yesno"] = CUES["explain"]
# whose words a question asks about: "What did the Kremlin say ...", "How did China react ...", "Has the U.S.
# government claimed ...?", "Summarize Russia's official position ..."
_ASKED_SPEAKER = re.compile(
    rf"^\s*(?:what|how)\s+(?:did|does|do|has|have)\s+(?P<who>.+?)\s+(?:{ASKED_SAYING}|"
    r"react|respond|describe|view|see|frame|characteri[sz]e|portray|"
    r"justify|explain|defend)\b|"
    # "On what grounds does Moscow justify ...?"
    r"^\s*(?:on|for)\s+what\s+(?:grounds?|basis|reasons?)\s+(?:did|does|do|has|have)\s+(?P<justifier>.+?)\s+"
    r"(?:justify|justified|explain|explained|defend|defended)\b|"
    # a yes/no question about what someone said: "Has the U.S. government claimed ...?", "Did Zakharova deny ...?"
    r"^\s*(?:did|does|do|has|have|had)\s+(?P<asker>.+?)\s+(?:say|said|claim|claimed|argue|argued|report|"
    r"reported|state|stated|deny|denied|confirm|confirmed|admit|admitted|warn|warned|accuse|accused)\b|"
    # what someone holds: "Summarize Russia's official position on ...", "What is China's stance ...?"
    # or has said: "How did Deputy Foreign Minister Sergei Ryabkov's statements on Venezuela develop ...?"
    r"^.*?\b(?P<holder>[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*)['’]s\s+(?:\w+\s+)?(?:position|stance|view|views|"
    r"response|reaction|line|answer|reply|explanation|justification|account|statements?|remarks?|comments?|words|"
    r"rhetoric|message|messaging|tone|claims?|warnings?|assurances?)\b",
    re.I,
)
# a list question that asks who spoke: "Which US officials are quoted ...?", "... have spoken publicly ...?"
_SPOKE = re.compile(
    r"\b(?:quoted|cited|spoken|spoke|speak|said|say|says|commented|comment|stated|remarks?|statements?|publicly|"
    r"warned|claimed|told)\b",
    re.I,
)
# nouns that ask for something without saying what: "What kinds of ...", "What role ..."
_ANY_THING = frozenset({"kind", "type", "sort", "role", "part", "way", "reason", "thing", "aspect", "view", "point"})
# a question about an amount: how many, the number or the figures of something
# (not "how much TV coverage": a degree, not a count)
_AMOUNT = re.compile(r"\b(?:how\s+many|numbers?\s+of|figures?|headcount)\b", re.I)
# a sentence whose subject is a thing named by a common noun alone ("The withdrawal must be ..."), and words that give
# a cause
_EVENT_BACK = re.compile(
    r"^The\s+[a-z][\w-]*(?:\s+[a-z][\w-]*)?\s+(?:must|is|was|were|are|has|had|have|may|might|could|would|will|can|"
    r"came|comes|seems|seemed|appears|appeared|followed|follows|stems|stemmed)\b"
)
_GIVES_CAUSE = re.compile(
    r"\b(?:because|due\s+to|owing\s+to|as\s+a\s+result|result(?:s|ed)?\s+(?:of|from)|caused\s+by|"
    r"stem(?:s|med)?\s+from|driven\s+by|reasons?)\b",
    re.I,
)
# a sentence that begins by pointing back at the one before it
_ANAPHOR = re.compile(r"^(?:(?:these|this|those|that|it|they|such)\b|(?:[\w’'-]+\s+){1,3}(?:these|those|such)\b)", re.I)


@dataclass(frozen=True)
class Point:
    passage: int  # index into the passages
    start: int  # offsets of the sentence in the cleaned article
    end: int
    text: str  # what the answer says (the sentence, trimmed)
    score: float  # relevance to the question
    date: str = ""
    outlet: str = ""
    joined: bool = False  # said on the line of the point before it, which it points back at ("The withdrawal ...")


@dataclass
class Composed:
    text: str  # with [n] markers, n = 1.. in the order of `points`
    points: list[Point] = field(default_factory=list)
    verdict: str = ""  # yes/no questions: "yes", "no", "both" (sentences decide it both ways) or ""
    disagree: bool = False


def trim(sentence: str) -> str:
    """The sentence without a leading connective ("However, ...") and without quotes around all of it,
    capitalised; a quote that the sentence opens or closes alone (the rest of it is in the next or the
    previous sentence) gets its other half, so that no line shows half a quote."""
    s = _LEAD.sub("", sentence.strip())
    inner = s.strip('“”" ')
    if s[:1] in '“"' and s.rstrip(".!?")[-1:] in '”"' and not any(q in inner for q in '“”"'):
        s = inner  # one quotation, the whole sentence
    s = s.strip(" '")
    if s and s[-1] not in '.!?"”':
        s += "."
    opened, closed = s.count("“"), s.count("”")
    if closed > opened:
        s = "“" + s
    elif opened > closed:
        s += "”"
    return s[:1].upper() + s[1:] if s else sentence


def choose(
    question: str,
    passages: Sequence[Passage],
    embed: Callable[[list[str]], np.ndarray],
    key_share: Callable[[str, str], float],
    kind: str = "explain",
    limit: int = MAX_POINTS,
) -> list[Point]:
    """The sentences that answer the question: relevant, distinct, from as many articles as bear on it."""
    sents = evidence_of(passages)
    if not sents:
        return []
    texts = [s[3] for s in sents]
    vectors = embed([question, *texts])
    q, sv = vectors[0], vectors[1:]
    cue = CUES.get(kind)
    # a line of the answer states something: a fragment without a verb with a tense ("Zakharova during this
    # Thursday during an official press report.", "Combination showing Former FTX CEO ...", a headline, a dateline)
    # is never one (the parse is the checker's, cached)
    # nor is a sentence that only points back at the one before it ("That, among other issues, led to ...")
    # and a question states nothing ("Did Altman circumvent the board in a major deal?")
    parsed = analyse_many(texts)
    question_ = analyse_many([question])[0]
    states = [
        a.finite and not a.points_back and not t.rstrip(" ”\"'’").endswith("?")
        for a, t in zip(parsed, texts, strict=True)
    ]
    # "How did Venezuela's defence minister react ...?": no sentence found names that post, so none is what they said
    post = asked_post(question) if kind == "who_says" else []
    if post and not any(names_post(post, t) for t in texts):
        return []
    labels = asked_labels(question) if kind == "list" else set()
    # the small recogniser often tags a person as an organisation ("Sutskever") and an organisation as a place
    # ("Rosoboronexport"): a list of people takes either, a list of organisations any name
    labels = set().union(*(_TAKES[label] for label in labels)) if labels else set()
    if labels:
        # "Which Russian officials are quoted ...?" asks for names of a kind: a line answers it by naming one
        # the question does not ("... said Maria Zakharova, the official representative of Russia's Foreign
        # Ministry"), not by saying the question's words again ("Russian officials insist ...")
        # and where the question asks who spoke ("Which Russian officials have spoken publicly ...?", "... are quoted"),
        # by naming one who speaks in it, not one spoken of ("The US media classified ... as “embarrassment” to
        # President Nicolás Maduro")
        spoke = "PERSON" in labels and _SPOKE.search(question) is not None
        # of the country asked ("Which Russian officials ...": not "Peruvian Foreign Minister Néstor Popolizio
        # Bardales said"), where the words that say who speaks name a country at all
        of = _qualifiers(question, question_) if spoke else set()

        def names_one(a: Analysis) -> bool:
            if of:
                places = {w for w in a.speakers if a.names.get(w) in ("GPE", "NORP") or w in COUNTRIES}
                if places and not any(akin(p, q) for p in places for q in of):
                    return False
            return any(
                kind_ in labels and not name_in(n, question_) and (not spoke or any(w in a.speakers for w in n.split()))
                for n, kind_ in a.names.items()
            )

        naming = [ok and names_one(a) for ok, a in zip(states, parsed, strict=True)]
        if sum(naming) >= MIN_POINTS:  # else the articles name too few: the answer says what they do say
            states = naming
    relevance = [
        float(v @ q) + 0.5 * key_share(question, t) + CONTEXT * passages[s[0]].score
        for v, t, s in zip(sv, texts, sents, strict=True)
    ]
    # a sentence that points back ("These contracts, which include ... helicopters and fighter jets") is about
    # what the sentence before it names: it is as relevant as the two read together
    # and so, under a question asking why, is one that gives the cause of an act the sentence before it tells, naming
    # that act by a bare noun ("The withdrawal must be owing to the absence of new contracts ..." after "... Rostec
    # had gradually reduced its personnel ..."): alone it names neither Rostec nor Venezuela
    # (that one is shown after the sentence it points at, on one line: "The withdrawal" is of nothing alone)
    cause = asks_cause(question)
    follow = [j for j in range(1, len(texts)) if sents[j - 1][0] == sents[j][0]]
    pointing = {j for j in follow if cause and _EVENT_BACK.match(texts[j]) and _GIVES_CAUSE.search(texts[j])}
    back = [j for j in follow if _ANAPHOR.match(texts[j]) or j in pointing]
    if back:
        pairs = [f"{texts[j - 1]} {texts[j]}" for j in back]
        for j, pair, v in zip(back, pairs, embed(pairs), strict=True):
            context = CONTEXT * passages[sents[j][0]].score
            relevance[j] = max(relevance[j], float(v @ q) + 0.5 * key_share(question, pair) + context)
    # a sentence whose subject is "he" or "she" ("Instead, he has retaliated against the U.S. by ...") is about the
    # person the sentences before it name: it is as relevant as it reads with that name in the pronoun's place
    named = {j: who for j in range(len(texts)) if (who := _antecedent(j, texts, sents, parsed))}
    if named:
        resolved = [
            f"{m.group(1)}{who}{texts[j][m.end() :]}" for j, who in named.items() if (m := _PERSONAL.match(texts[j]))
        ]
        for j, text, v in zip(named, resolved, embed(resolved), strict=True):
            context = CONTEXT * passages[sents[j][0]].score
            relevance[j] = max(relevance[j], float(v @ q) + 0.5 * key_share(question, text) + context)
    if cue is not None:
        relevance = [r + (CUE if cue.search(t) else 0.0) for r, t in zip(relevance, texts, strict=True)]
    # "What charges did Sam Bankman-Fried face ...?": a line that names the thing asked for ("seven counts of criminal
    # charges"), where that is no kind of name (those are asked_labels) nor a word for any thing ("kind", "role")
    thing = question_.asked_noun if kind in ("list", "explain", "summarize") and not labels else ""
    if thing and thing not in _ANY_THING:
        relevance = [r + (CUE if thing in a.content else 0.0) for r, a in zip(relevance, parsed, strict=True)]
    # "How did the reported number of Russians ... change?": a line that gives a number of a thing
    if _AMOUNT.search(question):
        relevance = [
            r + (CUE if any(q_.counts for q_ in a.quantities) else 0.0) for r, a in zip(relevance, parsed, strict=True)
        ]
    acting = asked_actor(question)
    if acting:  # what someone did ("What steps did Maduro take ...?"): a sentence where they are the one who acts
        keys = [set(n.split()) for n in acting]

        def acts(j: int, a: Analysis) -> bool:
            doers = [f.actor for f in a.frames if f.verb != "SAY" and not f.negated]
            by_name = any(k <= d or (k and max(k, key=len) in d) for k in keys for d in doers)
            return by_name or any(n.split()[-1] in fold(named.get(j, "")).split() for n in acting)

        relevance = [r + (CUE if acts(j, a) else 0.0) for j, (r, a) in enumerate(zip(relevance, parsed, strict=True))]
    # a sentence that tells a fact of its own (a name the question does not give, a number) says more than one that
    # restates the question's topic ("Manchester United have again gone out of the Champions League"; weight chosen
    # on the explanatory sets' tune halves, docs/answers.md)
    facts = [min(FACTS, len({n for n in a.names if not name_in(n, question_)}) + len(a.quantities)) for a in parsed]
    relevance = [r + INFORMATIVE * f for r, f in zip(relevance, facts, strict=True)]
    asked = asked_speaker(question) if kind != "list" else []
    if asked:  # what an asked speaker said: a sentence where one of them is the one who says it (a name as the
        # speaker's words hold it: "united states" whole, for "US envoy Elliott Abrams said")
        by_post = speaker_post(question)
        said = [
            any(n in a.speakers or all(w in a.speakers for w in n.split()) for n in asked)
            or bool(by_post and by_post <= a.speakers)
            for a in parsed
        ]
        # "..., he said" after a sentence where an asked speaker speaks or is named is theirs too, as is the rest of
        # the quotation it closes: "“Our collaboration ... both countries. The presence of Russian non-military
        # specialists ... does not alter the regional balance of forces,” he said." after Zakharova's sentence
        said = list(said)
        for j, a in enumerate(parsed):
            if said[j] or not (a.speakers and a.speakers <= PRONOUNS):
                continue
            opened = _quotation_start(j, texts, sents)
            before = opened - 1
            if (
                before >= 0
                and sents[before][0] == sents[j][0]
                and (said[before] or any(name_in(n, parsed[before]) for n in asked))
            ):
                for k in range(opened, j + 1):
                    said[k] = True
        relevance = [r + (CUE if by else 0.0) for r, by in zip(relevance, said, strict=True)]
        # (and a change in what someone says: "How did Deputy Foreign Minister Sergei Ryabkov's statements ... develop?")
        if kind in ("who_says", "change"):
            # "What did China say about the crisis ...?" asks about China: a line is where China speaks or is named
            # ("Both Russia and China have condemned the U.S. ..."), not the crisis told by anyone ("The Venezuelan
            # crisis intensified when Guaidó ..."); if none is, any may be a line that no one else says. Under
            # "What did Elliott Abrams say ...?", neither Zakharova's words ("..., he said") nor what "the US media"
            # did are his. Whose words a line is, is read loosely here: "Peruvian Foreign Minister ... said" is
            # Peru's, "Zakharova, in her statement Saturday, said" is Russian Foreign Ministry spokeswoman Maria
            # Zakharova's (each word of the name, or its last where that is a name in the sentence)
            def speaks_as(n: str, a: Analysis) -> bool:
                words = n.split()
                if all(any(akin(w, s) for s in a.speakers) for w in words):
                    return True
                return words[-1] in a.name_tokens and any(akin(words[-1], s) for s in a.speakers)

            loose = [by or any(speaks_as(n, a) for n in asked) for by, a in zip(said, parsed, strict=True)]
            theirs = [ok and not (a.speakers and not by) for ok, by, a in zip(states, loose, parsed, strict=True)]
            about = [
                ok and (by or any(name_in(n, a) for n in asked)) for ok, by, a in zip(theirs, said, parsed, strict=True)
            ]
            states = about if any(about) else theirs
            # "What did Hua Chunying say about the Russian contractors guarding Maduro?": where the asked speaker says
            # things, one must be on the topic asked, naming each name the topic names; else they are not quoted on
            # it, and the answer declines rather than list what they said of other things
            # (the person, where the question names one: not "China" of "Chinese foreign ministry spokeswoman")
            on = topic_names(question, asked)
            people = [n for n in asked if question_.names.get(n) == "PERSON"]
            speaking = [any(speaks_as(n, a) for n in people) for a in parsed] if people else loose
            # a person the question asks what they said, whom no passage quotes at all, is not quoted on it either
            if (
                on
                and (any(speaking) or (bool(people) and asks_said(question)))
                and not any(
                    by and ok and all(name_in(n, a) for n in on)
                    for by, ok, a in zip(speaking, states, parsed, strict=True)
                )
            ):
                return []

    def shown(chosen: list[int]) -> int:  # the sentences the answer shows: one that points back brings its own
        return len({k for c in chosen for k in ((c - 1, c) if c in pointing else (c,))})

    chosen: list[int] = []
    while shown(chosen) < limit:
        best, best_value = -1, float("-inf")
        # past the points every answer has, only a sentence relevant enough competes (RELEVANT_SHARE of the last of
        # those points), and the answer ends when none is left; the bar once ran on the most new sentence alone, so an
        # unrelated one ended "Why did Binance agree to pay about $4.3 billion ...?" after two lines. The bar is not
        # set by the first point: that one often says the question's own event again, far above every sentence that
        # gives a reason, and the guilty plea to money-laundering violations fell under it
        floor = RELEVANT_SHARE * relevance[chosen[MIN_POINTS - 1]] if len(chosen) >= MIN_POINTS else float("-inf")
        for j in range(len(sents)):
            if j in chosen or len(texts[j].split()) < 5 or not states[j] or relevance[j] < floor:
                continue
            if shown([*chosen, j]) > limit:  # no more than `limit` sentences in all
                continue
            closeness = max((float(sv[j] @ sv[c]) for c in chosen), default=0.0)
            if closeness >= DUPLICATE:
                continue
            fresh = (
                NEW_ARTICLE if all(passages[sents[c][0]].source != passages[sents[j][0]].source for c in chosen) else 0
            )
            value = relevance[j] - DIVERSITY * closeness + fresh
            if value > best_value:
                best, best_value = j, value
        if best < 0:
            break
        chosen.append(best)
    out = []
    for j in chosen:
        if j + 1 in chosen and j + 1 in pointing:  # said below, before the sentence that points back at it
            continue
        # a cause that points back ("The withdrawal must be ...") is shown after the act it points at, on one line,
        # each with its own citation
        for k, joined in [(j - 1, False), (j, True)] if j in pointing else [(j, False)]:
            i, start, end, text = sents[k]
            meta = passages[i].metadata
            date, outlet = meta.get("date", ""), meta.get("source", "")
            out.append(Point(i, start, end, trim(text), relevance[j], date, outlet, joined))
    return out


# a sentence that opens on "he" or "she" as its subject, after a connective or not ("Instead, he has retaliated ...")
_PERSONAL = re.compile(rf"({_LEAD.pattern}?)(?:he|she)\b", re.I)  # after the connective a line is cut of
ANTECEDENT_BACK = 3  # sentences looked back over for the person a "he" or "she" is


def _antecedent(
    j: int, texts: Sequence[str], sents: Sequence[tuple[int, int, int, str]], parsed: Sequence[Analysis]
) -> str:
    """The person a sentence's opening "he" or "she" stands for: the first person named in the nearest sentence
    before it, of the same passage, that names one and does not itself open on a pronoun ("Maduro has referred to the
    efforts as a coup attempt. He could take action against Guaido, but has not yet done so at this time. Instead, he
    has retaliated ...": Maduro); "" when none is."""
    if not _PERSONAL.match(texts[j]):
        return ""
    for k in range(j - 1, max(-1, j - 1 - ANTECEDENT_BACK), -1):
        if sents[k][0] != sents[j][0]:
            return ""
        if _PERSONAL.match(texts[k]):
            continue
        # a person, or a name that acts as one (the small recogniser tags "Maduro" an organisation)
        actors = set().union(*(f.actor for f in parsed[k].frames))
        people = [
            written
            for written, label in parsed[k].entities
            if label == "PERSON" or (label == "ORG" and fold(written) in actors)
        ]
        return people[0] if people else ""
    return ""


def _quotation_start(j: int, texts: Sequence[str], sents: Sequence[tuple[int, int, int, str]]) -> int:
    """The sentence where the quotation that sentence j closes begins (j itself when it begins none): back over the
    sentences of the same passage inside an opening quotation mark that is not closed."""
    k = j
    while (
        k > 0
        and sents[k - 1][0] == sents[j][0]
        and not texts[k].lstrip().startswith(("“", '"'))
        and texts[k - 1].count("“") > texts[k - 1].count("”")
    ):
        k -= 1
    return k


_TAKES = {"PERSON": {"PERSON", "ORG"}, "GPE": {"GPE", "NORP", "LOC", "ORG"}, "ORG": set(ENTITY_LABELS)}


def _qualifiers(question: str, analysis: Analysis) -> set[str]:
    """The countries or peoples a list question puts before what it asks for: "Which Russian officials and diplomats
    ...?" -> russia (as the recogniser keys it); none past it ("... about Russia's involvement")."""
    heads = analysis.asked_heads
    if not heads:
        return set()
    m = re.search(rf"\b{re.escape(heads[0])}", question, re.I)
    before = analyse_many([question[: m.start()]])[0].names if m else {}
    return {n for n, label in before.items() if label in ("GPE", "NORP")}


def asked_labels(question: str) -> set[str]:
    """The recogniser's labels of the names a list question asks for: PERSON for "Which Russian officials
    ...?" or "Who were the key witnesses ...?", GPE for "Which countries ...?", ORG for "Which companies
    ...?", both GPE and ORG for "Which countries and groups ...?"; none for a list of things that are no names
    ("What military equipment ...?")."""
    from .lexicon import name_label

    if re.match(r"\s*who\b", question, re.I):
        return {"PERSON"}
    if expected_type(question) != "name":
        return set()
    # "officials" in "Which Russian officials ...?"; a kind that names do not tell ("brands"): any name will do
    labels = [name_label(head) for head in analyse_many([question])[0].asked_heads]
    return set() if None in labels else {label for label in labels if label}


_SAYING = frozenset({"say", "said", "tell", "told", "claim", "comment", "tweet", "write", "announce", "state"})
# what a who-says question asks the speaker said something about: "... say about <topic>", "respond to <topic>"
_TOPIC = re.compile(
    rf"\b(?:{'|'.join(sorted(_SAYING | {'think', 'post', 'react', 'respond'}))})\w*\s+"
    r"(?:about|on|regarding|concerning|to)\s+(?P<topic>.+?)\s*\??\s*$",
    re.I,
)


def asks_said(question: str) -> bool:
    """Does the question ask what someone said ("What did Juan Guaidó say ...?"), by the verb that follows the one it
    asks about, not how they reacted or what stance they hold?"""
    m = _ASKED_SPEAKER.match(question)
    return m is not None and m.group("holder") is None and re.findall(r"\w+", m.group(0))[-1].lower() in _SAYING


def topic_names(question: str, speakers: Sequence[str]) -> list[str]:
    """The names (no dates or amounts) of what a who-says question asks the speaker said something about, less the
    speakers' own and those of a time clause: "What did Hua Chunying say about the Russian contractors guarding
    Maduro?" -> russia, maduro; "What did Microsoft say about its relationship with OpenAI after Altman was fired?" ->
    openai."""
    m = _TOPIC.search(question)
    if m is None:
        return []
    # a time clause says when, not what about: "its relationship with OpenAI after Altman was fired"
    topic = re.split(r"\s+(?:after|before|when|while|since|during|following|amid)\b", m.group("topic"), maxsplit=1)[0]
    names = analyse_many([topic])[0].names
    # a model's designation names a thing too, which the recogniser does not tag: "the S-300 missile system"
    codes = [c.lower() for c in re.findall(r"\b[A-Z][A-Za-z]{0,3}-\d{1,4}\b", topic)]
    return [n for n, label in names.items() if label not in NOT_NAMES and n not in speakers] + codes


# what someone did: "What steps did Maduro take against ...?", "What actions has Russia taken ...?", "What did the
# U.S. do after ...?"
_ASKED_ACTOR = re.compile(
    r"^\s*what\s+(?:(?:\w+\s+)?(?:steps|actions|measures|moves|action)\s+)?(?:did|does|do|has|have|had)\s+"
    r"(?P<who>.+?)\s+(?:take|taken|took|do|done|make|made)\b",
    re.I,
)


def asked_actor(question: str) -> list[str]:
    """The names of whom a question asks what they did ("What steps did Maduro take ...?": ["maduro"])."""
    m = _ASKED_ACTOR.match(question)
    return list(analyse_many([m.group("who")])[0].names) if m else []


# the nouns of an office a speaker may be asked by: "Venezuela's defence minister", "the Chinese foreign ministry
# spokeswoman" (not lexicon.PEOPLE_KINDS: "Russian lawmakers" are in the articles as "the Russian parliament's ...")
_POSTS = frozenset(
    {
        "minister", "ministry", "spokesman", "spokeswoman", "spokesperson", "ambassador", "envoy", "secretary",
        "adviser", "advisor", "commander", "chief", "general", "senator", "governor", "chancellor", "diplomat",
        "diplomats",
    }
)  # fmt: skip


def asked_post(question: str) -> list[str]:
    """The words of the post a who-says question asks by, where it asks by one: the post and the common words before
    it that say which ("How did Venezuela's defence minister react ...?": defence, minister); none for a speaker asked
    by name alone ("What did the Kremlin say ...?")."""
    m = _ASKED_SPEAKER.match(question)
    if m is None or m.group("holder") is not None:
        return []
    who = m.group("who") or m.group("asker") or m.group("justifier")
    if re.search(r",|\b(?:and|or|nor)\b", who):  # several speakers ("Russian lawmakers and diplomats, and China")
        return []
    words = re.findall(r"[\w-]+", who)
    posts = [j for j, w in enumerate(words) if w.lower() in _POSTS]
    if not posts:
        return []
    start = posts[-1]
    while start > 0 and words[start - 1].islower() and words[start - 1] not in ("the", "a", "an", "s", "its", "their"):
        start -= 1
    return [w.lower() for w in words[start : posts[-1] + 1]]


def names_post(post: Sequence[str], text: str) -> bool:
    """Does a sentence hold every word of a post, each as written or by its first five letters ("defense" for
    "defence", "Advisor" for "adviser")?"""
    words = {w.lower() for w in re.findall(r"[\w-]+", text)}
    return all(any(t == w or (min(len(t), len(w)) >= 5 and t[:5] == w[:5]) for t in words) for w in post)


def _speaker_names(question: str) -> dict[str, str]:
    """The names (with their labels) in the words that say whose words a question asks about; none when it asks of
    no one's."""
    m = _ASKED_SPEAKER.match(question)
    if m is None:
        return {}
    who = m.group("who") or m.group("asker") or m.group("justifier") or m.group("holder")
    return analyse_many([who])[0].names


def asked_speaker(question: str) -> list[str]:
    """The names of whom a who-says question asks ("the Kremlin": ["kremlin"]), a yes/no question about what
    someone said ("Has the U.S. government claimed ...?": ["united states"]), or a question about what someone
    holds ("Summarize Russia's official position ...": ["russia"]); none for "Do the articles agree ...?" or a
    speaker without a name ("analysts")."""
    names = _speaker_names(question)
    # the capitalised words of a post before the name, which the recogniser tags as no name ("Deputy Foreign Minister
    # Sergei Ryabkov": "deputy", "foreign", "minister"), are no one who speaks (speaker_post)
    return [n for n, label in names.items() if label != "PROPN"] or list(names)


def speaker_post(question: str) -> set[str]:
    """The post a who-says question names a person by ("Deputy Foreign Minister Sergei Ryabkov": {"deputy",
    "foreign", "minister"}), where the articles may name them by it alone ("..., said the Russian deputy foreign
    minister"); empty where it names no person, or the post in fewer than two words."""
    names = _speaker_names(question)
    post = {n for n, label in names.items() if label == "PROPN"}
    return post if len(post) >= 2 and "PERSON" in names.values() else set()


def compose(
    question: str, kind: str, points: list[Point], checker: ClaimChecker, passages: Sequence[Passage]
) -> Composed:
    """Order and word the chosen points for the kind of question; every point is checked against the
    sentence it comes from (a trim that changed the meaning falls back to the sentence itself)."""
    kept: list[Point] = []
    for p in points:
        original = " ".join(
            passages[p.passage].text[p.start - passages[p.passage].start : p.end - passages[p.passage].start].split()
        )
        if p.text != original and not checker.check(p.text, [original]).supported:
            p = Point(p.passage, p.start, p.end, original, p.score, p.date, p.outlet, p.joined)
        kept.append(p)
    # the lines of the answer: a point, with the one joined to it
    groups: list[list[int]] = []
    for j, p in enumerate(kept):
        if p.joined and groups:
            groups[-1].append(j)
        else:
            groups.append([j])
    verdict = ""
    if kind == "yesno" and kept:
        verdict, first = _decide(question, kept, checker)
        # the lines that decide it come first: "Yes." is followed by the sentence that says so
        deciding: list[list[int]] = []
        for j in first:  # each line once, in the order of the points that decide it
            group = next(g for g in groups if j in g)
            if group not in deciding:
                deciding.append(group)
        groups = deciding + [g for g in groups if g not in deciding]
    dated = kind == "change" and any(p.date for p in kept)
    if dated:  # oldest first; lines from articles with no date after them
        groups.sort(key=lambda g: (kept[g[0]].date or "9999", kept[g[0]].start))
    lined = [[kept[j] for j in g] for g in groups]
    kept = [p for line in lined for p in line]  # in the order shown, numbered from 1
    disagree = kind in ("who_says", "yesno", "change") and (
        _disagree(kept, checker) or _sides_taken(question, kept, checker, passages)
    )
    lines = []
    n = 0
    for line in lined:
        p = line[0]
        lead = ""
        if dated:
            lead = (f"{p.outlet} " if p.outlet else "") + f"({date_words(p.date[:10]) if p.date else 'no date'}): "
        elif kind == "who_says" and p.outlet:
            lead = f"{p.outlet}: "
        said = " ".join(f"{q.text} [{n + k}]" for k, q in enumerate(line, 1))
        n += len(line)
        lines.append(f"- {lead}{said}")
    head = {"yes": "Yes.", "no": "No.", "both": "The articles say both yes and no:", "": ""}[verdict]
    if disagree and verdict != "both":
        head = (head + " " if head else "") + "The articles disagree:"
    elif dated:
        head = head or "In the order the articles were published:"
    elif kind == "change" and kept:
        # articles with no date (plain .txt files): the order of time is not known, and the answer says so
        head = head or "The articles carry no dates, so these lines are not in the order of time:"
    elif kind == "yesno" and kept and not verdict:
        # no sentence tells the act asked about, for or against: the lines are what comes closest, and say so
        head = UNDECIDED
    text = "\n".join(([head] if head else []) + lines)
    return Composed(text, kept, verdict, disagree)


def _decide(question: str, points: list[Point], checker: ClaimChecker) -> tuple[str, list[int]]:
    """The question as a claim ("Did Russia stop supporting Maduro?" -> "Russia stop supporting Maduro"),
    judged against the chosen sentences (lemmas make the tense irrelevant): "yes" or "no" as the checker decides
    it, unless the other sentences, judged without the deciding one, decide it the other way: then "both"
    ("Russia had made it clear it was not sending a military contingent" against "Russian officials insist the
    troops came to Venezuela ..."); "" when nothing decides it, or what supports it does not tell the act asked
    about. (The checker lets a contradiction outweigh
    support, so a "yes" is answered the other way only by a contradiction it set aside as less close.) With the
    verdict, the points that decide it (for "both", those of each side)."""
    claim = declarative(question)
    v = checker.check(claim, [p.text for p in points], _follows(points))
    # a support that does not tell the act asked about decides nothing: "Did the United States send troops ...?" is
    # not told by "... Russia saying its troops will stay" (Verdict.acts_missing)
    if v.label not in (SUPPORTED, CONTRADICTED) or v.acts_missing:
        return "", []
    deciding = list(v.sentences)
    others = [j for j in range(len(points)) if j not in deciding]
    rest = [points[j] for j in others]
    if rest:
        w = checker.check(claim, [p.text for p in rest], _follows(rest))
        if w.label == (CONTRADICTED if v.supported else SUPPORTED):
            return "both", deciding + [others[j] for j in w.sentences]
    return ("yes" if v.supported else "no"), deciding


def _follows(points: Sequence[Point]) -> list[bool]:
    """Whether each point is the sentence right after the one before it in the same passage: only two such
    sentences are read together by the checker (two lines from different articles would make one window that
    says what neither says)."""
    return [
        k > 0 and p.passage == points[k - 1].passage and 0 <= p.start - points[k - 1].end <= 2
        for k, p in enumerate(points)
    ]


# "Do the articles agree on whether Russia sent military personnel to Venezuela?": what they may disagree on
_AGREE_ON = re.compile(
    r"\b(?:agree|disagree|differ|consistent)\w*\s+(?:(?:on|about|over|as\s+to)\s+)?(?:whether|that|if)\s+(.+?)\s*\??$",
    re.I,
)


def _sides_taken(question: str, points: list[Point], checker: ClaimChecker, passages: Sequence[Passage]) -> bool:
    """For a question whether the articles agree on a claim: does one article's chosen sentence state it and
    another's deny it (the claim checker's verdicts: "Russia sent military personnel to Venezuela" against
    "... Russia had made it clear it was not sending a military contingent to Venezuela")?"""
    m = _AGREE_ON.search(question.strip())
    if m is None:
        return False
    sides: dict[str, set[str]] = {SUPPORTED: set(), CONTRADICTED: set()}
    for p in points:
        label = checker.check(m.group(1), [p.text]).label
        if label in sides:
            sides[label].add(passages[p.passage].source)
    return any(a != b for a in sides[SUPPORTED] for b in sides[CONTRADICTED])  # two articles, two sides


def _disagree(points: list[Point], checker: ClaimChecker) -> bool:
    """Does one chosen sentence contradict another from a different article?"""
    for i, a in enumerate(points):
        others = [b for b in points[i + 1 :] if b.passage != a.passage]
        for b in others:
            if checker.check(a.text, [b.text]).label == CONTRADICTED:
                return True
    return False
