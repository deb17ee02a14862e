"""Kinds of places beyond towns and regions (issue 26): the feature-type model (a generic word gives the English
pattern of a feature's name), airports named without their designator, towns written in capitals, oblasts of
other countries and the words that give a river its context. Sentences are made up."""

from __future__ import annotations

from extraction.features import adjective_nominative, adjective_place, find_features, find_generic_features
from extraction.gazetteer import romanize
from extraction.regions import foreign_region_name


def _found(text: str, language: str | None = None) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.canonical) for f in find_features(text, language)]


def test_a_generic_word_after_an_adjective_names_the_feature_after_its_town_or_river() -> None:
    assert _found("Рыбаки вышли на Рыбинском водохранилище", "ru") == [("Рыбинском водохранилище", "Rybinsk Reservoir")]
    assert _found("Туристы отдыхали у Галичского озера", "ru") == [("Галичского озера", "Lake Galich")]
    assert _found("На Керченском полуострове идут дожди", "ru") == [("Керченском полуострове", "Kerch Peninsula")]
    # an adjective made from a river of the table (a fleeting vowel aside): Дністровський -> Дністер
    assert _found("Рятувальники чергують на Дніпровському лимані", "uk") == [
        ("Дніпровському лимані", "Dnieper Estuary")
    ]
    # no town or river behind the adjective: the adjective romanised in the generic word's gender
    assert _found("На Кривобережском водохранилище тихо", "ru") == [
        ("Кривобережском водохранилище", "Krivoberezhskoye Reservoir")
    ]
    # the table's own name wins over the model (Kakhovka Reservoir either way, Lake Ladoga not Ladozhskoye)
    assert _found("Вода в Ладожском озере холодная", "ru") == [("Ладожском озере", "Lake Ladoga")]


def test_a_name_after_a_generic_word_keeps_its_own_form() -> None:
    assert _found("Пограничники на острове Кунашир", "ru") == [("Кунашир", "Kunashir Island")]
    assert _found("Шторм у мыса Тарханкут", "ru") == [("Тарханкут", "Cape Tarkhankut")]
    assert _found("Курортники їдуть на озеро Світязь", "uk") == [("Світязь", "Lake Svitiaz")]
    # an adjective after the word agrees with it: its nominative in the word's gender
    assert _found("Мост на острове Каменном закрыт", "ru") == [("Каменном", "Kamenny Island")]
    assert adjective_nominative("Телецкого", "n", "ru") == "Телецкое"
    assert adjective_nominative("Ужоцькому", "m", "uk") == "Ужоцький"
    assert romanize("Ириклинское", "ru") == "Iriklinskoye"  # the neuter ending as English Wikipedia writes it


def test_a_town_adjective_before_the_airport_word_is_the_towns_airport() -> None:
    hits = find_generic_features("Одеський аеропорт досі закритий", "uk")
    assert [(h.start, h.end) for h in hits] == [(0, len("Одеський аеропорт"))]
    assert "Airport" in hits[0].canonical and "Odesa" in hits[0].canonical
    assert adjective_place("Одеського") == "Odesa"
    assert adjective_place("Кривобережского") is None


def test_an_airports_own_name_without_its_designator_is_the_airport() -> None:
    assert _found("В Пулково и Толмачёво задержаны рейсы", "ru") == [
        ("Пулково", "Pulkovo Airport"),
        ("Толмачёво", "Tolmachevo Airport"),
    ]
    assert _found("Самолёт третий час стоит в Толмачёве", "ru") == [("Толмачёве", "Tolmachevo Airport")]
    # a town an airport is named after, and a big town that shares an airport's name, stay towns
    assert _found("В Иваново и Кемерово похолодало", "ru") == []
    assert _found("В Домодедово открыли школу", "ru") == []


def test_words_that_give_a_river_its_context() -> None:
    assert _found("Паром через Десну не ходит", "ru") == [("Десну", "Desna")]
    assert _found("Каневская ГЭС на Днепре работает", "ru") == [("Днепре", "Dnieper")]
    assert _found("Гуляли набережною Дніпра", "uk") == [("Дніпра", "Dnieper")]
    assert _found("Вантаж везуть баржами по Десні", "uk") == [("Десні", "Desna")]
    assert _found("В Днепре открыли кафе", "ru") == []  # the city


def test_oblasts_of_other_countries_are_named_after_their_centre() -> None:
    assert foreign_region_name("Павлодарской") == "Pavlodar Region"
    assert foreign_region_name("Брестська") == "Brest Region"
    assert foreign_region_name("Северо-Казахстанская") == "North Kazakhstan Region"
    assert foreign_region_name("Східно-Казахстанській") == "East Kazakhstan Region"
    assert foreign_region_name("Кривобережской") is None


def test_a_town_far_from_the_airport_of_its_name_stays_a_town() -> None:
    # Koltsovo the science town near Novosibirsk (10,000 people) is no Koltsovo Airport of Yekaterinburg
    assert _found("Учёные из Кольцово получили грант", "ru") == []
    assert _found("Рейс приземлился во Внуково", "ru") == [("Внуково", "Vnukovo International Airport")]  # beside it
