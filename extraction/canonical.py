"""Canonicalisation: map every entity mention to one canonical entity, across spellings, forms and scripts.

Merge rules, applied in this order to each mention's lemma (see docs/extraction.md):

1. descriptors and possessives: ``the Russian defense ministry`` / ``Russia's Ministry of Defence`` ->
   ``Russian Defense Ministry``; a leading ``the`` and a trailing ``'s`` are dropped;
2. military units: ``65th Separate Mechanized Brigade`` / ``65-та окрема механізована бригада`` ->
   ``65th Mechanized Brigade`` (label ``MIL_UNIT``);
3. typos: a token that is one adjacent transposition away from a token of a name seen in the same document
   (first) or the corpus (``Priogzhin`` -> ``Prigozhin``);
4. derived forms: ``Wagnerites`` -> ``Wagner`` when the stem is a known name;
5. the curated gazetteer (``extraction.gazetteer.KNOWN_ENTITIES``, any script, any alias);
6. short and full names: a one-word person name that ends (or starts) a longer person name in the document,
   else the corpus (``Putin`` -> ``Vladimir Putin``);
7. scripts: a Cyrillic lemma whose spelling key (``gazetteer.skeleton``) equals a Latin name's key takes the Latin
   name (``Пригожин`` -> ``Prigozhin``).

The canonical id is ``<label>:<skeleton of the name>``, so the same entity gets the same id in every batch and
every script; ``canonical_entities`` keeps the display name and every alias seen.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from extraction.gazetteer import (
    DEMONYMS,
    KNOWN_ENTITIES,
    LOC,
    MIL_UNIT,
    ORG,
    PER,
    Place,
    PlaceContext,
    has_cyrillic,
    lookup_known,
    lookup_place,
    lookup_places,
    romanize,
    skeleton,
)
from extraction.normalise import fold_apostrophes
from extraction.regions import region_named, region_place


@dataclass(slots=True)
class Mention:
    """One entity mention in one document (offsets into the document's text)."""

    text: str
    label: str
    start: int
    end: int
    lemma: str = ""
    language: str = "en"
    canonical: str = ""
    canonical_id: str = ""
    own_label: bool = False  # a name in guillemets («Ростов» the club): no label vote across mentions


@dataclass(slots=True)
class CanonicalEntity:
    """A canonical entity with every alias seen (and coordinates for places the gazetteer knows)."""

    canonical_id: str
    name: str
    label: str
    aliases: set[str] = field(default_factory=set)
    latitude: float | None = None
    longitude: float | None = None
    country_code: str | None = None


# -- 1. descriptors ----------------------------------------------------------------------------------------------

_MINISTRY_TOPICS = {
    "defense": "Defense",
    "defence": "Defense",
    "national defense": "Defense",
    "national defence": "Defense",
    "foreign": "Foreign",
    "foreign affairs": "Foreign",
    "interior": "Interior",
    "internal affairs": "Interior",
    "emergency": "Emergencies",
    "emergencies": "Emergencies",
    "emergency situations": "Emergencies",
    "justice": "Justice",
    "finance": "Finance",
    "health": "Health",
    "energy": "Energy",
    "transport": "Transport",
    "culture": "Culture",
    "economy": "Economy",
    "education": "Education",
    "education and science": "Education",
    "agriculture": "Agriculture",
    "environment": "Environment",
    "infrastructure": "Infrastructure",
    "trade": "Trade",
    "labour": "Labour",
    "labor": "Labour",
    "sport": "Sport",
    "sports": "Sport",
}
_TOPIC_RE = "|".join(sorted((re.escape(t) for t in _MINISTRY_TOPICS), key=len, reverse=True))
_COUNTRY_RE = r"(?P<country>[A-Z][\w.]*?)(?:'s|’s)?"
_MINISTRY_PATTERNS = (
    re.compile(rf"^(?:the\s+)?{_COUNTRY_RE}\s+(?P<topic>{_TOPIC_RE})\s+ministry$", re.IGNORECASE),
    re.compile(rf"^(?:the\s+)?{_COUNTRY_RE}\s+ministry\s+of\s+(?P<topic>{_TOPIC_RE})$", re.IGNORECASE),
    re.compile(
        rf"^(?:the\s+)?ministry\s+of\s+(?:the\s+)?(?P<topic>{_TOPIC_RE})\s+of\s+(?P<country>[\w.]+)$", re.IGNORECASE
    ),
)


def strip_descriptors(name: str) -> str:
    """Drop a leading article and a trailing possessive; rewrite ministry descriptors to one form."""
    value = " ".join(fold_apostrophes(name).split())
    value = re.sub(r"^(?:the|The|THE)\s+", "", value)
    value = re.sub(r"'s?$", "", value) if re.search(r"\w's$|s'$", value) else value
    for pattern in _MINISTRY_PATTERNS:
        match = pattern.match(value)
        if match:
            country = DEMONYMS.get(match.group("country").lower().rstrip("'s"), match.group("country").title())
            country = DEMONYMS.get(match.group("country").lower(), country)
            return f"{country} {_MINISTRY_TOPICS[match.group('topic').lower()]} Ministry"
    return value


# -- 2. military units -------------------------------------------------------------------------------------------

_UNIT_KINDS = {
    "brigade": "Brigade",
    "бригад": "Brigade",
    "regiment": "Regiment",
    "полк": "Regiment",
    "battalion": "Battalion",
    "батальон": "Battalion",
    "батальйон": "Battalion",
    "division": "Division",
    "дивизи": "Division",
    "дивізі": "Division",
    "corps": "Corps",
    "корпус": "Corps",
    "army": "Army",
    "арми": "Army",
    "армі": "Army",
}
_UNIT_TYPES = {
    "mechanized": "Mechanized",
    "mechanised": "Mechanized",
    "механизирован": "Mechanized",
    "механізован": "Mechanized",
    "air assault": "Air Assault",
    "десантно-штурмов": "Air Assault",
    "воздушно-десантн": "Airborne",
    "повітряно-десантн": "Airborne",
    "assault": "Assault",
    "штурмов": "Assault",
    "motor rifle": "Motor Rifle",
    "мотострелков": "Motor Rifle",
    "tank": "Tank",
    "танков": "Tank",
    "artillery": "Artillery",
    "артиллер": "Artillery",
    "артилер": "Artillery",
    "airborne": "Airborne",
    "десантн": "Airborne",
    "marine": "Marine",
    "морской пехоты": "Marine",
    "морської піхоти": "Marine",
    "territorial defense": "Territorial Defense",
    "territorial defence": "Territorial Defense",
    "територіальної оборони": "Territorial Defense",
    "тероборони": "Territorial Defense",
    "jaeger": "Jaeger",
    "єгерськ": "Jaeger",
    "mountain assault": "Mountain Assault",
    "гірсько-штурмов": "Mountain Assault",
    "combined arms": "Combined Arms",
    "общевойсков": "Combined Arms",
    "загальновійськов": "Combined Arms",
}


_UNIT_ABBREVIATIONS = {
    "омбр": "Mechanized Brigade",
    "ошбр": "Assault Brigade",
    "одшбр": "Air Assault Brigade",
    "омпбр": "Motorized Infantry Brigade",
    "отбр": "Tank Brigade",
    "оабр": "Artillery Brigade",
    "обртро": "Territorial Defense Brigade",
    "обр": "Brigade",
    "омсбр": "Motor Rifle Brigade",
}


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def unit_name(text: str) -> str | None:
    """``65th Mechanized Brigade`` for any spelling of a numbered unit (English, Russian, Ukrainian), else None."""
    match = re.match(r"^\s*(\d{1,4})", text)
    if not match:
        return None
    low = text.lower()
    abbreviation = re.search(r"\b(о[а-яіїє]*бр(?:тро)?)\b", low)
    if abbreviation and abbreviation.group(1) in _UNIT_ABBREVIATIONS:
        return f"{_ordinal(int(match.group(1)))} {_UNIT_ABBREVIATIONS[abbreviation.group(1)]}"
    kind = next((v for k, v in _UNIT_KINDS.items() if k in low), None)
    if kind is None:
        return None
    low_types = low
    type_name = None
    for key, value in sorted(_UNIT_TYPES.items(), key=lambda kv: -len(kv[0])):
        if key in low_types:
            type_name = value
            break
    parts = [_ordinal(int(match.group(1)))]
    if type_name:
        parts.append(type_name)
    parts.append(kind)
    return " ".join(parts)


# -- 3/4. typos and derived forms --------------------------------------------------------------------------------


def is_transposition(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with exactly one pair of adjacent letters swapped."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


_DERIVED_SUFFIXES = ("ites", "ite", "ists", "ist", "ians", "ian", "ovtsy", "овцы", "овці", "івці", "івців", "овцев")


class NamePool:
    """Names known to the current document and corpus: what typos, short forms and scripts resolve against."""

    def __init__(self) -> None:
        self.names: Counter[tuple[str, str]] = Counter()  # (name, label) -> count
        self.tokens: Counter[str] = Counter()
        self.in_full_names: Counter[str] = Counter()  # tokens seen inside a name of two or more words
        self._anagrams: dict[str, set[str]] = defaultdict(set)  # a transposition keeps the letters
        # (label, spelling key of the first or last word) -> names of two or more words: what full_name looks in
        self._by_end_word: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._latin_by_key: dict[str, set[str]] = defaultdict(set)  # spelling key -> Latin-script names

    def add(self, name: str, label: str, count: int = 1) -> None:
        """Record ``count`` occurrences of a name."""
        if (name, label) not in self.names:
            words = name.split()
            if len(words) > 1:
                self._by_end_word[(label, skeleton(words[0]))].add(name)
                self._by_end_word[(label, skeleton(words[-1]))].add(name)
            if not has_cyrillic(name):
                self._latin_by_key[skeleton(name)].add(name)
        self.names[(name, label)] += count
        for token in name.split():
            if len(token) >= 3:
                self.tokens[token] += count
                if " " in name:
                    self.in_full_names[token] += count
                self._anagrams["".join(sorted(token.lower()))].add(token)

    def fix_token(self, token: str) -> str:
        """The pool's spelling of ``token`` when ``token`` is a single transposition of a more frequent token.

        On a tie, the spelling also written inside a full name wins (``Oleksandr Tarnavskyi`` ... ``Tarnavksyi``).
        """
        if len(token) < 4:
            return token
        best, best_score = token, (self.tokens.get(token, 0), self.in_full_names.get(token, 0))
        for other in sorted(self._anagrams.get("".join(sorted(token.lower())), ())):
            score = (self.tokens[other], self.in_full_names[other])
            if score > best_score and is_transposition(token.lower(), other.lower()):
                best, best_score = other, score
        return best

    def full_name(self, token: str, label: str) -> str | None:
        """The single longer name (same label) that ends or starts with ``token`` (or its skeleton), if unique."""
        candidates = {
            name
            for name in self._by_end_word.get((label, skeleton(token)), ())
            if label != PER or clean_person_name(name)
        }
        if len(candidates) == 1:
            return candidates.pop()
        latin = {c for c in candidates if not has_cyrillic(c)}
        if len({skeleton(c) for c in candidates}) == 1 and candidates:
            return sorted(latin or candidates)[0]
        return None

    def latin_for(self, name: str) -> str | None:
        """A Latin-script pool name with the same spelling key as the Cyrillic ``name``."""
        hits = self._latin_by_key.get(skeleton(name))
        return min(hits) if hits else None


_NAME_WORD = re.compile(r"(?:[A-ZА-ЯІЇЄЁ]\.|[A-ZА-ЯІЇЄЁ][a-zа-яіїєёґ'’ʼ]+(?:-[A-ZА-ЯІЇЄЁ][a-zа-яіїєёґ'’ʼ]+)?)")


@lru_cache(maxsize=65536)
def clean_person_name(name: str) -> bool:
    """A name a short mention may resolve to: two or three capitalised name words (or initials), none of them a
    place the gazetteer knows (a run-on span such as ``Кіпр Ірина Ткаченко`` is not one)."""
    words = name.split()
    if not 2 <= len(words) <= 3 or not all(_NAME_WORD.fullmatch(w) for w in words):
        return False
    return not any(len(w) > 2 and (place := lookup_place(w)) is not None and place.latitude is None for w in words)


def _strip_derived(name: str, pools: Sequence[NamePool]) -> str:
    if " " in name:
        return name
    low = name.lower()
    for suffix in _DERIVED_SUFFIXES:
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            stem = name[: len(name) - len(suffix)]
            for candidate in (stem, stem + "а", stem + "a"):
                if lookup_known(candidate) is not None or any(candidate in pool.tokens for pool in pools):
                    return candidate
    return name


def _fix_typos(name: str, pools: Sequence[NamePool]) -> str:
    tokens = name.split()
    out = []
    for token in tokens:
        fixed = token
        for pool in pools:
            fixed = pool.fix_token(token)
            if fixed != token:
                break
        out.append(fixed)
    return " ".join(out)


def canonical_id(label: str, name: str) -> str:
    """Stable id of a canonical entity: label and spelling key (script-independent)."""
    return f"{label}:{skeleton(name) or name.lower()}"


def _title(name: str) -> str:
    if name.islower():
        return " ".join(w[:1].upper() + w[1:] for w in name.split())
    return name


def region_name(name: str) -> str | None:
    """The region model's English name for a region in any script and case (``Курская область``,
    ``Харківщини``, ``Kursk region`` -> ``Kursk Oblast``); None for anything else."""
    region = region_named(name)
    return region.canonical if region is not None else None


_ENGLISH_DISTRICT = re.compile(r"^[A-Z][\w' -]+ (?:Raion|District|Hromada)$")


def resolve(
    base: str,
    label: str,
    doc_pool: NamePool,
    corpus_pool: NamePool,
    context: PlaceContext | None = None,
    language: str | None = None,
) -> tuple[str, str]:
    """Apply merge rules 3-7 to a descriptor-stripped name; returns (canonical name, label). Of several places
    with the name, the one ``context`` (the document's other places) points to; a place the gazetteer does not
    know is romanised by the mention's ``language`` (Ukrainian ``Говерла`` is Hoverla, Russian Goverla)."""
    pools = (doc_pool, corpus_pool)
    if label == MIL_UNIT:
        unit = unit_name(base)
        if unit:
            return unit, MIL_UNIT
    name = _fix_typos(base, pools)
    name = _strip_derived(name, pools)
    known = lookup_known(name)
    if known is not None and label == PER and known.label in (ORG, MIL_UNIT):
        known = None  # a person the model found is not the unit or company of the same name (Рихарда Вагнера)
    if known is not None:
        return known.name, known.label
    if label == PER and " " not in name:
        full = doc_pool.full_name(name, PER) or corpus_pool.full_name(name, PER)
        if full:
            name = full
            known = lookup_known(name)
            if known is not None:
                return known.name, known.label
    if has_cyrillic(name):
        latin = doc_pool.latin_for(name) or corpus_pool.latin_for(name)
        if latin:
            known = lookup_known(latin)
            return (known.name, known.label) if known else (latin, label)
    if label == LOC:
        region = region_name(name)
        if region is not None:
            return region, LOC
        if _ENGLISH_DISTRICT.match(name):
            return name, LOC
        name = re.sub(r"^St\.?\s+", "Saint ", name)
        place = lookup_place(name, context)
        if place is not None and (has_cyrillic(name) or place.name.lower() == name.lower()):
            return place.name, LOC
        if has_cyrillic(name):  # a place the gazetteer does not know: its name romanised, as Wikipedia would
            return romanize(_capitalise_parts(_title(name)), language if language in ("ru", "uk") else None), LOC
    return _title(name), label


def _capitalise_parts(name: str) -> str:
    """Hyphenated parts of a place name capitalised, short linking words kept (``Ново-огарёво`` -> ``Ново-Огарёво``,
    ``Ростов-на-дону`` -> ``Ростов-на-Дону``)."""
    return re.sub(r"(?<=-)([^\W\d_]{3,})", lambda m: m.group(1)[:1].upper() + m.group(1)[1:], name)


def canonicalise(
    documents: Sequence[Sequence[Mention]], known: Iterable[tuple[str, str]] = ()
) -> dict[str, CanonicalEntity]:
    """Fill ``canonical``/``canonical_id``/``label`` of every mention of every document (in place).

    Args:
        documents: the mentions of each document in a batch (the batch is the corpus for typos and short names).
        known: (name, label) of canonical entities already in the warehouse, also part of the corpus.

    Returns:
        The canonical entities the mentions resolved to, by id, with their aliases (and places' coordinates).
    """
    corpus = NamePool()
    for name, label in known:
        corpus.add(name, label, 1)
    for curated_entity in KNOWN_ENTITIES:  # curated spellings outweigh one unknown spelling
        for alias in (curated_entity.name, *curated_entity.aliases):
            corpus.add(alias, curated_entity.label, 2)
    bases: list[list[str]] = []
    doc_pools: list[NamePool] = []
    for mentions in documents:
        pool = NamePool()
        doc_bases = []
        for mention in mentions:
            base = strip_descriptors(mention.lemma or mention.text)
            doc_bases.append(base)
            pool.add(base, mention.label)
            corpus.add(base, mention.label)
        bases.append(doc_bases)
        doc_pools.append(pool)
    # Label vote per name: a name NER tagged PER in one place and LOC in three is a place.
    resolved: list[list[tuple[str, str]]] = []
    contexts: list[PlaceContext] = []
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for mentions, doc_bases, pool in zip(documents, bases, doc_pools, strict=True):
        doc_resolved = [
            resolve(base, mention.label, pool, corpus, language=mention.language)
            for mention, base in zip(mentions, doc_bases, strict=True)
        ]
        context = document_context(doc_resolved)
        if context.countries:  # again, with the document's places: which of several places of one name
            doc_resolved = [
                resolve(base, mention.label, pool, corpus, context, mention.language) if found[1] == LOC else found
                for mention, base, found in zip(mentions, doc_bases, doc_resolved, strict=True)
            ]
        for name, label in doc_resolved:
            votes[skeleton(name) or name.lower()][label] += 1
        resolved.append(doc_resolved)
        contexts.append(context)
    entities: dict[str, CanonicalEntity] = {}
    for mentions, doc_bases, pool, doc_resolved, context in zip(
        documents, bases, doc_pools, resolved, contexts, strict=True
    ):
        for mention, base, (name, label) in zip(mentions, doc_bases, doc_resolved, strict=True):
            curated = lookup_known(name)
            if (curated is None or curated.name != name) and not mention.own_label:
                voted = _vote(votes[skeleton(name) or name.lower()], label)
                if voted == LOC and label != LOC:  # resolved as a place after all: its place name (romanised)
                    name, voted = resolve(base, LOC, pool, corpus, context, mention.language)
                label = voted
            mention.label = label
            mention.canonical = name
            mention.canonical_id = canonical_id(label, name)
            entity = entities.get(mention.canonical_id)
            if entity is None:
                entity = CanonicalEntity(mention.canonical_id, name, label)
                if label == LOC:
                    place = lookup_place(name, context)
                    if place is not None:
                        entity.latitude, entity.longitude = place.latitude, place.longitude
                        entity.country_code = place.country_code
                entities[mention.canonical_id] = entity
            elif has_cyrillic(entity.name) and not has_cyrillic(name):
                entity.name = name
            entity.aliases.add(mention.text)
    return entities


def document_context(resolved: Iterable[tuple[str, str]]) -> PlaceContext:
    """Where a document is: the countries and divisions of the regions, countries and places it names that are
    not ambiguous (one place of the name, or a city of 100,000 people or more)."""
    places: list[Place] = []
    for name, label in resolved:
        if label != LOC:
            continue
        region = region_named(name)
        if region is not None:
            places.append(region_place(region))
            continue
        candidates = lookup_places(name)
        if candidates and (len(candidates) == 1 or candidates[0].population >= 100_000):
            places.append(candidates[0])
    return PlaceContext.of(places)


def _vote(counts: Mapping[str, int], default: str) -> str:
    if not counts:
        return default
    order = {LOC: 0, ORG: 1, MIL_UNIT: 2, PER: 3}
    return sorted(counts.items(), key=lambda kv: (-kv[1], order.get(kv[0], 9)))[0][0]
