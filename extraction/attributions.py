"""Attributions: the outlets and agencies a text credits (``according to Reuters``, ``The Moscow Times reported``).

A candidate is a known outlet name (``OUTLETS``, any script, inflected Cyrillic endings allowed) or an ORG
mention; it is an attribution when a cue sits right before it (``according to``, ``citing``, ``told``,
``сообщает``, ``по данным``, ``за даними``, ...) or right after it (``reported``, ``wrote``, ``пишет``,
``повідомляє``, ...). Unknown organisations count only with reporting cues (not ``said``), so ``the Kremlin
said`` is a speaker, not a credited source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from extraction.canonical import Mention
from extraction.gazetteer import ORG, lookup_known

# Outlet -> aliases (the canonical name is what lands in ``outlet_canonical``).
OUTLETS: dict[str, tuple[str, ...]] = {
    "Reuters": ("Reuters", "Рейтер", "Reuters news agency"),
    "Associated Press": ("Associated Press", "AP", "the AP"),
    "Agence France-Presse": ("Agence France-Presse", "AFP"),
    "TASS": ("TASS", "Tass", "ТАСС"),
    "RIA Novosti": ("RIA Novosti", "RIA", "РИА Новости", "РИА «Новости»"),
    "Interfax": ("Interfax", "Interfax-Ukraine", "Интерфакс", "Інтерфакс", "Интерфакс-Украина", "Інтерфакс-Україна"),
    "Ukrinform": ("Ukrinform", "Укринформ", "Укрінформ"),
    "Ukrainska Pravda": ("Ukrainska Pravda", "Украинская правда", "Українська правда"),
    "Suspilne": ("Suspilne", "Суспільне", "Суспильное"),
    "UNIAN": ("UNIAN", "УНИАН", "УНІАН"),
    "Hromadske": ("Hromadske", "Громадське"),
    "The Moscow Times": ("The Moscow Times", "Moscow Times"),
    "Meduza": ("Meduza", "Медуза"),
    "Mediazona": ("Mediazona", "Медиазона", "Медіазона"),
    "Novaya Gazeta": ("Novaya Gazeta", "Новая газета"),
    "Kommersant": ("Kommersant", "Коммерсант", "Коммерсантъ"),
    "RBC": ("RBC", "РБК"),
    "Izvestia": ("Izvestia", "Известия"),
    "Vedomosti": ("Vedomosti", "Ведомости"),
    "Fontanka": ("Fontanka", "Фонтанка"),
    "RT": ("RT", "Russia Today"),
    "Kyiv Independent": ("Kyiv Independent", "The Kyiv Independent"),
    "Radio Liberty": ("Radio Liberty", "Radio Free Europe/Radio Liberty", "RFE/RL", "Радио Свобода", "Радіо Свобода"),
    "BBC": ("BBC", "Би-би-си", "Бі-Бі-Сі"),
    "CNN": ("CNN",),
    "Bloomberg": ("Bloomberg",),
    "The New York Times": ("The New York Times", "New York Times", "NYT"),
    "The Washington Post": ("The Washington Post", "Washington Post"),
    "The Wall Street Journal": ("The Wall Street Journal", "Wall Street Journal", "WSJ"),
    "Financial Times": ("Financial Times", "the FT"),
    "The Guardian": ("The Guardian", "Guardian"),
    "Al Jazeera": ("Al Jazeera",),
    "Deutsche Welle": ("Deutsche Welle", "DW"),
    "Politico": ("Politico",),
    "Institute for the Study of War": ("Institute for the Study of War", "ISW"),
}

_PRE_CUE = re.compile(
    r"(?:according\s+to|citing|cited\s+by|quoted\s+by|reported\s+by|told|in\s+an\s+interview\s+with|"
    r"interview\s+with|сообща[еюл][а-я]*|пиш[еу]т|переда[её]т|по\s+данным|по\s+информации|со\s+ссылкой\s+на|"
    r"как\s+сообщает|как\s+пишет|повідомля[єю]|повідомив|повідомила|пише|передає|за\s+даними|"
    r"за\s+інформацією|з\s+посиланням\s+на|як\s+повідомляє|як\s+пише|в\s+интервью|в\s+інтерв'ю)"
    r"\s+(?:the\s+|to\s+the\s+|изданию\s+|агентству\s+|агентство\s+|виданню\s+|агентству\s+)?$",
    re.IGNORECASE,
)
_POST_CUE_REPORTING = re.compile(
    r"^(?:'s?)?(?:\s+(?:news\s+agency|newspaper|agency|outlet|website|channel))?\s*,?\s+"
    r"(?:has\s+|had\s+|also\s+)?(reported|reports|wrote|writes|cited|citing|published|сообщает|сообщил[аио]?|"
    r"пишет|написал[аио]?|передает|повідомляє|повідомил[ао]|повідомив|пише|написав|написала)\b",
    re.IGNORECASE,
)
_POST_CUE_SAID = re.compile(r"^\s*(?:said|says|told|said\s+on|сказал|сказав|заявил|заявив)\b", re.IGNORECASE)


@dataclass(slots=True)
class Attribution:
    """One credited outlet: surface text, canonical name, cue and offsets."""

    outlet: str
    outlet_canonical: str
    cue: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _outlet_re() -> tuple[re.Pattern[str], dict[str, str]]:
    canonical: dict[str, str] = {}
    for name, aliases in OUTLETS.items():
        for alias in (name, *aliases):
            canonical[alias.lower()] = name
    alternatives = sorted(canonical, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?:[а-яіїє]{1,2})?(?![\w-])",
        re.IGNORECASE,
    )
    return pattern, canonical


def _outlet_name(surface: str) -> str | None:
    _, canonical = _outlet_re()
    low = surface.lower()
    for cut in range(0, 3):
        candidate = low[: len(low) - cut] if cut else low
        if candidate in canonical:
            return canonical[candidate]
    return None


def extract_attributions(text: str, mentions: Sequence[Mention]) -> list[Attribution]:
    """Outlets and agencies ``text`` credits, in order of appearance (one row per credit)."""
    pattern, _ = _outlet_re()
    candidates: list[tuple[int, int, str, bool]] = []  # start, end, canonical, known outlet
    for match in pattern.finditer(text):
        surface = match.group(0)
        name = _outlet_name(surface)
        if name is None:
            continue
        if len(surface) <= 3 and not surface.isupper() and not re.search(r"[а-яіїє]", surface.lower()):
            continue  # "ap", "rt" in running text
        candidates.append((match.start(), match.end(), name, True))
    for mention in mentions:
        if mention.label == ORG and not any(c[0] < mention.end and mention.start < c[1] for c in candidates):
            known = lookup_known(mention.canonical or mention.text)
            name = _outlet_name(mention.text) or (known.name if known else mention.canonical or mention.text)
            candidates.append((mention.start, mention.end, name, _outlet_name(mention.text) is not None))
    out: list[Attribution] = []
    for start, end, name, is_outlet in sorted(candidates):
        before = text[max(0, start - 40) : start]
        after = text[end : end + 60]
        pre = _PRE_CUE.search(before)
        cue = None
        if pre is not None and (is_outlet or not pre.group(0).lower().startswith(("told", "interview"))):
            cue = " ".join(pre.group(0).split()).lower()
        else:
            post = _POST_CUE_REPORTING.match(after)
            if post is not None:
                cue = post.group(1).lower()
            elif is_outlet:
                said = _POST_CUE_SAID.match(after)
                if said is not None:
                    cue = said.group(0).strip().lower()
        if cue is not None:
            out.append(Attribution(text[start:end], name, cue, start, end))
    return out
