"""Named features that are not settlements: rivers, lakes, reservoirs, canals, straits and islands
(``extraction/data/features.tsv``), and airports (``extraction/data/airports.tsv``, from airportsdata).

``find_features`` finds them in any case form in Russian and Ukrainian text and gives each its English canonical
(``Тису`` -> ``Tisza``, ``Сіверського Дінця`` -> ``Siverskyi Donets``). A name that is also a town, a region or a
given name (``Дніпро``, ``Урал``, ``Лена``) is a river only after a water word (``мости через Ірпінь``, ``Уровень
Урала``, ``річки Дніпро``). A name after ``аэропорт``/``аеропорт`` is the airport (``аэропорту Шереметьево``,
``аеропорт «Бориспіль»``, ``Аэропорты Домодедово и Жуковский``), after ``стадион``/``стадіон`` the stadium
(``стадионе «Краснодар»`` -> ``Krasnodar Stadium``). The span is the name; the designator word stays outside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extraction.curated import CuratedEntry, NameMatcher, native_names, table_rows
from extraction.gazetteer import lookup_place, romanize, skeleton
from extraction.inflection import APOSTROPHES, BOUNDARY_BEFORE, COORDINATION, phrase_pattern


@dataclass(frozen=True, slots=True)
class Feature(CuratedEntry):
    """A named feature of ``features.tsv``: its kind (river, lake, canal...) and whether it needs context."""

    kind: str
    needs_context: bool


@dataclass(frozen=True, slots=True)
class FeatureMatch:
    """A feature mention: character offsets and the English canonical."""

    start: int
    end: int
    canonical: str


@lru_cache(maxsize=1)
def features() -> tuple[Feature, ...]:
    """Every feature of the table."""
    return tuple(
        Feature(canonical, native_names(names), kind, context == "context")
        for canonical, kind, context, names in table_rows("features.tsv")
    )


# Words after which a river's name means the river: water, banks, crossings, levels (Russian and Ukrainian), also
# with a preposition between (Уровень воды в Оке).
_WATER_BEFORE = re.compile(
    r"(?:^|[\s(«])(?:рек[аиеуо]й?|речк[аиеуо]й?|річк[аиуіо]ю?|рік[аиуіо]ю?|р\.|озер[оау]|острова?|остров[еу]|"
    r"остр[іо]в|острова|берег[а-яі]*|берез[іа]|вод[аиыіуе]х?|водах|уровень|рівень|русл[оаеі]|устье|устя|гирл[оаі]|"
    r"переправ[а-яиі]*|форсирова[а-яі]*|переплы[а-я]*|перепли[а-яі]*|(?:мост[а-я]*|міст[а-яі]*|мости|переход[а-я]*|перех[оі]д[а-яі]*|зимник[а-я]*|паром[а-я]*|брод[а-я]*)\s+через|"
    r"вдоль|вздовж|паводок|повінь|плотин[а-яиі]*|дамб[а-яиі]*|лівобереж[а-яі]*|правобереж[а-яі]*|левобереж[а-я]*|"
    r"басейн[а-яі]*|бассейн[а-я]*|акватори[а-яі]*|канал[а-яі]*|дельт[аиеуіою]+)(?:\s+(?:в|во|у|на))?\s+[«\"]?$",
    re.IGNORECASE,
)
_NAME = r"[«\"]?([А-ЯІЇЄҐЁ][а-яіїєґё" + APOSTROPHES + r"-]+(?:\s+[А-ЯІЇЄҐЁ][а-яіїєґё" + APOSTROPHES + r"-]+)?)[»\"]?"
_AIRPORT = re.compile(
    BOUNDARY_BEFORE + r"(?:[Аа]эропорт|[Аа]еропорт)([а-яіїє]*)\s+" + _NAME + r"(?:\s+(?:и|і|та|й)\s+" + _NAME + ")?"
)
# A plural designator before towns (в аэропортах Краснодара и Сочи) names the towns, not airports named after them.
_PLURAL_ENDINGS = ("ы", "и", "ах", "ов", "ів", "ам", "ами")
_STADIUM = re.compile(BOUNDARY_BEFORE + r"(?:[Сс]тадион|[Сс]тадіон)[а-яіїє]*\s+«([^«»]{2,30})»")


@lru_cache(maxsize=1)
def _matcher() -> NameMatcher[Feature]:
    return NameMatcher(features(), phrase_pattern)


@lru_cache(maxsize=1)
def _airports() -> dict[str, tuple[str, ...]]:
    """Spelling key of an airport's own words and of its city -> airport names (a city's only if it has one)."""
    by_word: dict[str, list[str]] = {}
    by_city: dict[str, list[str]] = {}
    for name, _iata, _country, city, _lat, _lon in table_rows("airports.tsv"):
        words = re.sub(r"\b(?:International|Airport|Air Base|Airfield)\b", " ", name).split()
        for word in {*words, " ".join(words)}:
            by_word.setdefault(skeleton(word), []).append(name)
        by_city.setdefault(skeleton(city), []).append(name)
    index = {key: tuple(names) for key, names in by_word.items()}
    for key, names in by_city.items():
        if len(names) == 1:
            index.setdefault(key, tuple(names))
    return index


def airport_name(name: str) -> str | None:
    """The English name of the airport a native name means (``Шереметьево`` -> ``Sheremetyevo International
    Airport``, ``Бориспіль``/``Борисполь`` -> ``Boryspil International Airport``), by spelling key of the name or
    of the town it names; None when no single airport matches."""
    index = _airports()
    keys = [skeleton(name)]
    place = lookup_place(name)
    if place is not None and place.latitude is not None:
        keys.append(skeleton(place.name))
    for key in keys:
        found = index.get(key, ())
        if len(set(found)) == 1:
            return found[0]
    return None


def _named_after_its_town(airport: str, name: str) -> bool:
    """Whether ``name`` is the town an airport is named after (``Сочи`` for Sochi International Airport), not an
    airport's own name (``Шереметьево``)."""
    place = lookup_place(name)
    towns = {skeleton(city) for own, _iata, _country, city, _lat, _lon in table_rows("airports.tsv") if own == airport}
    return place is not None and skeleton(place.name) in towns


def _lemma_forms(word: str) -> list[str]:
    """The word and its nominative guesses without a dictionary (``Жуковском`` -> ``Жуковский``)."""
    out = [word]
    for ending, nominatives in (("ом", ("", "ий", "ий")), ("ому", ("ий",)), ("ого", ("ий",)), ("е", ("",))):
        if word.endswith(ending):
            out += [word[: -len(ending)] + n for n in nominatives]
    return out


def find_features(text: str, language: str | None = None) -> list[FeatureMatch]:
    """Every feature mention in ``text``: airports and stadiums after their designator word, then the table's
    rivers, lakes and the like (the ambiguous ones after a water word), in text order. ``language`` (``ru``,
    ``uk``) picks the romanisation of a stadium the gazetteer does not know."""
    found: list[FeatureMatch] = []
    for match in _AIRPORT.finditer(text):
        plural = match.group(1) in _PLURAL_ENDINGS
        for group in (2, 3):
            if match.group(group) is None:
                continue
            airport = next((a for w in _lemma_forms(match.group(group)) if (a := airport_name(w)) is not None), None)
            if airport is not None and plural and _named_after_its_town(airport, match.group(group)):
                continue
            if airport is not None:
                found.append(FeatureMatch(match.start(group), match.end(group), airport))
    for match in _STADIUM.finditer(text):
        name = match.group(1).strip()
        place = lookup_place(name)
        english = place.name if place is not None else romanize(name, language)
        found.append(FeatureMatch(match.start(1), match.end(1), f"{english} Stadium"))
    waiting: list[FeatureMatch] = []  # ambiguous names with no water word: rivers if coordinated with a river
    for match, feature in _matcher().finditer(text):
        if any(f.start < match.end() and match.start() < f.end for f in found):
            continue
        hit = FeatureMatch(match.start(), match.end(), feature.canonical)
        if feature.needs_context and not _WATER_BEFORE.search(text[max(0, match.start() - 30) : match.start()]):
            waiting.append(hit)
            continue
        found.append(hit)
    for hit in waiting:  # по Оби и Иртышу: the river beside it is the context
        if any(_COORDINATION.fullmatch(text[a.end : b.start]) for a, b in ((hit, f) for f in found)) or any(
            _COORDINATION.fullmatch(text[f.end : hit.start]) for f in found
        ):
            found.append(hit)
    return sorted(found, key=lambda f: f.start)


_COORDINATION = re.compile(COORDINATION)
