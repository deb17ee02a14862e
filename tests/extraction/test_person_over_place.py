"""Issue 26, seventh round: a person reading beats a place reading inside a person span (made-up sentences; real
natasha and pymorphy3 models)."""

from __future__ import annotations

from functools import lru_cache

import pytest

from extraction.canonical import Mention
from extraction.entities import LOC, ORG, PER, _person_evidence, extract_mentions, same_surname
from extraction.name_readings import person_readings

TEXTS = {
    # a surname that is a case form of a river's name (Волгов: the genitive plural of Волга)
    "ru-river": "Композитор Илья Волгов написал оперу. Волгов работал над ней три года.",
    # a surname that is a city's adjective, named in full first; the city itself after a locative preposition
    "ru-city": "Адвокат Олег Курский заявил о давлении. По словам Курского, сам он живёт в Курске.",
    # a feminine adjective surname alone is no organisation when the text names her in full
    "ru-adjective": "Экскурсовод Нина Ладожская провела группу. Ладожская рассказала о маршруте.",
    # Russian у governs persons too: у Гусева is "Gusev has", not "near Gusev" (a town)
    "ru-u": "Экспедицию возглавил Артём Гусев. Как отметили коллеги, у Гусева большой опыт.",
    # a person named after a town, and the town after з "from" (genitive) stays a place
    "uk-from": "Фермер Петро Ніжин розповів про врожай. Родина переїхала з Ніжина до Києва.",
    # a place the model missed (the gazetteer adds it) and a small town after it the model calls a person
    "uk-coordinated": "Дрони атакували порти Ізмаїла та Рені минулої ночі.",
    # a town the model ran into the person after it: before a given name and a surname, or after у and a surname
    "uk-run-on": "Пасажир із Коломиї Тарас Вербицький чекав автобус. У Луцьку Гнатюк провів зустріч.",
    "ru-run-on": "Доктор Иванов Пётр Сергеевич выступил в Твери.",
    # invented names after the noun of their kind of place (a waterfall, a mountain pasture)
    "uk-kind": "Туристи йдуть до водоспаду Гуркотан, а потім на полонину Стрибава.",
    # the two ends of a route are places alike (Галич is also a surname)
    "uk-route": "Байдарочники пройшли маршрутом від Галича до Заліщиків за три дні.",
}


@lru_cache(maxsize=1)
def _mentions() -> dict[str, list[Mention]]:
    found = extract_mentions([(text, key.split("-")[0]) for key, text in TEXTS.items()])
    return dict(zip(TEXTS, found, strict=True))


def _labels(key: str, surface: str) -> list[str]:
    return [m.label for m in _mentions()[key] if m.text == surface]


def test_a_surname_that_spells_a_river_is_a_person_inside_and_outside_the_full_name() -> None:
    assert _labels("ru-river", "Илья Волгов") == [PER]
    assert _labels("ru-river", "Волгов") == [PER]
    assert not [m for m in _mentions()["ru-river"] if m.label == LOC]


def test_a_surname_named_in_full_elsewhere_beats_the_city_but_a_locative_keeps_the_city() -> None:
    assert _labels("ru-city", "Курского") == [PER]
    assert _labels("ru-city", "Курске") == [LOC]


def test_a_feminine_adjective_surname_is_a_person_not_an_organisation() -> None:
    assert _labels("ru-adjective", "Ладожская") == [PER]


def test_russian_u_before_a_named_person_is_no_place_context() -> None:
    assert _labels("ru-u", "Гусева") == [PER]


def test_ukrainian_z_with_a_genitive_reads_a_place_even_when_a_person_has_the_name() -> None:
    assert _labels("uk-from", "Петро Ніжин") == [PER]
    assert _labels("uk-from", "Ніжина") == [LOC]


def test_a_person_reading_coordinated_with_a_place_the_gazetteer_found_is_a_place() -> None:
    assert _labels("uk-coordinated", "Ізмаїла") == [LOC]
    assert _labels("uk-coordinated", "Рені") == [LOC]


def test_the_other_end_of_a_route_from_or_to_a_place_is_a_place() -> None:
    assert _labels("uk-route", "Галича") == [LOC]
    assert _labels("uk-route", "Заліщиків") == [LOC]


def test_a_town_run_into_a_person_is_a_place_of_its_own() -> None:
    assert _labels("uk-run-on", "Коломиї") == [LOC]
    assert _labels("uk-run-on", "Тарас Вербицький") == [PER]
    assert _labels("uk-run-on", "Луцьку") == [LOC]
    assert _labels("uk-run-on", "Гнатюк") == [PER]
    assert [m.label for m in _mentions()["ru-run-on"] if "Иванов" in m.text] == [PER]  # a surname first


def test_a_name_after_the_noun_of_its_kind_of_place_is_a_place() -> None:
    assert _labels("uk-kind", "Гуркотан") == [LOC]
    assert _labels("uk-kind", "Стрибава") == [LOC]


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("Травниковым", "Травникова", True),  # instrumental and genitive of Травников
        ("Подольский", "Подольского", True),  # an adjective surname
        ("Калинина", "Калининой", True),  # a feminine surname
        ("Коц", "Коца", True),  # a short surname, whole
        ("Петров", "Петра", False),  # -ов is the surname's suffix, not a case ending of Петр
        ("Москва", "Москвин", False),
        ("Лисичанськ", "Лисичанський", False),  # a town and the adjective surname made from it
        ("Лисичанського", "Лисичанський", True),
    ],
)
def test_case_forms_of_one_surname(one: str, other: str, same: bool) -> None:
    assert same_surname(one, other) is same


def test_a_word_ending_the_previous_sentence_is_no_initial() -> None:
    text = "Вантажівки їхали через Ромни.\n\nЕколог Державної інспекції попередив про шкоду."
    start = text.index("Еколог")
    assert not _person_evidence(text, start, "Еколог Державної", "uk")
    initial = "Заявление сделал А. Морозов."
    assert _person_evidence(initial, initial.index("Морозов"), "Морозов", "ru")


def test_person_readings_by_kind_and_case() -> None:
    from extraction.entities import morph

    assert person_readings(morph("ru").parse("Ивану"), ("Name",))
    assert not person_readings(morph("ru").parse("Ивану"), ("Name",), case="nomn")
    assert not person_readings(morph("ru").parse("дорога"))
    assert person_readings(morph("ru").parse("Москвы"), also=("Geox",))


# -- rivers the table does not list --------------------------------------------------------------------------


def test_names_after_river_words_are_rivers() -> None:
    from extraction.features import river_names

    text = (
        "Стоки попали в ручей, впадающий в Тошму. На річці Самара тихо. Ледоход на Москве-реке. Мер Берегова приїхав."
    )
    found = {text[r.start : r.end]: (r.explicit, r.compound) for r in river_names(text)}
    assert found == {"Тошму": (False, False), "Самара": (True, False), "Москве-реке": (True, True)}


def test_rivers_after_river_words_get_an_english_river_name() -> None:
    texts = [
        ("Стоки попали в ручей, впадающий в Тошму, сообщили экологи.", "ru"),
        ("Туристи облаштували табір на березі Хоролу.", "uk"),
        ("Ледоход на Москве-реке начался раньше.", "ru"),
        ("Родина переїхала на лівий берег Києва.", "uk"),  # a city of a million is no river, even after a bank
    ]
    lemmas = [{m.text: m.lemma for m in found} for found in extract_mentions(texts)]
    assert lemmas[0]["Тошму"] == "Toshma"  # no town of the name: the dictionary's nominative, romanised
    assert lemmas[1]["Хоролу"] == "Khorol River"  # a town has the name: X River, spelt as the town
    assert lemmas[2]["Москве-реке"] == "Moskva River"
    assert "River" not in lemmas[3].get("Києва", "")


def test_short_names_and_ija_stems_match_only_their_case_forms() -> None:
    import re

    from extraction.inflection import word_pattern

    def matches(word: str, form: str) -> bool:
        return re.fullmatch(word_pattern(word), form) is not None

    assert matches("Ока", "Оке") and matches("Ока", "Окой") and not matches("Ока", "Окн")
    assert matches("Росія", "Росії") and matches("Росія", "Росією") and not matches("Росія", "Росі")
    assert matches("Россия", "России") and not matches("Россия", "Росси")


# -- curated aliases and place phrases -----------------------------------------------------------------------


def test_a_unit_alias_that_is_a_town_needs_its_context() -> None:
    texts = [("Жара в Азове достигла сорока градусов.", "ru"), ("Бойцы «Азова» вышли на позиции.", "ru")]
    town, unit = ({m.text: m.label for m in found} for found in extract_mentions(texts))
    assert town["Азове"] == LOC
    assert unit["Азова"] != LOC


def test_a_place_phrase_with_a_lower_case_geographic_noun_stays_a_place() -> None:
    (found,) = extract_mentions([("Урожай хлопка в Ферганской долине вырос.", "ru")])
    assert [(m.text, m.label) for m in found] == [("Ферганской долине", LOC)]


def test_bays_and_russian_districts_without_an_adjective_reading() -> None:
    from extraction.entities import _district_lemma

    texts = [("Склад построят у Таганрогского залива.", "ru"), ("Судно зайшло в Таганрозьку затоку.", "uk")]
    lemmas = [{m.text: m.lemma for m in found} for found in extract_mentions(texts)]
    assert lemmas[0]["Таганрогского залива"] == "Taganrog Bay"
    assert lemmas[1]["Таганрозьку затоку"] == "Taganrog Bay"
    assert _district_lemma("Каменским", "районом", "ru") == "Kamensky District"  # pymorphy3 reads a surname


def test_names_coordinated_after_a_river_are_rivers() -> None:
    (found,) = extract_mentions([("Піднімається рівень води в Тисі, Латориці та Ріці.", "uk")])
    lemmas = {m.text: m.lemma for m in found}
    assert lemmas["Тисі"] == "Tisza" and lemmas["Латориці"] == "Latorytsia"
    assert "Ріці" in lemmas and lemmas["Ріці"] != "Ryki"  # not the Polish town


def test_a_power_plant_named_by_its_acronym_is_an_organisation() -> None:
    texts = [("Энергоблок на Запорожской АЭС остановлен.", "ru"), ("На Рівненській АЕС планові роботи.", "uk")]
    labels = [{m.text: m.label for m in found} for found in extract_mentions(texts)]
    assert labels[0]["Запорожской АЭС"] == ORG
    assert labels[1]["Рівненській АЕС"] == ORG


def test_a_place_and_its_other_name_in_brackets_are_one_mention() -> None:
    (found,) = extract_mentions([("В Республике Саха (Якутия) ударили морозы.", "ru")])
    assert [(m.text, m.label) for m in found] == [("Республике Саха (Якутия)", LOC)]


def test_facilities_are_places_and_a_named_persons_surname_is_no_organisation() -> None:
    texts = [
        ("Поезда с Белорусского вокзала задерживаются, а матч на «Динамо Арене» перенесли.", "ru"),
        ("Хореограф Кирилл Томский ставит балет. «С Томским мы работаем третий год», — говорит директор.", "ru"),
    ]
    places, persons = ({m.text: m.label for m in found} for found in extract_mentions(texts))
    assert places["Белорусского вокзала"] == LOC and places["Динамо Арене"] == LOC
    assert persons["Томским"] == PER
    assert same_surname("Томский", "Томским")


def test_a_ukrainian_given_name_the_ukrainian_dictionary_lacks_still_names_a_person() -> None:
    text = "Рятувальник Богдан Ковельський розповів про пошуки. За словами Ковельського, вода холодна."
    (found,) = extract_mentions([(text, "uk")])
    labels = {m.text: m.label for m in found}
    assert labels["Ковельського"] == PER  # a town's adjective, but the surname of Богдан Ковельський
    assert [m.label for m in found if "Богдан" in m.text] == [PER]


def test_ukrainian_given_name_and_surname_pairs_the_model_missed_and_feminine_adjective_surnames() -> None:
    from extraction.entities import slavic_lemma

    text = "Голова адміністрації Іван Рудницький наголосив на безпеці. Фермер із Ладижина Петро Тульчинський каже."
    (found,) = extract_mentions([(text, "uk")])
    labels = {m.text: m.label for m in found}
    assert labels["Іван Рудницький"] == PER and labels["Петро Тульчинський"] == PER
    assert labels["Ладижина"] == LOC
    assert slavic_lemma("Олені Очаківській", "uk", PER) == "Олена Очаківська"  # not masculinised


@pytest.mark.parametrize(
    ("adjective", "english"),
    [
        ("Черкаського", "Cherkasy Raion"),  # a final с the suffix absorbs
        ("Запорізькому", "Zaporizhzhia Raion"),  # з for жж
        ("Пологівському", "Polohy Raion"),  # a plural name
        ("Олександрійського", "Oleksandriia Raion"),  # a name in -ія
    ],
)
def test_raions_named_after_centres_the_suffix_reshapes(adjective: str, english: str) -> None:
    from extraction.entities import _district_lemma

    assert _district_lemma(adjective, "району", "uk") == english


def test_an_arena_written_as_two_words_is_x_arena() -> None:
    (found,) = extract_mentions([("Матч на «Динамо Арене» перенесли, а на «Уфа-Арене» сыграют.", "ru")])
    lemmas = {m.text: m.lemma for m in found}
    assert lemmas["Динамо Арене"] == "Dinamo Arena"
    assert lemmas["Уфа-Арене"] == "Ufa-Arena"  # the hyphen as written
