"""The claim checker: does an evidence sentence state what a statement says?

`check(statement, evidence)` returns a `Verdict`: `supported`, `contradicted` or `not found`, the
evidence sentence(s) that decide it, and a score (the belief that the statement is supported, 0..1).

How it judges (docs/checker.md has the measurements):
1. Align. Each evidence sentence, and each pair of neighbouring sentences, is a candidate window. The
   statement's content words (lemmas), names and numbers are looked up in each window, and the
   statement and window are compared in meaning with the embedder.
2. Read the structure (rag/parse.py, with the words of rag/lexicon.py). A dependency parse (spaCy) gives, for the statement and for the window, who
   does what to whom (actor, verb, patient, recipient), negation, numbers bound to their nouns and to
   "from"/"to", and the speaker of a quote. Where the window has the statement's verb, the roles must
   agree: a swapped actor, a flipped negation, a number moved to another noun, a reversed direction
   ("to a few thousand" against "from a few thousand to a few dozen", "rose" against "fell") makes the
   window contradict the statement, however many words they share.
3. Score. A small logistic model (weights in rag/checker.json, fitted by bench/fit_checker.py on the
   tune half of the data, reported on the other half) turns the alignment features of the best window
   into a score; every name and number of the statement must be in that window, and each of its acts: the
   verb, or a word of what it is done to ("agreed to impose an arms embargo" is told by no sentence that
   says neither imposing nor an embargo).

A statement is `supported` when some window scores above the threshold with no contradiction flag;
`contradicted` when the window that best matches its words contradicts it; otherwise `not found`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .chunking import sentences
from .lexicon import ALIASES, DISPUTING, ENDING, LIGHT_NEGATED, OPPOSITES, PREFIXES, REPORTING
from .parse import ARGUMENTS, CACHE_MAX, Analysis, Frame, analyse_many, holds_key, merge, name_in

if TYPE_CHECKING:
    import numpy as np

SUPPORTED, CONTRADICTED, NOT_FOUND = "supported", "contradicted", "not found"
WEIGHTS = Path(__file__).with_name("checker.json")


@dataclass(frozen=True)
class Verdict:
    label: str  # SUPPORTED, CONTRADICTED or NOT_FOUND
    score: float  # belief that the statement is supported, 0..1
    sentence: int | None  # index (into the evidence) of the sentence that decides it; None: nothing close
    sentences: tuple[int, ...] = ()  # every sentence of the deciding window (one, or two neighbours)
    reason: str = ""  # why, in words ("roles swapped: ...", "number 40 not in the sentence")
    # the statement's main verbs (or what it says its subject is) that the deciding window says in no words of its
    # own (a supported statement may lack them: words and meaning close enough; a yes or no about that act is untold)
    acts_missing: tuple[str, ...] = ()

    @property
    def supported(self) -> bool:
        return self.label == SUPPORTED


# --- comparing a statement with a window ------------------------------------------------------------
@dataclass
class Alignment:
    coverage: float  # share of the statement's content words the window holds
    missing: list[str]  # content words it lacks
    missing_names: list[str]
    missing_numbers: list[str]
    flags: list[str]  # contradictions found ("roles swapped: ...")
    changed: list[str] = field(default_factory=list)  # words in the place of other words of the text
    events: list[str] = field(default_factory=list)  # main verbs of the statement the text does not say
    # what the statement says a name is ("Zaemsky, the chief executive of Rostec") and the text does not say
    undescribed: list[str] = field(default_factory=list)
    # acts of the statement of which the window says neither the verb nor what it is done to
    untold: list[str] = field(default_factory=list)


def _overlap(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a & b)


Similar = Callable[[str, str], float]
SAME_CLASS = {"VERB": "V", "ADJ": "A", "ADV": "A", "NOUN": "N"}


def _substitute(claim: Analysis, window: Analysis, word: str, similar: Similar) -> str | None:
    """The window's word in the place of the statement's `word` (same head and relation, or same
    dependents), when it is a different word of the same class that does not mean the same."""
    mine = next((t for t in claim.tokens if t.key == word), None)
    if mine is None:
        return None
    for t in window.tokens:
        if t.key == word or SAME_CLASS.get(t.pos) != SAME_CLASS.get(mine.pos) or t.dep != mine.dep:
            continue
        placed = (mine.head and t.head == mine.head) or len(mine.children & t.children - {""}) >= 1
        if placed and similar(word, t.key) < SYNONYM:
            return t.key
    return None


def _opposites(word: str, claim: Analysis) -> set[str]:
    """The words that say the opposite of a word of the statement: its contrast pairs, and for an adjective the
    same word with or without a negating prefix, also as an adverb ("illegal" / "legal", "acted legally")."""
    opposite = set(OPPOSITES.get(word, set()))
    if word in claim.adjectives:  # legitimate / illegitimate, likely / unlikely
        opposite |= {p + word for p in PREFIXES}
        opposite |= {word[len(p) :] for p in PREFIXES if word.startswith(p) and len(word) - len(p) > 3}
        opposite |= {o + "ly" for o in opposite}
    return opposite


def align(claim: Analysis, window: Analysis, similar: Similar | None = None) -> Alignment:
    """Compare a statement with a window of text: which of its words, names and numbers the window holds
    (a word of the same meaning counts, by `similar`), and what in the window contradicts it."""
    keys = list(claim.content)
    held = [k for k in keys if holds_key(k, window)]
    missing = [k for k in keys if k not in held]
    if similar is not None and missing:
        theirs = [k for k, kind in window.content.items() if kind == "word"]
        synonyms: set[str] = set()
        for k in missing:
            if claim.content[k] != "word":
                continue
            opposite = _opposites(k, claim)  # once per word, not per word of the window
            if any(w not in opposite and similar(k, w) >= SYNONYM for w in theirs):
                synonyms.add(k)
        held += sorted(synonyms)
        missing = [k for k in missing if k not in synonyms]
    missing_names = [n for n in claim.names if not name_in(n, window)]
    # the words of a name that the window names by a shorter form ("Ellison" for Caroline Ellison, "SBF" for
    # Sam Bankman-Fried) are held, as the name is
    found = {w for n in claim.names if n not in missing_names for w in n.split()}
    named = [k for k in missing if k in found]
    if named:
        held += named
        missing = [k for k in missing if k not in found]
    flags: list[str] = []
    # numbers: the value must be there, bound to the same noun, under the same from/to, same comparison
    missing_numbers: list[str] = []
    for q in claim.quantities:
        if q.head and q.head in claim.content and q.head not in held:
            missing_numbers.append(f"{q.value} {q.head}")  # a number of things the window does not count
            continue
        same = [w for w in window.quantities if w.value == q.value]
        if not same:
            other = [w for w in window.quantities if q.head and w.head == q.head and w.value != q.value]
            if other:
                flags.append(f"number: {q.value} {q.head} where the text has {other[0].value}")
            missing_numbers.append(q.value)
            continue
        if (
            q.head
            and all(w.head and w.head != q.head for w in same)
            and any(w.head == q.head for w in window.quantities)
        ):
            flags.append(f"number: {q.value} belongs to {same[0].head}, not {q.head}")
        if q.prep in ("from", "to") and all(w.prep in ("from", "to") and w.prep != q.prep for w in same):
            flags.append(f"direction: '{q.prep} {q.value}' where the text has '{same[0].prep} {q.value}'")
        elif q.prep in ("from", "to") and all(w.prep != q.prep for w in same):
            rival = next((w for w in window.quantities if w.prep == q.prep and w.value != q.value), None)
            if rival is not None:  # "cut to a few thousand" where the text cuts to a few dozen
                flags.append(f"number: '{q.prep} {q.value}' where the text has '{q.prep} {rival.value}'")
        if q.comparative and all(w.comparative and w.comparative != q.comparative for w in same):
            flags.append(f"direction: {q.comparative} than {q.value}")
    flags += _timing(claim, window)
    # direction words: the statement says X where the text says its opposite ("smallest" / "largest",
    # "after" / "before", "legitimate" / "illegitimate"). Read in every window, however few of the statement's
    # words it holds: one that says the opposite of the statement never supports it ("remaining healthy and
    # uninjured" against "before leaving with an oblique injury", 4 of 7 words missing); it contradicts only where
    # it is about the same thing (ClaimChecker._judge: CONTRADICTION_COVERAGE)
    denied = {f.verb.lower() for f in claim.frames if f.negated}
    for k in sorted(set(missing) | ({"before", "after"} & claim.surface - window.surface)):
        if k in denied:  # "did not accept" where the text says "rejected": the same, in other words
            continue
        opposite = _opposites(k, claim)
        # the opposite, negated ("'unconvincing' where the text says 'rarely convincing'"), says the same
        hit = next(
            (
                o
                for o in sorted(opposite)
                if o in window.surface - window.negated
                and o not in claim.surface
                and not _done_to_other(k, o, claim, window, similar)
            ),
            None,
        )
        base = next((k[len(p) :] for p in ("un", "non-", "non") if k.startswith(p)), "")
        if hit is None and k in claim.adjectives and len(base) >= 6:
            # "uninjured" where the text says "an oblique injury": the same stem, un-negated
            hit = next(
                (w for w in sorted(window.surface - window.negated) if w[:5] == base[:5] and w not in claim.surface),
                None,
            )
        if hit:
            flags.append(f"direction: '{k}' where the text says '{hit}'")
            break
    # words put in the place of the text's words ("scaled back" where the text says "stepped up"): not a
    # contradiction by itself (a paraphrase does the same), but it counts against support
    changed = [k for k in missing if similar is not None and _substitute(claim, window, k, similar) is not None]
    # roles and negation, verb by verb
    # acts the window cannot deny, nor the statement deny of it: someone else's (the statement's actor is not named
    # there) or done to other things ("Russia denied sending troops" against "Rostec ... regularly sends technicians")
    not_ours = _actor_unnamed(claim, window)
    not_ours |= {
        f.verb
        for f in claim.frames
        if (acts := [g for g in window.frames if g.verb == f.verb]) and all(_about_other(f, g, similar) for g in acts)
    }
    for f in claim.frames:
        same_verb = [g for g in window.frames if g.verb == f.verb]
        if not same_verb:
            continue
        flags_here: list[str] = []
        for g in same_verb:
            if (
                f.patient & claim.name_tokens
                and g.patient & window.name_tokens
                and not _overlap(f.patient, g.patient | g.actor | g.recipient)
                and not _overlap(f.actor | f.recipient, g.patient)
            ):
                # the same verb done to someone else ("they recognize Maduro" for "Russia recognizes Guaido"):
                # another act, which neither agrees nor disagrees (names that changed roles are not that)
                continue
            problem = _compare(f, g) or _source_as_actor(f, g, claim, window)
            if problem is None:
                flags_here = []
                break
            if problem.startswith("negation") and f.verb in not_ours:
                continue  # someone else's act, or an act done to something else, denied or said
            flags_here.append(problem)
        if flags_here:
            flags.append(flags_here[0])
    # actors crossed between two acts: "Russia will discuss how the Lima Group can help" where the text
    # has the Lima Group discuss and Russia help
    mine = {f.verb: f.actor for f in claim.frames if f.actor}
    theirs_ = {g.verb: g.actor for g in window.frames if g.verb in mine and g.actor}
    for v1, v2 in ((a, b) for a in theirs_ for b in theirs_ if a != b):
        if (
            not mine[v1] & theirs_[v1]
            and mine[v1] & theirs_[v2]
            and mine[v2] & theirs_[v1]
            and not any(f.startswith("roles") for f in flags)
        ):
            flags.append(
                f"roles swapped: {'/'.join(sorted(theirs_[v1]))} {v1.lower()}s, not {'/'.join(sorted(mine[v1]))}"
            )
    # names in the same slot: "the sale of weapons to Russia" where the text sells them to Venezuela (a name of
    # the same kind); "the United States has no interest in a war with Russia" where the text says Russia has none
    # (the subject or object of the text's act is another name that the statement puts elsewhere: a swap)
    # All the names the statement puts in one slot count ("Russia and China back ...": either one in the text's)
    for slot in claim.slots:
        ours = [s.name for s in claim.slots if s.head == slot.head and s.relation == slot.relation]
        rivals = [w for w in window.slots if w.head == slot.head and w.relation == slot.relation]
        if (
            rivals
            and all(
                not any(_same_name(w.name, n) for n in ours)
                and w.kind == slot.kind
                and (slot.relation not in ARGUMENTS.values() or name_in(w.name, claim))
                for w in rivals
            )
            and name_in(slot.name, window)
        ):
            flags.append(f"roles swapped: {slot.head} {slot.relation} {rivals[0].name}, not {slot.name}")
    coverage = len(held) / len(keys) if keys else 0.0
    # a word both say, negated in one of them only ("has enough cash" / "does not have enough cash")
    # Only a statement that asserts something: "Chuba Hubbard" or "infidelity as a factor" (no verb) does not
    # a negated act the text says by its opposite ("did not accept" / "rejected") is the same act, not its negation
    said_by_opposite = any(
        o in window.surface - window.negated for v in denied for o in _opposites(v, claim) if v not in window.surface
    )
    # two denials each say what they deny in words of their own ("denied reducing its presence" / "refuted claims
    # that Rostec had made significant cuts to its presence"): their words are not read for a flipped negation
    both_deny = bool(claim.disputed and window.disputed)
    denial_untold = _denial_untold(claim, window)
    # an act one reports and another denies, with what it is done to ("reported ... reduced the number" / "refuted
    # claims that ... reduced the number")
    told_apart = _told_apart(claim, window)
    told_apart |= {w for f in claim.frames if f.verb.lower() in told_apart for w in f.patient | f.done_to}
    if (
        window.single
        and claim.has_verb
        and not said_by_opposite
        and not both_deny
        and not any(f.startswith("negation") for f in flags)
    ):
        flipped = sorted(
            (claim.negated ^ window.negated)
            & {k for k in claim.surface if k in window.surface}
            - LIGHT_NEGATED
            - claim.name_tokens  # a name is not negated ("shouldn't be starting Chuba Hubbard": the starting is)
            - told_apart
            - not_ours
            - denial_untold  # "Rostec denied reducing": not found, no negation, where none denies it
            # what a denied act is done to, where the window does not tell that act ("denied reducing its presence"
            # against "the unwinding of the presence of ... Rostec shows ...")
            - {
                k
                for f in claim.frames
                if f.told == "disputed" and f.verb.lower() not in window.surface
                for k in f.patient | f.done_to
            }
            # nor what an act both deny is done to ("denied that Russia sent a contingent" / "was not sending a
            # contingent": the one negates the act with its object, the other denies the act)
            - {
                k
                for f in claim.frames
                if f.verb.lower() in claim.negated & window.negated
                for k in f.patient | f.done_to
            }
        )
        if flipped:
            flags.append(f"negation: the text says the opposite about '{flipped[0]}'")
        elif not window.negated and not window.disputed:
            # a statement that denies an act, against a text that says the act and denies nothing: "Most member
            # states do not back Guaidó" where the text says they are supporting him. Not where the text never says
            # the act ("Cole Palmer did not consider an England call-up" against a sentence on his move): not found
            unsaid = [
                f.verb
                for f in claim.frames
                if f.negated
                and f.verb in claim.predicates
                and not f.told
                and f.verb.lower() not in missing
                and f.verb not in not_ours
            ]
            if unsaid:
                flags.append(f"negation: the text does not say that they did not {unsaid[0].lower()}")
    # the event itself: a main verb the window does not say (nor a word of the same meaning)
    events = [v for v in claim.predicates if v in missing]
    undescribed = [w for w in claim.described if w in missing]
    # what a person is said to be must be of what the text says it is of: "Guaidó, the interim president of the
    # organization" against "member states of the organization are supporting ... interim president, Juan Guaidó"
    # (the text says that member states are of the organization, and that the president is of nothing)
    undescribed += [
        f"{noun} of {owner}"
        for noun, owner in claim.described_of
        if noun in window.surface
        and owner in window.surface
        and (noun, owner) not in window.belongs
        and not any(n == noun for n, _ in window.belongs)
        # (the person is no other noun: "Rostec's chief executive Vladimir Zaemsky" puts Rostec's on the name)
        and any(o == owner and n != noun and n not in claim.name_tokens for n, o in window.belongs)
    ]
    # an act the window does not tell at all: neither its verb nor any word of what it is done to, its object with
    # all the statement says of it ("agreed to impose an arms embargo" against a text on a meeting). Other words for
    # the act keep what it is done to ("passed this information on" / "communicated this information"). Names do not
    # count: the window was chosen for holding them. Saying and reporting are no act of their own: what is reported
    # is ("reported a big jump in profits" / "saw profit increase")
    gone = set(missing)

    def done_to(f: Frame) -> frozenset[str]:  # the content words of what an act is done to, less its names
        return (f.done_to & claim.content.keys()) - claim.name_tokens

    untold = [
        f.verb
        for f in claim.frames
        if f.verb in gone and f.verb.lower() not in REPORTING and done_to(f) and done_to(f) <= gone
    ]
    # a denial the window does not say is untold
    untold += [f"denied {k}" for k in sorted(denial_untold)]
    # so is an ending: "Russia has stopped supporting Maduro" against "Russian officials have come forth with their
    # support of Maduro", which tells the support and not that it stopped (nor, in other words, that it ended)
    ended = [f.verb for f in claim.frames if f.verb.lower() in ENDING and not f.negated]
    if not ENDING & window.surface:
        untold += [v for v in ended if v not in untold]
    elif ended and ENDING & window.negated and not ENDING & (window.surface - window.negated):
        # the ending denied in other words: "has stopped supporting" / "has not ended its support"
        flags.append(f"negation: the text says it did not {ended[0].lower()}")
    return Alignment(coverage, missing, missing_names, missing_numbers, flags, changed, events, undescribed, untold)


def _timing(claim: Analysis, window: Analysis) -> list[str]:
    """Dates joined to an act that the text gives two acts: "declared himself president in January, when the attempt
    was unsuccessful" where January times his proclaiming himself president and the failed attempt his call for
    intervention. Saying is not timed apart from what is said ("said on Monday that Russia had withdrawn" / "said
    Russia withdrew on Monday"). (A date the text puts on another act, where it has the statement's act undated, is
    not flagged: the other act is often the same in other words, "spent ... in 2021" / "paid ... in 2021".)"""
    timed = [g for g in window.frames if g.when and g.verb != "SAY"]
    out: list[str] = []
    for f in claim.frames:
        if not f.when or f.verb == "SAY" or not timed:
            continue
        found = f.when & frozenset().union(*(g.when for g in timed))
        holders = [g for g in timed if g.when & found]
        if found and not any(found <= g.when for g in holders):  # one act's date, another's timing clause
            out.append(f"date: '{' '.join(sorted(found))}' time different acts in the text")
    return out


def _done_to_other(verb: str, opposite: str, claim: Analysis, window: Analysis, similar: Similar | None) -> bool:
    """The window's opposite act is done to something else than the statement's act: "Russia withdrew its
    personnel" against "the equipment sent to Venezuela" is no reversal (neither act's object is among the words
    of what the other is done to, nor of the same meaning); "scaled back its support" against "stepped up its
    support" is, and so is "confirm the Journal's report" against "refuted claims in the Journal"."""
    mine = [f for f in claim.frames if f.verb.lower() == verb]
    theirs = [g for g in window.frames if g.verb.lower() == opposite]
    return bool(mine and theirs) and all(_about_other(f, g, similar) for f in mine for g in theirs)


def _about_other(f: Frame, g: Frame, similar: Similar | None) -> bool:
    """Two acts done to different things: each has an object, neither object is among the words of what the other
    act is done to, and no two of their words are of the same meaning ("sending troops" / "sends technicians")."""
    a, b = f.patient, g.patient
    if not a or not b or a & (g.patient | g.done_to) or b & (f.patient | f.done_to):
        return False
    return similar is None or all(similar(x, y) < SYNONYM for x in a for y in b)


def _same_name(a: str, b: str) -> bool:
    """One name, written in full or in part ("nicolas maduro", "maduro"; "skt telecom t1", "skt"), its words
    as lexicon.ALIASES folds them ("european union", "europe union")."""
    x, y = ({ALIASES.get(w, w) for w in n.split()} for n in (a, b))
    return x <= y or y <= x


def _denial_untold(claim: Analysis, window: Analysis) -> set[str]:
    """The acts the statement says someone denies that the window tells and denies nothing about ("Rostec denied
    reducing its personnel" against "According to the Journal, Rostec had reduced its personnel"), or that another
    denies (against "the ambassador refuted claims that Rostec had reduced ..."): the window does not say the
    statement's denial, nor does it deny what the statement says (the act is no more what the statement asserts)."""
    if not window.disputed and not window.negated:  # a window that denies nothing tells no denial
        return set(claim.disputed)
    untold = {k for k in claim.disputed if k in window.surface and k not in window.disputed and k not in window.negated}
    # or that someone else denies ("Rostec denied ..." where the ambassador refuted claims that ...), in the same
    # words or in others ("reducing its presence" / "made significant cuts to its presence")
    mine = [f.actor for f in claim.frames if f.verb.lower() in DISPUTING and f.actor]
    theirs = [g.actor for g in window.frames if g.verb.lower() in DISPUTING and g.actor]
    if mine and theirs and not any(_overlap(a, b) for a in mine for b in theirs):
        return untold | set(claim.disputed)
    return untold | {
        k
        for k, by in claim.disputed.items()
        if k in window.disputed and by and window.disputed[k] and not _overlap(by, window.disputed[k])
    }


def _told_apart(claim: Analysis, window: Analysis) -> set[str]:
    """The acts one of the two tells as someone's report and the other as someone else's denial: no
    contradiction ("The Wall Street Journal reported that Russia had reduced ..." / "Zaemsky refuted claims in
    The Wall Street Journal that Russia would have ... reduced ..."); told by the same one, they are ("The Kremlin
    said ..." / "The Kremlin denied that ...")."""
    return {
        k
        for a, b in ((claim.reported, window.disputed), (claim.disputed, window.reported))
        for k in a.keys() & b.keys()
        if not _overlap(a[k], b[k])
    }


def _actor_unnamed(claim: Analysis, window: Analysis) -> set[str]:
    """The acts the statement gives a named actor whom the window does not name at all: the window cannot deny
    what that one did ("China sent troops to Venezuela" against "Russia had made it clear it was not sending a
    military contingent to Venezuela": Russia's act, not China's)."""
    return {
        f.verb
        for f in claim.frames
        if f.actor & claim.name_tokens and not f.actor & claim.name_tokens & window.name_tokens
    }


def _source_as_actor(f: Frame, g: Frame, claim: Analysis, window: Analysis) -> str | None:
    """The same act, done by the one the text names as the source of the report: "The Wall Street Journal, the
    Russian state defense contractor, reduced ..." where the text has, according to the newspaper, The Wall Street
    Journal, the contractor Rostec reduce it (the words of the description are shared; who does it is not)."""
    if f.verb.lower() in REPORTING:
        return None
    ours = {w for w in f.actor & claim.name_tokens if w not in g.actor}
    theirs = {w for w in g.actor & window.name_tokens if w not in f.actor}  # the name of who does it, left out
    if not ours or not theirs or not ours <= window.sources:
        return None
    return f"who: {'/'.join(sorted(ours))} reports it; the text says {'/'.join(sorted(g.actor)) or 'another'} does it"


def _compare(f: Frame, g: Frame) -> str | None:
    """None when the window's frame is compatible with the statement's, else what is wrong."""
    # the statement's actor is the one the text's act is done to
    swapped = f.actor and (_overlap(f.actor, g.patient) or _overlap(f.actor, g.recipient))
    if f.actor and g.actor and not _overlap(f.actor, g.actor) and swapped:
        return f"roles swapped: {'/'.join(sorted(f.actor))} does not {f.verb.lower()}; {'/'.join(sorted(g.actor))} does"
    other_thing = bool(f.patient and g.patient and not _overlap(f.patient, g.patient))
    if (
        f.actor
        and g.actor
        and not _overlap(f.actor, g.actor)
        and f.actor_kind
        and f.actor_kind == g.actor_kind
        and not other_thing  # "Russia backs Maduro" / "a movement now backed by the U.S.": another act
    ):
        # another named actor of the same kind for the same act: a different speaker, a different agent
        return f"who: the text says {'/'.join(sorted(g.actor))}, not {'/'.join(sorted(f.actor))}"
    if f.actor and g.actor and not _overlap(f.actor, g.actor):
        return None  # other words for the actor ("the firm", "Rostec"): not evidence either way
    if not f.actor and not g.actor and swapped:
        return "roles swapped"
    if f.negated != g.negated and ({f.told, g.told} != {"reported", "disputed"} or _overlap(f.teller, g.teller)):
        return f"negation: the text says the opposite ({'not ' if g.negated else ''}{f.verb.lower()})"
    if (f.patient and g.patient and not _overlap(f.patient, g.patient)) and (
        f.recipient and g.recipient and _overlap(f.patient, g.recipient) and _overlap(f.recipient, g.patient)
    ):
        return "roles swapped: object and recipient"
    return None


# Two words whose embeddings are at least this close count as one word (measured in docs/checker.md).
SYNONYM = 0.65
# A window contradicts a statement only when it holds at least this share of the statement's words.
CONTRADICTION_COVERAGE = 0.5
# Two neighbouring sentences are read together only when neither holds this share of the statement's words.
PAIR_BELOW = 0.8
# A window that does not tell one of the statement's acts scores at most this far under the threshold: never
# supported, still ranked by how close it is (the score is a belief, not only a verdict)
UNTOLD_BELOW = 0.01

# --- scoring ------------------------------------------------------------------------------------------
FEATURES = (
    "cosine",
    "coverage",
    "coverage_anywhere",
    "names_missing",
    "numbers_missing",
    "words_missing",
    "words_changed",
    "events_missing",
)


@dataclass(frozen=True)
class Model:
    """Logistic weights over FEATURES and the threshold on its output (rag/checker.json)."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def score(self, x: Sequence[float]) -> float:
        z = self.bias + sum(w * v for w, v in zip(self.weights, x, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Model:
        d = json.loads(path.read_text())
        if tuple(d["features"]) != FEATURES:
            raise ValueError(f"{path} was fitted on other features; run: python bench/fit_checker.py")
        return cls(tuple(d["weights"]), float(d["bias"]), float(d["threshold"]))


# Until a fitted model exists: cosine and coverage count, missing names and numbers weigh heavily.
DEFAULT = Model((4.0, 4.0, 1.0, -2.5, -2.5, -0.4, -1.0, -1.0), -5.0, 0.5)


@lru_cache(maxsize=1)
def default_model() -> Model:
    return Model.load() if WEIGHTS.exists() else DEFAULT


def features(a: Alignment, cosine: float, coverage_anywhere: float) -> list[float]:
    return [
        cosine,
        a.coverage,
        coverage_anywhere,
        float(len(a.missing_names)),
        float(len(a.missing_numbers)),
        float(min(len(a.missing), 6)),
        float(min(len(a.changed), 3)),
        float(min(len(a.events), 2)),
    ]


Embed = Callable[[list[str]], "np.ndarray"]


class ClaimChecker:
    """check(statement, evidence) -> Verdict. `embed` is the pipeline's embedder (normalised vectors)."""

    def __init__(self, embed: Embed | None = None, model: Model | None = None, windows: int = 6) -> None:
        self.embed = embed
        self.model = model or default_model()
        self.windows = windows  # best-matching sentences (and their neighbours) that are compared closely
        self._words: dict[str, Any] = {}  # word -> embedding, for synonyms
        self._sentences: dict[str, Any] = {}  # text -> embedding

    def check(self, statement: str, evidence: Sequence[str], follows: Sequence[bool] | None = None) -> Verdict:
        """Judge one statement (one sentence) against candidate evidence sentences. `follows[j]`: whether
        evidence[j] is the sentence after evidence[j - 1] in one text (only such two are read together);
        None: each is."""
        return self.check_all([statement], evidence, follows)[0]

    def prepare(self, evidence: Sequence[str]) -> None:
        """Read the evidence ahead of the statements (parse and embed, cached): the pipeline calls this
        while the LLM writes, so that checking afterwards costs little."""
        if evidence:
            analyse_many(list(evidence))
            self._vectors(list(evidence))

    def check_all(
        self, statements: Sequence[str], evidence: Sequence[str], follows: Sequence[bool] | None = None
    ) -> list[Verdict]:
        evidence = [e for e in evidence]
        if not evidence:
            return [Verdict(NOT_FOUND, 0.0, None, (), "no evidence") for _ in statements]
        claims = analyse_many(list(statements))
        sents = analyse_many(evidence)
        vectors = self._vectors(list(statements) + list(evidence))
        out = []
        for i, claim in enumerate(claims):
            cvec = vectors[i] if vectors is not None else None
            svecs = vectors[len(statements) :] if vectors is not None else None
            out.append(self._judge(claim, sents, cvec, svecs, follows))
        return out

    def vectors(self, texts: Sequence[str]) -> Any:
        """Normalised embeddings of the texts (cached per text), or None without an embedder."""
        return self._vectors(list(texts))

    def _vectors(self, texts: list[str]) -> Any:
        """Embeddings of the texts, cached per text (evidence sentences recur from check to check). Each text is
        embedded alone, as `_word_vectors` embeds words: a text's vector, and so a verdict, must not depend on what
        was embedded beside it, nor on what was checked before (the int8 embedder quantizes a batch by its own range:
        a sentence embedded in a batch and alone differ by up to 0.013 in cosine). Alone, no padding is computed:
        about 1.3 times the time of one batch."""
        if self.embed is None:
            return None
        import numpy as np

        if len(self._sentences) + sum(t not in self._sentences for t in set(texts)) > CACHE_MAX:
            self._sentences.clear()
        self._embed_alone(texts, self._sentences)
        return np.stack([self._sentences[t] for t in texts])

    def _judge(
        self, claim: Analysis, sents: list[Analysis], cvec: Any, svecs: Any, follows: Sequence[bool] | None = None
    ) -> Verdict:
        self.last_features: list[float] | None = None
        if not claim.content:
            return Verdict(NOT_FOUND, 0.0, None, (), "nothing to check")
        anywhere = Analysis("")
        for s in sents:
            anywhere.surface |= s.surface
        coverage_anywhere = sum(holds_key(k, anywhere) for k in claim.content) / len(claim.content)
        # candidate windows: the sentences that hold most of the statement's words, alone and with a neighbour
        ranked = sorted(range(len(sents)), key=lambda j: -self._quick(claim, sents[j], cvec, svecs, j))
        # a pair is a window only for a statement that one of its sentences does not nearly hold alone
        # (else a name from the neighbour would pass for the one the sentence has)
        alone = [sum(holds_key(k, s) for k in claim.content) / len(claim.content) for s in sents]
        spans: list[tuple[int, ...]] = []
        for j in ranked[: self.windows]:
            spans.append((j,))
            for pair in ((j, j + 1), (j - 1, j)):
                if (
                    min(pair) >= 0
                    and max(pair) < len(sents)
                    and (follows is None or follows[max(pair)])  # two sentences of one text, one after the other
                    and max(alone[i] for i in pair) < PAIR_BELOW
                ):
                    spans.append(pair)
        # every window is scored on how closely it matches; the closest one decides: a contradiction there
        # wins, else the best window that holds all the statement's names and numbers must reach the bar
        similar = None
        if self.embed is not None:
            words = [k for k, kind in claim.content.items() if kind == "word"]
            for j in {j for span in spans for j in span}:
                words += [k for k, kind in sents[j].content.items() if kind == "word"]
            vectors = self._word_vectors(words)

            def similar(a: str, b: str) -> float:
                if a not in vectors or b not in vectors:
                    self._word_vectors([a, b])
                return float(vectors[a] @ vectors[b])

        scored = []
        for span in dict.fromkeys(spans):
            window = sents[span[0]] if len(span) == 1 else merge([sents[j] for j in span])
            a = align(claim, window, similar)
            x = features(a, self._cosine(cvec, svecs, span), coverage_anywhere)
            scored.append((self.model.score(x), bool(a.flags), -len(span), span, a, x))
        top = max(scored, key=lambda x: x[:3])
        # a contradiction in a window that holds the statement's words about as well as any window does
        closest = max(x[4].coverage for x in scored)
        # and is about the same things: a window that holds none of the statement's names is about someone
        # else (one that holds some may have swapped the others: "Russia, along with Brazil, backs Maduro")
        about = [x for x in scored if not claim.names or len(x[4].missing_names) < len(claim.names)]
        flagged = [x for x in about if x[1] and x[4].coverage >= max(CONTRADICTION_COVERAGE, closest - 0.05)]
        if flagged:
            worst = max(flagged, key=lambda x: (x[4].coverage, x[2]))
            return Verdict(CONTRADICTED, 0.0, worst[3][0], worst[3], worst[4].flags[0])
        clean = [
            x
            for x in scored
            if not x[4].flags and not x[4].missing_names and not x[4].missing_numbers and not x[4].undescribed
        ]
        # a window that does not tell one of the statement's acts holds the belief under the bar: it may be close
        # in meaning, it does not say it
        bar = self.model.threshold - UNTOLD_BELOW
        scored_clean = [(min(x[0], bar) if x[4].untold else x[0], *x[1:]) for x in clean]
        best = max(scored_clean, key=lambda x: x[:3]) if clean else top
        score = best[0] if clean else 0.0
        self.last_features = best[5]
        if score >= self.model.threshold:
            acts = tuple(v for v in best[4].events if v.lower() not in REPORTING)  # saying is no act of its own
            acts += tuple(w for w in claim.attributes if w in best[4].missing)  # nor what it says the subject is
            return Verdict(SUPPORTED, score, best[3][0], best[3], "", acts)
        a = best[4]
        why = (
            f"not in the text: {', '.join((a.missing_names + a.missing_numbers + a.undescribed + a.untold)[:3])}"
            if a.missing_names or a.missing_numbers or a.undescribed or a.untold
            else f"not stated: {', '.join(a.missing[:4])}"
            if a.missing
            else "too far in meaning"
        )
        return Verdict(NOT_FOUND, score, best[3][0], best[3], why)

    def synonyms(self, a: str, b: str) -> bool:
        """Are two words (lemmas) of one meaning, as alignment counts a word for another ("staff", "personnel")?
        Without an embedder, only the same word is."""
        if a == b or self.embed is None:
            return a == b
        vectors = self._word_vectors([a, b])
        return float(vectors[a] @ vectors[b]) >= SYNONYM

    def _word_vectors(self, words: list[str]) -> dict[str, Any]:
        """Each word's vector, embedded alone: the int8 embedder quantizes a batch by its own range, so a word embedded
        beside a long sentence comes out elsewhere ("send": cosine 0.977 to itself alone), and a synonym at the
        threshold would depend on what was embedded with it, and so on what was checked before."""
        return self._embed_alone(words, self._words)

    def _embed_alone(self, texts: list[str], cache: dict[str, Any]) -> dict[str, Any]:
        """Embed each text not yet in the cache, one at a time (a batch's vectors depend on the batch), into it."""
        assert self.embed is not None
        for t in dict.fromkeys(texts):
            if t not in cache:
                cache[t] = self.embed([t])[0]
        return cache

    def _quick(self, claim: Analysis, s: Analysis, cvec: Any, svecs: Any, j: int) -> float:
        lexical = sum(holds_key(k, s) for k in claim.content) / len(claim.content)
        return lexical + (float(cvec @ svecs[j]) if cvec is not None else 0.0)

    @staticmethod
    def _cosine(cvec: Any, svecs: Any, span: tuple[int, ...]) -> float:
        if cvec is None:
            return 0.5
        v = sum(svecs[j] for j in span)
        norm = float((v @ v) ** 0.5) or 1.0
        return float(cvec @ v) / norm


def split(text: str) -> list[str]:
    """Sentences of a text, for checking a whole summary against a whole article."""
    return [text[s:e].strip() for s, e in sentences(text) if text[s:e].strip()]
