"""Quote attribution on the dependency parse (issue 25): the issue's seed cases and one test per rule.

Every text goes through the real extraction step (spaCy's parser for English, natasha's syntax model for Russian
and Ukrainian, the entity layer for names); the texts of one test form one batch.
"""

from __future__ import annotations

import pytest

from extraction.pipeline import ExtractInput, extract_batch
from extraction.quote_marks import find_quotes
from extraction.quotes import Quote
from extraction.speech_verbs import is_speech_verb


def quotes_of(text: str, language: str | None = None) -> list[Quote]:
    """The statement and scare quotes extracted from one document."""
    return extract_batch([ExtractInput("d", text, language)]).documents[0].quotes


def quote_with(quotes: list[Quote], start: str) -> Quote:
    """The quote whose text starts with ``start``."""
    found = [q for q in quotes if q.text.startswith(start)]
    assert len(found) == 1, [(q.text, q.kind) for q in quotes]
    return found[0]


def marks(text: str) -> list[str]:
    """Inner texts of the quotations the mark pairing finds."""
    return [text[s.start : s.end] for s in find_quotes(text)]


# -- seed cases of the issue -------------------------------------------------------------------------------------


def test_an_appositive_subject_refers_back_not_to_the_name_inside_it() -> None:
    quotes = quotes_of(
        "Yevgeny Prigozhin accused the Defense Ministry on Saturday of starving his units of shells.\n\n"
        "The once top ally to President Vladimir Putin claimed that the shortages were "
        '"a decision signed by somebody in a Moscow office."'
    )
    quote = quote_with(quotes, "a decision")
    assert quote.speaker_canonical == "Yevgeny Prigozhin"
    assert quote.attribution == "nominal"


def test_an_abbreviated_title_does_not_end_the_attribution() -> None:
    quotes = quotes_of('"We will never surrender," Mr. Obama said. Sen. Claire McCaskill (D-Mo.) said: "No."')
    obama = quote_with(quotes, "We will never")
    assert obama.speaker_canonical is not None and obama.speaker_canonical.endswith("Obama")
    assert obama.attribution == "subject" and obama.verb == "say"
    assert quote_with(quotes, "No").speaker_canonical == "Claire McCaskill"


def test_a_split_quote_has_one_speaker() -> None:
    quotes = quotes_of('Olaf Scholz spoke in Berlin. "We are ready," he said, "and we will not wait for others."')
    first, second = quote_with(quotes, "We are ready"), quote_with(quotes, "and we will")
    assert first.speaker_canonical == second.speaker_canonical == "Olaf Scholz"
    assert first.attribution == second.attribution == "pronoun"
    assert quotes_of('"A deal is close," Kallas said, "but not this week."')[1].speaker is not None


def test_doubled_apostrophes_are_quotation_marks() -> None:
    quotes = quotes_of("''We will fight for every house,'' Andriy Biletsky said on Monday.")
    quote = quote_with(quotes, "We will fight")
    assert quote.kind == "statement" and quote.speaker_canonical == "Andriy Biletsky"


def test_the_title_of_a_show_is_not_a_statement() -> None:
    quotes = quotes_of('Senator Lindsey Graham spoke on CNN\'s "State of the Union." He did not take questions.')
    assert all(q.kind != "statement" for q in quotes), quotes


# -- speech verbs and subjects -----------------------------------------------------------------------------------


def test_speech_verbs_are_lemmas_of_a_lexicon() -> None:
    for lemma in ("say", "tweet", "joke", "respond", "demand", "write", "tell", "add", "ask", "note"):
        assert is_speech_verb(lemma, "en"), lemma
    for lemma, language in (("заявить", "ru"), ("добавить", "ru"), ("написати", "uk"), ("зазначити", "uk")):
        assert is_speech_verb(lemma, language), lemma
    assert not is_speech_verb("eat", "en") and not is_speech_verb("run", "en")


def test_ing_forms_and_verbs_outside_a_fixed_list_attribute() -> None:
    quotes = quotes_of(
        "Mayor Gerald Hoffstetter defended the plan on Thursday, telling a packed town hall that the city had "
        '"run out of good options a long time ago." "We tried everything," Hoffstetter joked.'
    )
    assert quote_with(quotes, "run out").speaker_canonical == "Gerald Hoffstetter"
    assert quote_with(quotes, "run out").verb == "tell"
    joked = quote_with(quotes, "We tried")
    assert joked.speaker_canonical == "Gerald Hoffstetter" and joked.verb == "joke"


def test_the_subject_with_its_apposition_wherever_it_stands() -> None:
    text = (
        "Scott Pruitt, the Republican attorney general of Oklahoma, who has sued the agency, said: "
        '"This rule will not stand."'
    )
    quote = quote_with(quotes_of(text), "This rule")
    assert quote.speaker_canonical == "Scott Pruitt"
    assert quote.speaker_start is not None and quote.speaker_end is not None
    assert text[quote.speaker_start : quote.speaker_end] == "Scott Pruitt"


def test_a_partial_quote_in_reported_speech_belongs_to_the_reporting_subject() -> None:
    quotes = quotes_of('Hillary Clinton says Donald Trump\'s tweets were "unhinged, even for him."')
    assert quote_with(quotes, "unhinged").speaker_canonical == "Hillary Clinton"


def test_an_indefinite_noun_is_someone_new_and_a_definite_one_resolves() -> None:
    quotes = quotes_of(
        "The Russian Defense Ministry rejected the accusation. "
        '"All units are supplied in full," the ministry said in a statement. '
        'A senior U.S. official said Washington was "not going to negotiate against itself."'
    )
    ministry = quote_with(quotes, "All units")
    assert ministry.speaker_canonical == "Russian Defense Ministry" and ministry.attribution == "nominal"
    official = quote_with(quotes, "not going")
    assert official.speaker_canonical is None and official.attribution == "nominal"


def test_a_pronoun_resolves_by_gender_to_the_subject_before() -> None:
    quotes = quotes_of(
        "Deputy press secretary Patricia Nolan said the package had been approved by Lloyd Austin on Monday. "
        'Asked about stockpiles, she insisted: "We would not be doing this if it put our readiness at risk."'
    )
    quote = quote_with(quotes, "We would not")
    assert quote.speaker_canonical == "Patricia Nolan" and quote.attribution == "pronoun"


# -- continuations, bylines, according to --------------------------------------------------------------------------


def test_a_quote_with_no_attribution_continues_the_last_speaker() -> None:
    quotes = quotes_of(
        '"The Russians are trying to freeze Ukraine," Douglas Kemper said. "That is the plan."\n\n'
        'Patricia Nolan arrived later.\n\n"It will take months."\n\n'
        'Lloyd Austin said the package was approved on Monday.\n\n"We are not done."'
    )
    plan = quote_with(quotes, "That is the plan")
    assert plan.speaker_canonical == "Douglas Kemper" and plan.attribution == "continuation"
    months = quote_with(quotes, "It will take")
    assert months.speaker_canonical is None  # another person was named in between
    done = quote_with(quotes, "We are not done")  # right after reported speech: that person goes on
    assert done.speaker_canonical == "Lloyd Austin" and done.attribution == "continuation"


def test_an_attribution_in_the_previous_paragraph_counts() -> None:
    quotes = quotes_of('Zelensky spoke to reporters. He said:\n\n"Every plane is protected sky over our cities."')
    assert quote_with(quotes, "Every plane").speaker_canonical == "Volodymyr Zelensky"


def test_a_byline_dash_names_the_speaker() -> None:
    quotes = quotes_of('"Every drone you donated is flying here. Thank you." - Francisco Herrero')
    quote = quote_with(quotes, "Every drone")
    assert quote.speaker_canonical == "Francisco Herrero" and quote.attribution == "byline"


def test_according_to_names_the_speaker() -> None:
    quotes = quotes_of('According to Dmitry Peskov, "all necessary measures are being taken."')
    quote = quote_with(quotes, "all necessary")
    assert quote.speaker_canonical == "Dmitry Peskov" and quote.attribution == "according_to"


# -- Russian and Ukrainian -----------------------------------------------------------------------------------------


def test_russian_dash_attribution_and_pronoun() -> None:
    quotes = quotes_of(
        "«Мы не отступим», — заявил Пригожин. «Если боеприпасов не будет, мы уйдем», — добавил он.", "ru"
    )
    first, second = quote_with(quotes, "Мы не"), quote_with(quotes, "Если")
    assert first.speaker_canonical == second.speaker_canonical == "Yevgeny Prigozhin"
    assert first.verb == "заявить" and first.attribution == "subject"
    assert second.attribution == "pronoun"


def test_russian_po_slovam() -> None:
    quote = quote_with(quotes_of("По словам Дмитрия Пескова, «переговоры продолжаются».", "ru"), "переговоры")
    assert quote.speaker_canonical == "Dmitry Peskov" and quote.attribution == "according_to"


def test_ukrainian_colon_attribution_and_feminine_pronoun() -> None:
    quotes = quotes_of(
        "Юлія Свириденко написала у своєму Telegram-каналі: «Ми отримали першу партію». "
        "«Наступна буде в грудні», — зазначила вона.",
        "uk",
    )
    first, second = quote_with(quotes, "Ми отримали"), quote_with(quotes, "Наступна")
    assert first.speaker_canonical is not None and first.speaker_canonical == second.speaker_canonical
    assert second.attribution == "pronoun"


# -- quotation marks ---------------------------------------------------------------------------------------------


def test_mixed_marks_never_pair_across_a_paragraph() -> None:
    text = 'He said the plan was “bold.\n\nThe opposition called it "reckless," and left.'
    assert marks(text) == ["reckless,"]


def test_a_quote_running_over_paragraphs_ends_each_paragraph() -> None:
    text = '"The first part of it.\n\n"The second part," she said.'
    assert marks(text) == ["The first part of it.", "The second part,"]


def test_nested_quotes_stay_inside_the_outer_one() -> None:
    assert marks("Он сказал: «Нам ответили „ничего страшного“, и всё».") == ["Нам ответили „ничего страшного“, и всё"]
    assert marks("``We are ready,'' he said.") == ["We are ready,"]


@pytest.mark.parametrize("text", ['I said "', '"" and ""', "no marks at all"])
def test_unpaired_or_empty_marks_give_no_quote(text: str) -> None:
    assert marks(text) == []


def test_a_quote_inside_a_quote_is_a_quote_of_its_own() -> None:
    quotes = quotes_of(
        "Natalia Hrytsenko drives to the villages every week.\n\n"
        "\"They ask me, 'Who will feed the chickens?'\" she said. \"I say, 'The chickens will manage.'\""
    )
    outer = quote_with(quotes, "I say")
    assert outer.speaker_canonical == "Natalia Hrytsenko"
    assert quote_with(quotes, "The chickens").speaker_canonical == "Natalia Hrytsenko"  # "I" is the outer speaker
    assert quote_with(quotes, "Who will feed").speaker_canonical is None  # "they" say it, nobody named
    assert [q.start for q in quotes] == sorted(q.start for q in quotes)


def test_a_russian_description_refers_back_by_the_verbs_gender() -> None:
    quotes = quotes_of(
        "Основатель ЧВК «Гром» Виктор Руденко обвинил Минобороны в срыве поставок.\n\n"
        "«Если ничего не изменится, я уведу людей», — заявил в аудиообращении бывший ближайший соратник "
        "президента Владимира Путина.",
        "ru",
    )
    quote = quote_with(quotes, "Если")
    assert quote.speaker_canonical is not None and quote.speaker_canonical.endswith(("Руденко", "Rudenko"))
    assert quote.attribution == "nominal"


def test_a_noun_owned_by_a_name_speaks_for_it() -> None:
    quotes = quotes_of(
        "Roman Sedykh runs a popular channel. Sedykh's channel later posted a video with the caption: "
        '"At least these boys are honest."'
    )
    assert quote_with(quotes, "At least").speaker_canonical == "Roman Sedykh"
