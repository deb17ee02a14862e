"""Places (issue 26): the shipped place index, homonyms chosen by the document's regions, features that are no
settlements (rivers, airports, stadiums), districts named after villages, and romanised unknown places."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from extraction.canonical import Mention
from extraction.features import find_features
from extraction.gazetteer import Place, PlaceContext, _places, country_name, lookup_place, lookup_places, romanize
from extraction.inflection import BOUNDARY_AFTER, BOUNDARY_BEFORE, word_pattern
from extraction.pipeline import ExtractInput, extract_batch
from extraction.regions import district_name, region_named, region_place

ROOT = Path(__file__).resolve().parents[2]


def test_villages_and_cyrillic_names_of_towns_abroad() -> None:
    assert lookup_place("Миропілля").name == "Myropillia"  # type: ignore[union-attr]  # 2,873 people
    assert lookup_place("Очеретино").name == "Ocheretyne"  # type: ignore[union-attr]  # its Russian name
    assert lookup_place("Болонья").name == "Bologna"  # type: ignore[union-attr]
    assert lookup_place("Вижниця").name == "Vyzhnytsia"  # type: ignore[union-attr]  # not the Russian Вижница
    assert lookup_place("Notaplaceville") is None


def test_a_towns_own_name_and_the_regions_countries_weigh_more() -> None:
    assert lookup_place("Луга").country_code == "RU"  # type: ignore[union-attr]  # not Louga, Senegal
    assert lookup_place("Париж").name == "Paris"  # type: ignore[union-attr]  # not the Russian village
    assert lookup_place("Слов'янськ").name == "Sloviansk"  # type: ignore[union-attr]  # not Nikopol's old name
    kharkiv = region_named("Харківська область")
    assert kharkiv is not None
    context = PlaceContext.of([region_place(kharkiv)])
    near_kharkiv = lookup_place("Петропавловка", context)
    assert near_kharkiv is not None and (near_kharkiv.name, near_kharkiv.admin1) == ("Petropavlivka", "07")
    assert len(lookup_places("Петропавловка")) > 2


def test_districts_take_the_centre_the_document_points_to() -> None:
    def places(name: str) -> tuple[Place, ...]:
        return lookup_places(name)

    sumy = region_named("Сумщина")
    assert sumy is not None
    context = PlaceContext.of([region_place(sumy)])
    assert district_name("Миропільська", "hromada", places, context) == "Myropillia Hromada"
    assert district_name("Гуляйпільську", "hromada", places) == "Huliaipole Hromada"
    assert district_name("Лубенського", "raion", places) == "Lubny Raion"  # the fleeting е of Лубни


def test_rivers_airports_and_stadiums() -> None:
    def found(text: str) -> list[tuple[str, str]]:
        return [(text[f.start : f.end], f.canonical) for f in find_features(text)]

    assert found("Аэропорты Домодедово и Шереметьево закрыты") == [
        ("Домодедово", "Domodedovo International Airport"),
        ("Шереметьево", "Sheremetyevo International Airport"),
    ]
    assert found("закривали аеропорт «Бориспіль»") == [("Бориспіль", "Boryspil International Airport")]
    assert found("намагалися переплисти Тису, у водах Тиси") == [("Тису", "Tisza"), ("Тиси", "Tisza")]
    assert found("Вода з Сіверського Дінця") == [("Сіверського Дінця", "Siverskyi Donets")]
    assert found("відремонтувати мости через Ірпінь") == [("Ірпінь", "Irpin River")]
    assert found("Уровень Урала превысил норму") == [("Урала", "Ural River")]
    assert found("В Ірпені і на Урале спокійно, у Дніпрі вибухи") == []  # towns and regions stay places
    assert found("Матч прошёл на стадионе «Краснодар»") == [("Краснодар", "Krasnodar Stadium")]
    # crossings name the river they cross; a water word may stand before a preposition
    assert found("зимник через Лену и переход через Амур") == [("Лену", "Lena River"), ("Амур", "Amur River")]
    assert found("Уровень воды у Сейма растёт") == [("Сейма", "Seym River")]
    assert found("Лена сказала, что Амур тигр") == []
    # after a plural designator a town names the town, an airport's own name the airport
    assert found("ограничения в аэропортах Краснодара и Сочи") == []
    assert found("в аэропорту Сочи задержали рейс") == [("Сочи", "Sochi International Airport")]


def test_romanisation_of_places_the_gazetteer_does_not_know() -> None:
    assert romanize("Ново-Огарёво") == "Novo-Ogaryovo" and romanize("Шереметьево") == "Sheremetyevo"
    assert romanize("Подъёмная") == "Podyomnaya"  # before ё the sign adds nothing: "yo" has its y
    assert romanize("Арена Львів") == "Arena Lviv" and romanize("Локомотив", "uk") == "Lokomotyv"

    def matches(word: str, form: str) -> bool:
        return re.fullmatch(BOUNDARY_BEFORE + word_pattern(word) + BOUNDARY_AFTER, form) is not None

    assert matches("Райгородок", "Райгородка") and matches("Донець", "Донця")  # fleeting vowels
    assert matches("Ростов-на-Дону", "Ростова-на-Дону") and not matches("Ростов-на-Дону", "Ростова")


TEXTS = {
    "ru-village": "Под обстрел попало село Петропавловка Харьковской области. Пострадавших доставили в Харьков.",
    "uk-hromadas": "📍Сумщина: під ударом були Краснопільська, Білопільська та Миропільська громади.",
    "ru-unknown": "Президент встретился в Ново-Огарёве с министром.",
    "uk-stavka": "Президент Володимир Зеленський провів нараду зі Ставкою. „Ми посилюємо протиповітряну оборону.",
    "uk-dateline": "КРИВИЙ РІГ – ЗАПОРІЖЖЯ, 2 березня. ДСНС і НАТО провели навчання.",
    "ru-oblast": "Паводок затопил дороги в Павлодарской области и в Омской области.",
}


@lru_cache(maxsize=1)
def _mentions() -> dict[str, dict[str, Mention]]:
    batch = extract_batch([ExtractInput(key, text, key.split("-")[0]) for key, text in TEXTS.items()])
    return {doc.document_id: {m.text: m for m in doc.mentions} for doc in batch.documents}


def test_a_village_of_the_documents_region_and_coordinated_hromadas() -> None:
    village = _mentions()["ru-village"]["Петропавловка"]
    assert (village.label, village.canonical) == ("LOC", "Petropavlivka")
    hromadas = _mentions()["uk-hromadas"]
    assert hromadas["Краснопільська"].canonical == "Krasnopillia Hromada"
    assert hromadas["Білопільська"].canonical == "Bilopillia Hromada"
    assert hromadas["Миропільська громади"].canonical == "Myropillia Hromada"
    assert _mentions()["ru-unknown"]["Ново-Огарёве"].canonical == "Novo-Ogaryovo"
    assert _mentions()["uk-stavka"]["Ставкою"].label != "LOC"  # a village's name alone, after "with", is no place


def test_towns_in_capitals_are_places_and_acronyms_stay_organisations() -> None:
    dateline = _mentions()["uk-dateline"]
    assert (dateline["КРИВИЙ РІГ"].label, dateline["КРИВИЙ РІГ"].canonical) == ("LOC", "Kryvyi Rih")
    assert (dateline["ЗАПОРІЖЖЯ"].label, dateline["ЗАПОРІЖЖЯ"].canonical) == ("LOC", "Zaporizhzhia")
    assert dateline["НАТО"].label == "ORG"
    assert "ДСНС" not in dateline or dateline["ДСНС"].label != "LOC"


def test_an_oblast_abroad_beside_one_of_russia() -> None:
    oblasts = _mentions()["ru-oblast"]
    assert oblasts["Павлодарской области"].canonical == "Pavlodar Region"
    assert oblasts["Омской области"].canonical == "Omsk Oblast"


def test_the_shipped_place_index_is_what_the_generator_builds(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_places.py"), "--out", str(tmp_path)], check=True)
    for name in ("places.tsv.gz", "place_names.tsv.gz"):
        shipped = gzip.decompress((ROOT / "extraction" / "data" / name).read_bytes())
        assert gzip.decompress((tmp_path / name).read_bytes()) == shipped, name
    assert (tmp_path / "airports.tsv").read_text() == (ROOT / "extraction" / "data" / "airports.tsv").read_text()
    assert len(_places()) > 150_000


def test_a_country_code_names_its_country_as_geonames_spells_it() -> None:
    assert [country_name(code) for code in ("UA", "RU", "KZ", "TR", "DE")] == [
        "Ukraine",
        "Russia",
        "Kazakhstan",
        "Turkey",
        "Germany",
    ]
    assert country_name("XX") is None and country_name(None) is None


def test_a_place_the_gazetteer_lacks_is_romanised_by_the_language_of_its_text() -> None:
    from extraction.canonical import NamePool, resolve

    # an invented hamlet with no Ukrainian-only letter: its text's language decides г (h or g) and и (y or i)
    assert lookup_place("Гориличі") is None
    assert resolve("Гориличі", "LOC", NamePool(), NamePool(), language="uk") == ("Horylychi", "LOC")
    assert resolve("Гориличи", "LOC", NamePool(), NamePool(), language="ru") == ("Gorilichi", "LOC")
    found = extract_batch(
        [
            ExtractInput("1", "Туристи піднялися на гору Горбилин.", "uk"),
            ExtractInput("2", "Туристы поднялись на гору Горбилин.", "ru"),
        ]
    )
    canonicals = [[m.canonical for m in doc.mentions if m.label == "LOC"] for doc in found.documents]
    assert [c[0][:6] for c in canonicals] == ["Horbyl", "Gorbil"]


def test_a_country_named_by_the_acronym_of_its_three_word_name() -> None:
    from extraction.gazetteer import country_acronym

    assert lookup_place("ОАЭ") == lookup_place("Объединённые Арабские Эмираты")
    assert country_acronym("ОАЕ") == lookup_place("Об'єднані Арабські Емірати")
    assert country_acronym("ВРУ") is None  # Uruguay's official long form is no name the press abbreviates
    assert country_acronym("Оаэ") is None  # an acronym is written in capitals
    found = extract_batch([ExtractInput("1", "Делегация прилетела в ОАЭ в понедельник.", "ru")])
    assert [m.canonical for m in found.documents[0].mentions] == ["United Arab Emirates"]


def test_geonames_e_with_diaeresis_is_yo_only_where_the_russian_name_writes_yo() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_places", ROOT / "scripts" / "build_places.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.english_place_name("Orël", "RU", ["Орел", "Орёл"])[0] == "Oryol"
    assert build.english_place_name("Teribërka", "RU", ["Териберка"])[0] == "Teriberka"
    # a stress mark in a GeoNames name is dropped, so the Ukrainian spelling is found and used
    assert build._without_stress("Ові\u0301діополь") == "Овідіополь"
    assert lookup_place("Овідіополь").name == "Ovidiopol"  # type: ignore[union-attr]
    assert lookup_place("Териберка").name == "Teriberka"  # type: ignore[union-attr]


def test_a_town_of_the_region_named_as_written_beats_a_guess_abroad() -> None:
    from extraction.entities import best_place_lemma

    hit = best_place_lemma("Канів", "uk")  # not Кано (Kano, Nigeria) by the і/о alternation
    assert hit is not None and hit[1].name == "Kaniv"
    hit = best_place_lemma("Парижі", "uk")  # a guess abroad still wins when nothing of the region is written
    assert hit is not None and hit[1].name == "Paris"
