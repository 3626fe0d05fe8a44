"""answer / stream_answer: retrieve -> prompt -> generate -> cite. The one pipeline every face calls."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cite, compose, kinds, suspect
from .claims import ClaimChecker
from .config import Settings
from .errors import BadModeError, EmptyQuestionError
from .models import get_checker, get_embedder, get_generator
from .prompt import NOT_FOUND, Evidence, build_prompt, fit, overhead, select_evidence
from .retrieve import Passage, check_filters, question_dates, question_outlets, search
from .stores import open_store


@dataclass(frozen=True)
class Citation:
    n: int  # the number used as [n] in Answer.text
    source: str  # the article's file name
    title: str
    text: str  # the passage that was in the prompt
    start: int  # offsets of the passage in the cleaned article
    end: int
    score: float  # retrieval similarity of the passage
    support_start: int  # offsets of the sentence that supports the statement
    support_end: int
    metadata: dict[str, str] = field(default_factory=dict)


# how the faces introduce Answer.unsupported: what the model wrote that the answer leaves out (a "1." beside the
# "Two. [1]" that replaced it must not read as part of the answer)
LEFT_OUT = "Left out of the answer, as no passage supports it"


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    searched: str = ""  # the standalone question that retrieval used (differs for follow-ups)
    abstained: bool = False  # True: the articles don't hold the answer; see `related`
    related: list[Passage] = field(default_factory=list)  # closest passages, as reading, not sources
    unsupported: list[str] = field(default_factory=list)  # statements no passage supports
    passages: list[Passage] = field(default_factory=list)  # everything that was in the prompt
    timings: dict[str, float] = field(default_factory=dict)
    extractive: bool = False  # True: the model's own answer failed the checks, so the text quotes the passage
    kind: str = "fact"  # the kind of answer given (rag/kinds.py): fact, explain, list, change, who_says, ...
    notes: list[str] = field(default_factory=list)  # what the user should know ("the question was cut ...")
    # outlets and days the question names, which retrieval favours ({"outlets": [...], "dates": [...]}),
    # and the filters it was restricted to: the chat shows both
    focus: dict[str, list[str]] = field(default_factory=dict)
    filters: dict[str, Any] = field(default_factory=dict)
    # the answer only repeats suspect text of one article (a Q/A script, instructions, a credentials
    # request, a link: rag/suspect.py); the chat and `rag ask` show it
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


# --- follow-up questions ---------------------------------------------------------------------------
_FOLLOW = re.compile(r"^\s*(?:and|but|also|so|then|what about|how about|what else|and what|same for)\b", re.I)
_REFER = re.compile(
    r"\b(?:he|she|it|they|them|his|her|its|their|this|that|these|those|there|the same|the other)\b", re.I
)
# "there" that points nowhere: "How many contractors are there?", "Is there a treaty?"
_EXISTENTIAL = re.compile(r"\b(?:(?:is|are|was|were|be|been)\s+there|there\s+(?:is|are|was|were|have|has))\b", re.I)


def _previous_questions(history: Sequence[Any] | None) -> list[str]:
    """User turns from a history given as Answers, (question, answer) pairs or chat messages."""
    out: list[str] = []
    for turn in history or []:
        if isinstance(turn, Answer):
            out.append(turn.searched or turn.question)
        elif isinstance(turn, dict):
            if turn.get("role") == "user":
                out.append(str(turn.get("content", "")))
        elif isinstance(turn, (list, tuple)) and turn:
            out.append(str(turn[0]))
    return [q for q in out if q.strip()]


_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(.+?)\s*\??\s*$", re.I)
_OPENING = re.compile(r"^\s*(?:and|but|also|so|then)\b[\s,]*", re.I)


def condense(question: str, history: Sequence[Any] | None) -> str:
    """Turn a follow-up into a standalone question, by the meaning of the previous one.

    Rule-based (the small default LLM cannot rewrite questions reliably), over the names the parser
    finds in both questions:
    - "What about China?" after "Why does Russia support Maduro?": the previous question with the
      name of the same kind replaced: "Why does China support Maduro?";
    - "And what did China say?": the follow-up about what the previous question was about, less the
      names the follow-up replaces: "what did China say about Maduro?";
    - a follow-up that names nothing ("Which newspaper made those claims?") carries the previous
      question along whole.
    """
    previous = _previous_questions(history)[-FOLLOW_TURNS:]
    if not previous:
        return question.strip()
    # the previous turn by its meaning: a follow-up of a follow-up ("And what did China say?", then "What about the
    # United States?") is read against the question the one before it stood for, not its bare words
    meaning = previous[0].strip()
    for earlier in previous[1:]:
        meaning = _standalone(earlier, meaning)
    return _standalone(question, meaning)


FOLLOW_TURNS = 6  # the user turns a follow-up is read against, the latest last


def _standalone(question: str, last: str) -> str:
    """One follow-up made standalone by the question before it (see condense)."""
    q = question.strip()
    names = re.findall(r"\b[A-Z][\w’'-]+", q[1:])  # capitalised words after the first
    refers = _REFER.search(_EXISTENTIAL.sub(" ", q)) is not None
    dependent = bool(_FOLLOW.match(q)) or (not names and (len(q.split()) <= 4 or refers))
    if not dependent:
        return q
    last = last.strip()
    bare = _OPENING.sub("", q).rstrip(" ?")
    if names and not re.match(r"(?i)(?:what|who|whom|which|when|where|why|how|did|does|do|is|are|was|were)\b", bare):
        q = f"What about {bare}?"  # "And the United States?": the same question about someone else
    if not names:
        return f"{last.rstrip(' ?')}? {q}"
    from .lexicon import NAME_KINDS
    from .parse import analyse_many

    before, now = analyse_many([last, q])
    kinds_now = {NAME_KINDS.get(label, "name") for label in now.names.values()}
    m = _WHAT_ABOUT.match(q)
    if m:
        for name, label in before.names.items():
            if NAME_KINDS.get(label, "name") in kinds_now:
                # the name with its article goes, the follow-up's words come in with theirs: "the United States" by
                # "Cuba" gives "How did Cuba react ...?", "Russia" by "the United States" "Why does the United States"
                found = re.search(r"(?:\bthe\s+)?" + _name_pattern(name), last, flags=re.I)
                if found:
                    put = m.group(1) if found.start() else m.group(1)[:1].upper() + m.group(1)[1:]
                    return last[: found.start()] + put + last[found.end() :]
        return f"{last.rstrip(' ?')}? {q}"
    carried = [
        name
        for name, label in before.names.items()
        if NAME_KINDS.get(label, "name") not in kinds_now and name not in now.names
    ]
    core = _OPENING.sub("", q).rstrip(" ?")
    core = core[:1].upper() + core[1:]
    if not carried:
        return f"{core}?"
    return f"{core} about {' and '.join(_display(n, last) for n in carried)}?"


def _name_pattern(name: str) -> str:
    """A folded name as a pattern over the original text (accents and case aside, more or less)."""
    return r"\b" + r"\W+".join(re.escape(w)[:-1] + r"\w*" if len(w) > 3 else re.escape(w) for w in name.split()) + r"\b"


def _display(name: str, text: str) -> str:
    """The name as the text writes it."""
    m = re.search(_name_pattern(name), text, re.I)
    return m.group(0) if m else name.title()


# --- the pipeline ----------------------------------------------------------------------------------
def _settings(
    settings: Settings | None, corpus_dir: Path | str | None, index_dir: Path | str | None, collection: str | None
) -> Settings:
    return (settings or Settings.load()).pick(collection=collection, corpus_dir=corpus_dir, index_dir=index_dir)


def _decline(
    question: str, searched: str, passages: list[Passage], timings: dict[str, float], kind: str = "fact"
) -> Answer:
    answer = Answer(question, NOT_FOUND, [], searched, True, passages[:3], [], passages, timings)
    answer.kind = kind
    return answer


# The subject of a statement: what comes before its first comma or verb ("Reuters, the U.S. news agency, had ...").
_HEAD = re.compile(r",|\s(?:is|was|were|are|had|has|have|did|does|said|says)\b")

# The model's answer is trusted when it rests on one of the best-ranked evidence sentences; a tiny
# model otherwise tends to answer from a neighbouring sentence about someone else.
AGREE_TOP = 1


def _inner(quote: str) -> str:
    """A quotation's own double quotes as single ones, inside the answer's: “... ‘We recommend ...,’ ...”."""
    return quote.translate(str.maketrans('“”"', "‘’'"))


def _capital(statement: str) -> str:
    """A statement begins with a capital: the model writes "the “Wagner group,” which provided ..."; a word
    written with an inner capital ("iPhone", "eBay") stays as it is."""
    m = re.match(r"([^\w]*)(\w)(\w*)", statement)
    if m is None or not m.group(2).islower() or any(ch.isupper() for ch in m.group(3)):
        return statement
    return statement[: m.start(2)] + m.group(2).upper() + statement[m.end(2) :]


def _citation(n: int, p: Passage, start: int, end: int) -> Citation:
    return Citation(n, p.source, p.title, p.text, p.start, p.end, p.score, start, end, dict(p.metadata))


def _tie(
    question: str,
    searched: str,
    raw: str,
    passages: list[Passage],
    evidence: Sequence[Evidence],
    coverage: Callable[[str, str], float],
    timings: dict[str, float],
    checker: ClaimChecker | None = None,
) -> Answer:
    """Check the generated text against the passages and attach verified citations.

    Each statement goes through the claim checker: one that no sentence supports (or that a sentence
    contradicts) is left out of the text and listed in Answer.unsupported. When nothing is left, or the
    answer lacks the kind of thing asked for, or its passage is about something else: for "how many X", a number
    the read sentences give X that the checker supports in the model's place (cite.counts); else the best evidence
    sentence is quoted as the answer if it covers the question; otherwise the answer declines.
    """
    raw = raw.strip()
    asked = cite.without_kind(searched)  # what a passage must cover: not "news agency", but what it reported
    by_passage: dict[int, Citation] = {}
    parts: list[str] = []
    unsupported: list[str] = []
    shown = {ev.passage for ev in evidence}
    read = [(ev.start, ev.end) for ev in evidence]
    if not cite.declines(raw):
        for text, cited in cite.statements(raw):
            s = cite.best_support(text, passages, searched, prefer=cited, evidence=shown, checker=checker, read=read)
            head = _HEAD.split(text, maxsplit=1)[0].strip(" .")
            if s is None and head != text.strip(" .") and 0 < len(head.split()) <= 6:
                # "Reuters, the U.S. news agency, had the report": the part the sentence supports, alone
                s = cite.best_support(f"{head}.", passages, searched, evidence=shown, checker=checker, read=read)
                if s is not None:
                    unsupported.append(text)
                    text = f"{head}."
            if s is not None and s.verdict.acts_missing and not cite.bare_answer(text):
                # a sentence the model wrote that tells an act its support does not ("Russia wants to help the country
                # in economic and strategic difficulties" against "... Moscow faces economic difficulties at home"):
                # close in words, not said
                s = None
            if s is None:
                unsupported.append(text)  # never shown as part of the answer
                continue
            start, end = s.sentence_start, s.sentence_end
            if s.passage not in by_passage:
                by_passage[s.passage] = _citation(len(by_passage) + 1, passages[s.passage], start, end)
            parts.append(f"{_capital(text)} [{by_passage[s.passage].n}]")
    said = re.sub(r"\s*\[\d+\]", "", " ".join(parts))
    trusted = evidence[:AGREE_TOP]
    agrees = any(
        c.source == passages[ev.passage].source and c.support_start < ev.end and ev.start < c.support_end
        for c in by_passage.values()
        for ev in trusted
    )
    sound = (
        bool(by_passage)
        and agrees
        # what the reader is shown holds the kind of thing asked for, not only what the model wrote: of "the
        # U.S., according to a Reuters report ..." only "The U.S." was supported, and Reuters made it pass
        and cite.has_expected_type(said, question)
        and not cite.restates(said, searched)
        and (
            any(coverage(asked, f"{c.title} {c.text}") >= cite.COVERAGE_WITH_SIMILAR for c in by_passage.values())
            # a question that spans articles ("reported by both X and Y"): no one passage covers it, all do
            or coverage(asked, " ".join(f"{p.title} {p.text}" for p in passages)) >= cite.SPREAD_COVERAGE
        )
    )
    if sound:
        return Answer(
            question, " ".join(parts), list(by_passage.values()), searched, False, [], unsupported, passages, timings
        )
    # the model's answer failed (a 270M model writes "1." having read "Two Russian military planes landed ..."):
    # for how many, each number the sentences it read give the noun counted, checked as the model's answer would be;
    # the first the checker supports
    when = cite.asks_when(searched)
    same = checker.synonyms if checker is not None else None
    for offered in cite.counts(searched, [ev.text for ev in evidence], same)[:READ_CANDIDATES]:
        # a day the sentences give must be the day of the act asked about, by the checker alone: a day is in the
        # sentence read for "When was Nicolas Maduro born?" ("... on Friday"), but not as the day he was born
        s = cite.best_support(offered, passages, searched, evidence=shown, checker=checker, read=() if when else read)
        if s is None or s.passage < 0 or not cite.has_expected_type(offered, question):
            continue
        c = _citation(1, passages[s.passage], s.sentence_start, s.sentence_end)
        text = f"{_capital(offered)}. [1]"
        return Answer(question, text, [c], searched, False, [], unsupported, passages, timings)
    # for a phrase of so many words ("What two-word demand did Trump make of Russia ...?"), a quotation of that length
    # in a sentence of the passages that names what the question names (the model reads few sentences)
    if cite.words_asked(searched) is not None:
        sents = cite.evidence_of(passages)
        for phrase, j in cite.phrases(searched, [s[3] for s in sents])[:1]:
            c = _citation(1, passages[sents[j][0]], sents[j][1], sents[j][2])
            return Answer(question, f"“{phrase}” [1]", [c], searched, False, [], unsupported, passages, timings)
    best = evidence[0] if evidence else None
    # a sentence quoted in place of an answer holds the kind of thing asked for (cite.holds_kind)
    # and speaks of what the question names (cite.about)
    if (
        best is not None
        and coverage(asked, best.text) >= cite.QUOTE_COVERAGE
        and cite.holds_kind(best.text, question)
        and cite.about(question, best.text)
    ):
        c = _citation(1, passages[best.passage], best.start, best.end)
        text = f"The articles say: “{_inner(best.text)}” [1]"
        return Answer(question, text, [c], searched, False, [], [], passages, timings, extractive=True)
    return _decline(question, searched, passages, timings)


READ_CANDIDATES = 4  # numbers the read sentences offer that the checker tries, where the model's own answer failed
EXPLAIN_K = 10  # passages an explanatory answer draws on (it wants every article that bears on the question)
SPEAKER_K = 3  # passages added for each speaker a who-says question names, found by "<speaker> said"


def _explain(
    question: str,
    searched: str,
    kind: str,
    passages: list[Passage],
    settings: Settings,
    coverage: Callable[[str, str], float],
    timings: dict[str, float],
) -> Answer:
    """An explanatory answer: the articles' own sentences, chosen, ordered and checked (rag/compose.py)."""
    points = compose.choose(searched, passages, get_embedder(settings).embed, coverage, kind)
    if not points:
        return _decline(question, searched, passages, timings, kind)
    done = compose.compose(searched, kind, points, get_checker(settings), passages)
    citations = [_citation(n, passages[p.passage], p.start, p.end) for n, p in enumerate(done.points, 1)]
    answer = Answer(question, done.text, citations, searched, False, [], [], passages, timings)
    answer.kind = kind
    return answer


# "Who is Maria Zakharova?", "What is Rostec?": a name and nothing else asked of it; or the post a named person
# holds, or what they head, which is what "who is" asks of a person: "What is Andrei Klimov's position?", "What office
# does Juan Guaidó hold?"
_NAME = r"(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})"
_POST = r"(?i:position|post|title|job|office)"
_WHO_IS = tuple(
    re.compile(rf"^\s*{asked}\s*\??\s*$")
    for asked in (
        rf"(?i:who|what)\s*(?i:is|was|['’]s)\s+{_NAME}",
        rf"(?i:what|which)\s+(?i:is|was)\s+{_NAME}['’]s?\s+{_POST}",
        rf"(?i:what|which)\s+{_POST}\s+(?i:does|did)\s+{_NAME}\s+(?i:hold|have|occupy)",
        # what someone heads is their post: "What body does Juan Guaidó preside over?"
        rf"(?i:what|which)\s+(?:\w+\s+){{1,2}}?(?i:does|did)\s+{_NAME}\s+(?i:preside\s+over|lead|head|run|chair|direct)",
        # and what they are the head of: "Of which Venezuelan institution is Juan Guaidó identified as president?",
        # "Which body is Guaidó the president of?"
        rf"(?i:of\s+)?(?i:what|which)\s+(?:[\w-]+\s+){{1,2}}?(?i:is|was)\s+{_NAME}\s+"
        r"(?:(?i:identified|described|named|listed|known)\s+(?i:as)\s+)?(?:(?i:the|a)\s+)?"
        r"(?P<post>(?i:president|head|leader|chair(?:man|woman)?|director|chief))(?:\s+(?i:of))?",
        # the same asked after the name: "Guaidó is the president of which Venezuelan institution?"
        rf"{_NAME}\s+(?i:is|was)\s+(?:(?i:identified|described|named|listed|known)\s+(?i:as)\s+)?(?:(?i:the|a)\s+)?"
        r"(?P<post>(?i:president|head|leader|chair(?:man|woman)?|director|chief))\s+(?i:of)\s+"
        r"(?P<which>(?i:what|which)(?:\s+[\w-]+){0,3})",
    )
)


def _describe(
    question: str, searched: str, passages: list[Passage], checker: ClaimChecker, timings: dict[str, float]
) -> Answer | None:
    """What the articles say a person or thing asked about by name is, in the words set next to the name
    (parse.descriptions): "Maria Zakharova is the official representative of Russia’s Foreign Ministry. [1]".
    The fullest description that the claim checker finds in the words of the sentence that say it (the name
    and its description: a short statement is far in meaning from a long sentence about something else); None
    when there is none (the question then goes to the LLM)."""
    from .parse import descriptions

    asked = cite.without_pointer(searched)
    m = next((m for p in _WHO_IS if (m := p.match(asked)) is not None), None)
    if m is None:
        return None
    sents = cite.evidence_of(passages)
    found = descriptions(m.group("name"), [s[3] for s in sents])
    # set off after the name, a description says most; else the longest title; then the most relevant passage
    for d in sorted(found, key=lambda d: (not d.appositive, -len(d.text.split()), d.sentence)):
        what = d.text if d.appositive or re.match(r"(?i)(?:the|an?)\s", d.text) else f"the {d.text}"
        statement = f"{d.name} is {what}."
        i, start, end, _ = sents[d.sentence]
        # a which-question asks for a name the description must give ("Of which Venezuelan institution ...?": not
        # "Juan Guaidó is the President.")
        # (asked after the name, as it would be asked first: "Which Venezuelan institution is Guaidó the president of?")
        which = m.groupdict().get("which")
        typed = asked if which is None else f"{which} is {m.group('name')} the {m.group('post')} of?"
        named = cite.expected_type(typed) != "name" or cite.has_expected_type(statement, typed)
        # and the post it asks of is the one described: "the National Assembly President", not "the opposition leader"
        post = m.groupdict().get("post")
        named = named and (post is None or re.search(rf"\b{post}\b", d.text, re.I) is not None)
        if named and checker.check(statement, [d.phrase]).supported:
            answer = Answer(question, f"{statement} [1]", [_citation(1, passages[i], start, end)], searched)
            answer.passages, answer.timings = passages, timings
            return answer
    return None


def _across(
    question: str,
    searched: str,
    kind: str,
    index: Any,
    settings: Settings,
    filters: dict[str, Any] | None,
    timings: dict[str, float],
    t0: float,
) -> Answer | None:
    """A question about what named outlets reported (rag/join.py): answered by checking each outlet's claim
    within that outlet's articles. None: not such a question (or no entity found): the usual path answers."""
    from . import join
    from .retrieve import outlet_aliases

    q = join.analyse(searched, outlet_aliases(index))
    if q is None or not q.claims:
        return None
    if q.form in (join.ENTITY, join.OUTLET) and kind != "fact":
        return None  # "What did TechCrunch say about X?" wants an explanation, not a name
    if kind in ("explain", "summarize"):
        return None  # "Summarize the theories TechCrunch offered for ..." wants the theories, not "Yes"
    checker = get_checker(settings)

    def within(text: str, where: dict[str, str], k: int) -> list[Passage]:
        return search(text, index, settings, k, {**(filters or {}), **where})

    ev = join.gather(q, within, checker)
    timings["retrieve"] = time.perf_counter() - t0
    # the question's names must be in what was found, and something found must be close to it (as for
    # every answer): a question about a band no article names is declined, whatever its outlets reported
    missing = cite.missing_names(join.topic(q), ev.passages)
    if missing:  # the passages found within each outlet are few: the names may be in others of theirs
        missing = cite.missing_names(join.topic(q), within(q.bare, {}, settings.k * 2))
    if missing or max((p.score for p in ev.passages), default=0.0) < cite.EXPLAIN_SIMILAR:
        if not q.outlets:  # a described entity (naming no outlet) that was not found: the reader may answer
            return None
        timings["total"] = time.perf_counter() - t0
        answer = _decline(question, searched, ev.passages, timings, "yesno" if q.form == join.YESNO else "fact")
        if missing:
            answer.notes = [f"The articles of {', '.join(q.outlets)} never name {', '.join(missing)}."]
        return answer
    if q.form == join.OUTLET:
        result = join.outlet(q, ev)
    elif q.form == join.ENTITY:

        def article(source: str) -> str:
            found = index.article(source)
            return found.text if found is not None else ""

        result = join.entity(q, ev, checker, article)
    else:
        result = join.yesno(q, ev, checker)
    timings["total"] = time.perf_counter() - t0
    if result.declined:
        if q.form in (join.ENTITY, join.OUTLET):
            return None
        answer = _decline(question, searched, ev.passages, timings, "yesno")
        answer.notes = [join.why_not(q, ev)]
        return answer
    citations = [
        Citation(
            n,
            c.passage.source,
            c.passage.title,
            c.passage.text,
            c.passage.start,
            c.passage.end,
            c.passage.score,
            c.start,
            c.end,
            dict(c.passage.metadata),
        )
        for n, c in enumerate(result.cited, 1)
    ]
    answer = Answer(question, result.text, citations, searched, False, [], [], ev.passages, timings)
    answer.kind = "yesno" if q.form in (join.YESNO, join.CHOICE) else "fact"
    return answer


def stream_answer(
    question: str,
    *,
    k: int | None = None,
    history: Sequence[Any] | None = None,
    filters: dict[str, Any] | None = None,
    mode: str | None = None,
    corpus_dir: Path | str | None = None,
    index_dir: Path | str | None = None,
    collection: str | None = None,
    settings: Settings | None = None,
) -> Iterator[str | Answer]:
    """Yield the answer's text pieces as the LLM writes them, then the finished Answer (last item).

    The final Answer's text may differ from the streamed pieces: citations are added as [n]; an answer
    that fails the checks is replaced by a quote of the best sentence (Answer.extractive) or by the
    fixed "The articles don't say." (Answer.abstained).
    """
    if not question or not question.strip():
        raise EmptyQuestionError()
    try:
        forced = kinds.check_mode(mode)
    except ValueError as e:
        raise BadModeError(str(e)) from None
    settings = _settings(settings, corpus_dir, index_dir, collection)
    filters = check_filters(filters)  # a bad filter fails before any work
    t0 = time.perf_counter()
    index = open_store(settings)
    searched = condense(question, history)
    notes = []
    words = searched.split()
    if len(words) > settings.max_question_words:  # a pasted page: keep what fits the model's window
        searched = " ".join(words[: settings.max_question_words])
        notes.append(f"The question was cut to its first {settings.max_question_words} words (it had {len(words)}).")
    # a follow-up carried with the question before it ("... Maduro? How many contractors?") asks for its own kind
    carried = searched != question.strip() and searched.endswith(question.strip())
    kind = forced or kinds.detect(question if carried else searched)
    focus = {"outlets": sorted(question_outlets(searched, index)), "dates": sorted(question_dates(searched))}

    def done(a: Answer) -> Answer:
        a.focus, a.filters = {k_: v for k_, v in focus.items() if v}, dict(filters)
        if not a.abstained:
            cited = [(c.source, c.text[c.support_start - c.start : c.support_end - c.start]) for c in a.citations]
            flag = suspect.warning(a.text, cited)
            if flag:
                a.warnings.append(flag)
        return a

    joined = _across(question, searched, kind, index, settings, filters, {}, t0) if forced in (None, "yesno") else None
    if joined is not None:
        joined.notes = notes + joined.notes
        yield joined.text
        yield done(joined)
        return
    depth = k or (max(settings.k, EXPLAIN_K) if kind != "fact" else settings.k)
    where = filters
    if kind != "fact" and focus["outlets"] and not filters.get("source"):
        # "Summarize the theories TechCrunch offered ...": an explanation drawn from the outlets it names only
        where = {**filters, "source": focus["outlets"]}
    passages = search(searched, index, settings, depth, where)
    if kind == "who_says":  # "What did China say ...?": also where the speaker asked about says something
        held = {(p.source, p.start) for p in passages}
        for name in compose.asked_speaker(searched):
            for p in search(f"{name} said", index, settings, SPEAKER_K, where):
                if (p.source, p.start) not in held:
                    held.add((p.source, p.start))
                    passages.append(p)
    timings = {"retrieve": time.perf_counter() - t0}
    asked = cite.without_kind(searched) if kind == "fact" else searched  # "Which news agency ...": not its words
    similarity = max((p.score for p in passages), default=0.0)
    # a factual question goes on to the model whatever words it shares with the passages: whether it is answered
    # follows from the claim checker (_tie), not from key-word coverage ("When was the Lima Group set up?" shares
    # few words with "... was created in 2017")
    ok = kind == "fact" or similarity >= cite.EXPLAIN_SIMILAR
    if not ok:
        # "What did Maria Zakharova say?", "Summarize the Rostec story.": a few words, close to no passage in
        # meaning, but a lookup of what one named speaker said or of one topic, answerable as a fact is (a passage
        # holds the question's words; of a summary, the words of its topic, not "summarize" or "story")
        lookup = (kind == "who_says" and bool(compose.asked_speaker(searched))) or kind == "summarize"
        if lookup:
            about = kinds.topic(searched) if kind == "summarize" else asked
            coverage = max((index.coverage(about, f"{p.title} {p.text}") for p in passages), default=0.0)
            ok = cite.answerable(coverage, similarity)
        elif kind == "list" and compose.asked_labels(searched):
            # "Which Russian companies are mentioned?": one sentence must hold all the words of the kind asked for
            # ("Chinese companies" is no "Chinese" official in one sentence and a Russian "company" in another)
            about = kinds.topic(searched)
            ok = any(index.coverage(about, s[3]) >= 1.0 for s in cite.evidence_of(passages))
    if not ok or cite.missing_names(searched, passages):
        timings["total"] = time.perf_counter() - t0
        answer = _decline(question, searched, passages, timings, kind)
        answer.notes = notes
        yield answer.text
        yield done(answer)
        return
    if kind != "fact":
        answer = _explain(question, searched, kind, passages, settings, index.coverage, timings)
        timings["first_token"] = timings["total"] = time.perf_counter() - t0
        answer.notes = notes
        yield answer.text
        yield done(answer)
        return
    described = _describe(question, searched, passages, get_checker(settings), timings)
    if described is not None:
        timings["first_token"] = timings["total"] = time.perf_counter() - t0
        described.notes = notes
        yield described.text
        yield done(described)
        return
    gen = get_generator(settings)
    chat = gen.has_chat_template
    # for how many / when a number or a date, for "Who is Russia's ambassador?" a person: a sentence that holds it
    # ranks before those that don't, among the best few
    wants_kind = cite.expected_type(searched) == "number" or cite.asks_person(searched)
    evidence = select_evidence(
        searched,
        passages,
        get_embedder(settings).embed,
        settings.evidence_sentences,
        lambda text: index.coverage(asked, text),  # not "newspaper" in "Which newspaper reported ...": its name
        # a sentence about what the question names, which for "how many" or "when" holds a number or date
        # and for "which group" one that names a group
        lambda text: (
            cite.about(searched, text)
            and (not wants_kind or cite.holds_kind(text, searched))
            and cite.names_asked_kind(searched, text)
        ),
    )
    budget = gen.n_ctx - settings.max_answer_tokens - overhead(searched, chat, gen.count_tokens)
    evidence = fit(evidence, gen.count_tokens, budget)
    prompt = build_prompt(searched, evidence, chat)
    # the checker reads the passages (parse, embeddings) while the model writes: the check afterwards is quick
    checker = get_checker(settings)
    reading = threading.Thread(target=checker.prepare, args=([e[3] for e in cite.evidence_of(passages)],), daemon=True)
    reading.start()
    pieces: list[str] = []
    t1 = time.perf_counter()
    for piece in gen.stream(prompt, settings.max_answer_tokens, settings.temperature, settings.copy_bias):
        if not pieces:
            timings["first_token"] = time.perf_counter() - t0
        pieces.append(piece)
        yield piece
    timings["generate"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    reading.join()
    answer = _tie(question, searched, "".join(pieces), passages, evidence, index.coverage, timings, checker)
    timings["check"] = time.perf_counter() - t2
    timings["total"] = time.perf_counter() - t0
    answer.notes = notes
    yield done(answer)


def answer(
    question: str,
    *,
    k: int | None = None,
    history: Sequence[Any] | None = None,
    filters: dict[str, Any] | None = None,
    mode: str | None = None,
    corpus_dir: Path | str | None = None,
    index_dir: Path | str | None = None,
    collection: str | None = None,
    settings: Settings | None = None,
) -> Answer:
    """Answer a question from the articles, with numbered citations of the passages used.

    Args:
        question: the question.
        k: passages to retrieve (default: settings.k, 5).
        history: earlier turns (Answers, (question, answer) pairs or chat messages) for follow-ups.
        filters: restrict retrieval, e.g. {"source": "TechCrunch", "after": "2023-10-01"}.
        mode: the kind of answer: "auto" (default: detected from the question), "fact", "explain", "list",
            "change", "who_says", "summarize" or "yesno" (rag/kinds.py).
        corpus_dir, index_dir: other folders than the defaults (the index is built on first use).
        collection: a named collection instead (rag/collections.py): its own corpus and index folders.

    Example:
        >>> from rag import answer
        >>> a = answer("How many Russian contractors are in Venezuela?")
        >>> print(a.text, a.citations[0].source)
    """
    result = None
    for item in stream_answer(
        question,
        k=k,
        history=history,
        filters=filters,
        mode=mode,
        corpus_dir=corpus_dir,
        index_dir=index_dir,
        collection=collection,
        settings=settings,
    ):
        result = item
    assert isinstance(result, Answer)
    return result
