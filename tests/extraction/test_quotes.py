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


# -- names, roles and referents (issue 25, second round) -----------------------------------------------------------


def test_ukrainian_words_read_as_ukrainian() -> None:
    from extraction.syntax import slavic_word

    assert slavic_word("Як", "uk")[1] != "NOUN"  # "how", not "yak": pymorphy3's Ukrainian readings are unscored
    assert "nomn" in slavic_word("вона", "uk")[2]
    quotes = quotes_of(
        "Командир бригади Андрій Качка заявив, що позиції втримано. "
        "Як зазначила голова правління компанії Ірина Кушнір, „резервів немає“. "
        "Депутатка міської ради Наталія Бойко вважає, що цього мало. „Генераторів не вистачає“, — розповіла вона.",
        "uk",
    )
    assert quote_with(quotes, "резервів").speaker_canonical == "Ірина Кушнір"
    assert quote_with(quotes, "Генераторів").speaker_canonical == "Наталія Бойко"  # one person, not two
    kachka = extract_batch([ExtractInput("d", "Командир бригади Андрій Качка заявив: „Тримаємо“.", "uk")])
    assert quote_with(kachka.documents[0].quotes, "Тримаємо").speaker_canonical == "Андрій Качка"  # not Качок


def test_a_surname_alone_is_the_person_named_in_full_with_the_pronouns_gender() -> None:
    quotes = quotes_of(
        "Адвокат Елена Архипова назвала приговор несправедливым. Прокурор Денис Шатров настаивал, что "
        "обвиняемый «может скрыться».\n\nАрхипова сообщила, что защита обжалует решение. "
        "«Мы дойдем до Верховного суда», — добавила она. По словам Архиповой, «дело не закончено».",
        "ru",
    )
    added = quote_with(quotes, "Мы дойдем")  # "добавила она" is not the last speaker, a man
    assert added.speaker_canonical == "Елена Архипова" and added.attribution == "pronoun"
    assert quote_with(quotes, "дело не").speaker_canonical == "Елена Архипова"  # not the masculine lemma


def test_a_third_person_pronoun_is_never_the_narrator_and_an_unnamed_source_speaks_for_itself() -> None:
    quotes = quotes_of(
        "Я лично переговорил с главой округа Ильей Маркиным. Его слова: «Свет дадим к обеду».\n\n"
        "Комбат Андрей Горбунов жалуется на нехватку дронов. Слова комбата подтверждает и наш источник в штабе: "
        "по его словам, подвоз «идет с перебоями».",
        "ru",
    )
    assert quote_with(quotes, "Свет дадим").speaker_canonical == "Илья Маркин"
    assert quote_with(quotes, "идет с перебоями").speaker_canonical is None


def test_names_after_naming_nouns_and_a_prepositions_noun() -> None:
    quotes = quotes_of(
        "One of them, a medic with the call sign Berkut, says the nights are the hardest: "
        '"You crawl by memory."\n\n'
        "A spokesman for the mayor, Colin Ashby, responded that the mayor "
        '"does not apologize for asking questions."'
    )
    berkut = quote_with(quotes, "You crawl")
    assert berkut.speaker_canonical == "Berkut" and berkut.speaker == "Berkut"
    assert quote_with(quotes, "does not apologize").speaker_canonical == "Colin Ashby"
    split = quotes_of('A spokeswoman for Prewitt, Lisa Monroe, later said the governor "stands by every word."')
    assert quote_with(split, "stands by").speaker_canonical == "Lisa Monroe"  # parsed as two subjects


def test_a_slavic_role_noun_is_the_name_after_it_in_its_case() -> None:
    quotes = quotes_of(
        "Керівник обласного штабу допомоги Роман Ткач назвав роботу груп „безцінною“. "
        "За його словами, „без волонтерів села лишилися б без ліків“.",
        "uk",
    )
    assert quote_with(quotes, "без волонтерів").speaker_canonical == "Роман Ткач"


def test_a_sentence_after_the_quote_is_no_frame_and_plural_nouns_are_groups() -> None:
    quotes = quotes_of(
        'Helena Marsh runs the institute. The companies always say, "We did not know." Fine. Now they know.'
    )
    assert quote_with(quotes, "We did not know").speaker_canonical is None


def test_a_byline_keeps_its_small_words() -> None:
    quotes = quotes_of(
        'Ukrenergo says crews are at the site.\n\n"Stay in shelters until the all-clear." '
        "— Air Force of the Armed Forces of Ukraine"
    )
    quote = quote_with(quotes, "Stay in shelters")
    assert quote.attribution == "byline" and quote.speaker == "Air Force of the Armed Forces of Ukraine"


def test_a_partial_quote_under_a_verb_without_a_person_subject_is_the_reporters() -> None:
    quotes = quotes_of(
        "A spokesman for Front Range Midstream, Dale Kuchar, said the company would publish "
        '"every page of the safety study" before the vote. Mr. Kravets said the lists had been agreed '
        '"name by name."'
    )
    assert quote_with(quotes, "every page").speaker_canonical == "Dale Kuchar"
    assert quote_with(quotes, "name by name").speaker_canonical is not None


def test_a_role_the_entity_span_took_in_is_dropped() -> None:
    quotes = quotes_of('Opposition lawmaker Nino Zhvania told reporters: "They are afraid of Europe."')
    assert quote_with(quotes, "They are afraid").speaker_canonical == "Nino Zhvania"


def test_slavic_person_nouns_documents_and_organisations_speak() -> None:
    quotes = quotes_of(
        "Командир батальйону майор Дмитро Савченко: „Ми тримаємо“.\n\n„Дякуємо всім“, — додав комбат.\n\n"
        "У КМВА відповіли, що список опублікують. „Ми відкриті до критики“, — йдеться у відповіді.\n\n"
        "За словами речника КМВА, „пунктів буде більше“.",
        "uk",
    )
    assert quote_with(quotes, "Дякуємо").speaker_canonical == "Дмитро Савченко"
    assert quote_with(quotes, "Ми відкриті").speaker_canonical == "КМВА"
    assert quote_with(quotes, "пунктів").speaker_canonical == "Дмитро Савченко"  # the spokesman named before
    russian = quotes_of(
        "В Минобороны заявления Руденко назвали провокацией. «Все подразделения обеспечены», — говорится в "
        "сообщении ведомства. Правозащитники из движения «Призыв к совести» отмечают, что обращений стало "
        "«в разы больше».",
        "ru",
    )
    assert quote_with(russian, "Все подразделения").attribution == "nominal"
    assert quote_with(russian, "Все подразделения").speaker_canonical is not None
    assert quote_with(russian, "в разы").speaker_canonical == "Призыв к совести"


def test_a_quote_inside_a_quote_follows_the_verb_inside_the_outer_one() -> None:
    quotes = quotes_of(
        "Carl Vandermeer, the former chief of staff to Gov. Russell Gaines, testified that the governor "
        "approved the contract.\n\n"
        "\"He said, 'Make it happen,'\" Vandermeer told jurors."
    )
    assert quote_with(quotes, "Make it happen").speaker_canonical == "Russell Gaines"
    russian = quotes_of(
        "«Банк России, по сути, сказал бизнесу: „Готовьтесь к дорогим деньгам“», — отметил экономист Павел Фомин.",
        "ru",
    )
    assert quote_with(russian, "Готовьтесь").speaker_canonical == "Банк России"
    ukrainian = quotes_of(
        "„Нам кажуть: «Ми з вами». Ми відповідаємо: «Тоді швидше»“, — зазначив міністр Андрій Мороз.", "uk"
    )
    assert quote_with(ukrainian, "Тоді швидше").speaker_canonical == "Андрій Мороз"
    assert quote_with(ukrainian, "Ми з вами").speaker_canonical is None


def test_a_quote_paragraph_continues_across_paragraphs_that_name_nobody_else() -> None:
    quotes = quotes_of(
        'Natalia Hrytsenko says the villages are "emptier every week."\n\n'
        "Key quotes:\n\n"
        '"Every morning begins with the same call."\n\n'
        'She joined the group in spring.\n\n"It is your whole life in that house."\n\n'
        'He has driven the route since May.\n\n"We go at dawn."'
    )
    assert quote_with(quotes, "Every morning").speaker_canonical == "Natalia Hrytsenko"
    assert quote_with(quotes, "It is your whole").speaker_canonical == "Natalia Hrytsenko"
    assert quote_with(quotes, "We go at dawn").speaker_canonical is None  # "he" is someone else


def test_a_person_right_after_a_quote_frames_it_whatever_the_verb() -> None:
    quotes = quotes_of(
        'Defense Secretary Lloyd Harper said the documents would come later. "That is not good enough," '
        "Maria Lopez shot back."
    )
    quote = quote_with(quotes, "That is not")
    assert quote.speaker_canonical == "Maria Lopez" and quote.attribution == "subject"


def test_interview_turns_tell_who_i_and_you_are() -> None:
    quotes = quotes_of(
        "Colonel Jane Porter and Major Tom Kemper spoke to us at the base. Porter commands the brigade.\n\n"
        'KEMPER: I told my men, "Nobody goes out without a drone overhead."\n\n'
        'Q: You once said, "Winter favours the defender." Do you still think so?\n\n'
        'Q: I heard a soldier say, "We are tired." Is that fair?\n\n'
        "A: Yes. I answer the same way every time."
    )
    assert quote_with(quotes, "Nobody goes out").speaker_canonical == "Tom Kemper"  # the turn's name
    assert quote_with(quotes, "Winter favours").speaker_canonical == "Jane Porter"  # you: the one interviewed
    assert quote_with(quotes, "We are tired").speaker_canonical is None  # a soldier, told by the interviewer
    ukrainian = quotes_of(
        "Оксана Грицай координує волонтерську групу.\n\n— Чи допомагає держава?\n\n"
        "— Допомагає, але повільно. Я собі повторюю: „Роби, що можеш, там, де ти є“.",
        "uk",
    )
    assert quote_with(ukrainian, "Роби").speaker_canonical == "Оксана Грицай"


def test_a_term_is_a_statement_only_when_someone_identifiable_uses_it() -> None:
    quotes = quotes_of(
        'Taras Stepanenko called the blockade "unacceptable." Some Republicans took to calling the aid '
        '"forever money," a phrase that angers Kyiv. It was not "peace through shrugging."'
    )
    assert quote_with(quotes, "unacceptable").kind == "statement"
    assert (quote_with(quotes, "unacceptable").speaker_canonical or "").endswith("Stepanenko")
    assert quote_with(quotes, "forever money").kind == "scare"
    assert quote_with(quotes, "peace through").kind == "scare"  # no verb frames it
    russian = quotes_of(
        "Виктор Руденко обвинил ведомство в срыве поставок. В Минобороны заявления Руденко назвали "
        "«информационной провокацией».",
        "ru",
    )
    term = quote_with(russian, "информационной")
    assert term.kind == "statement" and term.speaker_canonical != "Виктор Руденко"  # a plural verb: not him


def test_a_definite_noun_is_the_name_given_to_the_last_noun_phrase_with_it() -> None:
    quotes = quotes_of(
        'Pro-war blogger Roman Sedykh wrote that the marines were "mobilized men."\n\n'
        "Another blogger, writing under the name Northern Wind, went further. "
        '"If the generals cannot hold a river, how will they hold Crimea?" the blogger asked.'
    )
    assert quote_with(quotes, "If the generals").speaker_canonical == "Northern Wind"


def test_an_organisation_keeps_the_country_that_owns_its_name() -> None:
    quotes = quotes_of('Russia\'s Foreign Ministry said protecting its citizens was "one of our priorities."')
    assert quote_with(quotes, "one of our").speaker_canonical == "Russian Foreign Ministry"


def test_an_office_of_a_place_is_its_holder_never_the_place() -> None:
    quotes = quotes_of(
        "Belgium's finance minister, Pieter Dusart, arrived first. Mrs. Vehlmann disagreed with him.\n\n"
        "Ukraine's finance minister joined the meeting by video link. According to a diplomat, he urged "
        "the ministers to "
        '"stop counting the risks."\n\n'
        'Belgium\'s finance minister later added that he was "not convinced."'
    )
    assert quote_with(quotes, "stop counting").speaker_canonical == "Finance Minister of Ukraine"
    assert quote_with(quotes, "not convinced").speaker_canonical == "Pieter Dusart"


def test_a_run_on_slavic_person_span_keeps_the_name() -> None:
    from extraction.quotes import _slavic_person_words

    assert _slavic_person_words(["Верховний", "Рада", "Вікторія", "Семенко"], "uk") == ["Вікторія", "Семенко"]
    assert _slavic_person_words(["Дмитрий", "Сергеевич", "Песков"], "ru") == ["Дмитрий", "Сергеевич", "Песков"]


def test_entity_spans_that_run_on_or_take_a_common_noun_are_mended() -> None:
    quotes = quotes_of(
        "Речник Сил оборони півдня Дмитро Плетенчук зазначив, що ворог змінив тактику. "
        "„Дрони заходять з моря на малій висоті“, — пояснив речник.\n\n"
        "Мешканка Одеси Ганна розповіла, що прокинулася від вибухів. „Було дуже страшно“, — каже жінка.",
        "uk",
    )
    assert quote_with(quotes, "Дрони заходять").speaker_canonical == "Дмитро Плетенчук"
    assert quote_with(quotes, "Було дуже").speaker_canonical == "Ганна"


def test_according_to_a_role_or_an_institution_without_a_name() -> None:
    quotes = quotes_of(
        "Президент Володимир Зеленський провів розмову з прем'єр-міністром Британії. "
        "За словами глави держави, сторони обговорили „посилення ППО“.",
        "uk",
    )
    quote = quote_with(quotes, "посилення")
    assert quote.kind == "statement" and quote.attribution == "according_to"
    assert quote.speaker == "глави держави" and quote.speaker_canonical == "Volodymyr Zelensky"
    english = quotes_of(
        '"We are against being ruined," Marek Kowalczyk told Reuters.\n\n'
        'According to the border service, the queue was "the longest since the war began."'
    )
    border = quote_with(english, "the longest")
    assert border.attribution == "according_to" and border.speaker_canonical != "Marek Kowalczyk"
    callsign = quotes_of("«Мы потеряли связь», — рассказал командир батальона с позывным Гром.", "ru")
    assert quote_with(callsign, "Мы потеряли").speaker_canonical == "Гром"


def test_an_institution_named_without_a_mention_keeps_its_title_words() -> None:
    quotes = quotes_of('"The enemy continues to attack," the General Staff said in its morning update.')
    assert quote_with(quotes, "The enemy").speaker_canonical == "General Staff"


def test_a_closing_typographic_mark_may_open_a_quote() -> None:
    assert marks("”We will win,” he said. „Ми тримаємо”, — додав він.") == ["We will win,", "Ми тримаємо"]
