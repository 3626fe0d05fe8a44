"""Tie an answer to the sentences that support it, and decide when to say the articles don't say.

Citations are checked, never trusted: a statement is shown, with a citation, only when the claim
checker (rag/claims.py) finds a sentence of the passages that supports it. The model's own [n]
markers are kept when their passage supports the statement; otherwise the supporting passage is cited.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from .chunking import sentences
from .claims import CONTRADICTED, NOT_FOUND, SUPPORTED, ClaimChecker, Verdict, split
from .keyword import STOP
from .lexicon import COUNTRIES, TITLES, fold
from .parse import answer_in
from .retrieve import Passage

MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_MARKS = re.compile(r"(?:\s*\[\d+(?:\s*,\s*\d+)*\])+[.!?]*")  # a run of markers and the stop after them
DECLINE = re.compile(
    r"\b(?:articles?|passages?|text|context)\s+(?:do(?:es)?n[’']?t|do(?:es)?\s+not)\s+(?:say|mention|state|contain|specify|provide)"
    r"|\bnot\s+(?:mentioned|stated|specified|provided|given|available)\b|\bno\s+information\b"
    r"|\bcannot\s+(?:answer|be\s+determined)|\binsufficient\s+information\b|\bunknown\b|\bI\s+don[’']?t\s+know\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Support:
    passage: int  # index into the prompt's passages (-1: none)
    score: float  # the claim checker's score
    sentence_start: int  # offsets of the deciding sentence(s), in the cleaned article
    sentence_end: int
    verdict: Verdict


# A line of an explanatory answer: "- ", then perhaps who and when ("Reuters (March 30, 2019): ").
LEAD = re.compile(r"^\s*(?:[-•]\s+)(?:[^:()\n]{1,60}(?:\s\([^)\n]{1,40}\))?:\s)?")


def statements(answer: str) -> list[tuple[str, list[int]]]:
    """Split an answer into statements (its lines, then their sentences), each with the passage numbers
    it cited as [n]; a line's bullet and its who-and-when lead are not part of the statement."""
    out = []
    for line in answer.splitlines():
        line = LEAD.sub("", line)
        # a marker ends what it cites: "S1. [1] S2. [2]" is two statements (the sentence splitter reads a
        # sentence that begins after a marker as the same sentence)
        cut = [m.end() for m in _MARKS.finditer(line)]
        for a, b in zip([0, *cut], [*cut, len(line)], strict=True):
            part = line[a:b]
            for s, e in sentences(part):
                piece = part[s:e]
                cited = [int(n) for m in MARKER.finditer(piece) for n in m.group(1).split(",")]
                text = MARKER.sub("", piece).strip()
                if text:
                    out.append((text, cited))
    return out


def evidence_of(passages: Sequence[Passage]) -> list[tuple[int, int, int, str]]:
    """Every sentence of the passages: (passage index, start, end in the cleaned article, text)."""
    out = []
    for i, p in enumerate(passages):
        for s, e in sentences(p.text):
            text = " ".join(p.text[s:e].split())
            if text:
                out.append((i, p.start + s, p.start + e, text))
    return out


def follows(sents: Sequence[tuple[int, int, int, str]], chosen: Sequence[int] | None = None) -> list[bool]:
    """For sentences of `evidence_of` (those at `chosen`, else all): whether each is the sentence after the one
    before it, in the same passage; the claim checker reads only such two together."""
    at = list(range(len(sents))) if chosen is None else list(chosen)
    return [k > 0 and at[k] == at[k - 1] + 1 and sents[at[k]][0] == sents[at[k - 1]][0] for k in range(len(at))]


def bare_answer(statement: str) -> bool:
    """A bare answer: a name or a number ("72 hours.", "Vladimir Zaemsky"), or a list of them ("the U.S.,
    the Russian military and the Venezuelan security forces"), with no verb. (A longer phrase that
    describes, "the Russian ambassador to Venezuela, Vladimir Zaemsky", is checked as it stands.)"""
    from .parse import analyse_many

    if _short(statement):
        return True
    a = analyse_many([statement.strip().rstrip(".!?").strip()])[0]
    return not a.has_verb and bool(a.items)


def _short(statement: str) -> bool:
    """A name or a number, perhaps with a word or two ("Reuters.", "72 hours", "54 countries", "the United
    States"), with no verb (the parser's: a word's ending is no guide, "countries" and "United" are no verbs)."""
    from .parse import analyse_many

    if len(re.findall(r"[\w'’-]+", statement)) > 6 or re.search(
        r"\b(?:is|are|was|were|has|have|had|did|does|do|said|says)\b", statement
    ):
        return False
    return not analyse_many([statement.strip().rstrip(".!?").strip()])[0].has_verb


def claims_of(statement: str, question: str) -> list[str]:
    """What to check: the statement; for a bare answer, what it says as the answer to the question.
    - Where the question's who / which X is its subject, the answer takes its place, once for each thing the
      answer lists: "Which group provided security for Maduro?" answered "the U.S. and Russian contractors"
      says "the U.S. provided security for Maduro." and "Russian contractors provided security for Maduro.";
    - where it asks at its end ("Which country is Maduro the president of?"), the answer takes that place:
      "Maduro is the president of Russia.";
    - otherwise the question with its answer ("When was the treaty signed? 2011."): the sentence must answer
      that question with that answer."""
    from .parse import analyse_many

    if not question or not bare_answer(statement):
        return [statement]
    rest = analyse_many([question])[0].asked_rest
    answer = statement.strip().rstrip(".!?").strip()
    items = analyse_many([answer])[0].items or [answer]
    if not rest:
        # a question that asks at its end, put as a statement ("Maduro is the president of which country?") or with
        # its preposition left there ("Which country is Maduro the president of?"): the answer in the place of what
        # it asks, so that the checker reads the slot ("president of Venezuela, not Russia"); else the question with
        # its answer. A list is each of its things in that place; a word with a hyphen is one thing ("non-military")
        listed = items if re.search(r",|\band\b|&", answer) else [answer]
        if m := _ASKED_LAST.match(question):
            return [f"{m.group('head')}{item}." for item in listed]
        if m := _ASKED_STRANDED.match(question):
            return [f"{m.group('subject')} {m.group('be')} {m.group('what')} {item}." for item in listed]
        return [f"{question.rstrip()} {statement}"]
    return [f"{item[:1].upper()}{item[1:]} {rest}." for item in items]


# a question that asks with its preposition left at the end: "Which country is Maduro the president of?"
_ASKED_STRANDED = re.compile(
    r"^\s*(?:which|what)\s+(?:[\w’'-]+\s+){0,2}?(?P<be>is|was|are|were)\s+(?P<subject>(?-i:[A-Z])[^?]*?)\s+"
    r"(?P<what>(?:the|a|an)\s+[^?]+?\s+(?:of|for|in|to|from|with|at))\s*\?\s*$",
    re.I,
)
# a question that asks at its end, after a statement of its own: "Maduro is the president of which country?",
# "Ryabkov said Russia would work without paying attention to the intrigues of whom?"; not one that opens on its
# question word, nor one that goes on past what it asks ("... linked to which group, previously active in Syria?")
_ASKED_LAST = re.compile(
    r"^(?P<head>(?!\s*(?:who|whom|whose|what|which|when|where|why|how|did|does|do|is|are|was|were|has|have|had|can|"
    r"could|will|would|should|in|on|at|of|for|to|from|by|with|according)\b)[^?]+?\b)"
    r"(?:which|what|whom|who)(?:\s+[\w’'-]+){0,3}\s*\?\s*$",
    re.I,
)


def _checker(checker: ClaimChecker | None) -> ClaimChecker:
    return checker if checker is not None else ClaimChecker()


def holds(statement: str, text: str, checker: ClaimChecker | None = None) -> bool:
    """Does the text state what the statement says (the claim checker, over the text's sentences)?"""
    if not statement.strip():
        return False
    return _checker(checker).check(statement, split(text) or [text]).supported


def best_support(
    statement: str,
    passages: Sequence[Passage],
    question: str,
    prefer: Sequence[int] = (),
    evidence: Collection[int] = (),
    checker: ClaimChecker | None = None,
    read: Sequence[tuple[int, int]] = (),
) -> Support | None:
    """The sentence that supports the statement, by the claim checker; None when none does.

    The passages the model cited (`prefer`, 1-based), then the passages whose sentence it read
    (`evidence`, 0-based), are tried first: when one of them supports the statement it is cited.
    """
    found = best_verdict(statement, passages, question, prefer, evidence, checker, read)
    return found if found is not None and found.verdict.supported else None


def best_verdict(
    statement: str,
    passages: Sequence[Passage],
    question: str,
    prefer: Sequence[int] = (),
    evidence: Collection[int] = (),
    checker: ClaimChecker | None = None,
    read: Sequence[tuple[int, int]] = (),
) -> Support | None:
    """Like best_support, but also returns the verdict when it is `contradicted` or `not found`.
    `read`: offsets of the sentences the model was given (a bare answer may rest on one of them)."""
    sents = evidence_of(passages)
    if not sents or not statement.strip():
        return None
    question = without_pointer(question)  # the article it points at is retrieval's to find, not the sentence's to say
    chk = _checker(checker)
    claims = claims_of(statement, question)
    first = [j for j, s in enumerate(sents) if s[0] + 1 in prefer] or [
        j for j, s in enumerate(sents) if s[0] in evidence
    ]
    found: Support | None = None
    for pool in (first, list(range(len(sents)))):
        if not pool:
            continue
        texts = [sents[j][3] for j in pool]
        v = _all(chk.check_all(claims, texts, follows(sents, pool)))
        if claims != [statement] and v.supported and len(v.sentences) == 2:
            # a bare answer put in the question's place, read across two sentences: the one that holds the answer
            # must be about what the question names, or the number of one thing and the name of another make a
            # claim that neither says ("The Lima Group has 14 countries" after a sentence naming the International
            # Contact Group, for "How many countries are members of the International Contact Group?")
            holder = next((texts[j] for j in v.sentences if answer_in(statement, texts[j])), None)
            # and tell the act the question asks of, where it asks of one: "Saturday" of "Zakharova, in her statement
            # Saturday, said ..." is no date of the planes that "landed a week ago" in the sentence after it
            others = [texts[j] for j in v.sentences if texts[j] != holder]
            if holder is not None and (
                not about(question, holder) or (others and _act_elsewhere(question, holder, others[0], chk))
            ):
                v = _all(chk.check_all(claims, texts, [False] * len(pool)))
        if v.supported or pool is not first:
            if v.sentence is None:
                found = Support(-1, v.score, 0, 0, v)
            else:
                window = [sents[pool[j]] for j in v.sentences]
                found = Support(window[0][0], v.score, window[0][1], window[-1][2], v)
            break
    if claims != [statement] and _short(statement) and (found is None or found.verdict.label == NOT_FOUND):
        # a bare name or number ("Reuters.") for a question the sentence words differently: it stands when the
        # sentence the model was given for this question holds the answer's names and numbers, and the
        # names the question asks about ("Which country recalled its ambassador from Moscow?" is not
        # answered "Venezuela" by a sentence on the Lima Group that never names Russia); never when the
        # checker finds it contradicted, nor when it also describes ("the Russian ambassador, Vladimir
        # Zaemsky"): what it says must then be checked. Nor when the question asks who holds a post the sentence
        # does not give them ("Who is the chief executive of Rostec?" is not answered "Vladimir Zaemsky" by a
        # sentence naming him ambassador)
        from .parse import analyse_many, holds_key, name_in

        asked = analyse_many([f"{question.rstrip()} {statement}"])[0].names
        posts = {w for a in analyse_many(claims) for w in a.described}
        said_in_question = analyse_many([question])[0].said
        # the sentences that hold the answer: a name the question joins to another ("Which outlet did analysts César
        # Sabas and Mariano De Alba speak to?") may be said with the answer in a sentence of its own ("... César
        # Sabas told PanAm Post ..." and "... Mariano De Alba told PanAm Post ...")
        joined = _joined(question, asked)
        holding = [analyse_many([text])[0] for _, _, _, text in sents if joined and answer_in(statement, text)]
        for i, start, end, text in sents:
            if not (any(start < e and s_ < end for s_, e in read) and answer_in(statement, text)):
                continue
            said = analyse_many([text])[0]
            # nor when the question asks who said something the sentence does not say ("Which Russian official said
            # the specialists do not alter the balance of forces?" is not answered by Ryabkov's words on arms)
            if said_in_question and 2 * sum(holds_key(w, said) for w in said_in_question) < len(said_in_question):
                continue
            if (
                all(name_in(n, said) or (n in joined and any(name_in(n, h) for h in holding)) for n in asked)
                and all(holds_key(w, said) for w in posts)
                and not _post_of_another(text, posts, asked, question)
                # a day is the day of the act asked of: not "Saturday" of "Zakharova, in her statement Saturday,
                # said ..." for "On what date did the planes land ...?"
                and not (asks_when(question) and _other_act(question, text, chk))
            ):
                v = Verdict(
                    SUPPORTED, chk.model.threshold, 0, (0,), "the answer is in the sentence read for the question"
                )
                return Support(i, v.score, start, end, v)
    return found


def _act_elsewhere(question: str, holder: str, other: str, checker: ClaimChecker) -> bool:
    """Of two sentences read together for a bare answer, does the other tell the act the question asks of, and the
    one that holds the answer another act ("Zakharova, in her statement Saturday, said ..." beside "Two Russian
    military planes landed a week ago ..." for "On what date did the planes land?")? An act is a verb other than
    being, having or saying; the question's is any of its words (the small parser reads "land" in a question as a
    noun), or a word of the same meaning."""
    from .parse import analyse_many

    o = analyse_many([other])[0]
    return _other_act(question, holder, checker) and any(
        _asked_act(question, v, checker) for v in {f.verb for f in o.frames} - _NO_ACT
    )


def _asked_act(question: str, verb: str, checker: ClaimChecker) -> bool:
    """Is a verb one the question asks of: any of its words, or a word of the same meaning (the small parser reads
    "land" in "... did the planes land ...?" as a noun)?"""
    from .parse import analyse_many

    keys = set(analyse_many([question])[0].content)
    return verb in keys or any(checker.synonyms(verb, k) for k in keys)


def _other_act(question: str, sentence: str, checker: ClaimChecker) -> bool:
    """Does the sentence tell acts (verbs other than being, having or saying), none of them one the question asks
    of?"""
    from .parse import analyse_many

    verbs = {f.verb for f in analyse_many([sentence])[0].frames}
    if "SAY" in verbs and _ASKS_SAID & set(analyse_many([question])[0].content):  # "... make her statement?"
        return False
    held = verbs - _NO_ACT
    return bool(held) and not any(_asked_act(question, v, checker) for v in held)


# a question's words that ask about something said
_ASKS_SAID = frozenset({"say", "statement", "remark", "comment", "announce", "announcement", "tell", "claim", "speech"})


_NO_ACT = frozenset({"SAY", "be", "have", "do", "make", "get", "take"})


def _post_of_another(text: str, posts: Collection[str], asked: Mapping[str, str], question: str) -> bool:
    """Does the sentence give the post asked about to someone else than the question asks for: another country's
    ("Peruvian Foreign Minister Néstor Popolizio Bardales" for "Who is Venezuela's foreign minister?", a country or
    people named in the three words before the post's, where the question names countries and none of them is it),
    one held in another country ("ambassador to Venezuela" for "... ambassador to Peru?"), or a deputy's ("Deputy
    Foreign Minister", unless the question says deputy)? `asked` are the question's names."""
    from .parse import akin, analyse_many

    places = [n for n, label in asked.items() if label in ("GPE", "NORP")]
    if not posts:
        return False
    asked_words = set(fold(question).split())
    said = analyse_many([text])[0].names
    for post in posts:
        # the three words before it: "Russian Deputy Foreign Minister"
        for m in re.finditer(rf"((?:[\w’'-]+\s+){{1,3}}){re.escape(post)}s?\b", text, re.I):
            for word in m.group(1).split():
                before = fold(word)
                # a deputy's post is not the post ("Deputy Foreign Minister Sergei Ryabkov" for "Who is ... foreign
                # minister?"), unless the question says deputy
                if before in _UNDER and before not in asked_words:
                    return True
                # a country's own name, or its people's ("Russian" for Russia)
                place = said.get(before) in ("GPE", "NORP") or any(
                    akin(before, n) for n, label in said.items() if label in ("GPE", "NORP")
                )
                if places and place and not any(akin(before, p) for p in places):
                    return True
        # and the country it is held in: "Russian ambassador to Venezuela" for "Who is Russia's ambassador to Peru?"
        for m in re.finditer(rf"\b{re.escape(post)}s?\s+(?:to|in)\s+(?:the\s+)?([\w’'-]+)", text, re.I):
            after = fold(m.group(1))
            country = said.get(after) in ("GPE", "NORP") or after in COUNTRIES
            if places and country and not any(akin(after, p) for p in places):
                return True
    return False


_UNDER = frozenset({"deputy", "vice", "assistant", "former", "acting", "interim"})


def _joined(question: str, names: Collection[str]) -> set[str]:
    """The names the question joins to another of them by "and", "or" or a comma ("César Sabas and Mariano De
    Alba"), as `names` keys them (folded)."""
    from .lexicon import fold

    text = re.sub(r"\s+", " ", fold(question))
    found: set[str] = set()
    for a in names:
        for b in names:
            if a != b and re.search(
                rf"\b{re.escape(a)}\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+){re.escape(b)}\b", text
            ):
                found |= {a, b}
    return found


# "... in the report on Zakharova's remarks about Russian experts?", "According to the article on the regional
# balance of forces, ...": words that point at the article the answer is in, not part of what its sentence says
_POINTER = re.compile(
    r"(?:^|,?\s+)\b(?:in|according\s+to|from|per)\s+(?:the|an?|this|that|one)\s+(?:report|article|story|piece)\s+"
    r"(?:on|about|covering|concerning|describing)\s+[^,?]+(?:,\s*|(?=\?))",
    re.I,
)


def without_pointer(question: str) -> str:
    """The question without the words that point at an article ("in the report on X", "According to the article
    about X, ..."); the question itself when that would leave too little of it."""
    bare = re.sub(r"\s+\?", "?", _POINTER.sub(" ", question)).strip()
    if len(bare.split()) < 4:
        return question
    return bare[:1].upper() + bare[1:]


def _all(verdicts: Sequence[Verdict]) -> Verdict:
    """One verdict for the statements an answer makes: supported when each is (the first decides the
    sentence cited), else the first contradicted, else the weakest."""
    if all(v.supported for v in verdicts):
        return verdicts[0]
    wrong = [v for v in verdicts if v.label == CONTRADICTED]
    return wrong[0] if wrong else min((v for v in verdicts if not v.supported), key=lambda v: v.score)


# A question is answerable from the passages when they hold its rare words (IDF-weighted coverage),
# or most of them while the passage is also close in meaning. Calibrated on tests/data/questions.jsonl:
# every unanswerable question there falls below, every answerable one above (docs/answers.md).
COVERAGE_MIN = 0.5
COVERAGE_WITH_SIMILAR = 0.3
SIMILAR = 0.55
# an answer that spans articles: the retrieved passages together must hold this share (no one of them does)
SPREAD_COVERAGE = 0.4
QUOTE_COVERAGE = 0.4  # a sentence quoted as the answer must hold this share of the question's key words


# An explanatory question draws on many sentences, so no one passage holds its words; it needs a
# passage close in meaning (the best passage's cosine), as well as every name it asks about.
EXPLAIN_SIMILAR = 0.45


def answerable(coverage: float, similarity: float) -> bool:
    return coverage >= COVERAGE_MIN or (coverage >= COVERAGE_WITH_SIMILAR and similarity >= SIMILAR)


def missing_names(question: str, passages: Sequence[Passage]) -> list[str]:
    """The names in the question (people, places, organisations) that no passage mentions: a question about
    Angela Merkel is not answered from articles that never name her."""
    if not passages:
        return []
    return missing_in(question, [f"{p.title} {p.text}" for p in passages])


def missing_in(question: str, texts: Sequence[str]) -> list[str]:
    """The names in the question that none of the texts mentions (looked up as words: only the question is
    parsed, as this runs before every answer)."""
    from .lexicon import ALIASES, fold
    from .parse import analyse_many

    words: set[str] = set()
    for text in texts:
        for w in re.findall(r"[\w'.-]+", fold(text)):
            w = w.strip(".'")
            words.add(w)
            words.update(ALIASES.get(w, w).split())
            words.update(re.findall(r"\w+", w))  # "bankman-fried" holds "fried"; "alzheimer's" holds "alzheimer"
    stems = {w[:5] for w in words if len(w) >= 5}

    def named(word: str) -> bool:  # "european" is named by "Europe": the same first five letters
        return word in words or (len(word) >= 6 and word[:5] in stems)

    (q,) = analyse_many([question])
    return [
        n
        for n, label in q.names.items()
        if label not in NOT_NAMES and not (all(named(w) for w in n.split()) or named(n.split()[-1]))
    ]


# the entity labels that name a time or an amount, not someone or something: "the end of 2023" is no name an
# article must hold (its date is the date filter's and the checker's to read)
NOT_NAMES = frozenset(["DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY"])


def about(question: str, text: str) -> bool:
    """Whether a sentence may speak of what the question names: it names each of them, or at least nothing
    else of the same kind in their place. "Chinese Foreign Ministry spokeswoman Hua Chunying said" is not
    about the Russian one; "giving U.S. diplomats 72 hours to leave the country" may be about Maduro, named
    in the sentence before."""
    from .parse import analyse_many, name_in

    q, t = analyse_many([question, text])
    # as the checker reads names: "Group" alone does not name the International Contact Group where the text names
    # the Lima Group
    unwritten = set(missing_in(question, [text]))
    missing = [n for n, label in q.names.items() if label not in NOT_NAMES and (n in unwritten or not name_in(n, t))]
    # of names the question joins ("analysts César Sabas and Mariano De Alba"), a sentence may say one: each may speak
    # in a sentence of their own
    joined = _joined(question, q.names)
    if joined & set(missing) and joined - set(missing):
        # unless the sentence joins another name of the missing one's kind in its place ("Russia and Venezuela signed
        # a treaty" for "... did Russia and Colombia sign ...?")
        kinds_ = {q.names[n] for n in missing if n in joined}
        if kinds_ & {"GPE", "NORP"}:  # a country and a people are one kind ("Russia" is tagged either)
            kinds_ |= {"GPE", "NORP"}
        rivals = [n for n in _joined(text, t.names) if t.names[n] in kinds_ and not name_in(n, q)]
        if rivals:
            return False
        missing = [n for n in missing if n not in joined]
    if not missing:
        return True
    kinds = {q.names[n] for n in missing}
    if any(n != c and f" {c} " in f" {n} " for n in missing for c in COUNTRIES):  # a missing body's country
        kinds |= {"GPE", "NORP"}
    # (a name said in a relative clause is not in their place: "affiliated with the Wagner group, which provided
    # security support in both Ukraine and Syria" may still be about the contractors in Venezuela; nor, where the
    # question asks for no name, is the one who tells it: "..., US envoy Elliott Abrams said Friday." may be about the
    # specialists in Venezuela, while for "Who is the Russian foreign ministry spokeswoman?" the teller is the answer)
    teller = set() if expected_type(question) == "name" else t.speakers
    return not any(
        label in kinds and not name_in(n, q) and n not in t.aside and not (n in teller or set(n.split()) <= teller)
        for n, label in t.names.items()
    )


_ROUGHLY = r"(?:(?:exactly|precisely|roughly|about|around|approximately|nearly|just)\s+)?"  # "exactly how many"


_HOW_MUCH = r"how\s+(?:many|much|long|old|far)"  # a count, an amount, a length, an age, a distance
_NUMBER_Q = re.compile(
    rf"^\s*{_ROUGHLY}"
    rf"(?:{_HOW_MUCH}|(?:in\s+)?(?:what|which)\s+year|when|"
    # an amount asked by its noun: "What was the monetary value of the 2011 treaty?", "What is the cost of ...?"
    r"(?:what|which)\s+(?:is|was|were|are)\s+the\s+(?:[\w-]+\s+)?(?:value|cost|price|worth|amount|sum|total|size)\s+of)\b",
    re.I,
)
# "what newspaper" asks for a name as "which newspaper" does: a noun for a named thing after "what"
_NAME_PARTS = r"(?:first|last|full|family|given|middle|real|nick|sur)"  # "first name", "surname"
_NAME_Q = re.compile(
    r"^\s*(?:(?:in|at|from|to|for|by|on|with|under|of)\s+)?"  # "In which city ...?"
    r"(?:who|whom|whose|(?:what|which)\s+(?:(?:is|was|are|were)\s+)?(?:(?:the|his|her|their|its)\s+)?"
    rf"(?:{_NAME_PARTS}\s*)?names?|which\s+\w+|what\s+(?:\w+\s+)?"
    r"(?:newspaper|agency|company|country|city|team|club|organi[sz]ation|group|outlet|network|channel|firm|"
    r"bank|party|official|minister|president|leader|person|player|coach|nation|state)s?\b(?!\s+of\b))\b",
    re.I,
)
_NUMBER_WORDS = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|millions?|billions?)\b",
    re.I,
)


_CALENDAR = re.compile(  # capitalised: "May", not "may"
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)


# where the asking starts after a clause that sets the scene: "According to the report ..., how many ...?"
_AFTER_CLAUSE = re.compile(
    rf",\s*(?={_ROUGHLY}(?:how|what|which|who|whom|whose|when|(?:in|at|from|to|for|by|on)\s+which)\b)", re.I
)


def expected_type(question: str) -> str | None:
    """'number' for how many / what year / when, 'name' for who / which X; None otherwise. The asking may follow a
    clause ("According to the report ..., how many countries ...?")."""
    m = _AFTER_CLAUSE.search(question)
    for asked in (question, *([question[m.end() :]] if m else [])):
        if _NUMBER_Q.match(asked) or asks_when(asked):  # "On which day ...?" asks a date, not a name
            return "number"
        if _NAME_Q.match(asked):
            return "name"
    return None


# a sum of money asked for: "How much did Venezuela pay ...?", "How much money ...?", "What was the monetary value of
# ...?"; and the words that say a sum is one ("$4.3 billion", "worth millions")
_MONEY_ASKED = re.compile(
    r"\bhow\s+much\s+(?:money\b|(?:[\w’'-]+\s+){0,8}?(?:pay|paid|cost|spen[dt]|owe|owed|charg|earn|lend|lent|loan|"
    r"invest|fined?\b|raise|raised|worth))|\b(?:monetary|dollar|cash|financial)\s+(?:value|worth|cost)\b|"
    r"\b(?:value|cost|price|worth)\s+of\b",
    re.I,
)
_MONEY = re.compile(r"[$€£¥]|\b(?:dollars?|euros?|rubles?|roubles?|pounds?|yuan|bol[ií]var(?:es|s)?|worth)\b", re.I)


# "What two-word demand did Trump make of Russia?", "What three words ...?": a phrase of so many words, which the articles
# set in quotation marks ("get out"); not one word, which they seldom do ("What one word did Dzhabrailov use ...?": "in
# essence, a coup")
_WORDS_ASKED = re.compile(r"\b(two|three|four|five)[\s-]+words?\b", re.I)
_HOW_MANY_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}
_QUOTED = re.compile(r"[“\"]([^“”\"]+)[”\"]")


def words_asked(question: str) -> int | None:
    """How many words the phrase a question asks for has ("What two-word demand ...?": 2); None: not said."""
    m = _WORDS_ASKED.search(question)
    return _HOW_MANY_WORDS[m.group(1).lower()] if m else None


def _words_of(text: str) -> list[str]:
    return re.findall(r"[\w’'-]+", text)


def phrases(question: str, texts: Sequence[str]) -> list[tuple[str, int]]:
    """The answers sentences offer to a question asking for a phrase of so many words: each quotation of that many
    words (“get out”) in a sentence that names every name the question does ("What two-word demand did Donald Trump
    make of Russia regarding Venezuela?": Trump, Russia and Venezuela), with the index of its sentence, in their
    order."""
    from .parse import analyse_many, name_in

    n = words_asked(question)
    if n is None:
        return []
    names = analyse_many([question])[0].names
    found = []
    for j, (text, a) in enumerate(zip(texts, analyse_many(list(texts)), strict=True)):
        quoted = [q.strip(" ,.;:!?") for q in _QUOTED.findall(text) if len(_words_of(q)) == n]
        if quoted and all(name_in(name, a) for name in names):
            found += [(q, j) for q in quoted]
    return found


def has_expected_type(answer: str, question: str) -> bool:
    """Does the answer hold the kind of thing asked for (a number, or a name the question lacks; a phrase of as many
    words as the question says)?"""
    n = words_asked(question)
    if n is not None:  # that many words, alone or quoted ("Trump called on Russia to “get out”")
        return len(_words_of(answer)) == n or any(len(_words_of(q)) == n for q in _QUOTED.findall(answer))
    kind = expected_type(question)
    if kind == "number":  # a count, or for "when" a date: "in January", "on Friday"; one the question does not
        # give ("When did Maduro give Russian diplomats 72 hours to leave?" is not answered by "... giving U.S.
        # diplomats 72 hours to leave the country")
        given = {w.lower() for w in _numbers(question)}
        if _MONEY_ASKED.search(question) and not _MONEY.search(answer):
            # a sum of money asked ("How much did Venezuela pay Russia for the S-300?"): not "a mere few dozen" staff
            return False
        # for when, a date: a day, a month, a year, "two weeks"; not "a few dozen"
        # "On what date ...?" asks for a day of the calendar, which "a week ago" is not
        # and for how many / how old, a number: "in January" gives no age ("How old was Guaidó when ...?")
        said = (
            (_calendar_dates(answer) if _DATE_ASKED.search(question) else _dates(answer))
            if asks_when(question)
            else _counts_in(answer)
            if _COUNT_ASKED.match(question)
            else _numbers(answer)
        )
        return any(w.lower() not in given for w in said)
    if kind == "name":
        asked = _asked_words(question)
        # a name by its last word: "Yevgeny Shabayev" is the question's "Shabayev" ("Who did Shabayev talk to?")
        runs = re.findall(r"\b[A-Z][\w’'-]*(?:[ \t]+[A-Z][\w’'-]*)*", answer)
        # (a title after a name is not its last word: "National Assembly President" names the National Assembly)
        lasts = [next((w for w in reversed(r.split()) if _bare(w) not in TITLES), r.split()[-1]) for r in runs]
        return (
            any(_bare(w) not in asked | STOP for w in lasts)
            and not _only_places(answer, question)
            and not _only_aside(answer, question)
            and (not asks_person(question) or adds_person(answer, question))
            and not _post_elsewhere(answer, question)
        )
    # "Where ...?": a place the question does not give: not "Colombian" or "Venezuela" again; a body where something is
    # ("at the United Nations headquarters"), not one named for a post ("Minister of External Affairs")
    if (m := _PLACE_ASKED.match(question)) and m.group(1) is None:
        return any(
            label in ("GPE", "LOC", "FAC")
            or (label == "ORG" and re.search(rf"\b(?:at|in)\s+(?:the\s+)?{re.escape(name)}\b", fold(answer)))
            for name, label in _added_names(answer, question).items()
        )
    from .parse import says_which_kind

    return says_which_kind(answer, question)


_COUNT_ASKED = re.compile(rf"^\s*{_ROUGHLY}{_HOW_MUCH}\b", re.I)


def _counts_in(text: str) -> list[str]:
    """The numbers and number words of a text, without its calendar words."""
    return re.findall(r"\d[\d,.]*", text) + _NUMBER_WORDS.findall(text)


def _numbers(text: str) -> list[str]:
    """The numbers, number words and calendar words of a text ("2017", "three", "June")."""
    return _counts_in(text) + _CALENDAR.findall(text)


_EXACT = r"(?:(?:exact|precise|specific|particular)\s+)?"  # "On what exact date ...?"
_DATE_ASKED = re.compile(rf"\b(?:what|which)\s+{_EXACT}(?:date|day|month|year)\b", re.I)


def _calendar_dates(text: str) -> list[str]:
    """The numbers and calendar words of a text: "2017", "June", "Monday"; not "a week ago"."""
    return re.findall(r"\d[\d,.]*", text) + _CALENDAR.findall(text)


def _dates(text: str) -> list[str]:
    """The numbers and calendar words of a text that may tell a time: "2017", "June", "Monday", "two weeks", "a week
    ago", "last month"."""
    spans = re.findall(r"\d[\d,.]*", text) + _CALENDAR.findall(text)
    counted = rf"(?:{_NUMBER_WORDS.pattern}|\b(?:a|an|last|this|next|earlier\s+this|later\s+this)\b)"
    return spans + re.findall(rf"{counted}\s+(?:days?|weeks?|months?|years?|decades?)\b", text, re.I)


def _only_aside(answer: str, question: str) -> bool:
    """The names an answer adds to the question's are all said in a relative clause, of the question's own name
    ("The Wagner group, which provided security support in both Ukraine and Syria." for "Who runs the Wagner
    group?"): they describe it, and answer nothing."""
    from .parse import analyse_many

    added = _added_names(answer, question)
    return bool(added) and all(n in analyse_many([answer])[0].aside for n in added)


# "Who is Russia's ambassador to Venezuela who ...?": someone the question describes, never a place
_WHO_IS = re.compile(r"^\s*who\s+(?:is|was|are|were)\b", re.I)


def _only_places(answer: str, question: str) -> bool:
    """The names an answer adds to the question's are all places, where the question asks for something that is no
    place: "Which group / command / agency ...?" ("The U.S."; "U.S. military command said, “... Moscow faces
    economic difficulties ...”" for "Which U.S. military command said ...?"), or "Who is <someone it describes>
    ...?" ("Russia's ambassador to Caracas ... refuted claims by US media ..." for "Who is Russia's ambassador to
    Venezuela who refuted ...?"). An answer that adds no name the recogniser tags is left to the other checks."""
    from .parse import analyse_many

    q = analyse_many([question])[0]
    if not ((q.asked_kind and not asks_place(question)) or _WHO_IS.match(question)):
        return False
    added = _added_names(answer, question)
    # a nationality names a place's people ("the European country", "Latin American"): no answer to those either
    return bool(added) and all(label in ("GPE", "LOC", "NORP") for label in added.values())


def _added_names(answer: str, question: str) -> dict[str, str]:
    """The names (with their labels) an answer adds to the question's; a date or an amount is no one ("the last
    decade" names no chief executive)."""
    from .parse import analyse_many, name_in

    q, a = analyse_many([question, answer])
    return {n: label for n, label in a.names.items() if not name_in(n, q) and label not in NOT_NAMES}


def _person_nouns(question: str) -> list[str]:
    from .lexicon import name_label
    from .parse import analyse_many

    q = analyse_many([question])[0]
    # (the noun "which" asks by, where the parse of a long question gives no kind: "Which Russian ambassador to
    # Venezuela refuted the claims that ...?")
    nouns = [w for w in (*q.asked_kind, q.who_is) if w] or [q.asked_noun]
    return list(dict.fromkeys(w.lower() for w in nouns if w and name_label(w) == "PERSON"))


# "What is the first name of spokesman Davydenko?": a part of a person's name
_NAME_PART = re.compile(rf"\b{_NAME_PARTS}\s*name\s+of\b", re.I)


def asks_person(question: str) -> bool:
    """ "Which official ...?", "Who is Russia's ambassador to Venezuela?": the kind of thing asked for, or the noun a
    "Who is ...?" question describes someone by, is a kind of person (lexicon.PEOPLE_KINDS); "What is the first
    name of ...?" asks for a person's name."""
    return bool(_NAME_PART.search(question)) or bool(_person_nouns(question))


# kinds of person that are no post: "Which official ...?" is answered by "Deputy Foreign Minister Sergei Ryabkov"
_ANYONE = frozenset({"people", "person", "persons", "individual", "individuals", "official", "officials", "figure"})


def holds_post(sentence: str, question: str) -> bool:
    """Does a sentence quoted for "Which Russian general led the troops ...?" say general? The post a question
    asks the holder of must be in the sentence that answers it; a question asking for anyone, or for no person,
    asks for no post."""
    from .parse import analyse_many, holds_key

    posts = [w for w in _person_nouns(question) if w not in _ANYONE]
    if not posts:
        return True
    said = analyse_many([sentence])[0]
    # and not as another country's post ("Peruvian Foreign Minister ..." for "Who is Venezuela's foreign minister?")
    return any(holds_key(w, said) or holds_key(w.removesuffix("s"), said) for w in posts) and not _post_elsewhere(
        sentence, question
    )


def _post_elsewhere(text: str, question: str) -> bool:
    """Does the text give the post a question asks the holder of to another country ("Serguéi Lavrov, the Russian
    foreign minister." for "Who is Venezuela's foreign minister?")?"""
    from .parse import analyse_many

    posts = [w for w in _person_nouns(question) if w not in _ANYONE]
    return bool(posts) and _post_of_another(text, posts, analyse_many([question])[0].names, question)


def adds_person(answer: str, question: str) -> bool:
    """Does the answer name someone the question does not: a person, or a name the recogniser gives no kind (the
    small model tags nothing in "Igor Sechin runs Rosneft.")? Not when all it adds are organisations, places,
    dates."""
    from .parse import analyse_many, name_in

    a, q = analyse_many([answer, question])
    return any(label in ("PERSON", "PROPN") and not name_in(n, q) for n, label in a.names.items())


def names_asked_kind(question: str, sentence: str) -> bool:
    """For "which X" (not a person): whether the sentence calls a name the question lacks an X ("Which group ...?":
    "affiliated with the Wagner group"); True for other questions."""
    from .parse import asked_noun, called

    noun = asked_noun(question) if expected_type(question) == "name" and not asks_person(question) else ""
    if not noun:
        return True
    asked = _asked_words(question)
    return any(_bare(n.split()[-1]) not in asked for n in called(noun, [sentence])[0])


def holds_kind(sentence: str, question: str) -> bool:
    """Does a sentence quoted for an answer hold the kind of thing asked for: for who / which X someone the
    question doesn't name, for how many X a number the sentence gives X (not "Two ... planes ... offloaded
    equipment and troops" for "How many troops ...?"), for when a number or a date?"""
    if expected_type(question) == "name":
        return (
            names_another_where_asked(sentence, question)
            and not _only_places(sentence, question)
            and not _only_aside(sentence, question)
            and (not asks_person(question) or (adds_person(sentence, question) and holds_post(sentence, question)))
        )
    if not has_expected_type(sentence, question):
        return False
    from .parse import analyse_many

    return not analyse_many([question])[0].counted or bool(counts(question, [sentence]))


_WHEN_Q = re.compile(
    rf"^\s*(?:when|(?:in|on)\s+(?:what|which)\s+{_EXACT}(?:year|month|day|date)|(?:what|which)\s+{_EXACT}"
    r"(?:year|month|day|date))\b",
    re.I,
)


def asks_when(question: str) -> bool:
    """ "When ...?", "On which day ...?", "In what year ...?" """
    return bool(_WHEN_Q.match(question))


def counts(question: str, texts: Sequence[str], similar: Callable[[str, str], bool] | None = None) -> list[str]:
    """The answers sentences offer to "how many X" / "how much X" (and to "when": each day, month or year they give,
    as written), for the claim checker to try where the model's own answer fails (the 270M model writes "1." having
    read "Two Russian military planes landed ..."): each number
    a sentence binds to the noun the question counts, or, for an amount without a noun of its own, to a word of its
    meaning by `similar` (the checker's synonyms: "staff", "personnel"), as the sentence writes it ("Two", "three
    million tons"), never a number of something else; in the order of the sentences, each once. Which one answers is the checker's to say
    (cite.claims_of puts each in the question's place). Names offered the same way (for who / which X) were
    measured and not kept: docs/answers.md."""
    from .parse import analyse_many

    asked = analyse_many([question])[0]
    counted = asked.counted if texts else ()
    if not counted and texts and asks_when(question):
        # "When did ...?": the days, months and years the sentences give ("January" where the model wrote "Guaido
        # declared himself interim president in January, when the attempt was unsuccessful", a date on another act)
        days: list[str] = []
        for text, a in zip(texts, analyse_many(list(texts)), strict=True):
            for key, kind in a.names.items():
                if kind not in ("DATE", "TIME"):
                    continue
                words = r"[\s,]+".join(map(re.escape, key.split()))  # "Monday, June 3rd" is keyed "monday june"
                m = re.search(rf"\b{words}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?\b", text, re.I)
                if m and (re.search(r"\d", key) or _CALENDAR.search(m.group(0))) and m.group(0) not in days:
                    days.append(m.group(0))
        return days
    if not counted:  # not a "how many" question: the sentences are not parsed for it
        return []
    found: list[str] = []
    for a in analyse_many(list(texts)):
        offered = [
            x.written or x.value
            for x in a.quantities
            # an amount with a noun of its own counts just that ("Two Russian military planes" counts no pilots, though
            # the embedder puts pilot next to plane); one without counts what the act is done to, which the question may
            # name in another word ("reduced its personnel to a mere few dozen" for "cut its staff down to ...")
            if any(
                c == k or (similar is not None and not x.head and similar(c, k))
                for c in counted
                for k in x.counts  # its head first
            )
            and asked.counted_named <= x.named  # "U.S. personnel" are not "its personnel" (Rostec's)
        ]
        found += [x for x in offered if x not in found]
    return found


def _asked_words(question: str) -> set[str]:
    """The question's words, as `_bare` folds them: an answer's name must add a word to them."""
    return {_bare(w) for w in re.findall(r"[\w’'-]+", question)}


def _bare(word: str) -> str:
    """A word without case, accents and possessive, either apostrophe: "Russia’s" is the question's "Russia's",
    "Guaido" its "Guaidó"."""
    return re.sub(r"'s?$", "", fold(word))


def without_kind(question: str) -> str:
    """The question less the kind of thing it asks for: "Which news agency reported that Russian contractors
    guard Maduro?" -> "Which reported that ...". A passage names the agency, not "news agency", so those
    words are no measure of whether it covers the question."""
    from .parse import analyse_many

    words = analyse_many([question])[0].asked_kind
    if not words:
        return question
    return re.sub(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", "", question, count=len(words))


def names_another(sentence: str, question: str) -> bool:
    """Does the sentence name someone or something (a person, organisation, place, work, ...) that the
    question does not? What a sentence needs to answer "who" or "which X"."""
    from .parse import analyse_many, name_in

    said, asked = analyse_many([sentence, question])
    return any(kind not in ("DATE", "TIME") and not name_in(n, asked) for n, kind in said.names.items())


# "Where ...?", "In which Venezuelan city ...?", "Which countries ...?": the words after which / what are read for
# a kind of place
_PLACE_ASKED = re.compile(
    r"\s*(?:where\b|(?:(?:in|at|from|to|into)\s+)?(?:which|what)\s+((?:[\w-]+\s+){0,2}[\w-]+))", re.I
)


def asks_place(question: str) -> bool:
    """ "Which city ...?", "In which Venezuelan city ...?", "Which countries ...?", "Where ...?": the kind of thing
    asked for is a place (lexicon.PLACE_KINDS)."""
    from .lexicon import name_label
    from .parse import analyse_many

    m = _PLACE_ASKED.match(question)
    words = analyse_many([question])[0].asked_kind + (m.group(1).split() if m is not None and m.group(1) else [])
    return (m is not None and m.group(1) is None) or any(name_label(w) == "GPE" for w in words)


def names_another_where_asked(sentence: str, question: str) -> bool:
    """Does the sentence name someone or something the question does not in the clause that says what the question
    asks about (the clause holding most of its words), or as the one who says that clause (a place is never the one
    who says something)? "In which Venezuelan city is Rosoboronexport's helicopter pilot training centre?" is not
    answered by "Rosoboronexport, Russia's state arms export company, said it has opened a training centre for
    military helicopter pilots in Venezuela after Moscow flew in troops": the centre's clause names Venezuela only;
    "Who is the spokeswoman who urged the United States to stop threatening Venezuela?" is answered by "'We
    recommend that the United States stop threatening Venezuela ...,' spokeswoman Maria Zakharova said"."""
    from .parse import analyse_many, name_in

    said, asked = analyse_many([sentence, question])
    if not said.clauses:
        return names_another(sentence, question)
    keys = set(asked.content)
    best = max(said.clauses, key=lambda c: len(c.keys & keys))
    names = best.names | (frozenset() if asks_place(question) else best.said_by)
    return any(label not in ("DATE", "TIME") and not name_in(n, asked) for n, label in said.names.items() if n in names)


_ASKING = re.compile(r"\bwhom\b|\bhow\s+(?:many|much)\b", re.I)


def restates(answer: str, question: str) -> bool:
    """Does the answer only repeat the question's own words ("Russia's state arms exporter." for "What is the
    name of Russia's state arms exporter?"), or echo its asking ("... for whom.", "how many")? Such an answer tells
    nothing, whatever supports it."""
    from .parse import analyse_many

    # the question's own asking, echoed ("... opened a training centre in Venezuela for whom.")
    echo = _ASKING.findall(answer)
    if echo and all(re.search(rf"\b{re.escape(e)}\b", question, re.I) for e in echo):
        return True
    said, asked = analyse_many([answer, question])
    return bool(said.content) and all(k in asked.surface or k in asked.content for k in said.content)


def declines(answer: str) -> bool:
    """Did the model say the passages don't hold the answer?"""
    return not answer.strip() or bool(DECLINE.search(answer))
