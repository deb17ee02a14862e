"""Regular expressions for the case forms of Russian and Ukrainian names (pure; no dictionary needed).

A name word becomes a stem plus one of a closed list of nominal case endings, so ``Харківщина`` matches
``Харківщини``/``Харківщиною`` and ``Курская`` matches ``Курской``, while a different word that merely shares
letters does not (``Кроме`` is no case form of ``Крым``: ``е`` after ``Кром`` would need a vowel change that only
Ukrainian closed syllables make, and ``Крим`` -> ``Криму`` keeps its ``и``). Ukrainian vowel alternation in a
closed last syllable is allowed when an ending follows: ``Харків`` -> ``Харкова``, ``Київ`` -> ``Києва``/``Києві``,
``Львів`` -> ``Львова``, ``Ірпінь`` -> ``Ірпеня``; so is a fleeting vowel before a final ``ц``/``к``: ``Донець``
-> ``Донця``, ``Райгородок`` -> ``Райгородка``.
"""

from __future__ import annotations

import re

APOSTROPHES = "'’ʼ"
# Nominal and adjectival case endings (singular and plural) of Russian and Ukrainian, longest first.
_ENDINGS = sorted(
    {
        "а",
        "я",
        "у",
        "ю",
        "е",
        "є",
        "і",
        "и",
        "ї",
        "о",
        "ы",
        "ой",
        "ою",
        "ей",
        "ею",
        "єю",
        "ом",
        "ем",
        "єм",
        "ём",
        "ам",
        "ям",
        "ах",
        "ях",
        "ами",
        "ями",
        "ов",
        "ев",
        "ів",
        "їв",
        "ого",
        "его",
        "ому",
        "ему",
        "ым",
        "им",
        "ім",
        "ых",
        "их",
        "іх",
        "ими",
        "ої",
        "ій",
        "ую",
        "юю",
        "ая",
        "яя",
        "ые",
        "ие",
        "ий",
        "ый",
        "ое",
        "ее",
        "ьи",
        "ья",
        "ье",
        "ью",
        "ьей",
        "ьем",
        "ьём",
        "ьям",
        "ьях",
        "ьо",
        "ьом",
        "ією",
        "ії",
        "ія",
        "ію",
        "ь",
    },
    key=len,
    reverse=True,
)
ENDING = "(?:" + "|".join(_ENDINGS) + ")"
_ADJECTIVE_ENDINGS = ("ая", "яя", "ий", "ый", "ой", "ій", "ое", "ее", "ье", "ья", "ые", "ие", "ьє")
_VOWELS = "аяоеиіїєыуюэё"
_ALTERNATION = {"і": "[іое]", "ї": "[їє]"}


def stem(word: str) -> str:
    """The word without its nominative ending (``Курская`` -> ``Курск``, ``Одеса`` -> ``Одес``)."""
    low = word.lower()
    for ending in _ADJECTIVE_ENDINGS:
        if low.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    if low[-1:] in _VOWELS + "ьй" and len(word) >= 4:
        return word[:-1]
    return word


def _escape(text: str) -> str:
    return "".join(f"[{APOSTROPHES}]" if c in APOSTROPHES else re.escape(c) for c in text)


def word_pattern(word: str) -> str:
    """A regex for every case form of one name word (acronyms and Latin words match as written)."""
    if not re.search(r"[а-яіїєёА-ЯІЇЄЁ]", word) or word.isupper() or len(word) < 3:
        return _escape(word)
    first, sep, rest = word.partition("-")
    if sep and rest[:1].islower() and len(first) >= 3:  # Ростов-на-Дону: the first part declines (Ростова-на-Дону)
        return word_pattern(first) + _escape(sep + rest)
    head, sep, tail = word.rpartition("-")
    if sep and head and tail:  # Ивано-Франковская, Кабардино-Балкария: only the last part declines
        return _escape(head + sep) + word_pattern(tail)
    if len(word) == 3 and word.endswith("ь"):  # Обь, Оби, Обью (not every ending of a two-letter stem: Оба)
        return _escape(word[:-1]) + "(?:ь|и|ью|ей)"
    base = stem(word)
    if len(word) == 3 and word[-1:] in "аА":  # Ока, Оке, Окой (a two-letter stem takes only its own endings)
        return _escape(base[:-1]) + "(?:а|ы|и|е|у|ой|ою|і|ю)"
    # a stem ending in и/і is no form by itself (Росії, Росією; Росі is the river Рось, not Росія)
    forms = [_escape(base) + ENDING + ("" if base[-1:] in "иі" and base != word else "?")]
    if word.endswith("й") and base != word and not word.lower().endswith(_ADJECTIVE_ENDINGS):
        forms.append(_escape(word))  # Дунай (the nominative; Дуная, Дунаю are the stem's)
    fleeting = re.fullmatch(rf"(.*[^{_VOWELS}])[еоє]([цкрл])", base)
    if fleeting and len(fleeting.group(1)) >= 3:  # Донець -> Донця, Райгородок -> Райгородка, Дністер -> Дністра
        forms.append(_escape(fleeting.group(1) + fleeting.group(2)) + ENDING)
    if word.endswith("ь") and base[-1:] in "лнтдсзцр":  # the Ukrainian instrumental doubles it: Волинню
        forms.append(_escape(base) + _escape(base[-1]) + "ю")
    velar = re.fullmatch(r"(.*[аеиоуіяю])([гкх])", base)
    if velar and len(velar.group(1)) >= 2:  # the Ukrainian locative and dative: Буг -> Бузі, Балтика -> Балтиці
        forms.append(_escape(velar.group(1)) + {"г": "з", "к": "ц", "х": "с"}[velar.group(2)] + "і")
    match = re.fullmatch(rf"(.*)([ії])([^{_VOWELS}]+)", base)
    if match and base == word.rstrip("ь"):
        alternated = _escape(match.group(1)) + _ALTERNATION[match.group(2)] + _escape(match.group(3))
        forms.append(alternated + "ь?" + ENDING)  # Харкова, Києві, Ірпеня
    return "(?:" + "|".join(forms) + ")" if len(forms) > 1 else forms[0]


def phrase_pattern(phrase: str) -> str:
    """Every case form of a multi-word name (``Часів Яр`` -> ``Часового Яру``), words joined by spaces."""
    return r"\s+".join(word_pattern(word) for word in phrase.split())


BOUNDARY_BEFORE = rf"(?<![\w{APOSTROPHES}-])"
BOUNDARY_AFTER = rf"(?![\w{APOSTROPHES}-])"
# What joins coordinated words (Russian and Ukrainian): a comma, and, or (``Оби и Иртышу``, ``Курская или Орловская``).
COORDINATION = r"(?:\s*,\s*|\s+(?:и|і|й|та|или|або)\s+)"
