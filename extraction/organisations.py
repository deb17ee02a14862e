"""Organisation names that natasha's Russian model misses in Ukrainian (and Russian) text, found by their form.

Three general shapes, each a generic-word model rather than a list of names:

* a short capitalised name in guillemets (``«Шахтар»``, ``ТОВ «Буковинашляхбуд»``) is a club, a firm or a party,
  unless a noun before it says it is a work, an event or a place (``опера «Кармен»``, ``стадіон «Україна»``);
* a capitalised adjective agreeing with an institution's head noun, with lower-case adjectives between
  (``Сумської обласної ради``, ``Європейського інвестиційного банку``), or followed by an acronym
  (``Полтавська ОВА``, ``Кременчуцька ГЕС``), takes the name's complements (``імені Каразіна``, ``України``);
* a compound word made of a sector stem (``Укрзалізниця``, ``Харківобленерго``, ``Мінагрополітики``, ``Нафтогаз``)
  is an institution when it is capitalised inside a sentence and names no place or person.

Functions take the analyser's ``parse`` (pymorphy3) and a place test, so they stay pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from extraction.curated import table_rows
from extraction.inflection import APOSTROPHES, BOUNDARY_AFTER, BOUNDARY_BEFORE
from extraction.name_readings import person_readings

Parse = Callable[[str], Sequence[Any]]


@cache
def organisation_words(kind: str) -> frozenset[str]:
    """The words of one kind in ``extraction/data/organisation_words.tsv`` (lemmas, both languages)."""
    return frozenset(word for row in table_rows("organisation_words.tsv") if row[0] == kind for word in row[1].split())


_LETTERS = r"а-яіїєґё" + APOSTROPHES
_CAPITALISED = rf"[А-ЯІЇЄҐЁ][{_LETTERS}]+(?:-[А-ЯІЇЄҐЁа-яіїєґё][{_LETTERS}]+)*"  # Івано-Франківській
_LEGAL_FORM = r"(?:ТОВ|ТДВ|ООО|ОАО|ЗАО|ПАО|АО|АТ|ПрАТ|ПАТ|ВАТ|ЗАТ|ТзОВ|КП|ДП|ГП|ГУП|МУП|ФГУП|НКО|ГО|БФ)"
_QUOTED = re.compile(rf"(?:(?:{_LEGAL_FORM}|[А-ЯІЇЄҐЁ]{{2,5}})\s+)?«([А-ЯІЇЄҐЁA-Z0-9][^«»\n]{{0,40}})»")

# Nouns whose guillemets hold a title, an event or a place rather than an organisation (lemmas, both languages).
_NOT_ORGANISATION_HEADS = organisation_words("not_organisation")

# Head nouns of institutions' names (lemmas, both languages).
_INSTITUTION_HEADS = organisation_words("institution")

# Stems of compound institution names (Укр-залізниця, Харків-обл-енерго, Мін-фін, Нафто-газ).
_COMPOUND_START = re.compile(r"^(?:укр|мін|мин|нац|держ|ген(?!е)|каб|нафто|нефте|енерго|энерго|центр)(?=[а-яіїєґё])")
_STRONG_STARTS = frozenset({"укр", "нафто", "нефте", "енерго", "энерго"})
_COMPOUND_PART = re.compile(
    r"(?<=[а-яіїєґё]{2})(?:обленерго|енерго|энерго|газ|банк|атом|пошт|почт|залізниц|сталь|інвест|инвест|буд|строй|"
    r"транс|водоканал|телеком|пром|нафт|нефт|авто|агро|оборон|постач|тепло|зв[ʼ'’]?яз|связ|інформ|информ|шлях)"
)
_ACRONYM = re.compile(r"[ \t]+([А-ЯІЇЄҐЁ]{2,6})" + BOUNDARY_AFTER)
_LOWER_WORD = re.compile(rf"[ \t]+([а-яіїєґё][{_LETTERS}-]+)")
_NAMED_AFTER = re.compile(
    rf"[ \t]+(?:імені|имени|им\.|ім\.)(?:[ \t]+(?:[А-ЯІЇЄҐЁ]\.[ \t]*)+)?(?:[ \t]+{_CAPITALISED}){{1,3}}"
)
_RELATIONAL = re.compile(r"(?:ськ|цьк|зьк|ск|цк|зк|ов|ев|ів|йн)[а-яіїєё]{1,3}$")  # Сумської, Світового
_SENTENCE_START = re.compile(r"(?:^|[.!?…\n:])[\s«\"„“—–-]*$")
_GENERIC_ACRONYMS = organisation_words("generic_acronym") | organisation_words("weapon_acronym")


def _plain(lemma: str) -> str:
    return re.sub(f"[{APOSTROPHES}]", "", lemma)


def _lemmas(word: str, parse: Parse) -> set[str]:
    return {_plain(p.normal_form) for p in parse(word.lower())}


def _word_before(text: str, start: int) -> str:
    match = re.search(rf"([{_LETTERS}A-Za-zА-ЯІЇЄҐЁ-]+)[\s,]*$", text[max(0, start - 40) : start])
    return match.group(1) if match else ""


def _verb(word: str, parse: Parse) -> bool:
    parses = parse(word)  # a dictionary verb only: an unknown name (Кривбас) may be guessed a verb
    return bool(parses) and all(p.tag.POS in ("VERB", "INFN") and p.is_known for p in parses)


def quoted_organisations(text: str, start: int, end: int, parse: Parse) -> list[tuple[int, int]]:
    """Spans of short capitalised names in guillemets (with a legal form before them) that name organisations:
    not a title, event or place by the noun before them, not a quoted sentence (more than four words, or after a
    colon), and no stadium or arena by their own words."""
    out: list[tuple[int, int]] = []
    for match in _QUOTED.finditer(text, start, end):
        name = match.group(1)
        words = name.split()
        legal = match.start() != match.start(1) - 1
        if len(words) > 4 or re.search(r"[.!?]$", name):
            continue
        if not legal:
            before = _word_before(text, match.start())
            if before and _lemmas(before, parse) & _NOT_ORGANISATION_HEADS:
                continue
            if re.search(r"(?::|(?<!»)\s[—–])\s*$", text[max(0, match.start() - 4) : match.start()]) or re.match(
                r"\s*,?\s*[—–]\s*[а-яіїєґё]", text[match.end() : match.end() + 6]
            ):
                continue  # a quoted remark (after a colon, before a dash and its speech verb; not «Шахтар» — «Зоря»)
            if any(_verb(word.strip(",.!?"), parse) for word in words):
                continue  # a quoted sentence has a verb; a name has none
            if re.search(r"(?i)арен|arena|стадіон|стадион", name):
                continue  # a stadium named by its own words
        out.append((match.start(), match.end()))
    return out


def _agrees(adjective: Any, noun: Any) -> bool:
    a, n = adjective.tag, noun.tag
    if a.case != n.case or a.number != n.number:
        return False
    return a.number == "plur" or n.gender is None or a.gender == n.gender


def institution_phrases(text: str, start: int, end: int, parse: Parse) -> list[tuple[int, int]]:
    """Spans of ``<Capitalised adjective> [adjectives] <institution noun or acronym> [complements]``."""
    out: list[tuple[int, int]] = []
    for match in re.finditer(BOUNDARY_BEFORE + _CAPITALISED + BOUNDARY_AFTER, text[:end]):
        if match.start() < start:
            continue
        parses = parse(match.group(0))
        adjectives = [p for p in parses if p.tag.POS == "ADJF" and not {"Supr", "Cmp2", "COMP"} & p.tag.grammemes]
        if not adjectives:
            if {_plain(p.normal_form) for p in parses if p.tag.POS == "NOUN"} & _INSTITUTION_HEADS:
                # a head noun first (Служба автомобільних доріг, Міністерство інфраструктури): its complements
                complements = _complements(text, match.end(), end, parse)
                if complements > match.end():
                    out.append((match.start(), complements))
            continue
        if _SENTENCE_START.search(text[max(0, match.start() - 40) : match.start()]) and not _RELATIONAL.search(
            match.group(0)
        ):
            continue  # a common adjective opening a sentence (Крупнейшие компании региона)
        acronym = _ACRONYM.match(text, match.end())
        if acronym is not None and acronym.group(1) not in _GENERIC_ACRONYMS:
            out.append((match.start(), acronym.end()))
            continue
        cursor, head_end = match.end(), None
        readings = adjectives
        while (word := _LOWER_WORD.match(text, cursor)) is not None and word.end() <= end:
            parses = parse(word.group(1))
            agreeing = [p for p in parses if any(_agrees(a, p) for a in readings)]
            nouns = [p for p in agreeing if p.tag.POS == "NOUN"]
            if {_plain(p.normal_form) for p in nouns} & _INSTITUTION_HEADS:
                head_end = word.end()
                break
            following = [p for p in agreeing if p.tag.POS == "ADJF"]
            if not following:
                break
            readings, cursor = following, word.end()
        if head_end is None:
            continue
        head_end = _complements(text, head_end, end, parse)
        if re.match(r"\s*«", text[head_end : head_end + 3]):
            continue  # a description of the quoted name after it (Украинская компания «…»)
        out.append((match.start(), head_end))
    return out


def _complements(text: str, cursor: int, end: int, parse: Parse) -> int:
    """End of an institution's name after its head: lower-case genitive nouns with their adjectives (``асоціація
    футболу``, ``Служба автомобільних доріг``), ``імені`` and a name; a place after them is a mention of its own."""
    done = cursor
    for _ in range(4):
        named = _NAMED_AFTER.match(text, cursor)
        if named is not None and named.end() <= end:
            cursor = done = named.end()
            continue
        word = re.match(rf"[ \t]+([{_LETTERS}A-Za-zА-ЯІЇЄҐЁ-]{{3,}})", text[cursor:end])
        if word is None:
            break
        parses = [p for p in parse(word.group(1)) if "gent" in p.tag.grammemes and p.tag.POS in ("NOUN", "ADJF")]
        if not parses:
            break
        if word.group(1)[:1].isupper():
            break  # a place after the name is a mention of its own (суд Екатеринбурга, банк України)
        cursor += word.end()
        if any(p.tag.POS == "NOUN" for p in parses):
            done = cursor
    return done


def _compound(lower: str, parse: Parse, names_place: Callable[[str], bool]) -> str | None:
    """How surely a word is an institution's compound: ``strong`` for a sector stem of its own first (``Укр…``,
    ``Нафто…``) or a stem after a place or another stem (``Харків|обленерго``, ``Буковина|шлях|буд``), ``weak`` for
    an abbreviating stem first (``Мін…``, ``Держ…``) or a stem after a word or a linking ``о`` (``Метінвест``);
    None for a name that only contains such letters (``Ніредьгаза``)."""
    start = _COMPOUND_START.search(lower)
    if start is not None:
        return "strong" if start.group(0) in _STRONG_STARTS else "weak"
    parts = list(_COMPOUND_PART.finditer(lower))
    for part in parts:
        before = lower[: part.start()]
        if any(other.end() == part.start() for other in parts) or names_place(before):
            return "strong"
        if before.endswith("о") or any(p.is_known and p.tag.POS == "NOUN" for p in parse(before)):
            return "weak"
    return None


def compound_organisations(
    text: str, start: int, end: int, parse: Parse, names_place: Callable[[str], bool]
) -> list[tuple[int, int]]:
    """Spans of capitalised compound words built from an institution's sector stem (opening a sentence only when
    surely one)."""
    out: list[tuple[int, int]] = []
    for match in re.finditer(BOUNDARY_BEFORE + rf"[А-ЯІЇЄҐЁ][{_LETTERS}]{{5,}}" + BOUNDARY_AFTER, text[:end]):
        if match.start() < start:
            continue
        word = match.group(0)
        sureness = _compound(word.lower(), parse, names_place)
        opening = _SENTENCE_START.search(text[max(0, match.start() - 40) : match.start()]) is not None
        if sureness is None or (opening and sureness != "strong"):
            continue  # a sentence's first word only when surely a compound (Нафтогаз заявив, not Держава)
        parses = parse(word)
        if not parses or parses[0].tag.POS != "NOUN" or "anim" in parses[0].tag.grammemes:
            continue
        if person_readings(parses, also=("Geox",)) or names_place(word):
            continue
        out.append((match.start(), match.end()))
    return out
