"""Explanatory answers (rag/kinds.py, rag/compose.py) and follow-ups, with the real models on the bundled
articles; question kinds and follow-up rewriting are checked on their own first."""

from __future__ import annotations

import re

import pytest

from rag import Passage, answer, cite, compose, kinds, parse
from rag.errors import BadModeError
from rag.evaluate import load_benchmark, points_covered
from rag.kinds import KINDS, asks_cause, detect
from rag.qa import condense

from .conftest import ROOT

EXPLAIN = ROOT / "tests" / "data" / "explain.jsonl"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many Russian contractors are in Venezuela?", "fact"),
        ("Who is Russia's ambassador to Venezuela?", "fact"),
        ("Why does Russia support Maduro?", "explain"),
        ("What role did the Wagner group reportedly play in Venezuela?", "explain"),
        ("Which countries back Maduro?", "list"),
        ("What military equipment has Russia supplied to Venezuela?", "list"),
        ("How did Russia's presence in Venezuela change over the course of 2019?", "change"),
        ("Do the articles agree on whether Russia sent military personnel to Venezuela?", "who_says"),
        ("What did Maria Zakharova say about Russia's presence in Venezuela?", "who_says"),
        ("Summarize what Rostec was doing in Venezuela and why it scaled back.", "summarize"),
        ("Did Russia stop supporting Maduro after withdrawing personnel?", "yesno"),
        ("What do legal experts and industry figures say the FTX trial means for the crypto industry?", "who_says"),
        ("What did the ministry say the death toll was?", "fact"),
        ("What is the Lima Group and what role did it want Russia to play?", "explain"),
        ("Who sat on OpenAI's board when Altman was fired, and who was named to the new initial board?", "list"),
        ("Who is the individual whose actions Fortune questioned, and who is accused of fraud by The Verge?", "fact"),
        ("What does the Wagner group have to do with Venezuela?", "explain"),
        ("What part did Rostec play in Venezuela?", "explain"),
        ("Why did Binance agree to pay about $4.3 billion to U.S. authorities?", "explain"),
        ("Do TechCrunch and The Verge agree about the size of the fine?", "who_says"),
        ("What is the relationship between Russia and Venezuela?", "explain"),
        (
            "Who is the individual that recruited a former colleague, and who also admitted to being aware of it?",
            "fact",
        ),
        # a statement, then the question about it (had been "fact": the question's first words are a name)
        ("Russia says its troops will stay as long as needed, so why did Rostec cut its staff?", "explain"),
        ("Rostec cut its staff in Venezuela. How did Moscow explain it?", "explain"),
        # which things will / could / must ... (had been "fact": only did / do / have ... followed the noun)
        ("Which problems will Russia's contractors have to deal with in Venezuela?", "list"),
        # what the parse reads where no pattern does: a plural noun asked for, two joined, one counted
        ("Which celebrities and sports brands did FTX partner with before its collapse?", "list"),
        ("Which two individuals were linked by rumors of a romance?", "list"),
        ("Which group are the secret Russian contractors in Venezuela reportedly linked to?", "fact"),
        ("What office does Juan Guaidó hold?", "fact"),
        # two sides' views of one thing (had been "yesno": the answer is each side's view, not a yes)
        ("Do Washington and Moscow describe the Russian personnel in Venezuela the same way?", "who_says"),
        ("Do they have the same CEO?", "yesno"),
        ("What did Trump tweet about Russia?", "who_says"),
        ("Which uses of artificial intelligence will be outlawed under the EU's new AI rules?", "list"),
        # "Name the" one thing asks for a fact (had been "list", and declined as a list of one)
        ("Name the admiral in charge of US Southern Command.", "fact"),
        ("Name the countries that back Maduro.", "list"),
        # reasons asked for are an explanation, however many (had been "list": a plural noun before "were")
        ("What reasons were given for Rostec scaling back its workforce in Venezuela?", "explain"),
        ("What were the reasons for the withdrawal?", "explain"),
        # a plural that modifies the one thing asked for (had been "list": "weapons" is in the list of plurals)
        ("Which malfunctioning Russian weapons system are the specialists helping to fix?", "fact"),
        # a reason asked otherwise, what someone said to some end, what people are doing (had been "fact", "fact" and
        # "list")
        ("On what grounds does Moscow justify keeping its people in Venezuela?", "explain"),
        ("What has Maria Zakharova said to play down concerns about Russians in Venezuela?", "who_says"),
        ("What are the Russians in Venezuela actually doing there?", "explain"),
        ("What are the countries that back Maduro?", "list"),
    ],
)
def test_question_kinds(question: str, kind: str) -> None:
    assert detect(question) == kind and kind in KINDS


def test_follow_ups_keep_the_previous_questions_meaning() -> None:
    before = [("Why does Russia support Maduro?", "")]
    assert condense("And what did China say?", before) == "What did China say about Maduro?"
    assert condense("What about China?", before) == "Why does China support Maduro?"
    assert condense("Who is Guaido?", before) == "Who is Guaido?"  # names something: stands alone
    assert condense("Which newspaper made those claims?", before).startswith("Why does Russia support Maduro?")
    # "there" that points nowhere ("are there") is no reference back: the question stands alone (carried, "How many
    # contractors are there?" after a question on China was declined; alone it is answered)
    assert condense("How many contractors are there?", before) == "How many contractors are there?"
    assert condense("Who sent the contractors there?", before).startswith("Why does Russia support Maduro?")
    # a follow-up of a follow-up, as the chat passes its history (messages): read against what the turn before meant
    chat = [
        {"role": "user", "content": "Why does Russia support Maduro?"},
        {"role": "assistant", "content": "..."},
        {"role": "user", "content": "And what did China say?"},
        {"role": "assistant", "content": "..."},
    ]
    assert condense("What about the United States?", chat) == "What did the United States say about Maduro?"
    # the name goes with its article, and the follow-up's comes in as written
    before_us = [("How did the United States react to Russian personnel in Venezuela?", "")]
    assert condense("What about Cuba?", before_us) == "How did Cuba react to Russian personnel in Venezuela?"


def test_a_follow_up_carried_with_the_question_before_asks_for_its_own_kind(settings) -> None:
    """ "How many contractors?" after "What did ... say about Maduro?" is carried with it for the search, and asks
    for a number, not for who says what."""
    a = answer("How many contractors?", history=[("Why does Russia support Maduro?", "")], settings=settings)
    assert a.searched.endswith("How many contractors?") and a.kind == "fact", (a.searched, a.kind)


def test_a_bullet_and_its_lead_are_not_part_of_the_statement() -> None:
    text = "The articles disagree:\n- Reuters (March 30, 2019): Two planes landed. [1]\n- TASS: None did. [2]"
    assert cite.statements(text) == [("The articles disagree:", []), ("Two planes landed.", [1]), ("None did.", [2])]


@pytest.mark.parametrize(
    ("sentence", "line"),
    [
        ("However, Russia denied it.", "Russia denied it."),
        ("But Zakharova said no.", "Zakharova said no."),
        ("In addition, Russia sent planes.", "Russia sent planes."),
        # without its comma the connective is the sentence's own words: cutting it would change the meaning
        (
            "In addition to the US, 54 other countries recognize Guaidó.",
            "In addition to the US, 54 other countries recognize Guaidó.",
        ),
        ("So far the talks have failed.", "So far the talks have failed."),
        # a quote the sentence opens or closes alone gets its other half; quotes around all of it go
        (
            "“Our collaboration is carried out strictly in accordance with the law.",
            "“Our collaboration is carried out strictly in accordance with the law.”",
        ),
        (
            "Russia will continue to inconvenience the United States,” he said.",
            "“Russia will continue to inconvenience the United States,” he said.",
        ),
        (
            "“We recommend that the United States stop,” Zakharova said.",
            "“We recommend that the United States stop,” Zakharova said.",
        ),
        ("“There is no reason to worry.”", "There is no reason to worry."),
    ],
)
def test_a_line_loses_its_leading_connective_only(sentence: str, line: str) -> None:
    assert compose.trim(sentence) == line


@pytest.mark.slow
def test_a_fragment_without_a_verb_is_never_a_line_of_the_answer(settings) -> None:
    # 004_b020aff13cf89ea2.txt holds "Zakharova during this Thursday during an official press report."
    a = answer("Which Russian officials are quoted in the articles about Venezuela?", settings=settings)
    assert not a.abstained and len(a.citations) >= 2
    assert "during an official press report" not in a.text


@pytest.mark.slow
def test_explanatory_answer_cites_every_line_and_each_line_is_its_sentence(settings, checker) -> None:
    a = answer("Why does Russia support Maduro?", settings=settings)
    assert a.kind == "explain" and not a.abstained
    lines = [ln for ln in a.text.splitlines() if ln.startswith("- ")]
    assert 2 <= len(lines) <= 6 and len({c.source for c in a.citations}) >= 2  # from more than one article
    for text, marks in cite.statements(a.text):
        (n,) = marks
        c = a.citations[n - 1]
        sentence = c.text[c.support_start - c.start : c.support_end - c.start]
        assert checker.check(text, [sentence]).supported, (text, sentence)
    assert "concessions" in a.text  # one of the reasons the articles give


@pytest.mark.slow
def test_a_sentence_that_points_back_is_read_with_the_one_before_it(settings) -> None:
    # "These contracts, which include ... from helicopters and fighter jets to armored vehicles and air defense
    # batteries, ..." follows the sentence about Russia's arms contracts with Venezuela: alone it shares few
    # words with the question, but it is the one that answers it
    a = answer("What military equipment has Russia supplied to Venezuela?", settings=settings)
    assert a.kind == "list" and not a.abstained
    assert "fighter jets" in a.text and "armored vehicles" in a.text


@pytest.mark.slow
def test_the_grounds_an_act_stands_on_answer_how_it_is_explained(settings) -> None:
    """An agreement or contract that an act is done under is its grounds, as a reason is: "Russian officials insist the
    troops came to Venezuela as part of a long-standing agreement ...", "... under contracts for the supply of weapons
    systems ...". Without that cue one of the three grounds the articles give was said, beside lines about war and
    Maduro."""
    a = answer("How does Moscow explain the presence of its military specialists in Venezuela?", settings=settings)
    grounds = (
        "long-standing agreement",
        "intergovernmental agreement",
        "contracts for the supply",
        "existing agreements",
    )
    assert sum(g in a.text for g in grounds) >= 2, a.text


@pytest.mark.slow
def test_a_cause_that_names_its_act_by_a_bare_noun_is_read_and_shown_with_the_act(settings) -> None:
    """ "The withdrawal must be owing to the absence of new contracts and ... not enough cash ..." follows "... Rostec
    had gradually reduced its personnel in Venezuela ...": alone it names neither Rostec nor Venezuela, and it is the
    reason asked for. Under a question that asks why, it is read with that sentence, and shown after it; under one
    that asks something else of the same people, it is not read so."""
    a = answer("Why did Rostec scale back its presence in Venezuela?", settings=settings)
    line = next((line for line in a.text.splitlines() if "absence of new contracts" in line), "")
    # each sentence of the line with its own citation, to its own sentence
    m = re.search(r"reduced its personnel[^\[]*\[(\d+)\] The withdrawal must be owing[^\[]*\[(\d+)\]$", line)
    assert m is not None, a.text
    cited = {c.n: c.text[c.support_start - c.start : c.support_end - c.start] for c in a.citations}
    assert cited[int(m.group(1))].endswith("from the maximum of a few thousand.")
    assert cited[int(m.group(2))].startswith("The withdrawal must be owing")
    a = answer(
        "How have Russian officials and others explained what the Russian specialists are doing in Venezuela?",
        settings=settings,
    )
    assert "new contracts" not in a.text, a.text


def test_a_question_asking_for_a_cause() -> None:
    for q in (
        "Why did Rostec scale back?",
        "What reasons were given for Rostec scaling back its workforce?",
        "What explains the reported shrinking of Rostec's staff?",
        "On what grounds does Moscow justify keeping its people in Venezuela?",
    ):
        assert asks_cause(q), q
    for q in ("How have officials explained what the specialists are doing?", "What role did Wagner play?"):
        assert not asks_cause(q), q


@pytest.mark.slow
def test_a_change_in_what_a_named_person_says_is_told_by_their_own_lines(settings) -> None:
    """ "How did Deputy Foreign Minister Sergei Ryabkov's statements on Venezuela develop over the year?" had been
    answered with one line of his among Klimov's, Lavrov's and Zakharova's: "statements" now asks for his words, the
    words of his post are not three more speakers ("deputy" had matched Klimov, "deputy chairman"), and a line where
    he is named by his post alone ("..., said the Russian deputy foreign minister") is his."""
    question = "How did Deputy Foreign Minister Sergei Ryabkov's statements on Venezuela develop over the year?"
    assert compose.speaker_post(question) == {"deputy", "foreign", "minister"}
    assert compose.speaker_post("What did US envoy Elliott Abrams say?") == set()
    a = answer(question, settings=settings)
    lines = [line for line in a.text.splitlines() if line.startswith("- ")]
    assert len(lines) >= 3 and all("Ryabkov" in line or "deputy foreign minister" in line for line in lines), a.text
    assert "intrigues of enemies" in a.text, a.text


@pytest.mark.slow
def test_articles_taking_two_sides_of_the_claim_asked_about_disagree(settings) -> None:
    """Zakharova: Russia is "not sending a military contingent"; another article: Russian troops landed. No two
    chosen sentences share the verb that would make one contradict the other; the question's own claim does."""
    a = answer("Do the articles agree on whether Russia sent military personnel to Venezuela?", settings=settings)
    assert a.kind == "who_says" and a.text.startswith("The articles disagree:"), a.text
    assert "not sending a military contingent" in a.text


@pytest.mark.slow
def test_a_yes_no_question_the_articles_answer_both_ways_is_not_answered_no(settings, checker) -> None:
    """Zakharova says Russia is "not sending a military contingent"; the same article says Moscow flew in troops,
    and Russian officials say the troops came under an agreement. "No." (the contradiction alone) misleads."""
    a = answer("Did Russia send troops to Venezuela?", settings=settings)
    assert a.kind == "yesno" and a.text.startswith("The articles say both yes and no:"), a.text
    assert "not sending a military contingent" in a.text
    # one-sided evidence still gets its answer: the support found in another sentence is not enough to undo a
    # contradiction the checker found where the names stand in their roles
    points = [
        compose.Point(0, 0, 1, t, 1.0)
        for t in (
            "The United States and more than 50 countries recognize Guaido, but Russia, China, Turkey and several "
            "other countries say they recognize Maduro as the only legitimate president of Venezuela.",
            "In addition to the US, 54 other countries recognize Guaidó as the leader of Venezuela.",
        )
    ]
    assert compose._decide("Does Russia recognize Juan Guaido as Venezuela's president?", points, checker)[0] == "no"
    both = [*points[:1], compose.Point(1, 2, 3, "Russia recognizes Juan Guaido as Venezuela's president.", 1.0)]
    assert compose._decide("Does Russia recognize Juan Guaido as Venezuela's president?", both, checker)[0] == "both"
    # two lines from different articles are never read as one window: the Russian S-300 specialists and "refusing
    # to withdraw U.S. diplomats" together had made "No." (and "both") to "Did Russia withdraw its military
    # specialists?"
    apart = [
        compose.Point(
            0,
            0,
            1,
            "The military specialists are apparently helping to fix a malfunctioning Russian S-300 ground-to-air "
            "missile system, US envoy Elliott Abrams said Friday.",
            1.0,
        ),
        compose.Point(
            1,
            0,
            1,
            "After initially refusing to withdraw U.S. diplomats, some “nonessential” U.S. personnel were have been "
            "recalled to the U.S., according to the Associated Press.",
            1.0,
        ),
    ]
    assert compose._decide("Did Russia withdraw its military specialists?", apart, checker)[0] == ""
    # a "yes" rests on a sentence that tells the act asked about: Russia's troops do not say the U.S. sent any
    troops = [
        compose.Point(
            0,
            0,
            1,
            "US President Donald Trump has called on Russia to “get out” of Venezuela, with Russia saying its troops "
            "will stay for as long as needed.",
            1.0,
        ),
        compose.Point(
            0,
            2,
            3,
            "Russian officials insist the troops came to Venezuela as part of a long-standing agreement on military "
            "and technical cooperation.",
            1.0,
        ),
    ]
    assert compose._decide("Did the United States send troops to Venezuela?", troops, checker)[0] == ""


def test_the_claim_an_agreement_question_asks_about() -> None:
    m = compose._AGREE_ON.search("Do the articles agree on whether Russia sent military personnel to Venezuela?")
    assert m is not None and m.group(1) == "Russia sent military personnel to Venezuela"
    assert compose._AGREE_ON.search("Do the outlets frame Russia's role in Venezuela the same way?") is None


@pytest.mark.slow
def test_mode_forces_the_kind_and_a_bad_mode_is_a_specific_error(settings) -> None:
    a = answer("What did Zakharova say?", mode="fact", settings=settings)
    assert a.kind == "fact"
    with pytest.raises(BadModeError, match="mode must be"):
        answer("What did Zakharova say?", mode="essay", settings=settings)


@pytest.mark.slow
def test_unanswerable_explanatory_questions_are_declined(settings) -> None:
    for q in (
        "What did Angela Merkel say about Venezuela?",
        "How did the price of bitcoin change in 2019?",
        "What did Angela Merkel say?",
        "What did Zakharova say about the moon landing?",
    ):
        assert answer(q, settings=settings).abstained, q


@pytest.mark.slow
def test_what_a_named_speaker_said_is_answered_from_what_they_said(settings) -> None:
    """A few words, close in meaning to no passage ("What did X say?" was declined): answered, each line a
    sentence of the articles, the first where the one asked about is the one who says it."""
    for q, name in (("What did Maria Zakharova say?", "Zakharova"), ("What did Ryabkov say?", "Ryabkov")):
        a = answer(q, settings=settings)
        assert a.kind == "who_says" and not a.abstained, (q, a.text)
        first = a.citations[0]
        assert name in first.text[first.support_start - first.start : first.support_end - first.start], a.text


@pytest.mark.slow
def test_what_a_country_said_is_found_where_its_spokespeople_say_it(settings) -> None:
    """ "What did China say about the crisis in Venezuela?": the passage with "... Chinese Foreign Ministry
    spokeswoman Hua Chunying said" was not among the ten the question found, and the answer held nothing
    China said. A who-says question that names its speaker also searches "<speaker> said"."""
    a = answer("What did China say about the crisis in Venezuela?", settings=settings)
    assert a.kind == "who_says" and "Hua Chunying" in a.text, a.text


def test_the_speaker_is_who_says_it_with_the_words_that_describe_them() -> None:
    from rag.parse import analyse_many

    hua, both, reuters, about = analyse_many(
        [
            "“We hope to see Venezuela and the United States deal with bilateral relations based on equal treatment,”"
            " Chinese Foreign Ministry spokeswoman Hua Chunying said.",
            "Both Russia and China have condemned the U.S. for interfering with Venezuelan relations.",
            "The contractors are affiliated with the Wagner group, according to Reuters.",
            "Russia and China back Maduro.",
        ]
    )
    assert {"china", "hua", "spokeswoman"} <= hua.speakers and "venezuela" not in hua.speakers
    assert {"russia", "china"} <= both.speakers and "reuters" in reuters.speakers and not about.speakers
    assert compose.asked_speaker("How did China react to the U.S. stance on Venezuela?") == ["china"]
    assert compose.asked_speaker("Do the articles agree on whether Russia withdrew?") == []


@pytest.mark.slow
def test_explanatory_set_report_half(settings) -> None:
    """The explanatory questions whose id falls in the report half (no weight was chosen on it, though its
    misses have been read since): required points covered, every citation supporting its line."""
    from rag.faithfulness import part

    bench = load_benchmark(EXPLAIN)
    rows = [q for q in bench.queries if part(q.id) == "report"]
    covered = 0
    for q in rows:
        a = answer(q.text, settings=settings)
        covered += points_covered(q, a.text) >= q.min_points and not a.abstained
        assert not a.unsupported, (q.id, a.unsupported)
    print({"report_half": len(rows), "covered": covered})
    assert len(rows) >= 15 and covered / len(rows) >= COVERED_FLOOR


COVERED_FLOOR = 0.6  # measured on the report half (docs/answers.md); a little under it


# Each set: 20 or 24 questions over the bundled articles written by one who saw neither this code nor our own sets; the
# floor a little under what was measured when it was written (docs/answers.md)
# - explain_unseen.jsonl (2026-12-05): 0.65, 13 of 20;
# - explain_unseen_2.jsonl (2026-12-07, fourteenth session): 0.80, 16 of 20 (0.85 after that session's changes);
# - explain_unseen_3.jsonl (2026-12-07, fourteenth session, written after its changes and never read): 0.55, 11 of 20;
#   tune half read in the fifteenth session: 0.60 after it;
# - explain_unseen_4.jsonl (fifteenth session, written before its changes and never read): 0.90 before and after;
# - explain_unseen_5.jsonl, explain_unseen_6.jsonl (fifteenth session, 24 each; tune halves read): 0.71 and 0.75
#   before its changes, 0.79 and 0.79 after.
# - explain_unseen_7.jsonl (sixteenth session, written before its changes and never read): 0.60 before and after;
# - explain_unseen_8.jsonl (sixteenth session, 24; tune half read): 0.71 before its changes, 0.75 after.
@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "floor"),
    [
        pytest.param("explain_unseen.jsonl", 0.55, id="first-hand"),
        pytest.param("explain_unseen_2.jsonl", 0.75, id="second-hand"),
        pytest.param("explain_unseen_3.jsonl", 0.5, id="third-hand"),
        pytest.param("explain_unseen_4.jsonl", 0.8, id="fourth-hand"),
        pytest.param("explain_unseen_5.jsonl", 0.7, id="fifth-hand"),
        pytest.param("explain_unseen_6.jsonl", 0.7, id="sixth-hand"),
        pytest.param("explain_unseen_7.jsonl", 0.5, id="seventh-hand"),
        pytest.param("explain_unseen_8.jsonl", 0.65, id="eighth-hand"),
    ],
)
def test_explanatory_questions_written_by_someone_else(settings, name: str, floor: float) -> None:
    """They measure what the answers do on questions nobody tuned them on: required points covered, every citation
    supporting its line."""
    bench = load_benchmark(ROOT / "tests" / "data" / name)
    covered = 0
    for q in bench.queries:
        a = answer(q.text, settings=settings)
        covered += points_covered(q, a.text) >= q.min_points and not a.abstained
        assert not a.unsupported, (q.id, a.unsupported)
    print({name: len(bench.queries), "covered": covered})
    assert len(bench.queries) >= 20 and covered / len(bench.queries) >= floor


def test_a_sentence_opening_on_he_is_read_as_about_the_person_named_before_it() -> None:
    """ "Instead, he has retaliated against the U.S. by declaring an end to diplomatic ties, ..." is Maduro's act: the
    person is named two sentences before (tagged an organisation by the small recogniser, and the subject there), and
    the sentence between opens on "he" too. Read alone, the sentence was far from "What steps did Maduro take against
    the United States ...?" and left out of the answer."""
    texts = [
        "Maduro has referred to the efforts as a coup attempt.",
        "He could take action against Guaido, but has not yet done so at this time.",
        "Instead, he has retaliated against the U.S. by declaring an end to diplomatic ties.",
        "Russia sent planes.",
    ]
    sents = [(0, 0, 0, t) for t in texts[:3]] + [(1, 0, 0, texts[3])]
    parsed = parse.analyse_many(texts)
    assert [compose._antecedent(j, texts, sents, parsed) for j in range(4)] == ["", "Maduro", "Maduro", ""]
    other = [(1, 0, 0, t) for t in texts[:1]] + [(2, 0, 0, t) for t in texts[1:]]  # another passage names no one
    assert compose._antecedent(2, texts, other, parsed) == ""


def test_what_someone_did_is_asked_of_the_one_who_acts() -> None:
    assert compose.asked_actor("What steps did Maduro take against the United States after ...?") == ["maduro"]
    assert compose.asked_actor("What actions has the United States taken against Maduro's government?") == [
        "united states"
    ]
    assert compose.asked_actor("What did the Kremlin say about the planes?") == []
    assert compose.asked_actor("What military equipment has Russia supplied to Venezuela?") == []


def test_a_first_point_far_above_the_rest_does_not_cut_the_answer_short() -> None:
    """ "Why did Binance agree to pay about $4.3 billion ...?" got two lines: its first point said the question's
    own event again and scored far above the rest, and the test that a further point reaches 0.7 of it ran on
    whichever sentence was most new, so an unrelated one ended the answer. Now only sentences that reach the
    bar compete for the next point."""
    import numpy as np

    from rag.retrieve import Passage

    texts = [
        "Binance has agreed to pay about 4.3 billion dollars to the authorities.",  # the question again
        "The exchange admitted that it had violated the sanctions rules for years.",
        "Prosecutors said the exchange had failed to register as a money transmitter.",
        "The weather in the city stayed warm and dry all through the autumn.",  # new, and unrelated
    ]
    # relevance 0.9, 0.7, 0.7 (close to the first: 0.85) and 0.4 (close to neither: the most new)
    unit = np.array([[0.9, 0.436, 0, 0], [0.7, 0, 0.714, 0], [0.7, 0.5, 0.1, 0.5], [0.4, -0.5, -0.4, 0.656]])
    unit = unit / np.linalg.norm(unit, axis=1, keepdims=True)
    vectors = {t: v for t, v in zip(texts, unit, strict=True)}

    def embed(batch: list[str]) -> np.ndarray:
        return np.array([[1.0, 0.0, 0.0, 0.0] if t.startswith("Why") else vectors[t] for t in batch])

    passages = [Passage(f"a{i}.txt", "title", t, 0, len(t), 0.5) for i, t in enumerate(texts)]
    points = compose.choose("Why did Binance agree to pay?", passages, embed, lambda q, t: 0.0, "explain")
    assert [p.text for p in points] == texts[:3]


def test_the_bar_for_further_points_is_not_set_by_a_first_point_that_restates_the_question() -> None:
    """A point past the two every answer has must reach 0.7 of the second point's relevance, not of the first's. The
    first point of "Why did Binance agree to pay about $4.3 billion to U.S. authorities?" said the question's own event
    again ("... has also agreed to pay about $4.3 billion to resolve the DOJ's investigations"), far above every
    sentence that gives a reason, and the bar it set left the guilty plea to money-laundering and sanctions violations
    out of the answer."""
    import numpy as np

    from rag.retrieve import Passage

    texts = [
        "The exchange has agreed to pay a large sum to the authorities.",  # the question again
        "The exchange pleaded guilty to breaking the rules on money laundering.",
        "The exchange admitted that it had let its users evade the sanctions.",
        "Prosecutors said the exchange had never registered as a money transmitter.",
    ]
    closeness = [0.95, 0.62, 0.55, 0.52]  # to the question; each sentence otherwise on its own axis
    unit = np.zeros((4, 5))
    for i, c in enumerate(closeness):
        unit[i, 0], unit[i, i + 1] = c, (1 - c * c) ** 0.5
    vectors = {t: v for t, v in zip(texts, unit, strict=True)}

    def embed(batch: list[str]) -> np.ndarray:
        return np.array([np.eye(5)[0] if t.startswith("Why") else vectors[t] for t in batch])

    passages = [Passage(f"a{i}.txt", "title", t, 0, len(t), 0.0) for i, t in enumerate(texts)]
    points = compose.choose("Why did the exchange agree to pay?", passages, embed, lambda q, t: 0.0, "explain")
    assert [p.text for p in points] == texts, [p.text for p in points]


def test_a_sentence_is_read_in_its_passage() -> None:
    """Two sentences as close to the question: the one from a passage about the question (its retrieval
    similarity) leads, not the one that happens to share its words in a passage about something else."""
    import numpy as np

    from rag.retrieve import Passage

    texts = [
        "The exchange paid the fine after the long investigation into its operations.",  # in a sports story
        "The exchange paid the fine after prosecutors found it had broken the rules.",  # in the story asked about
    ]

    def embed(batch: list[str]) -> np.ndarray:  # both sentences equally close to the question, apart
        table = {texts[0]: [0.6, 0.8, 0.0], texts[1]: [0.6, 0.0, 0.8]}
        return np.array([[1.0, 0.0, 0.0] if t.startswith("Why") else table[t] for t in batch])

    passages = [
        Passage("sports.txt", "title", texts[0], 0, len(texts[0]), 0.2),
        Passage("binance.txt", "title", texts[1], 0, len(texts[1]), 0.7),
    ]
    points = compose.choose("Why did the exchange pay the fine?", passages, embed, lambda q, t: 0.0, "explain")
    assert points[0].text == texts[1]


def test_a_sentence_that_tells_facts_of_its_own_leads_one_that_restates_the_topic() -> None:
    """Two sentences as close to the question, in one passage: the one that names what the question does not (a
    club, a goalkeeper, a number of goals) leads the one that says the question's topic again (the real parser
    finds the names)."""
    import numpy as np

    from rag.retrieve import Passage

    texts = [
        "Manchester United have again gone out of the Champions League at the group stage.",
        "Manchester United conceded 15 goals, and Andre Onana's errors against Galatasaray cost them.",
    ]

    def embed(batch: list[str]) -> np.ndarray:  # both sentences equally close to the question, apart
        table = {texts[0]: [0.6, 0.8, 0.0], texts[1]: [0.6, 0.0, 0.8]}
        return np.array([[1.0, 0.0, 0.0] if t.startswith("Why") else table[t] for t in batch])

    text = " ".join(texts)
    passages = [Passage("united.txt", "title", text, 0, len(text), 0.5)]
    question = "Why did Manchester United go out of the Champions League?"
    points = compose.choose(question, passages, embed, lambda q, t: 0.0, "explain")
    assert points[0].text == texts[1], [p.text for p in points]


def test_what_a_named_speaker_said_is_told_by_lines_about_that_speaker() -> None:
    """ "What did China say about the crisis in Venezuela?" had been answered by lines about the crisis told by
    anyone ("The Venezuelan crisis intensified when Guaidó proclaimed himself interim president ..."), the one line
    where China's spokeswoman speaks coming last. A line of such an answer is where the speaker asked about speaks
    or is named."""
    import numpy as np

    from rag.retrieve import Passage

    texts = [
        "The Venezuelan crisis intensified when Guaido proclaimed himself interim president in January.",
        "The Lima Group will discuss how the crisis in Venezuela can be resolved, the Peruvian minister said.",
        "Both Russia and China have condemned the United States for interfering in Venezuela.",
        "We hope to see Venezuela deal with its relations on equal terms, Chinese spokeswoman Hua Chunying said.",
    ]

    def embed(batch: list[str]) -> np.ndarray:  # the crisis told by anyone is the closer to the question
        table = {texts[0]: [0.8, 0.6, 0, 0, 0], texts[1]: [0.75, 0, 0.66, 0, 0]}
        table |= {texts[2]: [0.5, 0, 0, 0.866, 0], texts[3]: [0.5, 0, 0, 0, 0.866]}
        return np.array([[1.0, 0, 0, 0, 0] if t.startswith("What") else table[t] for t in batch])

    passages = [Passage(f"a{i}.txt", "title", t, 0, len(t), 0.5) for i, t in enumerate(texts)]
    question = "What did China say about the crisis in Venezuela?"
    points = compose.choose(question, passages, embed, lambda q, t: 0.0, "who_says")
    assert sorted(p.text for p in points) == sorted(texts[2:])


def test_what_someone_else_says_is_no_line_of_what_the_asked_speaker_said() -> None:
    """ "What did Elliott Abrams say about the Russian specialists?" had a second line that Zakharova said ("...,"
    he said), and once that was gone, one on what "the US media" did. Under a question about what a speaker said,
    a line is theirs ("..., he said" after a sentence where they speak counts), or none is and the answer is
    the lines no one else says."""
    import numpy as np

    from rag.retrieve import Passage

    texts = [
        "The military specialists are helping to fix a Russian S-300 missile system, US envoy Elliott Abrams said.",
        "The presence of Russian non-military specialists does not alter the balance of forces, he said.",
        "The US media classified the withdrawal of Russian advisers from Venezuela as an embarrassment.",
    ]

    def embed(batch: list[str]) -> np.ndarray:
        table = {texts[0]: [0.8, 0.6, 0], texts[1]: [0.9, 0, 0.436], texts[2]: [0.7, 0.714, 0]}
        return np.array([[1.0, 0, 0] if t.startswith("What") else table[t] for t in batch])

    passages = [Passage(f"a{i}.txt", "title", t, 0, len(t), 0.5) for i, t in enumerate(texts)]
    question = "What did Elliott Abrams say about the Russian specialists?"
    points = compose.choose(question, passages, embed, lambda q, t: 0.0, "who_says")
    assert [p.text for p in points] == texts[:1]
    # the same "he said" right after Abrams speaks, in his passage, is his
    one = " ".join(texts[:2])
    passage = Passage("a.txt", "title", one, 0, len(one), 0.5)
    points = compose.choose(question, [passage], embed, lambda q, t: 0.0, "who_says")
    assert sorted(p.text for p in points) == sorted(texts[:2])


def test_a_quotation_closed_by_he_said_is_the_speakers_from_its_first_sentence() -> None:
    """ "How did Zakharova characterize the Russian specialists?" missed "... non-military specialists ...": that
    sentence closes a quotation of two sentences with "he said", and the sentence before it (the quotation's first)
    names no one. The quotation is the speaker's from its first sentence, after the sentence where she speaks."""
    import numpy as np

    from rag.retrieve import Passage

    texts = [
        "The United States should have no cause for concern, said Maria Zakharova, a Foreign Ministry spokeswoman.",
        "“Our collaboration with Venezuela is carried out strictly in accordance with the law.",
        "The presence of Russian non-military specialists does not alter the regional balance of forces,” he said.",
        "The US media classified the withdrawal of Russian advisers from Venezuela as an embarrassment.",
    ]
    one = " ".join(texts)
    passage = Passage("a.txt", "title", one, 0, len(one), 0.5)

    def embed(batch: list[str]) -> np.ndarray:  # each sentence as close to the question, none to another
        rows = []
        for t in batch:
            v = np.zeros(len(texts) + 1)
            if t.startswith("How"):
                v[0] = 1.0
            else:
                v[0], v[1 + next(i for i, x in enumerate(texts) if x[:30] in t or t[:30] in x)] = 0.7, 0.714
            rows.append(v)
        return np.array(rows)

    question = "How did Zakharova characterize the Russian specialists?"
    points = compose.choose(question, [passage], embed, lambda q, t: 0.0, "who_says")
    said = [p.text for p in points]
    assert any("non-military specialists" in t for t in said) and any("Our collaboration" in t for t in said), said
    assert not any("US media" in t for t in said), said


def test_a_speaker_never_quoted_on_the_topic_asked_gets_no_answer_of_what_they_said_of_other_things() -> None:
    """ "What did Chinese foreign ministry spokeswoman Hua Chunying say about the Russian contractors guarding Maduro?"
    (a fourth hand's unanswerable question) was answered with her words on U.S.-Venezuelan relations and others' lines
    on the contractors. Where the person asked about speaks, one of their lines must name what the topic names."""
    texts = [
        "“We hope to see Venezuela and the United States deal with bilateral relations with mutual respect,” Chinese "
        "Foreign Ministry spokeswoman Hua Chunying said.",
        "Russian contractors traveled to Venezuela to provide security for President Nicolas Maduro, Reuters reported.",
        "Both Russia and China have condemned the U.S. for interfering with Venezuelan relations.",
    ]
    q = "What did Chinese foreign ministry spokeswoman Hua Chunying say about the Russian contractors guarding Maduro?"
    assert _lines_among_equals(q, texts, "who_says") == []
    q = "What did Chinese foreign ministry spokeswoman Hua Chunying say about Venezuela and the United States?"
    assert texts[0] in _lines_among_equals(q, texts, "who_says")
    # a person whom no passage quotes at all is not quoted on the topic either
    texts = [
        "Guaidó proclaimed himself interim president in January and called for the United States to intervene.",
        "Two Russian military planes landed outside Caracas and offloaded equipment and troops.",
    ]
    q = "What did Juan Guaidó say about the arrival of the Russian troops in Venezuela?"
    assert _lines_among_equals(q, texts, "who_says") == []
    # a time clause says when, not what about
    q = "What did Microsoft say about its relationship with OpenAI after Altman was fired?"
    assert compose.topic_names(q, compose.asked_speaker(q)) == ["openai"]
    # a model's designation names what it is about, though the recogniser tags nothing (Bolton is quoted on
    # deploying military assets, not on the S-300)
    q = "What did John Bolton say about the S-300 missile system in Venezuela?"
    assert "s-300" in compose.topic_names(q, compose.asked_speaker(q))
    texts = [
        "A statement from the US National Security Advisor John Bolton warned actors external to the Western "
        "Hemisphere against deploying military assets to Venezuela.",
        "The specialists are helping to fix a malfunctioning Russian S-300 missile system, US envoy Elliott Abrams said.",
    ]
    assert _lines_among_equals(q, texts, "who_says") == []


def test_a_line_names_the_thing_asked_for_or_gives_the_number_asked_about() -> None:
    """ "What charges did Sam Bankman-Fried face at his criminal trial?" was answered with six lines on the trial and
    none on the charges: a line that names the thing asked for ("counts of criminal charges") now comes first. And "How
    did the reported number of Russians in Venezuela change ...?" missed the sentences that give a number of them."""
    charges = [
        "The trial of Sam Bankman-Fried in Manhattan is likely to be consequential for the crypto industry.",
        "Sam Bankman-Fried faces criminal charges of wire fraud and conspiracy.",
        "Sam Bankman-Fried spent the day in a Manhattan court beside his lawyers Mark Cohen and Christian Everdell.",
    ]
    numbers = [
        "Moscow and Caracas strengthened ties in January, the Kremlin and the Venezuelan government said.",
        "A paramilitary leader told Reuters he had heard of about 400 Russian contractors in Venezuela.",
        "Russia is an ally of Venezuela and of President Nicolas Maduro.",
    ]
    for question, kind, texts in (
        ("What charges did Sam Bankman-Fried face at his criminal trial?", "list", charges),
        ("How did the reported number of Russians in Venezuela change?", "change", numbers),
    ):
        lines = _lines_among_equals(question, texts, kind)
        assert lines[0] == texts[1], lines


def test_a_list_of_who_spoke_names_those_who_speak_of_the_country_asked() -> None:
    """ "Which Russian officials and diplomats have spoken publicly about the Venezuela crisis?" was answered with
    lines that name someone spoken of ("... an “embarrassment” to President Nicolás Maduro") and a Peruvian minister:
    a line names one who speaks, and where the words that say who speaks name a country, it is the one asked."""
    texts = [
        "The US media classified the withdrawal as an embarrassment to President Nicolás Maduro.",
        "Russian ambassador to Venezuela Vladimir Zaemsky said the claims in the newspaper were false.",
        "Peruvian Foreign Minister Néstor Popolizio Bardales said the Lima Group would discuss the crisis.",
        "Andrei Klimov, deputy chairman of the Russian parliament's foreign affairs committee, said the United States "
        "was organising a revolution.",
    ]
    q = "Which Russian officials and diplomats have spoken publicly about the Venezuela crisis?"
    assert sorted(_lines_among_equals(q, texts, "list")) == sorted([texts[1], texts[3]])


def test_a_speaker_asked_by_a_post_no_sentence_names_is_not_quoted() -> None:
    """ "How did Venezuela's defence minister react to the arrival of the Russian troops?" was answered with what
    Russia said: no article names Venezuela's defence minister, and the speaker was read as "Venezuela" alone."""
    q = "How did Venezuela's defence minister react to the arrival of the Russian troops?"
    assert compose.asked_post(q) == ["defence", "minister"]
    texts = [
        "Russia has made it clear that it does not support any military solution in Venezuela.",
        "Venezuela's foreign minister said the Russian troops arrived under a military cooperation agreement.",
    ]
    assert _lines_among_equals(q, texts, "who_says") == []
    # a post written another way is the same post ("defense", "Advisor")
    texts.append("Venezuelan Defense Minister Vladimir Padrino said the troops were welcome.")
    assert _lines_among_equals(q, texts, "who_says")
    q = "What did the US national security adviser say about Russia?"
    assert compose.names_post(compose.asked_post(q), "US National Security Advisor John Bolton warned Russia.")
    assert compose.asked_post("What did the Kremlin say about the contractors?") == []
    # several speakers are not one post ("lawmakers and diplomats" had been asked of one sentence, with its "and")
    assert (
        compose.asked_post("What did Russian lawmakers and diplomats, and China, say when the US recognised Guaido?")
        == []
    )


def test_a_caption_or_headline_is_no_line_of_the_answer() -> None:
    """A photo caption ("Combination showing Former FTX CEO ...") or a headline built on a participle ("...
    decision not expected until after winter meetings") has a verb but no tense: it had been a line. A sentence
    that the small parser roots on its subject ("The crypto industry as a whole suffered ...") still is one."""
    texts = [
        "Combination showing Former FTX CEO Sam Bankman-Fried and Zhao Changpeng, founder of Binance.",
        "Shohei Ohtani, Yoshinobu Yamamoto decision not expected until after winter meetings.",
        "The crypto industry as a whole suffered from FTX's collapse, which was the first of many.",
        "Bankman-Fried was found guilty on all seven counts of fraud and conspiracy.",
    ]
    assert sorted(_lines_among_equals("How did the FTX case end?", texts, "summarize")) == sorted(texts[2:])


def _lines_among_equals(question: str, texts: list[str], kind: str) -> list[str]:
    """The lines compose.choose takes from sentences all equally close to the question and none to another."""
    import numpy as np

    from rag.retrieve import Passage

    def embed(batch: list[str]) -> np.ndarray:
        rows = []
        for t in batch:
            v = np.zeros(len(texts) + 1)
            v[0] = 1.0 if t == question else 0.6
            if t != question:
                v[texts.index(t) + 1] = 0.8
            rows.append(v)
        return np.array(rows)

    passages = [Passage(f"a{i}.txt", "title", t, 0, len(t), 0.5) for i, t in enumerate(texts)]
    return [p.text for p in compose.choose(question, passages, embed, lambda q, t: 0.0, kind)]


def test_a_line_states_something_on_its_own() -> None:
    """A sentence that only points back at the one before it ("That, among other issues, led to OpenAI's current
    predicament.", "That is, if the remaining board members ... step aside.") or that asks a question is no line
    of an answer, however close it is to the question; one whose "these" comes with its noun is."""
    texts = [
        "That, among other issues, led to OpenAI's current predicament.",
        "That is, if the remaining board members who initially fired him step aside.",
        "Did Altman circumvent the board in a major deal?",
        "These contracts, which include helicopters and fighter jets, were signed before the crisis.",
        "The board said Altman had not been consistently candid in his communications.",
        "Employees learned of the firing when it was announced publicly.",
    ]
    assert sorted(_lines_among_equals("Why was Altman fired?", texts, "explain")) == sorted(texts[3:])


def test_a_list_of_people_is_answered_by_lines_that_name_people() -> None:
    """ "Which Russian officials are quoted ...?" had been answered by lines that say the question's words again
    ("Russian officials insist ...", "Russian officials have yet to respond to the claims of the US president.");
    a line of a list of names must name one of the kind asked for that the question does not."""
    import numpy as np

    from rag.retrieve import Passage

    texts = [
        "Russian officials insist the troops came to Venezuela as part of a long-standing agreement.",
        "Russian officials have yet to respond to the claims of the US president.",
        "The United States should have no cause for concern, said Maria Zakharova, the official representative.",
        "Andrei Klimov, deputy chairman of the foreign affairs committee, said the United States was behind it.",
    ]

    def embed(batch: list[str]) -> np.ndarray:  # the question's own words closest to it
        rows = []
        for t in batch:
            v = np.zeros(len(texts) + 1)
            v[0] = 1.0 if t.startswith("Which") else 0.9 if t.startswith("Russian") else 0.6
            if not t.startswith("Which"):
                v[texts.index(t) + 1] = (1 - v[0] ** 2) ** 0.5
            rows.append(v)
        return np.array(rows)

    passages = [Passage(f"a{i}.txt", "title", t, 0, len(t), 0.5) for i, t in enumerate(texts)]
    question = "Which Russian officials are quoted in the articles about Venezuela?"
    points = compose.choose(question, passages, embed, lambda q, t: 0.0, "list")
    assert sorted(p.text for p in points) == sorted(texts[2:])


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("What did China say about the crisis in Venezuela?", ["china"]),
        ("Has the U.S. government claimed there are Russian military personnel in Venezuela?", ["united states"]),
        ("Summarize Russia's official position on the Venezuelan crisis.", ["russia"]),  # what Russia holds
        ("Did Russia stop supporting Maduro?", []),  # no one's words asked about
        ("Do the articles agree on whether Russia sent troops?", []),
        # what someone has said, and the words of a post before a name, which are no one
        ("How did Deputy Foreign Minister Sergei Ryabkov's statements on Venezuela develop?", ["sergei ryabkov"]),
    ],
)
def test_the_speaker_a_question_asks_about(question: str, asked: list[str]) -> None:
    assert compose.asked_speaker(question) == asked


def test_what_officials_of_a_country_said_comes_first() -> None:
    """ "How did U.S. officials describe ...?" asks what the United States' officials said: a sentence where
    one of them says it ("US envoy Elliott Abrams said") leads. The country is one name of two words, which the
    speaker's words hold whole ("united states"); they had been looked up word by word and never matched."""
    import numpy as np

    from rag.retrieve import Passage

    texts = [
        "The United States should have no cause for concern about Russia, said Maria Zakharova of the ministry.",
        "The military specialists are helping to fix a Russian missile system, US envoy Elliott Abrams said Friday.",
    ]

    def embed(batch: list[str]) -> np.ndarray:  # Zakharova's sentence is the closer to the question
        table = {texts[0]: [0.62, 0.785, 0.0], texts[1]: [0.55, 0.0, 0.835]}
        return np.array([[1.0, 0.0, 0.0] if t.startswith("How") else table[t] for t in batch])

    passages = [Passage(f"a{i}.txt", "title", t, 0, len(t), 0.5) for i, t in enumerate(texts)]
    question = "How did U.S. officials describe Russia's involvement in Venezuela?"
    points = compose.choose(question, passages, embed, lambda q, t: 0.0, "who_says")
    assert points[0].text == texts[1]


@pytest.mark.slow
def test_the_lines_that_decide_a_yes_or_no_come_first(checker) -> None:
    """ "No." was followed by the chosen sentences in order of relevance, the one that decides it anywhere among
    them; now it is the first line."""

    texts = [
        "In addition to the US, 54 other countries recognize Guaidó as the leader of Venezuela.",
        "The United States and more than 50 countries recognize Guaido, but Russia, China, Turkey and several "
        "other countries say they recognize Maduro as the only legitimate president of Venezuela.",
    ]
    done = _yes_or_no("Does Russia recognize Juan Guaido as Venezuela's president?", texts, checker)
    assert done.verdict == "no"
    assert done.text.splitlines()[:2] == ["No.", f"- {texts[1]} [1]"], done.text


def test_a_change_answer_says_its_dates_or_that_the_articles_carry_none(settings, checker) -> None:
    """Lines of dated articles come oldest first, each with its date (one from an article with no date comes last,
    marked so); over articles with no dates at all (the bundled .txt files) the answer says the order is not time's."""
    texts = [
        "Rostec cut its staff in Venezuela to a few dozen.",
        "Russia flew about 100 troops into Caracas.",
        "Russia said its specialists would stay as long as needed.",
    ]
    passages = [
        Passage(f"{i}.txt", "T", t, 0, len(t), 0.5, {"date": d, "source": "Outlet"} if d else {})
        for i, (t, d) in enumerate(zip(texts, ["2019-06-03", "2019-03-24", ""], strict=True))
    ]
    points = [
        compose.Point(i, 0, len(t), t, 1.0, p.metadata.get("date", ""), p.metadata.get("source", ""))
        for i, (t, p) in enumerate(zip(texts, passages, strict=True))
    ]
    lines = compose.compose("How did Russia's presence change?", "change", points, checker, passages).text.splitlines()
    assert lines[0] == "In the order the articles were published:"
    assert lines[1].startswith("- Outlet (March 24, 2019): Russia flew") and "(June 3, 2019)" in lines[2]
    assert lines[3].startswith("- (no date): Russia said")
    a = answer("How did Russia's presence in Venezuela change over the course of 2019?", settings=settings)
    assert a.kind == "change" and a.text.startswith("The articles carry no dates, so these lines are not in the order")


def test_a_yes_or_no_that_no_sentence_tells_says_so(settings) -> None:
    """No article says the United States sent troops to Venezuela; it had been answered "Yes." from a sentence on
    Russia's troops, close in words. Now the answer opens by saying that neither answer is stated."""
    a = answer("Did the United States send troops to Venezuela?", settings=settings)
    assert a.kind == "yesno" and a.text.startswith(compose.UNDECIDED), a.text
    assert a.citations and "Yes." not in a.text and "No." not in a.text


def test_is_x_y_is_decided_only_by_a_sentence_that_says_x_is_y(checker) -> None:
    """ "Is Russia Venezuela's largest creditor?" had been answered "Yes." from "Venezuela has been one of the largest
    buyers of Russian arms ...": the question less its "Is" has no verb, and the checker found it close. What the
    statement says its subject is (the creditor) is its act (parse.Analysis.attributes)."""
    from rag.parse import analyse_many

    assert analyse_many(["Russia Venezuela's largest creditor"])[0].attributes == ["creditor"]
    assert analyse_many(["Russia is an ally of Venezuela."])[0].attributes == ["ally"]
    buyers = "Venezuela has been one of the largest buyers of Russian arms among the Latin American countries."
    client = (
        "Venezuela, Russia’s largest client in Latin America, has already received “a significant amount of Russian "
        "arms and military technology”, Rosoboronexport spokesman Davydenko added."
    )
    points = [compose.Point(0, 0, 1, buyers, 1.0), compose.Point(1, 0, 1, client, 1.0)]
    assert compose._decide("Is Russia Venezuela's largest creditor?", points, checker)[0] == ""
    assert compose._decide("Is Venezuela Russia's largest client in Latin America?", points, checker)[0] == "yes"


def test_a_summary_is_asked_of_its_topic_not_of_the_word_summarize(settings) -> None:
    """ "Summarize the Rostec story." was declined: "summarize" and "story" are in no passage, and the short question
    is close to none in meaning. Its topic is what a passage must hold (kinds.topic); a topic no article covers is
    still declined."""
    assert kinds.topic("Summarize the Rostec story.") == "the Rostec"
    assert kinds.topic("Tell me about the Lima Group.") == "the Lima Group"
    a = answer("Summarize the Rostec story.", settings=settings)
    assert a.kind == "summarize" and not a.abstained and a.citations, a.text
    first = a.citations[0]
    assert "Rostec" in first.text[first.support_start - first.start : first.support_end - first.start]
    assert answer("Summarize the football results.", settings=settings).abstained


@pytest.mark.slow
def test_a_list_of_a_kind_of_names_is_looked_up_where_one_sentence_holds_the_kind(settings) -> None:
    """ "Which Russian companies are mentioned in the articles?" was declined: "mentioned in the articles" is in no
    passage, and the question is close to none in meaning. Its topic is the kind asked for ("Russian companies"),
    which one sentence must hold, all its words ("Chinese companies" is not a Chinese official in one sentence and a
    Russian company in another)."""
    assert kinds.topic("Which Russian companies are mentioned in the articles?") == "Which Russian companies are in"
    a = answer("Which Russian companies are mentioned in the articles?", settings=settings)
    assert a.kind == "list" and not a.abstained, a.text
    assert "Rosoboronexport" in a.text or "Rosneft" in a.text, a.text
    assert answer("Which Chinese companies are named?", settings=settings).abstained
    assert answer("Which football clubs are mentioned?", settings=settings).abstained


@pytest.mark.parametrize(
    "question, statement",
    [
        ("Did Rostec deny reducing its presence in Venezuela?", "Rostec did deny reducing its presence in Venezuela"),
        ("Has the U.S. government claimed there are Russians?", "the U.S. government has claimed there are Russians"),
        ("Is Venezuela an important customer for Russian arms?", "Venezuela an important customer for Russian arms"),
    ],
)
def test_a_yes_no_question_as_the_statement_it_asks_about(question: str, statement: str) -> None:
    """ "Rostec deny reducing ..." (the auxiliary only dropped) parses Rostec as no subject; "Rostec did deny ..."
    as the one who denies."""
    assert parse.declarative(question) == statement


def _yes_or_no(question: str, texts: list[str], checker) -> compose.Composed:
    """A yes/no answer composed from these sentences, each its own article's."""
    from rag.retrieve import Passage

    passages = [Passage(f"a{i}.txt", "title", t, 0, len(t), 0.5) for i, t in enumerate(texts)]
    points = [compose.Point(i, 0, len(t), t, 1.0) for i, t in enumerate(texts)]
    return compose.compose(question, "yesno", points, checker, passages)


@pytest.mark.slow
def test_a_yes_to_a_stopping_needs_a_sentence_that_tells_the_stopping(checker) -> None:
    """ "Has Russia stopped supporting Maduro?" had been answered "both yes and no": "Russian officials have come forth
    with their support of Maduro" was taken for a yes, though it says nothing of stopping (claims.align: an ending
    the window does not tell is untold)."""
    texts = [
        "International analysts assure that Russia continues its support for Maduro.",
        "Recently, Russian officials have come forth with their support of Maduro, while denouncing the U.S. support "
        "of the opposition.",
    ]
    done = _yes_or_no("Has Russia stopped supporting Maduro?", texts, checker)
    assert done.verdict == "no", done.text
