"""Quote attribution on the dependency parse (issue 25): the issue's seed cases and one test per rule.

Every text goes through the real extraction step (spaCy's parser for English, natasha's syntax model for Russian
and Ukrainian, the entity layer for names); the texts of one test form one batch.
"""

from __future__ import annotations

import pytest

from extraction.canonical import Mention
from extraction.gazetteer import LOC, ORG, PER
from extraction.pipeline import ExtractInput, extract_batch
from extraction.quote_marks import find_quotes
from extraction.quotes import Quote, _female_name, extract_quotes, latin_person_name
from extraction.speech_verbs import is_speech_verb


def quotes_of(text: str, language: str | None = None) -> list[Quote]:
    """The statement and scare quotes extracted from one document."""
    return extract_batch([ExtractInput("d", text, language)]).documents[0].quotes


def quote_with(quotes: list[Quote], start: str) -> Quote:
    """The quote whose text starts with ``start``."""
    found = [q for q in quotes if q.text.startswith(start)]
    assert len(found) == 1, [(q.text, q.kind) for q in quotes]
    return found[0]


def assert_speakers(text: str, expected: dict[str, tuple[str | None, str | None]], language: str | None = None) -> None:
    """Each quote of ``text`` starting with a key has that speaker and was found by that rule (None: not pinned)."""
    quotes = quotes_of(text, language)
    for start, (speaker, attribution) in expected.items():
        quote = quote_with(quotes, start)
        assert quote.speaker_canonical == speaker, start
        assert attribution is None or quote.attribution == attribution, start


def marks(text: str) -> list[str]:
    """Inner texts of the quotations the mark pairing finds."""
    return [text[s.start : s.end] for s in find_quotes(text)]


# -- seed cases of the issue -------------------------------------------------------------------------------------


def test_an_appositive_subject_refers_back_not_to_the_name_inside_it() -> None:
    assert_speakers(
        "Yevgeny Prigozhin accused the Defense Ministry on Saturday of starving his units of shells.\n\n"
        "The once top ally to President Vladimir Putin claimed that the shortages were "
        '"a decision signed by somebody in a Moscow office."',
        {"a decision": ("Yevgeny Prigozhin", "nominal")},
    )


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
    assert_speakers(
        'Hillary Clinton says Donald Trump\'s tweets were "unhinged, even for him."',
        {"unhinged": ("Hillary Clinton", None)},
    )


def test_an_indefinite_noun_is_someone_new_and_a_definite_one_resolves() -> None:
    assert_speakers(
        "The Russian Defense Ministry rejected the accusation. "
        '"All units are supplied in full," the ministry said in a statement. '
        'A senior U.S. official said Washington was "not going to negotiate against itself."',
        {"All units": ("Russian Defense Ministry", "nominal"), "not going": (None, "nominal")},
    )


def test_a_pronoun_resolves_by_gender_to_the_subject_before() -> None:
    assert_speakers(
        "Deputy press secretary Patricia Nolan said the package had been approved by Lloyd Austin on Monday. "
        'Asked about stockpiles, she insisted: "We would not be doing this if it put our readiness at risk."',
        {"We would not": ("Patricia Nolan", "pronoun")},
    )


# -- continuations, bylines, according to --------------------------------------------------------------------------


def test_a_quote_with_no_attribution_continues_the_last_speaker() -> None:
    assert_speakers(
        '"The Russians are trying to freeze Ukraine," Douglas Kemper said. "That is the plan."\n\n'
        'Patricia Nolan arrived later.\n\n"It will take months."\n\n'
        'Lloyd Austin said the package was approved on Monday.\n\n"We are not done."',
        {
            "That is the plan": ("Douglas Kemper", "continuation"),
            "It will take": (None, None),  # another person was named in between
            "We are not done": ("Lloyd Austin", "continuation"),  # right after reported speech: that person goes on
        },
    )


def test_an_attribution_in_the_previous_paragraph_counts() -> None:
    assert_speakers(
        'Zelensky spoke to reporters. He said:\n\n"Every plane is protected sky over our cities."',
        {"Every plane": ("Volodymyr Zelensky", None)},
    )


def test_a_byline_dash_names_the_speaker() -> None:
    assert_speakers(
        '"Every drone you donated is flying here. Thank you." - Francisco Herrero',
        {"Every drone": ("Francisco Herrero", "byline")},
    )


def test_according_to_names_the_speaker() -> None:
    assert_speakers(
        'According to Dmitry Peskov, "all necessary measures are being taken."',
        {"all necessary": ("Dmitry Peskov", "according_to")},
    )


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
    assert_speakers(
        "По словам Дмитрия Пескова, «переговоры продолжаются».",
        {"переговоры": ("Dmitry Peskov", "according_to")},
        "ru",
    )


def test_ukrainian_colon_attribution_and_feminine_pronoun() -> None:
    quotes = quotes_of(
        "Юлія Свириденко написала у своєму Telegram-каналі: «Ми отримали першу партію». "
        "«Наступна буде в грудні», — зазначила вона.",
        "uk",
    )
    first, second = quote_with(quotes, "Ми отримали"), quote_with(quotes, "Наступна")
    assert first.speaker_canonical is not None and first.speaker_canonical == second.speaker_canonical
    assert second.attribution == "pronoun"


def test_a_byline_name_ends_at_the_comma_and_may_open_with_a_title() -> None:
    quotes = quotes_of(
        '"We saw them coming from two kilometers away" - Maj. Andrew Collins, battalion commander\n\n'
        '"The windows shook every few minutes" - Maria Lopez, Valencia',
        "en",
    )
    first, second = quote_with(quotes, "We saw"), quote_with(quotes, "The windows")
    assert first.attribution == second.attribution == "byline"
    assert first.speaker_canonical is not None and first.speaker_canonical.endswith("Andrew Collins")
    assert second.speaker_canonical == "Maria Lopez"


def test_an_impersonal_verb_with_a_body_in_the_locative() -> None:
    text = (
        "Ограничения вводились ночью, сообщила Росавиация.\n\n"
        "«Авиакомпании проинформированы», — отметили в ведомстве, не уточнив причин.\n\n"
        "Блогер Иван Петров написал об этом. «Ждем», — написали в своем Telegram-канале."
    )
    quotes = quotes_of(text, "ru")
    agency = quote_with(quotes, "Авиакомпании")
    assert agency.speaker_canonical == "Rosaviatsia"  # the national bodies lexicon names it in English
    assert agency.attribution == "nominal"
    channel = quote_with(quotes, "Ждем")
    assert channel.speaker_canonical != agency.speaker_canonical  # one's own channel is no body


def test_a_sentence_never_runs_across_a_blank_line() -> None:
    from extraction.syntax import parse_documents

    text = (
        "«Это уже победа» — Владимир Сидоренко, продавец\n\nГлава громады Людмила Сергиенко говорит, что все держатся."
    )
    parse = parse_documents([(text, "ru")])[0]
    assert parse is not None
    paragraph = text.index("Глава")
    assert {t.sent for t in parse.tokens if t.start < paragraph}.isdisjoint(
        {t.sent for t in parse.tokens if t.start >= paragraph}
    )


def test_a_pronoun_skips_a_byline_name_of_the_other_gender() -> None:
    text = (
        "«Хліб завозять через день. Це вже перемога» — Володимир Сидоренко, продавець\n\n"
        "Міський голова громади Людмила Сергієнко каже, що громада тримається. "
        "«Ми не просимо співчуття», — наголосила вона."
    )
    quote = quote_with(quotes_of(text, "uk"), "Ми не просимо")
    assert quote.attribution == "pronoun"
    assert quote.speaker_canonical is not None and "Сидоренко" not in quote.speaker_canonical
    assert "Сергієнко" in quote.speaker_canonical or "Serhiienko" in quote.speaker_canonical


def test_a_relative_named_by_the_given_name_takes_the_family_name() -> None:
    text = (
        "The farmer, Bohdan Melnyk, watches from the road. "
        '"We wait," he said.\n\n'
        'Melnyk\'s wife, Oksana, is less patient. "Spring comes every year," she said.\n\n'
        "Dmytro Savchuk came home in May. His mother, Larysa, kept a notebook. "
        '"I wrote every day," she said.'
    )
    assert_speakers(
        text,
        {
            "We wait": ("Bohdan Melnyk", "pronoun"),
            "Spring comes": ("Oksana Melnyk", "pronoun"),
            "I wrote": ("Larysa Savchuk", "pronoun"),
        },
        "en",
    )


def test_an_unnamed_person_introduced_with_who_stops_a_pronoun_reaching_back() -> None:
    text = (
        "Prosecutor Jan Nowak said the men were paid in cash. Russia has denied any role.\n\n"
        "A cleaner at the station, who asked not to be named, said staff had been warned.\n\n"
        '"We thought it was a drill," he said. "Apparently it was not."'
    )
    assert_speakers(text, {"We thought": (None, "pronoun"), "Apparently": (None, None)}, "en")


def test_a_country_subject_is_never_he() -> None:
    text = (
        "Mayor Daniel Brooks opened the bridge on Monday. Ukraine has asked for more funds.\n\n"
        '"It took us four years," he said.'
    )
    assert_speakers(text, {"It took": ("Daniel Brooks", "pronoun")}, "en")


def test_only_a_spokesperson_speaks_for_the_organisation_named_with_the_noun() -> None:
    text = (
        '"The talks will go on," a European Commission spokeswoman said.\n\n'
        '"Everyone knows where the landing zone is," a senior EU official said.'
    )
    assert_speakers(text, {"The talks": ("European Commission", "nominal"), "Everyone knows": (None, "nominal")}, "en")


def test_the_body_owning_a_role_is_not_the_speaker_the_name_after_it_is() -> None:
    quotes = quotes_of(
        "«Інфляція сповільнюється», — заявив голова НБУ Андрій Пишний. "
        "«Ми не маємо права чекати», — заявив заступник начальника Сумської ОВА Андрій Ковальчук.",
        "uk",
    )
    for start, surname in (("Інфляція", "Pyshnyi"), ("Ми не", "Kovalchuk")):
        quote = quote_with(quotes, start)
        assert quote.attribution == "subject"
        assert quote.speaker_canonical is not None and quote.speaker_canonical.endswith(surname)


def test_a_call_sign_in_quotes_is_no_part_of_the_speaker_name() -> None:
    text = (
        'In the photo: Senior Sgt. Dmytro "Hawk" Ivashchenko, 29, a drone pilot. "Same skills, new screen," he jokes.'
    )
    assert_speakers(text, {"Same skills": ("Dmytro Ivashchenko", "pronoun")}, "en")


def test_a_feminine_noun_skips_a_boy_named_alone_and_a_role_name_is_found_past_a_preposition() -> None:
    text = (
        "Першокласник Марко прийшов на лінійку з мамою, Оксаною Литвин. "
        "«Два роки він бачив учительку тільки на екрані», — каже жінка.\n\n"
        "Голова батьківського комітету однієї з сусідніх шкіл Роман Іщенко вважає, що це тимчасово. "
        "«Дитина не може рости під землею», — зауважив він."
    )
    quotes = quotes_of(text, "uk")
    mother, father = quote_with(quotes, "Два роки"), quote_with(quotes, "Дитина")
    assert mother.speaker_canonical is not None and "Lytvyn" in mother.speaker_canonical
    assert father.speaker_canonical is not None and "Ishchenko" in father.speaker_canonical


def test_a_name_the_parser_split_from_its_noun_is_the_subject_a_pronoun_finds() -> None:
    text = (
        "Clearing the field will take decades, the charity's director, Martina Keller, says.\n\n"
        "The farmer who owns this field, Petro Lysenko, watches from the road.\n\n"
        '"My father farmed this land," he said.'
    )
    assert_speakers(text, {"My father": ("Petro Lysenko", "pronoun")}, "en")


def test_a_place_the_model_took_for_a_person_does_not_break_a_continuation() -> None:
    text = (
        '"Ninety-nine times it is a tin can," said Kovach, 44, a former mining engineer from Kryvyi Rih who now '
        'leads a team. "The hundredth time is why we are here."'
    )
    quotes = quotes_of(text, "en")
    first, second = quote_with(quotes, "Ninety"), quote_with(quotes, "The hundredth")
    assert first.speaker_canonical is not None and second.speaker_canonical == first.speaker_canonical
    assert second.attribution == "continuation"


def test_a_family_noun_refers_back_to_the_relative_named_with_it() -> None:
    text = (
        "Dmytro Savchuk came home in May. His mother, Larysa, kept a notebook.\n\n"
        "Neighbours painted the fence. The mayor sent flowers. A choir sang. The road was repaired. "
        "Savchuk plans to return to his unit. His mother does not want to discuss it. "
        '"He is an adult," she said.'
    )
    assert_speakers(text, {"He is an adult": ("Larysa Savchuk", "pronoun")}, "en")


def test_a_country_owned_body_is_it_and_an_interview_label_is_nobody() -> None:
    text = (
        "Andreas Papadakis, chief executive of Aegean Bulk, spoke to Reuters. "
        'Ukraine\'s navy said it had cleared 200 mines, a task it called "slow, dangerous and never finished."'
    )
    navy = quote_with(quotes_of(text, "en"), "slow, dangerous")
    assert navy.attribution == "pronoun" and navy.speaker_canonical is not None and "Navy" in navy.speaker_canonical
    interview = (
        "Election clerk Maria Owens, 61, runs the county office.\n\n"
        "Q: Did that change his mind?\n\n"
        'A: Partly. A man came last month. When he left he told me, "I still do not trust the system."'
    )
    quote = quote_with(quotes_of(interview, "en"), "I still")
    assert quote.speaker_canonical != "Q"


def test_the_outlets_own_reporter_is_not_who_he_means() -> None:
    text = (
        "Наш корреспондент поговорил с командиром расчета, старшим лейтенантом Арсением Волковым. "
        "Вот что он рассказал:\n\n«Работаем круглые сутки»."
    )
    quote = quote_with(quotes_of(text, "ru"), "Работаем")
    assert quote.speaker_canonical is not None and "Volkov" in quote.speaker_canonical


def test_a_name_after_a_preposition_is_not_the_subject() -> None:
    text = (
        "Начальник ОВА Вячеслав Чаус відвідав громади. Він пообіцяв нові котельні. "
        "«Ми не залишимо громади без тепла», — написав посадовець у Telegram."
    )
    quote = quote_with(quotes_of(text, "uk"), "Ми не залишимо")
    assert quote.speaker_canonical is not None and "Telegram" not in quote.speaker_canonical


def test_a_described_newcomer_and_an_unnamed_representative_are_nobody_named() -> None:
    text = (
        "Инженер Марина Лазарева летела домой. «Задержка на час», — сказала она.\n\n"
        "Пенсионерка из Подольска, летевшая к дочери в Сочи, была настроена философски. "
        "«Ну что поделаешь», — сказала она.\n\n"
        "«Хлеб пекут — значит, жизнь идет» — Михаил Ветров, пекарь, Белгород\n\n"
        "В оперштабе напомнили о пропусках. «Без пропуска не пропустим никого», — добавил представитель штаба."
    )
    quotes = quotes_of(text, "ru")
    assert quote_with(quotes, "Задержка").speaker_canonical is not None
    assert quote_with(quotes, "Ну что").speaker_canonical is None
    assert quote_with(quotes, "Без пропуска").speaker_canonical is None


def test_then_added_shares_the_subject_of_said() -> None:
    text = 'Taras Kovach laughed. "We are engineers," he said, then added, "But we also do not say it."'
    quotes = quotes_of(text, "en")
    first, second = quote_with(quotes, "We are"), quote_with(quotes, "But we")
    assert first.speaker_canonical is not None and "Kovach" in first.speaker_canonical
    assert second.speaker_canonical == first.speaker_canonical and second.verb == "add"


def test_a_subject_the_parser_hung_on_the_quote_is_still_the_speaker() -> None:
    text = (
        "Міський голова Андрій Садовий, відвідавши одну з репетицій, назвав постановку "
        "«важливою розмовою міста з тими, хто його захищає»."
    )
    quote = quote_with(quotes_of(text, "uk"), "важливою")
    assert quote.speaker_canonical is not None and "Sadov" in quote.speaker_canonical


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
    assert_speakers(
        "Roman Sedykh runs a popular channel. Sedykh's channel later posted a video with the caption: "
        '"At least these boys are honest."',
        {"At least": ("Roman Sedykh", None)},
    )


# -- names, roles and referents (issue 25, second round) -----------------------------------------------------------


def test_ukrainian_words_read_as_ukrainian() -> None:
    from extraction.syntax import slavic_word

    assert slavic_word("Як", "uk")[1] != "NOUN"  # "how", not "yak": pymorphy3's Ukrainian readings are unscored
    assert "nomn" in slavic_word("вона", "uk")[2]
    assert_speakers(
        "Командир бригади Андрій Качка заявив, що позиції втримано. "
        "Як зазначила голова правління компанії Ірина Кушнір, „резервів немає“. "
        "Депутатка міської ради Наталія Бойко вважає, що цього мало. „Генераторів не вистачає“, — розповіла вона.",
        {"резервів": ("Iryna Kushnir", None), "Генераторів": ("Nataliia Boiko", None)},  # one person, not two
        "uk",
    )
    assert_speakers("Командир бригади Андрій Качка заявив: „Тримаємо“.", {"Тримаємо": ("Andrii Kachka", None)}, "uk")


def test_a_surname_alone_is_the_person_named_in_full_with_the_pronouns_gender() -> None:
    assert_speakers(
        "Адвокат Елена Архипова назвала приговор несправедливым. Прокурор Денис Шатров настаивал, что "
        "обвиняемый «может скрыться».\n\nАрхипова сообщила, что защита обжалует решение. "
        "«Мы дойдем до Верховного суда», — добавила она. По словам Архиповой, «дело не закончено».",
        {"Мы дойдем": ("Elena Arkhipova", "pronoun"), "дело не": ("Elena Arkhipova", None)},
        "ru",
    )


def test_a_third_person_pronoun_is_never_the_narrator_and_an_unnamed_source_speaks_for_itself() -> None:
    assert_speakers(
        "Я лично переговорил с главой округа Ильей Маркиным. Его слова: «Свет дадим к обеду».\n\n"
        "Комбат Андрей Горбунов жалуется на нехватку дронов. Слова комбата подтверждает и наш источник в штабе: "
        "по его словам, подвоз «идет с перебоями».",
        {"Свет дадим": ("Ilya Markin", None), "идет с перебоями": (None, None)},
        "ru",
    )


def test_names_after_naming_nouns_and_a_prepositions_noun() -> None:
    assert_speakers(
        "One of them, a medic with the call sign Berkut, says the nights are the hardest: "
        '"You crawl by memory."\n\n'
        "A spokesman for the mayor, Colin Ashby, responded that the mayor "
        '"does not apologize for asking questions."',
        {"You crawl": ("Berkut", None), "does not apologize": ("Colin Ashby", None)},
    )
    assert_speakers(  # parsed as two subjects
        'A spokeswoman for Prewitt, Lisa Monroe, later said the governor "stands by every word."',
        {"stands by": ("Lisa Monroe", None)},
    )
    assert_speakers(
        "«Мы потеряли связь», — рассказал командир батальона с позывным Гром.", {"Мы потеряли": ("Гром", None)}, "ru"
    )


def test_a_slavic_role_noun_is_the_name_after_it_in_its_case() -> None:
    assert_speakers(
        "Керівник обласного штабу допомоги Роман Ткач назвав роботу груп „безцінною“. "
        "За його словами, „без волонтерів села лишилися б без ліків“.",
        {"без волонтерів": ("Roman Tkach", None)},
        "uk",
    )


def test_a_sentence_after_the_quote_is_no_frame_and_plural_nouns_are_groups() -> None:
    assert_speakers(
        'Helena Marsh runs the institute. The companies always say, "We did not know." Fine. Now they know.',
        {"We did not know": (None, None)},
    )


def test_a_byline_keeps_its_small_words() -> None:
    quotes = quotes_of(
        'Ukrenergo says crews are at the site.\n\n"Stay in shelters until the all-clear." '
        "— Air Force of the Armed Forces of Ukraine"
    )
    quote = quote_with(quotes, "Stay in shelters")
    assert quote.attribution == "byline" and quote.speaker == "Air Force of the Armed Forces of Ukraine"


def test_a_partial_quote_under_a_verb_without_a_person_subject_is_the_reporters() -> None:
    assert_speakers(
        "A spokesman for Front Range Midstream, Dale Kuchar, said the company would publish "
        '"every page of the safety study" before the vote. Mr. Kravets said the lists had been agreed '
        '"name by name."',
        {"every page": ("Dale Kuchar", None)},
    )


def test_roles_the_entity_span_took_in_are_dropped_and_a_country_owning_a_name_kept() -> None:
    assert_speakers(
        'Opposition lawmaker Nino Zhvania told reporters: "They are afraid of Europe."',
        {"They are afraid": ("Nino Zhvania", None)},
    )
    assert_speakers(
        'Russia\'s Foreign Ministry said protecting its citizens was "one of our priorities."',
        {"one of our": ("Ministry of Foreign Affairs of Russia", None)},
    )
    assert_speakers(
        '"The enemy continues to attack," the General Staff said in its morning update.',
        {"The enemy": ("General Staff", None)},  # an institution keeps its title words
    )


def test_slavic_person_nouns_documents_and_organisations_speak() -> None:
    assert_speakers(
        "Командир батальйону майор Дмитро Савченко: „Ми тримаємо“.\n\n„Дякуємо всім“, — додав комбат.\n\n"
        "У КМВА відповіли, що список опублікують. „Ми відкриті до критики“, — йдеться у відповіді.\n\n"
        "За словами речника КМВА, „пунктів буде більше“.",
        {
            "Дякуємо": ("Dmytro Savchenko", None),
            "Ми відкриті": ("КМВА", None),
            "пунктів": ("Dmytro Savchenko", None),  # the spokesman named before
        },
        "uk",
    )
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
    assert_speakers(
        "Carl Vandermeer, the former chief of staff to Gov. Russell Gaines, testified that the governor "
        "approved the contract.\n\n"
        "\"He said, 'Make it happen,'\" Vandermeer told jurors.",
        {"Make it happen": ("Russell Gaines", None)},
    )
    assert_speakers(
        "«Банк России, по сути, сказал бизнесу: „Готовьтесь к дорогим деньгам“», — отметил экономист Павел Фомин.",
        {"Готовьтесь": ("Central Bank of Russia", None)},
        "ru",
    )
    assert_speakers(
        "„Нам кажуть: «Ми з вами». Ми відповідаємо: «Тоді швидше»“, — зазначив міністр Андрій Мороз.",
        {"Тоді швидше": ("Andrii Moroz", None), "Ми з вами": (None, None)},
        "uk",
    )


def test_a_quote_paragraph_continues_across_paragraphs_that_name_nobody_else() -> None:
    assert_speakers(
        'Natalia Hrytsenko says the villages are "emptier every week."\n\n'
        "Key quotes:\n\n"
        '"Every morning begins with the same call."\n\n'
        'She joined the group in spring.\n\n"It is your whole life in that house."\n\n'
        'He has driven the route since May.\n\n"We go at dawn."',
        {
            "Every morning": ("Natalia Hrytsenko", "continuation"),
            "It is your whole": ("Natalia Hrytsenko", "continuation"),
            "We go at dawn": (None, None),  # "he" is someone else
        },
    )


def test_a_person_right_after_a_quote_frames_it_whatever_the_verb() -> None:
    assert_speakers(
        'Defense Secretary Lloyd Harper said the documents would come later. "That is not good enough," '
        "Maria Lopez shot back.",
        {"That is not": ("Maria Lopez", "subject")},
    )


def test_interview_turns_tell_who_i_and_you_are() -> None:
    assert_speakers(
        "Colonel Jane Porter and Major Tom Kemper spoke to us at the base. Porter commands the brigade.\n\n"
        'KEMPER: I told my men, "Nobody goes out without a drone overhead."\n\n'
        'Q: You once said, "Winter favours the defender." Do you still think so?\n\n'
        'Q: I heard a soldier say, "We are tired." Is that fair?\n\n'
        "A: Yes. I answer the same way every time.",
        {
            "Nobody goes out": ("Tom Kemper", None),  # the turn's name
            "Winter favours": ("Jane Porter", None),  # you: the one interviewed
            "We are tired": (None, None),  # a soldier, told by the interviewer
        },
    )
    assert_speakers(
        "Оксана Грицай координує волонтерську групу.\n\n— Чи допомагає держава?\n\n"
        "— Допомагає, але повільно. Я собі повторюю: „Роби, що можеш, там, де ти є“.",
        {"Роби": ("Oksana Hrytsai", None)},
        "uk",
    )


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
    assert_speakers(
        'Pro-war blogger Roman Sedykh wrote that the marines were "mobilized men."\n\n'
        "Another blogger, writing under the name Northern Wind, went further. "
        '"If the generals cannot hold a river, how will they hold Crimea?" the blogger asked.',
        {"If the generals": ("Northern Wind", None)},
    )


def test_an_office_of_a_place_is_its_holder_never_the_place() -> None:
    assert_speakers(
        "Belgium's finance minister, Pieter Dusart, arrived first. Mrs. Vehlmann disagreed with him.\n\n"
        "Ukraine's finance minister joined the meeting by video link. According to a diplomat, he urged "
        'the ministers to "stop counting the risks."\n\n'
        'Belgium\'s finance minister later added that he was "not convinced."',
        {"stop counting": ("Finance Minister of Ukraine", None), "not convinced": ("Pieter Dusart", None)},
    )


def test_a_run_on_slavic_person_span_keeps_the_name() -> None:
    from extraction.quotes import _slavic_person_words

    assert _slavic_person_words(["Верховний", "Рада", "Вікторія", "Семенко"], "uk") == ["Вікторія", "Семенко"]
    assert _slavic_person_words(["Дмитрий", "Сергеевич", "Песков"], "ru") == ["Дмитрий", "Сергеевич", "Песков"]


def test_entity_spans_that_run_on_or_take_a_common_noun_are_mended() -> None:
    assert_speakers(
        "Речник Сил оборони півдня Дмитро Плетенчук зазначив, що ворог змінив тактику. "
        "„Дрони заходять з моря на малій висоті“, — пояснив речник.\n\n"
        "Мешканка Одеси Ганна розповіла, що прокинулася від вибухів. „Було дуже страшно“, — каже жінка.",
        {"Дрони заходять": ("Dmytro Pletenchuk", None), "Було дуже": (None, "nominal")},  # a given name alone
        "uk",
    )


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


def test_a_closing_typographic_mark_may_open_a_quote() -> None:
    assert marks("”We will win,” he said. „Ми тримаємо”, — додав він.") == ["We will win,", "Ми тримаємо"]


def test_a_cyrillic_speaker_is_named_in_latin_letters_without_the_patronymic() -> None:
    assert latin_person_name("Кирилл Ёршов", "ru") == "Kirill Yorshov"
    assert latin_person_name("Валентина Ёлкина-рудь", "ru") == "Valentina Yolkina-Rud"
    assert latin_person_name("Константин Воробьёв", "ru") == "Konstantin Vorobyov"
    assert latin_person_name("Мария Петровна Осипенко", "ru") == "Mariya Osipenko"
    assert latin_person_name("Ярослава Ґудзь", "uk") == "Yaroslava Gudz"
    assert latin_person_name("Dmytro Ivashchenko", "uk") == "Dmytro Ivashchenko"


def test_a_subjects_name_is_its_written_form_and_a_given_name_alone_is_the_full_name() -> None:
    text = (
        "В Госдуме к паузе отнеслись спокойно. Депутат Евгения Шмелёва напомнила: «Дипломатия — это не спринт».\n\n"
        "Сардана Иванова-Ойунская, 45 лет, работает медсестрой в городской больнице.\n\n"
        "Сардана провожает нас до машины. «Приезжайте в июле, у нас тоже бывает жара», — говорит Сардана."
    )
    quotes = quotes_of(text, "ru")
    deputy, nurse = quote_with(quotes, "Дипломатия"), quote_with(quotes, "Приезжайте")
    assert deputy.speaker_canonical == "Evgeniya Shmelyova"  # not the man's genitive "Евгений Шмелёв"
    assert nurse.speaker_canonical is not None and nurse.speaker_canonical.startswith("Sardana Ivanova")


SIGNED_POST = (
    "Многие спрашивают про эвакуацию. Я повторю то, что говорил на прошлой неделе: "
    "«Автобусы в Белгород ходят каждый день, места есть».\n\n"
    "Владислав Ждановский-Ким, глава округа"
)


@pytest.mark.parametrize(
    ("text", "language", "start", "attribution", "speaker"),
    [
        pytest.param(  # a manner-of-speaking verb; the subject's written name tells "она" the gender
            "Сардана Иванова-Ойунская, 45 лет, работает медсестрой в городской больнице. "
            "«Минус пятьдесят — это ещё нормально, мы шутим, что это бодрит», — смеётся она.",
            "ru",
            "Минус",
            "pronoun",
            "Sardana Ivanova",
            id="manner-verb",
        ),
        pytest.param(  # the named subject of a clause ending with a colon, whatever its verb
            "Хоккеисты «Авангарда» на своём льду обыграли «Ак Барс» со счётом 4:2.\n\n"
            "Главный тренер омичей Ярослав Гвоздецкий-Лурье остался доволен: «Ребята выполнили установку от и до».",
            "ru",
            "Ребята",
            "subject",
            "Yaroslav Gvozdetsky",
            id="colon-clause",
        ),
        pytest.param(  # a role noun with a name right after it the parse left unattached is no unnamed person
            "Оператор дронів Євген Ковтун-Ярош до війни працював програмістом у Львові. "
            "«Я думав, що відкладу клавіатуру надовго», — усміхається він.",
            "uk",
            "Я думав",
            "pronoun",
            "Yevhen Kovtun",
            id="name-after-role",
        ),
        pytest.param(  # a colon clause whose subject the parse left unattached: the one name in the nominative
            "Її колега з комітету Богдан Мар'янчук оптимізму не поділяє: "
            "«Без фінансування закон залишиться на папері».",
            "uk",
            "Без фінансування",
            "subject",
            "Bohdan Mar",
            id="colon-unattached-subject",
        ),
        pytest.param(SIGNED_POST, "ru", "Автобусы", "pronoun", "Vladislav Zhdanovsk", id="signed-post"),
    ],
)
def test_speaker_rules_of_the_third_held_out_round(
    text: str, language: str, start: str, attribution: str, speaker: str
) -> None:
    quote = quote_with(quotes_of(text, language), start)
    assert quote.attribution == attribution
    assert quote.speaker_canonical is not None and quote.speaker_canonical.startswith(speaker)


def test_a_colon_after_a_clause_without_a_person_and_an_unsigned_first_person_give_no_speaker() -> None:
    weather = quotes_of("Погода в Омске была такой: «минус тридцать и ветер».", "ru")
    assert weather and all(q.speaker_canonical is None for q in weather)
    unsigned = quote_with(quotes_of(SIGNED_POST.rsplit("\n\n", 1)[0], "ru"), "Автобусы")
    assert unsigned.speaker_canonical is None


def test_a_place_the_model_took_for_a_person_is_no_antecedent_and_an_aged_name_is_a_person() -> None:
    text = (
        "Natalia Hordiienko, 54, has run the bakery since her husband died. She bakes with two assistants.\n\n"
        '"When the sirens start, we keep the ovens on," she said on a recent morning.\n\n'
        "His strongest player is 12-year-old Zlata Hnatiuk, whose family moved here from Kherson in 2022.\n\n"
        '"He lets me win sometimes," she said of her coach.'
    )
    quotes = quotes_of(text, "en")
    assert quote_with(quotes, "When the sirens").speaker_canonical == "Natalia Hordiienko"
    assert quote_with(quotes, "He lets me").speaker_canonical != "Kherson"


# -- fifth round: national bodies, the scope of "according to", a body's name beside a person ----------------------


def test_a_national_body_is_named_in_english_whatever_its_script_or_acronym() -> None:
    assert_speakers(
        "Пожар на складе в Твери потушили к утру.\n\n"
        "«Пострадавших нет, огонь локализован», — сообщили в МЧС.\n\n"
        "«Резервы ликвидности достаточны», — заявили в Минфине.",
        {
            "Пострадавших": ("Ministry of Emergency Situations of Russia", None),
            "Резервы": ("Ministry of Finance of Russia", None),
        },
        "ru",
    )
    assert_speakers(
        "У Житомирі після обстрілу горіла котельня.\n\n«Вогонь ліквідовано за дві години», — повідомили в ДСНС.",
        {"Вогонь": ("State Emergency Service of Ukraine", None)},
        "uk",
    )


def test_according_to_opening_a_sentence_owns_the_quote_of_a_verb_without_a_named_subject() -> None:
    assert_speakers(
        "Mayor Olga Brandt opened the new ferry line on Monday.\n\n"
        'According to Brandt, about 300 people are expected every day, "and more in summer."',
        {"and more": ("Olga Brandt", "according_to")},
        "en",
    )
    assert_speakers(
        "Тренер Андрей Мухин подвёл итоги сезона.\n\nПо его словам, клуб ответил болельщикам «вежливым письмом».",
        {"вежливым": ("Andrey Mukhin", "according_to")},
        "ru",
    )
    # a named subject of the verb keeps its words
    assert_speakers(
        'According to Brandt, the harbour master Piet Kool said the pier was "safe for now."',
        {"safe for now": ("Piet Kool", None)},
        "en",
    )


def test_a_body_named_between_a_person_noun_and_the_name_is_not_the_speaker() -> None:
    assert_speakers(
        "Депутатка Верховної Ради Оксана Ярмолюк написала у Telegram: „Закон треба ухвалити до кінця року“.",
        {"Закон": ("Oksana Yarmoliuk", "subject")},
        "uk",
    )


def test_a_short_slavic_quote_in_what_a_speech_verb_reports_is_a_statement() -> None:
    quotes = quotes_of(
        "Голова громади Ірина Ковальчук визнала, що ситуація «непроста».\n\n"
        "Як казав мій перший учитель, «час лікує».\n\n"
        "Мешканці Ярівки пишуть, що гудок «ледве чути».",
        "uk",
    )
    admitted = quote_with(quotes, "непроста")
    assert admitted.kind == "statement" and admitted.speaker_canonical == "Iryna Kovalchuk"
    teacher, residents = quote_with(quotes, "час лікує"), quote_with(quotes, "ледве чути")
    assert teacher.kind == residents.kind == "statement"
    assert teacher.speaker_canonical is None and residents.speaker_canonical is None  # unnamed, a group


def test_the_second_half_of_a_split_slavic_quote_keeps_the_speaker() -> None:
    quotes = quotes_of(
        "Адвокатка Олена Гринчук заявила, що оскаржить рішення. «Ми підемо до апеляції,» — сказала вона, — "
        "«і до Верховного суду».",
        "uk",
    )
    second = quote_with(quotes, "і до Верховного")
    assert second.kind == "statement" and second.speaker_canonical == "Olena Hrynchuk"


def test_terms_call_signs_and_headlines_are_no_statements() -> None:
    quotes = quotes_of(
        "«Тут ніхто не здається»: репортаж з Куп'янська\n\n"
        "Командир роти з позивним «Граф» розповів: «Тримаємося». Так звані «тихі години» скасували, "
        "а слова «все спокійно» більше ніхто не пише.",
        "uk",
    )
    texts = {q.text: q.kind for q in quotes}
    assert "Граф" not in texts and "Тут ніхто не здається" not in texts
    assert texts["тихі години"] == texts["все спокійно"] == "scare"
    english = quotes_of(
        'The so-called "border bonus" was dropped, said Mayor Anna Kask. Our driver (call sign "Fox") waved.'
    )
    assert {q.text: q.kind for q in english} == {"border bonus": "scare"}


def test_a_first_person_before_a_colon_in_a_signed_post_is_its_author() -> None:
    quotes = quotes_of(
        "Друзі, ніч була неспокійна.\n\nОкремо про школи. Я доручив: «Усі укриття мають бути відкриті».\n\n"
        "Петро Гайовий",
        "uk",
    )
    assert quote_with(quotes, "Усі укриття").speaker_canonical == "Petro Haiovyi"


def test_a_dash_interview_with_a_double_surname_the_model_took_for_a_body() -> None:
    quotes = quotes_of(
        "Ганна Сидоренко-Мельник тримає пасіку на Поділлі.\n\n"
        "— Ви казали, що держава «не бачить малих пасічників». Чому?\n\n"
        "— Бо сертифікація дорога. Я кажу сину: «Спершу навчися, потім продаватимемо».",
        "uk",
    )
    assert quote_with(quotes, "не бачить").speaker_canonical == "Hanna Sydorenko-Melnyk"
    assert quote_with(quotes, "Спершу").speaker_canonical == "Hanna Sydorenko-Melnyk"


def test_a_ministry_is_named_with_its_country_from_the_owner_or_the_dateline() -> None:
    assert_speakers(
        "TALLINN, Estonia (Reuters) — Ferries to the islands were cancelled on Monday.\n\n"
        'Latvia\'s transport ministry said the ban was "temporary." The interior ministry said the '
        'decision was "necessary and proportionate."',
        {"temporary": ("Latvian Transport Ministry", None), "necessary": ("Estonian Interior Ministry", "nominal")},
        "en",
    )


def test_a_full_sentence_quote_is_not_framed_by_the_next_sentence() -> None:
    text = (
        "Q: How do you keep the drivers going?\n\n"
        'A: I tell them, "Leave the passengers somewhere warm, then walk back." Nobody argues.\n\n'
        "Marta Kovalenko runs the depot."
    )
    quote = quote_with(quotes_of(text, "en"), "Leave the passengers")
    assert quote.speaker_canonical == "Marta Kovalenko" and quote.verb == "tell"


def test_a_title_the_model_left_out_and_a_name_given_by_a_participle() -> None:
    assert_speakers(
        'Mayor Liisa Tamm told the council, "We will not give up." Protesters left at noon.\n\n'
        '"We will keep asking," the mayor said.\n\n'
        'Their engineer, a quiet man named Oskar Lepp, always starts with, "Nothing broke today."',
        {"We will keep": ("Liisa Tamm", "nominal"), "Nothing broke": ("Oskar Lepp", "subject")},
        "en",
    )


def test_he_in_an_answer_is_never_the_one_answering() -> None:
    text = (
        "Aliya Serikova heads the flood office in Atyrau.\n\n"
        'Q: What did the governor say?\n\nA: He said, "Then give me a plan by December."'
    )
    assert quote_with(quotes_of(text, "en"), "Then give me").speaker_canonical != "Aliya Serikova"


def test_according_to_a_group_and_a_role_before_a_name() -> None:
    quotes = quotes_of(
        "Суд арестовал бывшего директора завода Олега Сомова. По словам следователей, деньги «ушли в офшоры». "
        "По словам начальника Тульского УФНС Марины Лесковой, проверка «только началась».",
        "ru",
    )
    group = quote_with(quotes, "ушли в офшоры")
    assert group.kind == "statement" and group.speaker_canonical is None
    assert quote_with(quotes, "только началась").speaker_canonical == "Marina Leskova"


def test_a_womans_surname_keeps_its_form_after_a_nominative_given_name() -> None:
    quotes = quotes_of(
        "Адвокат Сомова Алина Бережная заявила, что обжалует арест. «Мы будем бороться», — сказала она.", "ru"
    )
    assert quote_with(quotes, "Мы будем").speaker_canonical == "Alina Berezhnaya"


def test_a_city_body_is_the_body_of_the_storys_city() -> None:
    assert_speakers(
        "В Томске из-за аварии на теплотрассе без отопления остались 40 домов. Жители Томска жалуются.\n\n"
        "«Бригады работают круглосуточно», — уточнили в мэрии.\n\n"
        "«Компенсации будут», — заверили в горсовете.",
        {"Бригады": ("Tomsk City Administration", "nominal"), "Компенсации": ("Tomsk City Council", "nominal")},
        "ru",
    )
    assert_speakers(
        "У Полтаві відкрили новий міст через Ворсклу. Мешканці Полтави чекали на нього два роки.\n\n"
        "«Гроші виділено з бюджету громади», — наголосили в міській раді.",
        {"Гроші": ("Poltava City Council", "nominal")},
        "uk",
    )


def test_a_ukrainian_word_with_an_apostrophe_stays_one_token_for_the_parser() -> None:
    from extraction.syntax import parse_documents

    text = "«Ми відкриємося в п'ятницю», — сподівається власниця кав’ярні Ірина Волошин."
    parse = parse_documents([(text, "uk")])[0]
    assert parse is not None
    words = [t.text for t in parse.tokens]
    assert "кав’ярні" in words and "п'ятницю" in words  # the document's own apostrophes, one token each
    assert quote_with(quotes_of(text, "uk"), "Ми відкриємося").speaker_canonical == "Iryna Voloshyn"


def test_a_statement_is_the_body_that_last_reported() -> None:
    assert_speakers(
        "ХЕРСОН, 4 грудня /Укрінформ/. Суд узяв під варту посадовця міськради, повідомили в Офісі генпрокурора.\n\n"
        "«Посадовець вимагав хабар за дозвіл», — йдеться в повідомленні.",
        {"Посадовець": ("Office of the Prosecutor General of Ukraine", "nominal")},
        "uk",
    )


def test_a_body_without_its_country_is_the_curated_body_of_the_storys_country() -> None:
    assert_speakers(
        "Night report from Poltava. Two drones hit the outskirts of Poltava around 3 a.m.\n\n"
        'The State Emergency Service said the damage was "limited to two houses." Ukraine\'s General Staff said '
        'the attack was "one of the largest this month." The Energy Ministry said outages would last '
        '"four hours a day at most."',
        {
            "limited": ("State Emergency Service of Ukraine", None),
            "one of the largest": ("General Staff of Ukraine", None),
            "four hours": ("Ministry of Energy of Ukraine", None),
        },
        "en",
    )


def test_a_coordinated_clause_with_its_own_subject_and_a_conjunct_after_a_partial_quote() -> None:
    assert_speakers(
        'The council promised money, and the head of transport, Ivan Oleksiuk, said in public, "Line 5 will run by '
        'June." I am holding him to it.\n\n'
        'The Estonian Farmers Union said in a statement that the tax "will ruin small farms" and called for a delay.',
        {"Line 5": ("Ivan Oleksiuk", "subject"), "will ruin": ("Estonian Farmers Union", None)},
        "en",
    )


def test_a_womans_surname_ending_in_a_consonant_does_not_decline() -> None:
    quotes = quotes_of("По словам главы лаборатории Марины Ооржак, сезон стал «самым тёплым за десять лет».", "ru")
    assert quote_with(quotes, "самым").speaker_canonical == "Marina Oorzhak"


def test_a_person_of_someone_named_by_a_possessive_is_nobody_named() -> None:
    text = (
        "The head of the district administration, Petro Marchuk, reports that gas is back.\n\n"
        'I asked the State Emergency Service for heaters. Their regional head answered quickly: "Done by noon."'
    )
    assert quote_with(quotes_of(text, "en"), "Done by noon").speaker_canonical is None


def test_a_ukrainian_mans_surname_in_ko_after_an_oblique_given_name() -> None:
    quotes = quotes_of("Втім, за словами мера Андрія Гаврилька, рух мостом «більше не відновиться».", "uk")
    assert quote_with(quotes, "більше не").speaker_canonical == "Andrii Havrylko"


# -- seventh round -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "first", "second", "speaker"),
    [
        (
            "Штурман Павел Горелов рассказал о переходе. «Лед тонкий, — сказал он, — но мы прошли без ледокола».",
            "ru",
            "Лед тонкий,",
            "но мы прошли без ледокола",
            "Pavel Gorelov",
        ),
        (
            "Пекарка Оксана Дідух відкрила цех. «Печемо з п'ятої ранку. — пояснила вона. — Хліб розбирають до обіду».",
            "uk",
            "Печемо з п'ятої ранку.",
            "Хліб розбирають до обіду",
            "Oksana Didukh",
        ),
    ],
)
def test_a_frame_between_dashes_inside_guillemets_splits_the_quote(
    text: str, language: str, first: str, second: str, speaker: str
) -> None:
    quotes = [q for q in quotes_of(text, language) if q.kind == "statement"]
    assert [q.text for q in quotes] == [first, second]
    assert [q.speaker_canonical for q in quotes] == [speaker, speaker]


def test_a_dash_inside_guillemets_without_a_speech_verb_keeps_the_quote_whole() -> None:
    quotes = quotes_of("Директор завода Игорь Ланской сказал: «План, — увы, — не выполнен, но к маю догоним».", "ru")
    assert [q.text for q in quotes] == ["План, — увы, — не выполнен, но к маю догоним"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ('The station still plays the morning show "Coffee With Tamara," and the mayor said it helps.', "en"),
        ('Ms. Ortega said her new novel, "The Salt Road," will be out in May.', "en"),
        ('The agency\'s plan is called "Clean Rivers." Critics said it came late.', "en"),
        ("По словам Ирины Бегловой, выставку «Лунный сад» увидят в трех городах.", "ru"),
        ("Режисерка Марта Гнідич представила фільм «Дім над Ворсклою» у Полтаві.", "uk"),
    ],
)
def test_a_capitalised_name_after_a_common_noun_is_no_quotation(text: str, language: str) -> None:
    assert [q.text for q in quotes_of(text, language) if q.kind == "statement"] == []


def test_a_sentence_after_a_common_noun_is_still_a_quotation() -> None:
    quotes = quotes_of("Активист Олег Пантелеев сообщил, что на митинге поднимут плакат «Парк — наш, а не ваш».", "ru")
    assert [q.text for q in quotes if q.kind == "statement"] == ["Парк — наш, а не ваш"]


def test_a_role_noun_opening_the_sentence_is_no_surname() -> None:
    # "Майстер" is a surname to pymorphy3 too; before a genitive at the sentence start it is a role
    assert_speakers(
        "Майстер цеху зварювання Богдан Ярошенко-Ліс працює на заводі тридцять років. «Шви тримають, — каже він. "
        "— Перевіряли вночі».",
        {"Шви тримають": ("Bohdan Yaroshenko-Lis", "pronoun")},
        "uk",
    )


def test_a_ukrainian_given_name_with_the_modifier_apostrophe_declines() -> None:
    assert_speakers(
        "Студентка Марʼяна Гуцол-Вірста каже, що «гуртожиток відремонтували».\n\n«Стало тепло», — додала вона.",
        {"Стало тепло": ("Mariana Hutsol-Virsta", "pronoun")},
        "uk",
    )


def test_an_interview_label_is_never_the_subject() -> None:
    quotes = quotes_of(
        "An interview with a shipping analyst.\n\n"
        'Q: The Transport Ministry said in May that it hopes to reopen "most river ports" by spring. Is that '
        "realistic?\n\nA: Partly. Ice is not the only risk."
    )
    assert quote_with(quotes, "most river ports").speaker == "Transport Ministry"
    quotes = quotes_of(
        "An interview with a banker.\n\nQ: Norway's central bank governor, Ingrid Solberg, has described the "
        'economy as "overheated." Is that still true?\n\nA: Less so.'
    )
    assert quote_with(quotes, "overheated").speaker_canonical == "Ingrid Solberg"


def test_a_name_before_a_participle_clause_is_the_subject_of_the_speech_verb() -> None:
    assert_speakers(
        "Finance Minister Laura Brenner, asked about the deficit at a news conference, said the cabinet had "
        '"no plans to raise taxes" this year.',
        {"no plans": ("Laura Brenner", "subject")},
    )


def test_continue_with_an_object_is_no_speech_verb() -> None:
    assert_speakers(
        "Gen. Tomas Ruud told reporters the raids were aimed at depots and said Oslo would continue them "
        '"as long as the fuel keeps coming."',
        {"as long as": ("Tomas Ruud", "subject")},
    )


def test_a_name_with_an_age_is_a_person_whatever_the_entity_label() -> None:
    text = (
        "The youngest rower is 14-year-old Marta Kulyk, who came from Odesa last spring. She rarely speaks on the "
        'water.\n\n"The river is louder than the coach," she said.'
    )
    start = text.index("Marta")
    place = Mention("Marta Kulyk", LOC, start, start + 11, "Marta Kulyk", "en", "Marta Kulyk", "LOC:martakulik")
    (quote,) = extract_quotes(text, [place])  # the entity model took the name for a place
    assert (quote.speaker_canonical, quote.attribution) == ("Marta Kulyk", "pronoun")


def test_a_transliterated_womans_name_tells_the_gender_by_its_spelling_key() -> None:
    # the lexicon of women's names spells "Natalia", "Viktoria"; Ukrainian passports "Nataliia", "Viktoriia"
    assert _female_name("Nataliia") and _female_name("Viktoriia") and _female_name("Olha")
    assert not _female_name("Mykola") and not _female_name("Petro") and not _female_name("")


def test_a_role_the_entity_span_took_in_before_a_slavic_name_is_cut() -> None:
    # the entity model reads "Адвокатка Гаврищука-Мельника" as a person and "Ольга Стасюк" as another
    text = (
        "Адвокатка Гаврищука-Мельника Ольга Стасюк назвала вирок «необґрунтованим». «Мій клієнт нічого не "
        "підписував, — заявила вона Суспільному. — Рішення ухвалювали інші»."
    )
    quotes = [q for q in quotes_of(text, "uk") if q.kind == "statement"]
    assert [q.speaker_canonical for q in quotes] == ["Olha Stasiuk"] * 3
    text = "Львів'янин Остап Кузик-Рій вийшов до журналістів. «Ми подамо апеляцію», — заявив він."
    demonym = Mention("Львів'янин Остап Кузик-Рій", PER, 0, 26, "", "uk", "Львів'янин Остап Кузик-Рій", "PER:y")
    (quote,) = extract_quotes(text, [demonym], "uk")
    assert quote.speaker_canonical == "Ostap Kuzyk-Rii"


def test_a_speech_verb_opening_its_own_quote_does_not_frame_the_one_before() -> None:
    quotes = quotes_of(
        "Смотритель маяка Игорь Белоусов рассказал о посетителях. Одна девочка спросила: «А маяк горячий? Его можно "
        "потрогать?» Я ответил: «Можно, но только днем».",
        "ru",
    )
    question = quote_with(quotes, "А маяк горячий")
    assert (question.speaker_canonical, question.verb) == (None, "спросить")


def test_a_relative_named_after_the_family_noun_without_a_comma_shares_the_family_name() -> None:
    assert_speakers(
        "Ilona Virtanen has farmed here for forty years. Virtanen's son Aleksi, who mends the fences, counted the "
        'calves. "Eleven this spring," he said.',
        {"Eleven": ("Aleksi Virtanen", "pronoun")},
    )


def test_a_name_after_a_settlement_noun_and_of_is_no_person_between_a_quote_and_its_continuation() -> None:
    text = '"The road is closed," said Matti Harju, a driver from the village of Pelkosenniemi. "Nobody told us."'
    at = text.index("Matti")
    driver = Mention("Matti Harju", PER, at, at + 11, "", "en", "Matti Harju", "PER:matiharu")
    at = text.index("Pelkosenniemi")  # the entity model took the village for a person
    village = Mention("Pelkosenniemi", PER, at, at + 13, "", "en", "Pelkosenniemi", "PER:pelkosenemi")
    quotes = extract_quotes(text, [driver, village])
    assert [(q.speaker_canonical, q.attribution) for q in quotes] == [
        ("Matti Harju", "subject"),
        ("Matti Harju", "continuation"),
    ]


def test_a_name_before_its_appositive_is_the_subject_the_parse_missed() -> None:
    assert_speakers(
        "Asked whether the port had enough cranes, Capt. Rainer Holm, the harbour master of the northern terminal "
        'handling the grain, conceded that "nobody ever has enough."',
        {"nobody": ("Rainer Holm", "subject")},
    )
    assert_speakers(
        "Міський голова Олег Сівак, який вранці оглянув пошкоджений міст, зауважив, що «ремонт триватиме місяць».",
        {"ремонт": ("Oleh Sivak", "subject")},
        "uk",
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("«Тримаємо лінію вже третій тиждень», — розповідає командир взводу з позивним «Сокіл».", "uk"),
        (
            "Командир расчета с позывным «Кедр» рассказал: «Работаем только ночью». "
            "«Днем небо занято», — добавил Кедр.",
            "ru",
        ),
    ],
)
def test_a_call_sign_in_quotes_names_nobody(text: str, language: str) -> None:
    quotes = [q for q in quotes_of(text, language) if q.kind == "statement"]
    assert quotes and all(q.speaker_canonical is None and q.attribution is not None for q in quotes)


def test_ukrainian_speech_verbs_keep_their_sound_alternations() -> None:
    assert is_speech_verb("ітися", "uk") and is_speech_verb("йтися", "uk")  # "ідеться" and "йдеться"
    assert not is_speech_verb("ітися", "ru")
    assert_speakers(
        "«Укрводоканал» попередив про перебої з водою. «Ремонт триватиме до вечора», — ідеться в повідомленні "
        "компанії.",
        {"Ремонт": ("Укрводоканал", "nominal")},
        "uk",
    )


def test_according_to_a_titled_name_with_an_abbreviation() -> None:
    assert_speakers(
        'Mr. Okafor asked about exports. According to Adm. Lindqvist, "roughly half" of the output goes abroad.',
        {"roughly half": ("Lindqvist", "according_to")},
    )


def test_a_parenthetical_speech_verb_frames_the_partial_quote_after_it() -> None:
    assert_speakers(
        'At this rate, the agency\'s field director, Tomasz Wielgosz, says, the repairs will take "months, not weeks."',
        {"months": ("Tomasz Wielgosz", "subject")},
    )


def test_a_speech_participle_on_the_object_frames_the_quote() -> None:
    assert_speakers(
        'Q: Were the forecasts wrong?\n\nA: Often. I remember an adviser telling a summit in Oslo, "Oil will be '
        'worthless by June." Nobody laughed.',
        {"Oil will be": (None, "nominal")},
    )


def test_a_relative_clause_speech_verb_does_not_frame_the_quote_after_a_colon() -> None:
    quotes = quotes_of(
        "Anna Berg reported from the talks.\n\nAn official I met after the session, who asked not to be named, "
        'summed it up: "Everyone is waiting for someone else."'
    )
    quote = quote_with(quotes, "Everyone is waiting")
    assert quote.speaker_canonical is None and quote.verb != "meet"


def test_a_role_noun_in_an_interview_answer_is_not_the_person_answering() -> None:
    text = (
        "An interview with Mayor Ostap Kravchenko of Zolotonosha.\n\nQ: What did the government promise?\n\n"
        'A: The minister said at our last meeting that the money was "on its way." It is still on its way.'
    )
    assert quote_with(quotes_of(text), "on its way").speaker_canonical is None


@pytest.mark.parametrize(
    ("text", "language", "speaker"),
    [
        (
            "Мы поговорили с директором музея Ниной Гавриловой.\n\n— Нина Петровна, вы как-то сказали, что «музей — "
            "это память города». Это по-прежнему так?\n\n— Да, конечно.",
            "ru",
            "Nina Gavrilova",
        ),
        (
            "Ми поговорили з директоркою бібліотеки Оксаною Дячук-Левицькою.\n\n— Пані Оксано, ви якось сказали, що "
            "«бібліотека — це укриття для думки». Чому?\n\n— Бо люди тут відпочивають.",
            "uk",
            "Oksana Diachuk-Levytska",
        ),
    ],
)
def test_a_name_addressed_before_you_is_not_the_subject(text: str, language: str, speaker: str) -> None:
    quote = next(q for q in quotes_of(text, language) if q.kind == "statement")
    assert quote.speaker_canonical == speaker and quote.attribution == "pronoun"


def test_a_given_name_alone_labelled_a_body_is_the_person_named_in_full_with_it() -> None:
    text = (
        "The best rower is Mariam Tsereteli. Her coach, Levan Beridze, drives the boat.\n\nMariam wants to race in "
        'Poland next year. Asked why, she smiled. "The water there is calm," she said.'
    )
    at, again = text.index("Mariam Tsereteli"), text.index("Mariam wants")
    person = Mention("Mariam Tsereteli", PER, at, at + 16, "", "en", "Mariam Tsereteli", "PER:mariamtsereteli")
    body = Mention("Mariam", ORG, again, again + 6, "", "en", "Mariam", "ORG:mariam")  # the model's label
    (quote,) = extract_quotes(text, [person, body])
    assert (quote.speaker_canonical, quote.attribution) == ("Mariam Tsereteli", "pronoun")


def test_a_reported_verb_the_parse_hung_inside_the_quote_is_reported_by_the_verb_before() -> None:
    assert_speakers(
        "Найбільше уваги зібрала презентація збірки «Сіль і попіл» ветерана Остапа Гнатюка. Автор сказав "
        "читачам, що писав книжку «в окопі, у шпиталі і в потязі».",
        {"в окопі": ("Ostap Hnatiuk", "nominal")},
        "uk",
    )


def test_a_byline_naming_a_document_of_its_author() -> None:
    text = (
        'Reactions to the summit.\n\n"We will keep working." — Anna Lindgren, Swedish foreign minister\n\n'
        '"The summit changed nothing." — Hungarian Foreign Ministry statement'
    )
    quote = quote_with(quotes_of(text), "The summit changed")
    assert quote.attribution == "byline" and quote.speaker_canonical is not None
    assert "Lindgren" not in quote.speaker_canonical


@pytest.mark.parametrize(
    ("text", "speaker"),
    [  # a dative outlet right after the verb is the one told
        ("«Сезон почнемо вчасно», — сказав Укрінформу головний тренер клубу Остап Мирошник.", "Ostap Myroshnyk"),
        ("«Дорогу відкриють у травні», — розповів Суспільному начальник служби Петро Дубчак.", "Petro Dubchak"),
        # a body between a role noun and a name owns the role
        ("Як зазначив речник Повітряних сил Тарас Ковальчук, «ракети летіли низько».", "Taras Kovalchuk"),
        ("Як зазначила директорка УЦОЯО Марта Гнатюк, «тест пройде вчасно».", "Marta Hnatiuk"),
    ],
)
def test_a_name_after_the_verb_that_is_no_subject_gives_way_to_the_person_named(text: str, speaker: str) -> None:
    (quote,) = quotes_of(text, "uk")
    assert quote.speaker_canonical == speaker


@pytest.mark.parametrize(
    ("text", "language", "start"),
    [
        ('Our driver, Taras, always says that "roads are for the brave."', "en", "roads are"),
        ("Летом к ней приезжает внучка Маша. «Я тут учусь лепить», — смеется Маша.", "ru", "Я тут"),
    ],
)
def test_a_given_name_alone_is_nobody_named(text: str, language: str, start: str) -> None:
    quote = quote_with(quotes_of(text, language), start)
    assert quote.speaker is not None and quote.speaker_canonical is None


def test_a_pronoun_after_someone_not_named_in_full_is_that_person_not_an_earlier_name() -> None:
    text = (
        "Ivan Kovalenko runs the depot.\n\nAn old man, Taras, refused to take a heater because his neighbour "
        'needed it more. "I have a stove," he said.'
    )
    quote = quote_with(quotes_of(text, "en"), "I have a stove")
    assert (quote.speaker, quote.speaker_canonical) == ("he", None)


def test_a_call_sign_given_in_quotes_with_its_comma_inside_names_nobody() -> None:
    text = 'The unit\'s commander, call sign "Sokil," asked me to pass this on: "We need tourniquets, not medals."'
    quote = quote_with(quotes_of(text, "en"), "We need")
    assert quote.speaker is not None and quote.speaker_canonical is None


def test_a_plural_subject_the_best_reading_takes_for_a_locative_does_not_stop_a_singular_noun() -> None:
    text = (
        "Її власник Остап Литвиненко-Сірий приїхав із Куп'янська.\n\n"
        "«Тут я почав з нуля», — згадує Литвиненко-Сірий.\n\n"
        "Спершу переселенці не розуміли його кави. «Казали, що гірка. А тепер беруть по дві», — сміється бариста."
    )
    quote = quote_with(quotes_of(text, "uk"), "Казали")
    assert quote.speaker_canonical is not None and "Lytvynenko" in quote.speaker_canonical


def test_a_document_noun_the_parse_hung_on_its_owner_still_names_the_owner() -> None:
    text = (
        "ЛУЦЬК. Суд заарештував посадовця митниці. Про це повідомили у Волинській обласній прокуратурі.\n\n"
        "«Посадовець отримав 40 тисяч доларів хабара», — йдеться в повідомленні прокуратури."
    )
    quote = quote_with(quotes_of(text, "uk"), "Посадовець отримав")
    assert quote.speaker_canonical is not None and "прокуратура" in quote.speaker_canonical.lower()


@pytest.mark.parametrize("title", ["Cmdr.", "Capt.", "Sgt."])
def test_an_abbreviated_title_ends_no_sentence_before_the_name(title: str) -> None:
    text = f'Officials spoke on Monday. "The convoy was late by an hour," {title} Oskar Lindqvist told reporters.'
    (quote,) = quotes_of(text, "en")
    assert (quote.speaker_canonical, quote.verb) == ("Oskar Lindqvist", "tell")


def test_a_name_the_entity_model_missed_opening_the_sentence_before_an_appositive_is_the_subject() -> None:
    text = 'Officials spoke on Monday. Andrii Kravets, our mechanic in Lviv, called the truck "the best one yet."'
    (quote,) = quotes_of(text, "en")
    assert quote.attribution == "subject" and (quote.speaker_canonical or "").endswith("Kravets")


def test_a_title_tells_the_gender_before_the_spelling_of_the_given_name() -> None:
    text = (
        '"The rules are clear," said Tom Ashby of the campaign group.\n\n'
        'The port\'s harbor master, Mr. Ian Polwhele, said the ship had become "a landmark."\n\n'
        '"Children wave at it every morning," he said.'
    )
    quote = quote_with(quotes_of(text, "en"), "Children wave")
    assert quote.speaker_canonical == "Ian Polwhele"


def test_according_to_a_role_then_a_name_between_commas_is_the_named_person() -> None:
    text = (
        'The Treasury said the costs were "under review."\n\nAccording to the government\'s lawyer, Emma Trask, '
        'the buyer had "no staff and no office" at the time.'
    )
    quote = quote_with(quotes_of(text, "en"), "no staff")
    assert (quote.speaker_canonical, quote.attribution) == ("Emma Trask", "according_to")


def test_a_relative_clause_after_the_quote_is_no_frame() -> None:
    text = (
        "The Health Ministry pays for the drugs.\n\nIn May the ministry wrote to us that the clinic was "
        '"a model for rural care," which was nice to read, but we need a second surgeon.'
    )
    quote = quote_with(quotes_of(text, "en"), "a model for")
    assert (quote.verb, quote.speaker_canonical) == ("write", "Health Ministry")


def test_a_country_owned_body_curated_nowhere_is_named_with_the_country_s_demonym() -> None:
    text = 'Estonia\'s Coast Guard, which patrols the bay, said it had followed the ship "for two days."'
    (quote,) = quotes_of(text, "en")
    assert quote.speaker_canonical == "Estonian Coast Guard"


def test_a_span_opening_with_a_dictionary_given_name_is_a_person_whatever_its_label() -> None:
    text = (
        "Голова громади Олег Бондар закликав мешканців «не знімати відео».\n\n"
        "Мешканець сусіднього села Тарас Ковтунець розповів, що прокинувся від вибуху. "
        "«Вікна затрусилися», — сказав чоловік."
    )
    head, villager = text.index("Олег Бондар"), text.index("Тарас Ковтунець")
    mentions = [
        Mention("Олег Бондар", PER, head, head + 11, "", "uk", "Олег Бондар", "PER:olehbondar"),
        Mention("Тарас Ковтунець", LOC, villager, villager + 15, "", "uk", "Taras Kovtunets", "LOC:taraskovtunets"),
    ]  # the model's label for the villager
    quote = quote_with(extract_quotes(text, mentions, "uk"), "Вікна")
    assert quote.speaker_canonical is not None and "Kovtun" in quote.speaker_canonical


def test_according_to_plural_people_of_a_body_is_a_group() -> None:
    text = (
        "Глава области Игорь Петров заявил, что ситуация «под контролем».\n\n"
        "По словам гидрологов Томского ЦГМС, «подъем воды продолжится еще двое суток»."
    )
    quote = quote_with(quotes_of(text, "ru"), "подъем воды")
    assert quote.speaker_canonical is None


# -- round 9: bodies named by their noun -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (  # a bare ministry in a story the dateline sets in a country: that country's ministry
            "SOFIA, Bulgaria (AP) — Debris of a drone fell near a farm, the Defense Ministry said on Monday.\n\n"
            '"Nobody was hurt," the Defense Ministry said.',
            "Bulgarian Defense Ministry",
        ),
        (  # a town's own body: the town its possessor names
            "Our van reached Pokrovsk again this week.\n\n"
            'Pokrovsk\'s military administration says the road will be repaired "before winter."',
            "Pokrovsk City Military Administration",
        ),
        (  # "the city council", then "the council": the dateline's town
            "POLTAVA, Ukraine — Trams stopped on Tuesday after a strike on a substation.\n\n"
            "The city council said repairs would take a week. "
            '"We ask residents to be patient," the council said.',
            "Poltava City Council",
        ),
    ],
)
def test_a_body_named_by_its_noun_belongs_to_the_story_country_or_town(text: str, speaker: str) -> None:
    quote = quotes_of(text)[-1]
    assert quote.speaker_canonical == speaker, quote


def test_the_ministry_of_national_defence_is_the_defence_ministry() -> None:
    from extraction.canonical import strip_descriptors

    assert strip_descriptors("Ministry of National Defence of Lithuania") == strip_descriptors(
        "Lithuanian Defence Ministry"
    )


# -- round 9: pronouns and given names ----------------------------------------------------------------------------


def test_a_given_name_alone_is_the_person_the_text_writes_in_full() -> None:
    assert_speakers(  # the entity model finds no name in "Nadiya laughed", and tags the word a plural noun
        "The owners, Nadiya and Petro Shvets, came from Mariupol.\n\n"
        '"The starter survived," Nadiya Shvets, 44, said as she pulled a tray from the oven.\n\n'
        '"I come for the rolls." — Ostap Lisovyi, 35, bus driver\n\n'
        'The bank called their plan "ambitious." Nadiya laughed at that.\n\n'
        '"Ambitious is the word," she said.',
        {"Ambitious": ("Nadiya Shvets", "pronoun")},
    )


def test_he_added_goes_to_the_person_named_since_the_last_quote() -> None:
    assert_speakers(
        'Poland\'s foreign minister, Radoslaw Sikorski, said on Facebook that Warsaw would "not pay twice."\n\n'
        "Belgium has warned of legal risks. Its foreign minister, Bernard Quintin, said Belgium backed the plan. "
        '"But we are the ones who will be sued," he added.',
        {"But we are": ("Bernard Quintin", "pronoun")},
    )


def test_her_husband_is_not_the_woman_who_owns_the_noun() -> None:
    quotes = quotes_of('"We stayed," Iryna Mazur said.\n\nHer husband said: "Bread is engineering."')
    assert quote_with(quotes, "Bread").speaker_canonical is None


def test_a_relative_with_her_own_given_name_is_not_the_man_of_that_surname() -> None:
    assert_speakers(  # the entity model's span is the surname alone, canonicalised to the man named first
        "Clarence Angutik, a whaler, said the ships worried him.\n\n"
        "Not everyone agrees. Angutik's niece, Nivi Angutik, who teaches at the school, said children ask about "
        'it. "I told them they are just passing," she said.',
        {"I told them": ("Nivi Angutik", "pronoun")},
    )


# -- round 9: acronyms, unnamed people, the narrator ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "speaker"),
    [
        (  # an acronym the text spells out is that name
            "Oil exports via the Baltic Grain Terminal (BGT) were halted for a day.\n\n"
            '"Loadings will resume when it is safe," BGT said in a statement.',
            "Loadings",
            "Baltic Grain Terminal",
        ),
        (  # "a spokesperson for X" is someone of X, not named
            "The outage hit three refineries.\n\nA spokesperson for Nordvik Energy, the largest producer, said the "
            'company was "adjusting output to storage."',
            "adjusting",
            None,
        ),
        (  # "the official" is the unnamed official introduced before, not the last person named
            "According to a senior EU official, the text will be ready next week. Kaja Kallas said she was hopeful."
            '\n\n"We are very close," the official said.',
            "We are very close",
            None,
        ),
        (  # "I" in a post is its author, who signs it after a dash, however often it names someone else
            "Friends, quick update from the road.\n\nOur driver, Greg Hollis, took the third car across three "
            "borders. Greg Hollis had never been to Ukraine.\n\nPeople ask why we buy used cars. I always answer "
            'the same: "A new car costs five used ones."\n\nThank you all.\n\n— Ostap Hrytsenko, Good Roads Trucks',
            "A new car",
            "Ostap Hrytsenko",
        ),
        (  # "I" in an interview is the person its introduction names, however often the questions name another
            "Mila Sorensen-Kask is an economist at a Tallinn institute. This interview has been edited.\n\n"
            'Q: Russia\'s central bank governor, Elvira Nabiullina, has called the economy "overheated." Is it?\n\n'
            'Q: And the sanctions?\n\nA: Slow. In the paper I wrote: "Adaptation is not growth."\n\n'
            "Q: Did Nabiullina agree?\n\nA: Elvira Nabiullina did not answer.",
            "Adaptation",
            "Mila Sorensen-Kask",
        ),
    ],
)
def test_who_speaks_when_the_text_names_them_indirectly(text: str, start: str, speaker: str | None) -> None:
    assert quote_with(quotes_of(text), start).speaker_canonical == speaker


def test_a_romanised_given_name_tells_its_gender() -> None:
    from extraction.quotes import _romanised_gender

    assert (_romanised_gender("Elvira"), _romanised_gender("Taras"), _romanised_gender("Jean")) == ("f", "m", "")


def test_a_bare_national_body_in_russian_is_the_story_countrys() -> None:
    assert_speakers(
        "Под Белгородом снова сбили беспилотники, сообщили в Белгороде.\n\n"
        "Министерство обороны в сводке сообщило об «улучшении положения на переднем крае». Белгород готовится к зиме.",
        {"улучшении": ("Russian Defense Ministry", "subject")},
        "ru",
    )


def test_of_two_subjects_the_one_an_appositive_names_speaks() -> None:
    assert_speakers(
        "Госдума приняла в первом чтении законопроект о маркировке рыбы.\n\n"
        "Один из авторов документа, председатель комитета Госдумы по рыболовству Петр Карасев, заявил на "
        "заседании, что до трети рыбы на полках магазинов «к морю отношения не имеет».",
        {"к морю": ("Petr Karasev", "subject")},
        "ru",
    )


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            "У Полтаві відкрили пункт обігріву.\n\n«Пункт працює цілодобово», — повідомили в Полтавській міській "
            "військовій адміністрації.",
            "Poltava City Military Administration",
        ),
        (
            "Рятувальники працювали всю ніч.\n\n«Загрози для мешканців немає», — повідомила Волинська ОВА.",
            "Volyn Regional Military Administration",
        ),
    ],
)
def test_a_ukrainian_town_or_region_body_has_its_english_name(text: str, speaker: str) -> None:
    assert quotes_of(text, "uk")[0].speaker_canonical == speaker


def test_an_owners_body_in_a_place_keeps_the_place() -> None:
    assert_speakers(
        "Britain will train Ukrainian marines.\n\n"
        'Russia\'s embassy in Oslo called the programme "a provocation" in a post on X.',
        {"a provocation": ("Embassy of Russia in Oslo", None)},
    )


def test_a_body_named_by_lower_case_words_is_the_story_countrys_curated_one() -> None:
    assert_speakers(
        "Drones hit the port of Izmail overnight, officials in Odesa and Kyiv said.\n\n"
        "The air force says 30 of 40 drones were shot down over the south. "
        'It called the attack "one of the heaviest this year."',
        {"one of the heaviest": ("Air Force of the Armed Forces of Ukraine", None)},
    )
