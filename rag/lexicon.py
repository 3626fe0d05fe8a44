"""Language knowledge the claim checker uses: words, not figures fitted to a data set.

General English (reporting verbs, contrast pairs, number words, common aliases of names), written down
once here; rag/parse.py reads sentences with it and rag/claims.py compares them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SAY = frozenset(
    ["say", "tell", "state", "add", "note", "explain", "write", "remark", "comment", "tweet"]
)  # one act: saying
# the verbs of a question asking what someone said ("What did the Kremlin say ...", "What has X claimed ...?"), as a
# regular-expression alternation (kinds tells a who-says question by them, compose finds its speaker)
ASKED_SAYING = r"say|said|claim|argue|tell|told|think|report|tweet|post|write|announce|state"
# verbs whose subject is a speaker: who says, claims, warns, denies, ... ("Both Russia and China condemned")
REPORTING = SAY | frozenset(
    [
        "claim",
        "deny",
        "warn",
        "insist",
        "refute",
        "accuse",
        "condemn",
        "call",
        "describe",
        "report",
        "announce",
        "argue",
        "reiterate",
        "emphasize",
        "urge",
        "criticize",
        "respond",
        "react",
        "recommend",
        "hope",
        "testify",
        "admit",
        "acknowledge",
        "confirm",
        "dismiss",
        "reject",
        "praise",
        "suggest",
        "question",
        "defend",
    ]
)
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
    ("praise", "denounce"),
    ("welcome", "denounce"),
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
    ("ease", "intensify"),
    ("ease", "worsen"),
    ("ease", "deepen"),
    ("calm", "escalate"),
    ("loosen", "tighten"),
    ("loosen", "strengthen"),
    ("resume", "suspend"),
    ("suspend", "continue"),
    ("restore", "sever"),
    ("restore", "cut"),
    ("sever", "strengthen"),
)

OPPOSITES: dict[str, set[str]] = {}  # word -> the words that say its opposite
for _x, _y in CONTRASTS:
    OPPOSITES.setdefault(_x, set()).add(_y)
    OPPOSITES.setdefault(_y, set()).add(_x)
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
    "european": "europe",
    "fed": "federal reserve",
    "ecb": "european central bank",
    # a capital for its government, as news writes it
    "washington": "united states",
    "moscow": "russia",
    "kremlin": "russia",
    "beijing": "china",
    "caracas": "venezuela",
    "london": "united kingdom",
}
# a nation's people, as its name: "Russians" as "Russian" (and "Russia")
ALIASES.update({k + "s": v for k, v in list(ALIASES.items()) if k.endswith("an")})
# the countries the aliases name by their people's adjective ("Russian": Russia; "European" names a continent): a
# body named for one is not another's ("the Russian Foreign Ministry" is no "Chinese Foreign Ministry")
COUNTRIES = frozenset(["united states", "united kingdom", "russia", "venezuela", "china", "cuba"])
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


def initials(name: str) -> str:
    """The first letters of a name's words, hyphenated parts too, lower case: "Sam Bankman-Fried" -> "sbf"."""
    return "".join(w[0] for w in re.split(r"[\s-]+", name) if w).lower()


# a person's title, written before the name ("CEO Sam Altman") but not part of it
TITLES = frozenset(
    [
        "ceo",
        "cfo",
        "cto",
        "coo",
        "president",
        "chairman",
        "chairwoman",
        "chair",
        "founder",
        "co-founder",
        "director",
        "chief",
        "coach",
        "judge",
        "senator",
        "sen",
        "rep",
        "governor",
        "gov",
        "minister",
        "secretary",
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "former",
        "quarterback",
        "receiver",
        "manager",
        "star",
    ]
)
# the words that say what kind of organisation a name is, which news drops after the first mention
# ("Alameda Research" -> "Alameda", "the Wagner Group" -> "Wagner", "Rostec Corporation" -> "Rostec")
DESIGNATORS = frozenset(
    [
        "research",
        "group",
        "capital",
        "corporation",
        "corp",
        "company",
        "co",
        "inc",
        "ltd",
        "llc",
        "plc",
        "holdings",
        "partners",
        "ventures",
        "labs",
        "technologies",
    ]
)
NEGATORS = frozenset(["not", "n't", "never", "no", "neither", "nor", "without", "non"])
RARELY = frozenset(["rarely", "seldom", "hardly", "barely", "scarcely"])  # "rarely convincing" ~ "unconvincing"
PREFIXES = ("un", "in", "il", "im", "ir", "dis", "non", "non-", "anti")  # illegitimate: not legitimate
NEGATING_VERBS = frozenset(["refuse", "decline", "fail", "deny", "neglect"])
NEGATING_NOUNS = frozenset(["inability", "failure", "refusal"])  # "his inability to return": not return
# what a "which X" question asks for when X is a kind of organisation: an answer that names only places ("the
# U.S." for "Which group are the contractors affiliated with?") is not one
ORGANISATION_KINDS = frozenset(
    [
        "group",
        "organization",
        "organisation",
        "company",
        "firm",
        "agency",
        "outlet",
        "newspaper",
        "network",
        "broadcaster",
        "contractor",
        "bank",
        "party",
        "union",
        "militia",
        "publication",
        "corporation",
        "conglomerate",
    ]
)
# what a "which X" / "who" question asks for, by its head noun: the recogniser's label of a name of that kind
PEOPLE_KINDS = frozenset(
    [
        "people",
        "person",
        "individual",
        "official",
        "leader",
        "witness",
        "executive",
        "politician",
        "lawmaker",
        "minister",
        "spokesperson",
        "spokespeople",
        "analyst",
        "expert",
        "celebrity",
        "player",
        "figure",
        "founder",
        # roles a "Who is the ...?" question asks a person for
        "ambassador",
        "envoy",
        "diplomat",
        "spokesman",
        "spokeswoman",
        "president",
        "chairman",
        "chairwoman",
        "chief",
        "director",
        "secretary",
        "commander",
        "general",
        "admiral",
        "senator",
        "governor",
        "mayor",
        "judge",
        "prosecutor",
        "lawyer",
        "journalist",
        "reporter",
        "editor",
        "author",
        "coach",
        "manager",
        "ceo",
    ]
)
PLACE_KINDS = frozenset(["country", "nation", "state", "city"])


def name_label(noun: str) -> str | None:
    """The recogniser's label of a name of the kind a question's noun asks for, singular or plural: "officials",
    "witnesses" -> PERSON; "countries", "city" -> GPE; "companies" -> ORG; None for a kind that names do not tell
    ("brands", "equipment")."""
    n = noun.lower()
    one = n[:-3] + "y" if n.endswith("ies") else n[:-2] if n.endswith("sses") else n.rstrip("s")
    for label, kinds in (("PERSON", PEOPLE_KINDS), ("GPE", PLACE_KINDS), ("ORG", ORGANISATION_KINDS)):
        if n in kinds or one in kinds:
            return label
    return None


# a negated attempt is a negated act: "didn't ever try to commit fraud", "never managed to reach": not commit
ATTEMPTING = frozenset(["try", "attempt", "manage", "dare", "bother", "seek"])
# verbs that end what they are done to: "has not ended its support" says the support goes on, so a negation of the
# verb does not reach its object
ENDING = frozenset(["end", "stop", "cease", "halt", "quit", "abandon", "terminate", "suspend", "discontinue"])
# "denied that troops were there", "refuted claims that Russia had reduced ...": the clause is disputed
DISPUTING = frozenset(["deny", "refute", "reject", "dismiss", "dispute", "rebut", "debunk"])
CLAIM_NOUNS = frozenset(
    ["claim", "report", "allegation", "accusation", "suggestion", "rumor", "rumour", "assertion", "speculation"]
)
LIGHT_NEGATED = frozenset({"have", "do", "be", "SAY"})  # "does not have": the object decides, not the verb
NAME_KINDS = {"PERSON": "person", "GPE": "place", "NORP": "place", "LOC": "place", "ORG": "org", "FAC": "place"}
