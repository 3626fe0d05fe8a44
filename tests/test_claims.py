"""The claim checker (rag/claims.py): structure checks with the real spaCy parser, then the whole checker
with the real embedder on the fabrication set (tests/data/claims.jsonl) and on the news-faithfulness dev
split. The figures asserted here are the ones measured on the report halves, which were never tuned on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag import claims, faithfulness, parse
from rag.claims import CONTRADICTED, NOT_FOUND, SUPPORTED

from .conftest import CORPUS, ROOT, SHARED

CLAIMS = ROOT / "tests" / "data" / "claims.jsonl"
NEWS = SHARED / "eval-data" / "news-faithfulness"

EVIDENCE = [
    "In 2018 alone, Venezuela granted Russia concessions worth millions in financial matters.",
    "The number of Rostec personnel in Venezuela fell from a few thousand to a few dozen.",
    "When the attempt failed, Guaidó called for the United States to intervene militarily.",
    "Maduro gave U.S. diplomats 72 hours to leave Venezuela.",
    "Neither the Kremlin nor the Wagner group would confirm the report.",
    "Venezuela has been one of the largest buyers of Russian arms in Latin America.",
]


@pytest.fixture(scope="module")
def structural(checker) -> claims.ClaimChecker:
    return checker


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        ("Russia has granted Maduro concessions worth millions in financial matters.", "roles"),
        ("Maduro called for the United States to intervene militarily.", "who"),
        ("Rostec reduced its personnel to a mere few thousand.", "direction"),
        ("Maduro gave U.S. diplomats 48 hours to leave Venezuela.", "number"),
        ("The Kremlin confirmed the report.", "negation"),
        ("Venezuela has been one of the smallest buyers of Russian arms in Latin America.", "direction"),
    ],
)
def test_structure_catches_what_shared_words_hide(structural: claims.ClaimChecker, statement: str, kind: str) -> None:
    v = structural.check(statement, EVIDENCE)
    assert v.label == CONTRADICTED, (statement, v)
    assert v.reason.startswith(kind) or kind in v.reason, v.reason


def test_an_invented_event_is_not_found(structural: claims.ClaimChecker) -> None:
    v = structural.check("The United States sent a few thousand American troops to Venezuela.", EVIDENCE)
    assert not v.supported and v.reason


def test_a_double_negative_and_someone_else_are_not_contradictions(structural: claims.ClaimChecker) -> None:
    # "rarely convincing" says "unconvincing": not the opposite
    v = structural.check(
        "United's performances in the Champions League have been unconvincing.",
        ["United have rarely been convincing in the Champions League in recent years."],
    )
    assert v.label != CONTRADICTED, v
    # a sentence about another player contradicts nothing said of this one
    v = structural.check(
        "Nathan Murphy did not continue playing in the grand final.",
        ["John Noble was dropped for the qualifying final and never forced his way back in."],
    )
    assert v.label != CONTRADICTED, v
    # "the absence of infidelity" is a negation of infidelity
    assert "infidelity" in parse.analyse_many(["She stressed the absence of infidelity in the marriage."])[0].negated


def test_an_un_word_contradicts_its_own_stem(structural: claims.ClaimChecker) -> None:
    # "uninjured" where the text has "an oblique injury" (another part of speech than the statement's word)
    v = structural.check(
        "Kenneth Walker III was uninjured in the game against the Rams.",
        ["Kenneth Walker III (Seahawks) took four carries against the Rams before leaving with an oblique injury."],
    )
    assert v.label == CONTRADICTED and "injury" in v.reason, v


def test_a_window_that_says_the_opposite_never_supports_however_few_words_it_holds(
    structural: claims.ClaimChecker,
) -> None:
    # 4 of the statement's 7 words are not in the sentence: too few for a contradiction, but the sentence's
    # "injury" against the statement's "uninjured" keeps it from supporting (it had been supported at 0.54)
    v = structural.check(
        "Kenneth Walker III remained healthy and uninjured during a game.",
        ["Kenneth Walker III (Seahawks) took four carries against the Rams before leaving with an oblique injury."],
    )
    assert v.label != SUPPORTED, v


def test_a_topic_or_a_name_is_not_negated(structural: claims.ClaimChecker) -> None:
    # a noun phrase asserts nothing, so no negation contradicts it; a name is never what a "not" applies to
    for topic in ("Chuba Hubbard", "Chuba Hubbard's role against Dallas"):
        v = structural.check(
            topic, ["I don't care what your team looks like; you shouldn't be starting Chuba Hubbard."]
        )
        assert v.label != CONTRADICTED, (topic, v)
    # "his inability to return" is "he did not return"
    assert "return" in parse.analyse_many(["Derrick Henry's inability to return to the game"])[0].negated


def test_a_name_is_not_found_by_a_last_word_that_names_something_else(structural: claims.ClaimChecker) -> None:
    # "Group" ends both names: the Wagner group is not the Lima Group (an answer said so, cited)
    lima = ["The Lima Group has 14 countries and was created in 2017 to discuss ways to end the crisis in Venezuela."]
    v = structural.check(
        "The Wagner Group has 14 countries and was created in 2017 to discuss ways to end the crisis in Venezuela.",
        lima,
    )
    assert not v.supported and "wagner" in v.reason, v
    # a surname still stands for the whole name, with or without a title before it
    assert structural.check("Nicolas Maduro gave U.S. diplomats 72 hours to leave.", EVIDENCE).supported
    assert structural.check(
        "Maduro gave diplomats 72 hours.", ["President Nicolás Maduro gave diplomats 72 hours."]
    ).supported


def test_an_organisation_is_found_without_the_word_for_its_kind(structural: claims.ClaimChecker) -> None:
    """News writes "Alameda Research" once, then "Alameda" (which the parser takes for the Californian city):
    the name is there. Another organisation that begins the same way is not it."""
    said = (
        "And the business practices between the two were reasonable, he argued, claiming that Alameda acted "
        "legally as an FTX customer, payment processor, and market maker."
    )
    v = structural.check("Alameda Research's business practices with FTX were legal.", [said])
    assert "alameda" not in v.reason, v
    other = structural.check("Alameda Research borrowed money.", ["Alameda Capital borrowed money."])
    assert not other.supported and "alameda research" in other.reason, other
    wagner = structural.check("The Wagner Group sent contractors.", ["The Lima Group sent contractors."])
    assert not wagner.supported and "wagner" in wagner.reason, wagner


def test_an_adjective_against_its_opposite_as_an_adverb_is_a_contradiction(structural: claims.ClaimChecker) -> None:
    """The word "illegal" where the text says "acted legally": the embedder puts the two close (a synonym, it had
    judged), so "Alameda Research's business practices with FTX were illegal" was supported, and a MultiHop-RAG
    comparison question built on that corruption was answered "Yes"."""
    said = (
        "And the business practices between the two were reasonable, he argued, claiming that Alameda acted "
        "legally as an FTX customer, payment processor, and market maker."
    )
    v = structural.check("Alameda Research's business practices with FTX were illegal.", [said])
    assert v.label == CONTRADICTED and "illegal" in v.reason, v
    assert structural.check("Alameda Research's business practices with FTX were legal.", [said]).supported


def test_the_words_of_a_name_found_by_a_shorter_form_are_held() -> None:
    """ "Ellison" stands for Caroline Ellison and "SBF" for Sam Bankman-Fried: their words are held, as the
    names are (they had counted as missing words, and a true claim fell under the bar)."""
    claim, window = parse.analyse_many(
        ["Caroline Ellison testified against Sam Bankman-Fried.", "Ellison testified against SBF on Tuesday."]
    )
    a = claims.align(claim, window)
    assert not a.missing_names and not a.missing and a.coverage == 1.0, a


def test_not_only_is_no_negation(structural: claims.ClaimChecker) -> None:
    """ "not only to increase its presence ... but also ..." says that Russia wants to increase it: a window
    elsewhere in the corpus had contradicted the faithful "Russia has increased its backing for Venezuela"."""
    said = (
        "International analysts assure that Russia continues its support for Maduro not only to increase its "
        "presence in Latin America and inconvenience the USA but also because Venezuela has granted Russia "
        "concessions worth millions in financial matters."
    )
    (a,) = parse.analyse_many([said])
    assert not any(f.negated for f in a.frames if f.verb == "increase"), a.frames
    assert "increase" not in a.negated
    v = structural.check("Russia wants to increase its presence in Latin America.", [said])
    assert v.label != CONTRADICTED, v


def test_the_same_verb_done_to_someone_else_does_not_clear_a_rival_actor(structural: claims.ClaimChecker) -> None:
    """ "Russia ... say they recognize Maduro" is another act than recognizing Guaido: it must not make the
    sentence agree with "Russia recognizes Juan Guaido", which the sentence's first act (the United States
    recognizes Guaido) contradicts. The explanatory answer to "Does Russia recognize Juan Guaido as Venezuela's
    president?" had turned to "Yes."."""
    said = (
        "The United States and more than 50 countries recognize Guaido, but Russia, China, Turkey and several "
        "other countries say they recognize Maduro as the only legitimate president of Venezuela."
    )
    v = structural.check("Russia recognizes Juan Guaido as Venezuela's president.", [said])
    assert not v.supported, v
    # names that changed roles are still a swap: "Reuters told Shabayev" where Shabayev told Reuters
    swapped = structural.check(
        "Reuters told Russian paramilitary group leader Yevgeny Shabayev that it had heard of about 400 Russian "
        "contractors in Venezuela.",
        [
            "Russian paramilitary group leader Yevgeny Shabayev told Reuters that he'd heard of “about 400” Russian "
            "contractors in Venezuela."
        ],
    )
    assert not swapped.supported, swapped


def test_a_claim_the_sentence_reports_as_denied_is_contradicted(structural: claims.ClaimChecker) -> None:
    """ "refuted claims ... that Russia would have significantly reduced the number of Rostec employees" disputes
    the reduction; it had supported "Rostec reduced its personnel" (so "Did Rostec reduce its personnel in
    Venezuela?" got "Yes."). A paraphrase that reports the same denial in other words still agrees."""
    said = (
        "However, on Monday, Russian ambassador to Venezuela Vladimir Zaemsky refuted claims in The Wall Street "
        "Journal on Sunday that Russia would have significantly reduced the number of Rostec employees who have "
        "been active in the country in recent months."
    )
    v = structural.check("Russia significantly reduced the number of Rostec employees.", [said])
    assert v.label == CONTRADICTED, v
    # that the newspaper reported it is what the sentence says; that the ambassador said it is not
    reported = "The Wall Street Journal on Sunday reported that Russia had reduced the number of Rostec employees."
    assert structural.check(reported, [said]).supported
    said_by_him = "Zaemsky said that Russia had reduced the number of Rostec employees."
    assert structural.check(said_by_him, [said]).label == CONTRADICTED
    assert (
        structural.check(
            "The Kremlin said Russian troops left Venezuela.",
            ["The Kremlin denied that Russian troops left Venezuela."],
        ).label
        == CONTRADICTED
    )
    same = structural.check(
        "Ryabkov stressed that the focus will be on the equipment sent to Venezuela, dismissing speculation that "
        "Russia has military personnel stationed there.",
        [
            "Ryabkov emphasized that the focus will be on the equipment sent to Venezuela , ruling out speculation "
            "that Russia has military personnel installed in Venezuelan territory."
        ],
    )
    assert same.supported, same


def test_roles_are_read_through_a_noun_and_past_an_apposition(structural: claims.ClaimChecker) -> None:
    """Two role swaps of the fabrication set had passed: the one who receives was named under a noun ("sent
    dollars in payments to the party": the party attaches to "payments", not to the verb), and an apposition's
    possessor counted as the actor ("Brazil, China's biggest buyer, has received ...": China does not receive).
    Sentences of the same build, not the set's own; the faithful readings still pass."""
    paid = (
        "The state oil firm Petrobras has sent more than 3 million dollars in payments to the ruling party over "
        "the years."
    )
    swapped = "The ruling party has sent more than 3 million dollars in payments to the state oil firm Petrobras."
    assert structural.check(swapped, [paid]).label == CONTRADICTED
    assert structural.check(
        "Petrobras paid the ruling party more than 3 million dollars over the years.", [paid]
    ).supported
    bought = (
        "Brazil, China’s biggest buyer of machinery, has received large shipments of Chinese tractors this year, a "
        "trade official said."
    )
    other = "China has received large shipments of tractors from Brazil, its biggest buyer of machinery."
    assert not structural.check(other, [bought]).supported
    assert structural.check("Brazil has received large shipments of Chinese tractors this year.", [bought]).supported


def test_a_negated_attempt_is_a_negated_act(structural: claims.ClaimChecker) -> None:
    """ "I didn't ever try to commit fraud" had supported "He committed fraud for personal gain" (0.56): the
    negation stopped at "try". A MultiHop-RAG comparison got "Yes" from it."""
    said = (
        "At the summit, he appeared virtually from the Bahamas, saying “I didn’t ever try to commit fraud on anyone; "
        "I was shocked by what happened this week.”"
    )
    assert structural.check("He committed fraud for personal gain.", [said]).label == CONTRADICTED
    talks = "The minister did not manage to reach an agreement with the unions."
    assert not structural.check("The minister reached an agreement with the unions.", [talks]).supported
    tried = "The minister tried to reach an agreement with the unions."
    assert structural.check("The minister tried to reach an agreement with the unions.", [tried]).supported


def test_verdict_names_the_deciding_sentence(structural: claims.ClaimChecker) -> None:
    v = structural.check("Venezuela granted Russia concessions worth millions.", EVIDENCE)
    assert v.label == SUPPORTED and v.sentence == 0 and 0 in v.sentences and 0 < v.score <= 1
    assert structural.check("Anything at all.", []).label == claims.NOT_FOUND


def test_quantities_keep_their_noun_and_preposition() -> None:
    (a,) = parse.analyse_many(["Its staff fell from a few thousand to a few dozen, and 2.5 million dollars were paid."])
    values = {(q.value, q.prep) for q in a.quantities}
    assert ("few thousand", "from") in values and ("few 12", "to") in values
    assert any(q.value == "2500000" and q.head == "dollar" for q in a.quantities)


def test_claim_files_and_halves(tmp_path: Path) -> None:
    row = {"id": "x", "dataset": "d", "article": "A b c. D e f.", "claim": "A b c.", "label": "supported"}
    (tmp_path / "anything.jsonl").write_text(json.dumps(row) + "\n")
    assert faithfulness.claim_file(tmp_path) == tmp_path / "anything.jsonl"
    (c,) = faithfulness.load_claims(tmp_path / "anything.jsonl")
    assert c.label and c.evidence == ("A b c.", "D e f.") and faithfulness.part(c.key) in ("tune", "report")
    assert faithfulness.auc([0.9, 0.1, 0.5], [True, False, True]) == 1.0
    assert faithfulness.balanced_accuracy([True, True, False], [True, False, False]) == 0.75


@pytest.mark.slow
def test_fabrication_set_report_half(checker: claims.ClaimChecker) -> None:
    rows = [c for c in faithfulness.load_claims(CLAIMS, CORPUS) if faithfulness.part(c.key) == "report"]
    per = faithfulness.figures(faithfulness.run(rows, checker, progress=False))
    print({k: v.get("right") for k, v in per.items()})
    assert len(rows) >= 100
    assert per["paraphrase"]["right"] >= FLOORS["paraphrase"], per["paraphrase"]
    for kind in ("role_swap", "number", "direction", "negation", "entity_swap", "invented"):
        assert per[kind]["right"] >= FLOORS[kind], (kind, per[kind])


# measured on the report half (docs/checker.md); a floor a little under each, so a regression fails
FLOORS = {
    "paraphrase": 0.80,  # measured 0.87 (docs/checker.md)
    "role_swap": 0.65,  # 0.71 (0.57 until 2026-12-06)
    "number": 0.80,  # 0.87
    "direction": 0.70,  # 0.75 (0.83 until 2026-12-06)
    "negation": 0.90,  # 1.0
    "entity_swap": 0.85,  # 0.92
    "invented": 0.80,  # 0.86
}


@pytest.mark.slow
def test_news_faithfulness_slice(checker: claims.ClaimChecker) -> None:
    if not NEWS.is_dir():
        pytest.skip(f"no benchmark at {NEWS}")
    rows = faithfulness.load_claims(NEWS / "dev.jsonl")
    # every second report-half row of each dataset: a slice that runs in about a minute
    report = [c for c in rows if faithfulness.part(c.key) == "report"][::2]
    per = faithfulness.figures(faithfulness.run(report, checker, progress=False))
    print({k: (v["balanced_accuracy"], v["auc"]) for k, v in per.items()})
    for name, floor in NEWS_FLOORS.items():
        assert per[name]["auc"] >= floor, (name, per[name])


# ROC AUC on that slice, a little under what was measured there (docs/checker.md)
NEWS_FLOORS = {"qags_cnndm": 0.65, "qags_xsum": 0.55, "xsumfaith": 0.7, "cliff": 0.65}


def test_parser_loads_without_torch_and_torch_still_imports_afterwards() -> None:
    # a cold `rag ask` does not pay for torch's import (1.5 s on 2 cores) through spaCy's thinc
    code = (
        "import sys\n"
        "from rag.parse import analyse_many\n"
        "a = analyse_many(['Venezuela granted Russia concessions worth millions.'])[0]\n"
        "assert 'russia' in a.content, a.content\n"
        "assert 'torch' not in sys.modules\n"
        "import torch\n"
        "print(torch.ones(2).sum().item())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "2.0"


def test_the_us_by_its_short_forms_is_a_name(structural: claims.ClaimChecker) -> None:
    """ "U.S." (not alphabetic) and "US" (a stop word) were neither names nor words to the checker, so "The U.S.
    government said ..." was checked as "The government said ..." and supported by a sentence about the
    Kremlin; a yes/no answer said "Yes." on it. The pronoun "us" is still no name."""
    kremlin = "The Kremlin said the talks with the opposition had failed."
    assert not structural.check(
        "The U.S. government said the talks with the opposition had failed.", [kremlin]
    ).supported
    assert not structural.check("The US government said the talks with the opposition had failed.", [kremlin]).supported
    ours = "U.S. officials said the talks with the opposition had failed."
    assert structural.check("The United States said the talks with the opposition had failed.", [ours]).supported
    assert structural.check("They told us the talks with the opposition had failed.", [kremlin]).label != CONTRADICTED


def test_a_statement_that_denies_an_act_is_not_supported_by_a_text_that_denies_nothing(
    structural: claims.ClaimChecker,
) -> None:
    """ "Most member states do not back Guaidó" had been supported (0.55) by "Most member states ... are supporting
    ... Guaidó": the text holds every content word ("back" is the parser's particle, no content word), and the
    negation was read only where both say the same verb. A text that says the act's opposite still agrees."""
    text = [
        "Most member states of the organization are supporting opposition leader and self-proclaimed interim "
        "president, Juan Guaidó."
    ]
    v = structural.check("Most member states of the organization do not back Juan Guaidó.", text)
    assert v.label == CONTRADICTED and v.reason.startswith("negation"), v
    assert structural.check("Most member states of the organization back Juan Guaidó.", text).supported
    rejected = ["The Lima Group rejected the plan on Monday."]
    assert structural.check("The Lima Group did not accept the plan.", rejected).label != CONTRADICTED
    denied = ["Russia had made it clear that it was not sending a military contingent to Venezuela."]
    assert structural.check("Russia did not send a military contingent to Venezuela.", denied).supported


def test_a_denial_of_one_actor_s_act_does_not_deny_another_s(structural: claims.ClaimChecker) -> None:
    """ "Did China send troops to Venezuela?" had been answered "No." from Zakharova's words that Russia was not
    sending a military contingent: the window denies an act of someone the statement does not name."""
    denied = [
        "Zakharova, in her statement Saturday, said Russia had made it clear it was not sending a military "
        "contingent to Venezuela."
    ]
    assert structural.check("China sent troops to Venezuela.", denied).label != CONTRADICTED
    v = structural.check("Russia sent a military contingent to Venezuela.", denied)
    assert v.label == CONTRADICTED and v.reason.startswith("negation"), v
    # an act done to something else: sending technicians is no denial of sending troops, nor the reverse
    # ("Has Russia denied sending troops?" had been answered "No." from this sentence)
    technicians = [
        "Russian defense and high technology conglomerate Rostec, which regularly sends technicians to Venezuela to "
        "deliver military equipment, said on Monday that the US newspaper overestimated the number of Rostec "
        "employees working in the Latin American nation."
    ]
    assert structural.check("Russia denied sending troops to Venezuela.", technicians).label != CONTRADICTED
    assert structural.check("Rostec does not send technicians to Venezuela.", technicians).label == CONTRADICTED


def test_a_supported_statement_says_which_of_its_acts_the_window_does_not_tell(
    structural: claims.ClaimChecker,
) -> None:
    """Close in words and meaning is not the act: "the United States send troops to Venezuela" against "Trump has
    called on Russia to “get out” of Venezuela, with Russia saying its troops will stay" (Verdict.acts_missing; a
    yes or no is not decided by it, rag/compose.py)."""
    text = [
        "US President Donald Trump has called on Russia to “get out” of Venezuela, with Russia saying its troops will "
        "stay for as long as needed."
    ]
    v = structural.check("The United States sent troops to Venezuela.", text)
    assert not v.supported or v.acts_missing == ("send",), v
    told = structural.check("Trump called on Russia to get out of Venezuela.", text)
    assert told.supported and told.acts_missing == (), told


def test_a_crisis_that_eased_is_not_one_that_intensified(structural: claims.ClaimChecker) -> None:
    text = ["The Venezuelan crisis intensified when Guaidó proclaimed himself interim president of the country."]
    v = structural.check("The Venezuelan crisis eased after Guaidó proclaimed himself interim president.", text)
    assert v.label == CONTRADICTED and v.reason.startswith("direction"), v
    ties = ["Russia has recently strengthened ties with Venezuela."]
    assert structural.check("Russia has recently loosened its ties with Venezuela.", ties).label == CONTRADICTED


def test_he_and_him_in_what_someone_says_are_the_one_who_says_it(structural: claims.ClaimChecker) -> None:
    """ "Donald Trump said ... that he had informed the government of Vladimir Putin ..." had been supported (0.78) by
    "... Trump said ... that the government of Vladimir Putin had informed him ...": a pronoun was an unknown party,
    so the swap went unseen. In a clause a person says, he / him / she / her is that person."""
    text = [
        "Russia has informed us that they have removed most of their people from Venezuela.",
        "U.S. president Donald Trump said on Twitter that the government of Vladimir Putin had informed him that "
        "Russia has withdrawn “most of their people from Venezuela.”",
    ]
    swapped = (
        "Donald Trump said on Twitter that he had informed the government of Vladimir Putin that Russia has "
        "withdrawn most of its people from Venezuela."
    )
    v = structural.check(swapped, text)
    assert v.label == CONTRADICTED and v.reason.startswith("roles"), v
    same = "Trump said on Twitter that Putin's government had told him that Russia had pulled most of its people out."
    assert structural.check(same, text).supported


def test_praise_is_not_denounce(structural: claims.ClaimChecker) -> None:
    text = [
        "Recently, Russian officials have come forth with their support of Maduro, while denouncing the U.S. "
        "support of the opposition."
    ]
    praised = (
        "Recently, Russian officials have come forth with their support of Maduro, while praising the U.S. support."
    )
    assert structural.check(praised, text).label == CONTRADICTED


def test_a_post_the_text_does_not_give_someone_is_not_supported(structural: claims.ClaimChecker) -> None:
    """ "Who is the chief executive of Rostec?" (no article says) had been answered "Vladimir Zaemsky, the chief
    executive of Rostec." from a sentence naming him ambassador: every name held, the post's words too few to
    count. What a statement says a person is (an apposition, or "X is the ...") must be in the text."""
    text = [
        "However, on Monday, Russian ambassador to Venezuela Vladimir Zaemsky refuted claims in The Wall Street "
        "Journal on Sunday that Russia would have significantly reduced the number of Rostec employees who have "
        "been active in the country in recent months."
    ]
    for post in (
        "Vladimir Zaemsky, the chief executive of Rostec, refuted the claims.",
        "Vladimir Zaemsky is the chief executive of Rostec.",
    ):
        v = structural.check(post, text)
        assert not v.supported and "not in the text" in v.reason, (post, v)
    assert structural.check("Vladimir Zaemsky, Russia's ambassador to Venezuela, refuted the claims.", text).supported


def test_a_post_is_of_what_the_text_says_it_is_of(structural: claims.ClaimChecker) -> None:
    """ "What office does Juan Guaidó hold, according to the article on the regional balance of forces?" had been
    answered "Juan Guaidó, the interim president of the organization." from a sentence where the organization is
    what the member states are of, and the president is of nothing: every word held, put together falsely. A post
    the text does say is of its owner, in its own words or as a possessive or a compound, still holds."""
    text = [
        "Most member states of the organization are supporting opposition leader and self-proclaimed interim "
        "president, Juan Guaidó."
    ]
    v = structural.check("Juan Guaidó, the interim president of the organization.", text)
    assert not v.supported and "president of organization" in v.reason, v
    assert structural.check("Juan Guaidó, the interim president.", text).supported
    for said in (
        "Rostec chief executive Vladimir Zaemsky said the company had cut its staff.",
        "Rostec's chief executive, Vladimir Zaemsky, said the company had cut its staff.",
        "Rostec's chief executive Vladimir Zaemsky said the company had cut its staff.",
        "Vladimir Zaemsky, the chief executive of Rostec, said the company had cut its staff.",
    ):
        v = structural.check(
            "Vladimir Zaemsky, the chief executive of Rostec, said the company had cut its staff.", [said]
        )
        assert v.supported, (said, v)


def test_an_opposite_act_done_to_something_else_is_no_reversal(structural: claims.ClaimChecker) -> None:
    """ "Did Russia withdraw its personnel from Venezuela?" had been answered "No." from "the focus will be on the
    equipment sent to Venezuela": send is withdraw's opposite, but it is done to the equipment, not the personnel.
    The opposite act done to the same thing still contradicts."""
    text = [
        "Ryabkov emphasized that the focus will be on the equipment sent to Venezuela, ruling out speculation that "
        "Russia has military personnel installed in Venezuelan territory."
    ]
    v = structural.check("Russia withdrew its personnel from Venezuela.", text)
    assert v.label != CONTRADICTED, v
    v = structural.check("Russia withdrew the equipment from Venezuela.", text)
    assert v.label == CONTRADICTED and v.reason.startswith("direction"), v
    # refuting claims in the Journal is the opposite of confirming the Journal's report: the Journal is in both
    v = structural.check(
        "Rostec confirmed the Wall Street Journal's report that it had sharply cut its staff in Venezuela.",
        [
            "On Monday, Russian ambassador to Venezuela Vladimir Zaemsky refuted claims in The Wall Street Journal on "
            "Sunday that Russia would have significantly reduced the number of Rostec employees."
        ],
    )
    assert v.label == CONTRADICTED, v


def test_a_name_in_the_place_of_another_it_names_is_a_swap(structural: claims.ClaimChecker) -> None:
    """The subject (or object) of the text's act is another name that the statement puts elsewhere: the two swapped
    places, though every word is shared. The same act told in other words, with the names in their places, holds."""
    text = [
        "Political and international affairs analyst César Sabas told PanAm Post that Russia has neither the interest "
        "nor the capacity to fight a “war” with the United States, so Putin would not respond militarily to a U.S. "
        "military intervention in Venezuela."
    ]
    swapped = "César Sabas told PanAm Post that the United States has neither the interest nor the capacity to fight a war with Russia."
    v = structural.check(swapped, text)
    assert v.label == CONTRADICTED and v.reason.startswith("roles"), v
    kept = "César Sabas told PanAm Post that Russia has no interest in fighting a war with the United States."
    assert structural.check(kept, text).supported


def test_a_subject_listed_with_another_is_in_its_place(structural: claims.ClaimChecker) -> None:
    """ "Russia and China" are both the subject: the second name hangs where the first does, not nowhere."""
    (a,) = parse.analyse_many(["Russia and China backed Maduro."])
    assert {(s.head, s.relation, s.name) for s in a.slots} >= {
        ("back", "subject", "russia"),
        ("back", "subject", "china"),
    }


def test_an_act_the_text_never_tells_is_not_found(structural: claims.ClaimChecker) -> None:
    """Neither the act ("impose") nor what it is done to ("an arms embargo") is in the sentence: an invented event,
    however close the sentence is in meaning. The same meeting in other words, and an act told by another verb on
    the same thing ("gave" / "granted" concessions), hold."""
    text = [
        "Earlier in the day, representatives of the Lima Group and the International Contact Group (GCI) on Venezuela "
        "held their first joint ministerial-level meeting at United Nations headquarters in New York to address the "
        "Venezuelan crisis."
    ]
    v = structural.check(
        "At the meeting in New York, the Lima Group agreed to impose an arms embargo on Venezuela.", text
    )
    assert not v.supported and "impose" in v.reason, v
    met = "The Lima Group and the International Contact Group met in New York to address the Venezuelan crisis."
    assert structural.check(met, text).supported
    given = "Venezuela gave Russia concessions worth millions in financial matters."
    assert structural.check(given, EVIDENCE).supported


def test_a_participle_under_a_noun_is_told_by_its_own_complements_not_by_itself() -> None:
    """What a participle describing a noun is done to is its complements ("leaked last week"); alone ("the money
    stolen") it has none, so it is never an untold act. (spaCy makes a new Token on each access: a token is compared
    by its index, never by `is`.)"""
    (a,) = parse.analyse_many(["The money stolen was returned."])
    assert {f.verb: f.done_to for f in a.frames}["steal"] == frozenset()
    (b,) = parse.analyse_many(["The documents leaked last week were old."])
    assert {f.verb: f.done_to for f in b.frames}["leak"] == frozenset({"week"})


CLAIMS_UNSEEN = ROOT / "tests" / "data" / "claims_unseen.jsonl"


def test_fabrication_set_written_by_someone_else(checker: claims.ClaimChecker) -> None:
    """90 statements about the bundled articles (30 paraphrases, 10 corruptions of each kind) written on 2026-12-05
    by one who saw neither this code nor claims.jsonl (tests/data/claims_unseen.jsonl). Its tune half was read once;
    the floors sit under what was measured on all rows (docs/checker.md), a row under for the kinds of 10."""
    rows = faithfulness.load_claims(CLAIMS_UNSEEN, CORPUS)
    per = faithfulness.figures(faithfulness.run(rows, checker, progress=False))
    print({k: v.get("right") for k, v in per.items()})
    assert len(rows) == 90
    for kind, floor in UNSEEN_FLOORS.items():
        assert per[kind]["right"] >= floor, (kind, per[kind])


UNSEEN_FLOORS = {
    "paraphrase": 0.9,  # measured 0.967
    "role_swap": 0.8,  # 0.9
    "number": 0.9,  # 1.0
    "direction": 0.6,  # 0.7 (0.6 until 2026-12-06)
    "negation": 0.9,  # 1.0
    "entity_swap": 0.9,  # 1.0 (0.8)
    "invented": 0.7,  # 0.8 (0.5)
}


def test_a_date_put_on_another_act_is_caught(structural: claims.ClaimChecker) -> None:
    """ "When did Guaido declare himself interim president?" was answered "Guaido declared himself interim president
    in January, when the attempt was unsuccessful.": January is when he proclaimed himself president, the failed
    attempt is when he called for intervention. The statement's timing may not join what times two acts in the text;
    the saying is not timed apart from what is said."""
    text = (  # as the article writes it (the small parser attaches "when the attempt ..." by the exact words)
        "The Venezuelan crisis intensified when Guaidó proclaimed himself interim president of the country in January,"
        " urged the Venezuelan people and military to overthrow President Nicolás Maduro’s government and, when the"
        " attempt was unsuccessful, called for the United States to intervene militarily."
    )
    v = structural.check(
        "Guaido declared himself interim president in January, when the attempt was unsuccessful.", [text]
    )
    assert v.label == CONTRADICTED and v.reason.startswith("date"), v
    for right in (
        "Guaido declared himself interim president in January.",
        "In January, Guaido proclaimed himself interim president.",
    ):
        assert structural.check(right, [text]).supported, right
    said = "On Monday, the Kremlin said that Russia had withdrawn most of its specialists."
    assert (
        structural.check("The Kremlin said Russia withdrew most of its specialists on Monday.", [said]).label
        != CONTRADICTED
    )


def test_they_who_say_is_who_acts(structural: claims.ClaimChecker) -> None:
    """ "Russia and China say they recognize Guaido." was supported by "The United States and more than 50 countries
    recognize Guaido, but Russia, China, Turkey and several other countries say they recognize Maduro": "they" was
    no one, so the act was anyone's. "They" after a saying is who says it, as "he" and "she" are."""
    text = (
        "The United States and more than 50 countries recognize Guaido, but Russia, China, Turkey and several other"
        " countries say they recognize Maduro as the only legitimate president of Venezuela."
    )
    assert structural.check("Russia and China say they recognize Guaido.", [text]).label == CONTRADICTED
    assert not structural.check(
        "According to the article, Russia and China say they recognize Guaido.", [text]
    ).supported


def test_a_denial_needs_a_text_that_denies_and_a_capitalised_subject_is_a_name(
    structural: claims.ClaimChecker,
) -> None:
    """ "Did Rostec deny reducing its presence in Venezuela?" had been answered "No.": "Rostec denied reducing its
    presence" was read as a plain negation, and the Journal's report that Rostec reduced its personnel contradicted
    it. A denied gerund is now a denial ("denied sending", as "denied that ... sent"): a text that tells the act and
    denies nothing does not say it. "Rostec said ..." (tagged an adjective at the head of the sentence) names Rostec:
    a sentence where Rosoboronexport says it does not support it."""
    reported = [
        "According to the American newspaper, The Wall Street Journal, the Russian state defense contractor, Rostec, "
        "had gradually reduced its personnel in Venezuela to a mere few dozen from the maximum of a few thousand."
    ]
    v = structural.check("Rostec denied reducing its personnel in Venezuela.", reported)
    assert v.label == NOT_FOUND and "denied" in v.reason, v
    refuted = [
        "Previously, Russia’s ambassador to Caracas refuted claims by the US media over the weekend that Russian "
        "defense giant Rostec had made significant cuts to its presence in the Latin American country recently."
    ]
    # "made significant cuts" denied is "cut" denied: no negation flipped; the ambassador's denial is not Rostec's
    assert structural.check("Russia's ambassador denied that Rostec cut its presence.", refuted).supported
    v = structural.check("Rostec denied reducing its presence in Venezuela.", refuted)
    assert v.label == NOT_FOUND, v
    # a denial in other words of the same act: no flipped negation ("not sending a contingent" / "denied sending")
    zakharova = ["Zakharova said Russia had made it clear it was not sending a military contingent to Venezuela."]
    assert structural.check("Zakharova denied that Russia sent a military contingent.", zakharova).supported
    said = [
        "Earlier Saturday, Rosoboronexport, Russia’s state arms export company said it has opened a training centre "
        "for military helicopter pilots in Venezuela after Moscow flew in troops and equipment."
    ]
    v = structural.check("Rostec said it has opened a training centre for military helicopter pilots.", said)
    assert v.label == NOT_FOUND and "rostec" in v.reason, v


def test_not_ending_a_thing_is_no_negation_of_it_and_a_participle_is_done_to_its_noun(
    structural: claims.ClaimChecker,
) -> None:
    """ "Is Russia still supporting Maduro?" had been answered "both yes and no": "Russia has not ended its support
    for Nicolas Maduro" negated the support (a negation reaches its verb's object), and "a movement now backed by the
    U.S." (no object read for "backed") had the U.S. back what the statement has Russia back. "Has Russia stopped
    supporting Maduro?" then needed the ending told: in other words ("not ended"), or not at all."""
    ended = [
        "Although it is unclear how the Kremlin communicated this information to the U.S., it is inevitable that Russia "
        "has not ended its support for Nicolas Maduro."
    ]
    assert structural.check("Russia still supports Maduro.", ended).supported
    assert structural.check("Russia has ended its support for Maduro.", ended).label == CONTRADICTED
    # an ending denied in other words, and an ending the text does not tell
    assert structural.check("Russia has stopped supporting Maduro.", ended).label == CONTRADICTED
    support = ["Recently, Russian officials have come forth with their support of Maduro."]
    assert not structural.check("Russia has stopped supporting Maduro.", support).supported
    backed = [
        "Secret Russian military contractors traveled to Venezuela to provide security for President Nicolas Maduro "
        "as disgruntled Venezuelans continue protests in attempt to overthrow him, a movement now backed by the U.S."
    ]
    assert structural.check("Russia backs President Nicolas Maduro.", backed).label != CONTRADICTED
    # the same act done to the same thing by another of the same kind is still another actor
    assert structural.check("China backs Guaido.", ["The United States backs Guaido."]).label == CONTRADICTED


def test_a_verdict_does_not_depend_on_what_was_checked_before() -> None:
    """The chat checks question after question in one process: a sentence embedded beside others came out elsewhere
    than alone (the int8 embedder quantizes a batch by its own range), so the same answer to the same question
    could pass or fail by what was asked before. Each text is embedded alone."""
    from rag.config import Settings
    from rag.models import get_embedder

    embed = get_embedder(Settings.load()).embed
    statement = "Russia has withdrawn most of its people from Venezuela."
    evidence = [
        "Trump said that Russia had informed him that it has withdrawn most of its people from Venezuela.",
        "Rostec reduced its personnel in Venezuela to a few dozen.",
    ]
    fresh = claims.ClaimChecker(embed)
    first = fresh.check(statement, evidence)
    used = claims.ClaimChecker(embed)
    used.check(  # the evidence embedded before, in a batch beside long sentences of another article
        "The Lima Group met in New York.",
        [*evidence, " ".join(["The contact group called for free and fair presidential elections in Venezuela."] * 6)],
    )
    again = used.check(statement, evidence)
    assert (again.label, again.score) == (first.label, first.score)
    assert (fresh.vectors(evidence) == used.vectors(evidence)).all()


def test_the_source_of_a_report_is_not_who_does_what_it_reports(checker) -> None:
    """The 270M model dropped "Rostec" from "According to the American newspaper, The Wall Street Journal, the Russian
    state defense contractor, Rostec, had gradually reduced its personnel ...", and the newspaper reduced it. The small
    parser makes the newspaper's name the subject; the description is shared, the name is not."""
    from rag.parse import analyse_many

    text = (
        "According to the American newspaper, The Wall Street Journal, the Russian state defense contractor, Rostec, "
        "had gradually reduced its personnel in Venezuela to a mere few dozen from the maximum of a few thousand."
    )
    reduce = next(f for f in analyse_many([text])[0].frames if f.verb == "reduce")
    assert "rostec" in reduce.actor and "journal" not in reduce.actor
    v = checker.check(
        "The Wall Street Journal, the Russian state defense contractor, had gradually reduced its personnel in "
        "Venezuela to a mere few dozen from the maximum of a few thousand.",
        [text],
    )
    assert v.label == CONTRADICTED and v.reason.startswith("who"), v
    kept = "Rostec, the Russian state defense contractor, had gradually reduced its personnel in Venezuela."
    assert checker.check(kept, [text]).supported
    named = "Russian President Vladimir Putin backs Maduro."  # the same one, named in full and in part
    assert checker.check(named, ["Putin backs Maduro, the Kremlin said."]).label != CONTRADICTED
