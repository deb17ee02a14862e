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

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from extraction.curated import CuratedEntry, NameMatcher, native_names, table_rows
from extraction.gazetteer import TOWN_POPULATION, Place, lookup_place, romanize, skeleton
from extraction.inflection import APOSTROPHES, BOUNDARY_AFTER, BOUNDARY_BEFORE, COORDINATION, phrase_pattern


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
    r"остр[іо]в|острові|берег[а-яі]*|берез[іа]|вод[аиыіуе]х?|водах|уровень|рівень|русл[оаеі]|устье|устя|гирл[оаі]|"
    r"(?:переправ[а-яиі]*|форсирова[а-яі]*|переплы[а-я]*|перепли[а-яі]*)(?:\s+через)?|(?:ГЕС|ГЭС|барж[а-яиі]*|судн[а-яиі]*)\s+(?:на|по)|"
    r"набережн[а-яиіїй]*|(?:мост[а-я]*|міст[а-яі]*|мости|переход[а-я]*|перех[оі]д[а-яі]*|зимник[а-я]*|паром[а-я]*|брод[а-я]*)\s+через|"
    r"вдоль|вздовж|паводок|повінь|плотин[а-яиі]*|дамб[а-яиі]*|лівобереж[а-яі]*|правобереж[а-яі]*|левобереж[а-я]*|"
    r"басейн[а-яі]*|бассейн[а-я]*|акватори[а-яі]*|канал[а-яі]*|дельт[аиеуіою]+|впад[аі][а-яі]*|"
    r"теч(?:і[яюї]|ени[еюя])|усть[еяюи]м)(?:\s+(?:в|во|у|на))?\s+[«\"]?$",
    re.IGNORECASE,
)
_NAME = r"[«\"]?([А-ЯІЇЄҐЁ][а-яіїєґё" + APOSTROPHES + r"-]+(?:\s+[А-ЯІЇЄҐЁ][а-яіїєґё" + APOSTROPHES + r"-]+)?)[»\"]?"
_AIRPORT = re.compile(
    BOUNDARY_BEFORE + r"(?:[Аа]эропорт|[Аа]еропорт)([а-яіїє]*)\s+" + _NAME + r"(?:\s+(?:и|і|та|й)\s+" + _NAME + ")?"
)
# A plural designator before towns (в аэропортах Краснодара и Сочи) names the towns, not airports named after them.
_PLURAL_ENDINGS = ("ы", "и", "ах", "ов", "ів", "ам", "ами")
# A neuter name in -ово/-ево/-ино (any case) that is an airport's own name, not its town's (Шереметьево, Пулкове),
# means the airport without the designator, unless it also names a town (5,000 people or more) away from the
# airport (Кольцово near Novosibirsk is no Koltsovo Airport of Yekaterinburg; Внуково by its airport is) or a town
# this big beside it (Домодедово).
_AIRPORT_OWN_NAME = re.compile(BOUNDARY_BEFORE + r"([А-ЯЁ][а-яё]+(?:ов|ев|ёв|ин|ын))(?:о|а|у|е|ом)" + BOUNDARY_AFTER)
_AIRPORT_RADIUS_KM = 30.0
_AIRPORT_TOWN = 50_000


def _beside(airport: str, place: Place) -> bool:
    """Whether ``place`` lies within a few tens of kilometres of the airport named ``airport``."""
    if place.latitude is None or place.longitude is None:
        return False
    for own, _iata, _country, _city, lat, lon in table_rows("airports.tsv"):
        if own == airport:
            north = (float(lat) - place.latitude) * 111.0
            east = (float(lon) - place.longitude) * 111.0 * math.cos(math.radians(place.latitude))
            return math.hypot(north, east) <= _AIRPORT_RADIUS_KM
    return False


_STADIUM = re.compile(BOUNDARY_BEFORE + r"(?:[Сс]тадион|[Сс]тадіон)[а-яіїє]*\s+«([^«»]{2,30})»")
# An arena named by its own words (Дніпро-Арена, Арена Львів, any case of Арена): "X-Arena", "Arena X".
_ARENA_WORD = r"Арен(?:а|ы|и|і|е|у|ой|ою)"
_ARENA = re.compile(
    BOUNDARY_BEFORE + rf"(?:([А-ЯІЇЄҐЁ][а-яіїєґё{APOSTROPHES}]+)(?:-|\s+(?=Арен)){_ARENA_WORD}|{_ARENA_WORD}\s+"
    rf"([А-ЯІЇЄҐЁ][а-яіїєґё{APOSTROPHES}]+))" + BOUNDARY_AFTER
)


def _own_name(name: str, language: str | None) -> str:
    """A structure's own word in English: the town it names (``Львів`` -> ``Lviv``), else romanised (``Україна``
    the stadium is ``Ukraina``, not the country)."""
    place = lookup_place(name)
    own = place is not None and place.latitude is not None and skeleton(place.name)[:3] == skeleton(name)[:3]
    return place.name if place is not None and own else romanize(name, language)


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
    rivers, lakes and the like (the ambiguous ones after a water word), then features named by a generic word
    (:func:`find_generic_features`), in text order. ``language`` (``ru``,
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
    for match in _AIRPORT_OWN_NAME.finditer(text):  # В Шереметьево и Пулково задержаны рейсы
        name = match.group(1) + "о"
        airport = airport_name(name)
        place = lookup_place(name)
        if (
            airport is not None
            and not _named_after_its_town(airport, name)
            and (
                place is None
                or place.population < TOWN_POPULATION
                or (_beside(airport, place) and place.population < _AIRPORT_TOWN)
            )
            and not any(f.start < match.end() and match.start() < f.end for f in found)
        ):
            found.append(FeatureMatch(match.start(), match.end(), airport))
    for match in _ARENA.finditer(text):
        own, after = match.group(1), match.group(2)
        spaced = own is not None and match.group(0)[len(own)] != "-"  # Трактор Арене: X Arena, as it is written
        english = (
            f"{_own_name(own, language)}{' ' if spaced else '-'}Arena" if own else f"Arena {_own_name(after, language)}"
        )
        found.append(FeatureMatch(match.start(), match.end(), english))
    for match in _STADIUM.finditer(text):
        name = match.group(1).strip()
        if not any(f.start < match.end(1) and match.start(1) < f.end for f in found):
            found.append(FeatureMatch(match.start(1), match.end(1), f"{_own_name(name, language)} Stadium"))
    waiting: list[FeatureMatch] = []  # ambiguous names with no water word: rivers if coordinated with a river
    for match, feature in _matcher().finditer(text):
        if any(f.start < match.end() and match.start() < f.end for f in found):
            continue
        hit = FeatureMatch(match.start(), match.end(), feature.canonical)
        before = text[max(0, match.start() - 30) : match.start()]
        on_river = _on_the_river(before, match.group(0), feature, language)
        if feature.needs_context and not _WATER_BEFORE.search(before) and not on_river:
            waiting.append(hit)
            continue
        found.append(hit)
    for hit in waiting:  # по Оби и Иртышу: the river beside it is the context
        if any(_COORDINATION.fullmatch(text[a.end : b.start]) for a, b in ((hit, f) for f in found)) or any(
            _COORDINATION.fullmatch(text[f.end : hit.start]) for f in found
        ):
            found.append(hit)
    from extraction.regions import region_named

    for hit in find_generic_features(text, language):
        if region_named(text[hit.start : hit.end]) is not None:
            continue  # the region table's own name (Крымский мост, Курильские острова)
        if not any(f.start < hit.end and hit.start < f.end for f in found):
            found.append(hit)
    return sorted(found, key=lambda f: f.start)


_COORDINATION = re.compile(COORDINATION)
# A town takes в/у, a river на (на Дніпрі, but у Дніпрі): на before a river's name that is also a town means the
# river, unless the name is also a region's (на Урале: the Urals) or a given name (на Лене: on Lena).
_ON = re.compile(r"(?:^|[\s(])[Нн]а\s+$")


def _on_the_river(before: str, word: str, feature: Feature, language: str | None) -> bool:
    from extraction.entities import person_reading
    from extraction.regions import region_named

    if feature.kind != "river" or _ON.search(before) is None:
        return False
    given_name = person_reading(word, language if language in ("ru", "uk") else "ru", ("Name",))
    return not given_name and all(region_named(name) is None for name in feature.names)


# -- rivers the table does not list ----------------------------------------------------------------------------
# A river noun right before a name (реки Колвы, річці Самара) makes it a river; so does a word of a river's banks,
# mouth, course or crossings (берегу Хоролу, устьем Шексны, течію Росі, мосту через Уж, впадающий в Колву, воду з
# Інгульця), where a town of that name would make no sense; and a name whose second half is the river noun
# (Москве-реке).
_RIVER_NOUN_BEFORE = re.compile(
    r"(?:^|[\s(«])(?:рек[аиеуо]й?|речк[аиеуо]й?|річ(?:к[аиуіо]ю?|ц[іе])|р\.)\s+[«\"]?$", re.I
)
_RIVER_WORD_BEFORE = re.compile(
    r"(?:^|[\s(«])(?:русл[оаеіу]|усть[еяюи]м?|гирл[оаіу]|берег[а-яі]*|берез[іа]|теч(?:і[яюї]|ени[еюя])|"
    r"(?:мост[а-я]*|міст[а-яі]*|мости|переправ[а-яиі]*|переход[а-я]*|перех[оі]д[а-яі]*|брод[а-я]*)\s+через|"
    r"форсирова[а-яі]*|впада[а-яі]*\s+(?:в|у)|(?:вод[аиуы]|воду)\s+(?:из|з|із))\s+[«\"]?$"
)  # lower case only: Берегова is a town
_RIVER_NAME = re.compile(BOUNDARY_BEFORE + r"[А-ЯІЇЄҐЁ][а-яіїєґё" + APOSTROPHES + r"]+" + BOUNDARY_AFTER)
_COMPOUND_RIVER = re.compile(
    BOUNDARY_BEFORE + r"([А-ЯІЇЄҐЁ][а-яіїєґё]+)-(?:рек(?:а|и|е|у|ой|ою)|річк(?:а|и|у|ою)|річці)" + BOUNDARY_AFTER
)
_ADJECTIVE_FORM = re.compile(r"(?:ий|ій|ый|ой|ого|его|ому|ему|ая|яя|ое|ее|ую|ої|ых|их|ским|ськім)$")


@dataclass(frozen=True, slots=True)
class RiverName:
    """A name the text shows to be a river's: its offsets, and whether a river noun names it outright."""

    start: int
    end: int
    explicit: bool
    compound: bool = False


def river_names(text: str) -> list[RiverName]:
    """Names that the words before them (or a ``-река`` second half) show to be rivers', in text order; the caller
    finds the nominative and the English name. Adjectives are left out (``берегу Каховского водохранилища``)."""
    found = [RiverName(m.start(), m.end(), True, compound=True) for m in _COMPOUND_RIVER.finditer(text)]
    for match in _RIVER_NAME.finditer(text):
        if _ADJECTIVE_FORM.search(match.group(0)) or any(f.start <= match.start() < f.end for f in found):
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        if _RIVER_NOUN_BEFORE.search(before):
            found.append(RiverName(match.start(), match.end(), True))
        elif _RIVER_WORD_BEFORE.search(before):
            found.append(RiverName(match.start(), match.end(), False))
    return sorted(found, key=lambda r: r.start)


# -- features named by a generic word ---------------------------------------------------------------------------
# A generic word gives a feature the table does not list its kind and the English pattern of its name: the word
# in every singular case form, the grammatical gender an adjective agrees in, and the pattern.
_GENERICS: tuple[tuple[str, str, str], ...] = (
    (r"[Оо]зер(?:о|а|у|е|і|ом)", "n", "Lake {}"),
    (r"водохранилищ(?:е|а|у|ем)", "n", "{} Reservoir"),
    (r"водосховищ(?:е|а|у|і|ем)", "n", "{} Reservoir"),
    (r"(?:полуостров|півостр[оі]в)(?:а|у|е|і|ом)?", "m", "{} Peninsula"),
    (r"(?<!у)(?<!пів)(?:[Оо]стр(?:ів|ов(?:а|у|е|і|ом)?))", "m", "{} Island"),
    (r"пролив(?:а|у|е|ом)?", "m", "{} Strait"),
    (r"м[ыи]с(?:а|у|е|і|ом)?", "m", "Cape {}"),
    (r"перевал(?:а|у|е|і|ом)?", "m", "{} Pass"),
    (r"лиман(?:а|у|е|і|ом)?", "m", "{} Estuary"),
    (r"залив(?:а|у|е|ом)?", "m", "{} Bay"),
    (r"(?:затоц[іе]|заток(?:а|и|у|ою))", "f", "{} Bay"),
    (r"каньй?он(?:а|у|е|і|ом)?", "m", "{} Canyon"),
    (r"(?:аэропорт|аеропорт)(?:а|у|е|і|ом)?", "m", "{} Airport"),
    (r"(?:мост(?:а|у|е|і|ом)?|міст)", "m", "{} Bridge"),
    (r"долин(?:а|ы|и|е|і|у|ой|ою)", "f", "{} Valley"),
    (r"(?:воеводств(?:о|а|у|е|ом)|воєводств(?:о|а|у|і|ом))", "n", "{} Voivodeship"),
)
# Plural generic words after a plural adjective (Шацьких озерах, Курильские острова): the features are named after
# the town the adjective is made from, and only then (Командорские острова names no town).
_PLURAL_GENERICS: tuple[tuple[str, str], ...] = (
    (r"[Оо]зер(?:а|ах|ами|ам)?", "{} Lakes"),
    (r"[Оо]стров(?:а|ах|ами|ам|ов|и|ів)", "{} Islands"),
)
_PLURAL_ADJECTIVE = (
    r"([А-ЯІЇЄҐЁ][а-яіїєґё" + APOSTROPHES + r"]+(?:ськ|цьк|зьк|ск|цк|зк))(?:их|ых|ие|ые|і|им|ым|ими|ыми)"
)
_ADJECTIVE_WORD = (
    r"(?:[А-ЯІЇЄҐЁ][а-яіїєґё" + APOSTROPHES + r"]+-)?[А-ЯІЇЄҐЁ][а-яіїєґё" + APOSTROPHES + r"]+"
    r"(?:ськ|цьк|зьк|ск|цк|зк|ов|ев|ин|ів|їв)"
    r"(?:ий|ій|ый|ой|ая|яя|ое|ее|ого|его|ому|ему|ом|ем|ім|ым|им|ую|юю|ою|ої|ей|а|е|у|і)"
)
_ADJECTIVE_ENDING = re.compile(r"(?:ий|ій|ый|ой|ая|яя|ое|ее|ого|его|ому|ему|ом|ем|ім|ым|им|ую|юю|ою|ої|ей|а|е|у|і)$")
# A name after a generic word that agrees with it (острове Каменном) is an adjective.
_ADJECTIVE_AFTER = r"[А-ЯІЇЄҐЁ][а-яіїєґё'’ʼ-]{2,}(?:ий|ый|ій|ого|ому|ом|ім|ым|ая|ое|ую|ої)"
_NAME_WORD = r"[А-ЯІЇЄҐЁ][а-яіїєґё" + APOSTROPHES + r"-]+"


@lru_cache(maxsize=1)
def _generic_patterns() -> list[tuple[re.Pattern[str], re.Pattern[str], str, str]]:
    """Per generic word: ``adjective + word`` (Псковском озере) and ``word + name`` (мыса Крильон) patterns."""
    out = []
    for word, gender, english in _GENERICS:
        before = re.compile(BOUNDARY_BEFORE + f"({_ADJECTIVE_WORD})\\s+{word}" + BOUNDARY_AFTER)
        after = re.compile(BOUNDARY_BEFORE + f'{word}\\s+[«"]?({_NAME_WORD})[»"]?' + BOUNDARY_AFTER)
        out.append((before, after, gender, english))
    return out


def adjective_nominative(adjective: str, gender: str, language: str | None) -> str:
    """The nominative singular of a Russian or Ukrainian adjective in ``gender`` (``m``, ``n``, ``f``):
    ``Телецкого`` + n -> ``Телецкое``, ``Русском`` + m -> ``Русский``, ``Ужоцькому`` + m (uk) -> ``Ужоцький``."""
    base = _ADJECTIVE_ENDING.sub("", adjective)
    ukrainian = language == "uk" or re.search("[іїєґ" + APOSTROPHES + "]", adjective) is not None
    soft = base[-1:] in "кгхжшчщ"
    endings = {
        "m": "ий" if ukrainian or soft else "ый",
        "n": "е" if ukrainian else "ое",
        "f": "а" if ukrainian else "ая",
    }
    return base + endings[gender]


def _river_of_stem(stem: str) -> Feature | None:
    """The table's river whose name an adjective's stem spells, a fleeting vowel or final vowel aside (``Дністр`` ->
    Dniester, ``Дніпр`` -> Dnieper)."""
    key = skeleton(stem)
    for feature in features():
        if feature.kind != "river":
            continue
        for name in feature.names:
            spellings = (name, re.sub(r"[еоє](?=[^аеиіїоуюяєь]$)", "", name), re.sub(r"[оа]$", "", name))
            if " " not in name and key in {skeleton(spelling) for spelling in spellings}:
                return feature
    return None


# A bridge is named after a town of the region's own countries (Борский мост: Bor), never a namesake abroad.
_BRIDGE_COUNTRIES = frozenset({"UA", "RU", "BY"})


def adjective_place(adjective: str, countries: frozenset[str] | None = None) -> str | None:
    """The English name of the town or river an adjective is made from (``Псковское`` -> ``Pskov``,
    ``Дністровському`` -> ``Dniester``, ``Печенізького`` -> ``Pechenihy``), or None; with ``countries``, a town
    of those countries only."""
    from extraction.regions import centre_candidates

    masculine = adjective_nominative(adjective, "m", None)
    candidates = []
    for candidate in centre_candidates(masculine, True)[:-1]:  # not the adjective itself
        candidates.append(candidate)
        if candidate.endswith(("ов", "ев", "ів")):  # Дністровський -> Дністер
            candidates.append(candidate[:-2])
        if candidate[-1:] in "гкхз":  # a plural town: Печенізький -> Печеніги
            candidates.append(candidate + "и")
    root = re.sub(r"(?:ськ|цьк|зьк|ск|цк|зк)(?:ий|ый)$", "", masculine)
    candidates += [root + "са", root + "с"]  # the suffix absorbs a final с: Одеський -> Одеса
    if root.endswith("ен"):  # -ен- before the suffix: Керченский -> Керчь
        candidates.append(root[:-2] + "ь")
    for candidate in candidates:
        river = _river_of_stem(candidate)
        if river is not None:
            return re.sub(r" River$", "", river.canonical)
        place = lookup_place(candidate[:1].upper() + candidate[1:])
        if (
            place is not None
            and place.latitude is not None
            and skeleton(place.name)[:3] == skeleton(candidate)[:3]
            and (countries is None or place.country_code in countries)
        ):
            return place.name
    return None


def _generic_name(name: str, gender: str, english: str, language: str | None, adjective_first: bool) -> str:
    if english == "{} Airport" and (airport := airport_name(name)) is not None:
        return airport
    if adjective_first or re.fullmatch(_ADJECTIVE_AFTER, name):
        countries = _BRIDGE_COUNTRIES if english == "{} Bridge" else None
        derived = adjective_place(name, countries) if adjective_first else None
        native = adjective_nominative(name, gender, language)
        return english.format(derived or romanize(native, language))
    place = lookup_place(name)
    return english.format(place.name if place is not None and place.latitude is not None else romanize(name, language))


def find_generic_features(text: str, language: str | None = None) -> list[FeatureMatch]:
    """Features named with a generic word the table does not list: an adjective before it names the feature after
    the town or river it is made from, else romanised (``Псковском озере`` -> ``Lake Pskov``, ``Ириклинском
    водохранилище`` -> ``Iriklinskoye Reservoir``, ``Дністровському лимані`` -> ``Dniester Estuary``); a name
    after it keeps its own form (``мыса Крильон`` -> ``Cape Krilon``, ``острове Русском`` -> ``Russky Island``).
    The span of an adjective includes the generic word; a name after the word is the span alone."""
    found: list[FeatureMatch] = []
    for before, after, gender, english in _generic_patterns():
        for match in before.finditer(text):
            adjective = match.group(1)
            if english == "{} Airport":
                town = adjective_place(adjective)
                airport = airport_name(town) if town is not None else None
                if town is None:
                    continue
                found.append(FeatureMatch(match.start(), match.end(), airport or f"{town} Airport"))
                continue
            found.append(
                FeatureMatch(match.start(), match.end(), _generic_name(adjective, gender, english, language, True))
            )
        if english in ("{} Airport", "{} Bridge", "{} Valley", "{} Voivodeship"):
            continue  # a name after the word: the airport's own rule; bridges, valleys, voivodeships: adjective first
        for match in after.finditer(text):
            name = match.group(1)
            found.append(
                FeatureMatch(match.start(1), match.end(1), _generic_name(name, gender, english, language, False))
            )
    for pattern, english in _plural_generic_patterns():
        for match in pattern.finditer(text):
            town = adjective_place(match.group(1) + "ий")
            if town is not None:
                found.append(FeatureMatch(match.start(), match.end(), english.format(town)))
    return sorted(found, key=lambda f: f.start)


@lru_cache(maxsize=1)
def _plural_generic_patterns() -> list[tuple[re.Pattern[str], str]]:
    """Per plural generic word: ``plural adjective + word`` (Шацьких озерах)."""
    return [
        (re.compile(BOUNDARY_BEFORE + f"{_PLURAL_ADJECTIVE}\\s+(?:{word})" + BOUNDARY_AFTER), english)
        for word, english in _PLURAL_GENERICS
    ]
