"""Direct quotations with speakers and verbs of attribution (rules over the text plus the document's mentions).

Quote marks: straight ``"..."`` (within one line), typographic ``“...”``, ``«...»`` (one nested level) and
``„...“``/``„...”``; typographic quotes may span sentence and line breaks. A quote of one or two words with no
closing punctuation is a scare quote (``kind="scare"``): it gets no speaker.

Speakers come from the words right after the quote (``", Prigozhin said``, ``," said Prigozhin``,
``", he added``, ``», — заявил Пригожин``, ``the brigade said in a message``) or right before it
(``Prigozhin said: "``, ``according to X, "``, ``по словам X, «``). A pronoun resolves to the last named
speaker (else the last person mentioned); ``the brigade``/``the ministry`` resolve to the last unit or ministry
mentioned. A quote with no attribution that follows an attributed one closely continues it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from extraction.canonical import Mention
from extraction.gazetteer import MIL_UNIT, ORG, PER

MAX_QUOTE_CHARS = 2_000  # longest quote (the patterns below spell it out)
CONTINUATION_GAP = 80  # an unattributed quote this close after an attributed one continues it


@dataclass(slots=True)
class Quote:
    """One quotation: offsets of its inner text, kind, speaker (surface and canonical) and verb lemma."""

    text: str
    start: int
    end: int
    kind: str = "statement"  # "statement" | "scare"
    speaker: str | None = None
    speaker_canonical: str | None = None
    speaker_canonical_id: str | None = None
    verb: str | None = None


_QUOTE_RES = (
    re.compile(r"«((?:[^«»]|«[^«»]*»){1,2000})»"),
    re.compile(r"„([^„“”]{1,2000})[“”]"),
    re.compile(r"“([^“”]{1,2000})”"),
    re.compile(r'(?:(?<=^)|(?<=[\s(\[—–:-]))"([^"\n]{1,2000}?)"(?=[\s.,;:!?)\]—–-]|$)'),
)

_EN_VERBS = {
    "say": "say said says saying",
    "add": "add added adds",
    "tell": "told tells tell",
    "state": "stated states",
    "write": "wrote writes write",
    "claim": "claimed claims",
    "declare": "declared declares",
    "announce": "announced announces",
    "warn": "warned warns",
    "note": "noted notes",
    "insist": "insisted insists",
    "explain": "explained explains",
    "reply": "replied replies",
    "ask": "asked asks",
    "stress": "stressed stresses",
    "continue": "continued continues",
    "post": "posted posts",
    "allege": "alleged alleges",
    "argue": "argued argues",
    "admit": "admitted admits",
    "confirm": "confirmed confirms",
    "deny": "denied denies",
    "urge": "urged urges",
    "vow": "vowed vows",
    "recall": "recalled recalls",
    "comment": "commented comments",
    "boast": "boasted boasts",
    "threaten": "threatened threatens",
    "report": "reported reports",
    "describe": "described describes",
    "shout": "shouted shouts",
}
EN_VERB_LEMMA = {form: lemma for lemma, forms in _EN_VERBS.items() for form in forms.split()}
_EN_VERB = r"(?:" + "|".join(sorted(EN_VERB_LEMMA, key=len, reverse=True)) + r")"

_SLAVIC_STEMS = [
    "сказа",
    "заяви",
    "добави",
    "дода",
    "отмети",
    "зазначи",
    "подчеркну",
    "наголоси",
    "написа",
    "сообщи",
    "повідоми",
    "поясни",
    "рассказа",
    "розпові",
    "уточни",
    "указа",
    "вказа",
    "призна",
    "визна",
    "пообеща",
    "пообіця",
    "предупреди",
    "попереди",
    "ответи",
    "відпові",
    "заключи",
    "підкресли",
    "передава",
    "переда",
    "заверши",
    "резюмирова",
]
_SLAVIC_PRESENT = [
    "говорит",
    "заявляет",
    "пишет",
    "сообщает",
    "отмечает",
    "добавляет",
    "считает",
    "каже",
    "говорить",
    "заявляє",
    "пише",
    "повідомляє",
    "зазначає",
    "додає",
    "вважає",
    "подчеркивает",
    "наголошує",
]
_SLAVIC_VERB = r"(?:(?:" + "|".join(_SLAVIC_STEMS) + r")(?:ла|ли|ло|л|в)(?:ся|сь)?|" + "|".join(_SLAVIC_PRESENT) + r")"

_PRONOUNS = {"he", "she", "they", "он", "она", "они", "він", "вона", "вони"}
_NOUN_SPEAKERS = {
    "brigade": (MIL_UNIT, "Brigade"),
    "regiment": (MIL_UNIT, "Regiment"),
    "battalion": (MIL_UNIT, "Battalion"),
    "unit": (MIL_UNIT, ""),
    "group": (MIL_UNIT, ""),
    "ministry": (ORG, "Ministry"),
    "company": (ORG, ""),
    "operator": (ORG, ""),
    "agency": (ORG, ""),
    "service": (ORG, ""),
    "office": (ORG, ""),
    "staff": (ORG, ""),
    "command": (ORG, ""),
    "administration": (ORG, ""),
    "бригад": (MIL_UNIT, "Brigade"),
    "полк": (MIL_UNIT, "Regiment"),
    "батальйон": (MIL_UNIT, "Battalion"),
    "батальон": (MIL_UNIT, "Battalion"),
    "министерств": (ORG, "Ministry"),
    "міністерств": (ORG, "Ministry"),
    "минобороны": (ORG, "Ministry"),
    "міноборони": (ORG, "Ministry"),
}
_EN_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|of|the|de|al|bin|von))*"
_EN_NOUN = (
    r"(?:brigade|regiment|battalion|unit|group|ministry|spokes(?:man|woman|person)|officials?|commanders?|governor|"
    r"mayor|statement|military|army|president|sources?|analysts?|soldiers?|fighters?|residents?|witness(?:es)?|"
    r"company|operator|agency|service|office|police|authorities|prosecutors?|administration|council|command|staff|"
    r"forces|headquarters)"
)
# "the brigade", "a spokesman for the brigade", "Analysts at the ISW", "the battalion's commander Apti Alaudinov"
_EN_NOUN_SPK = (
    rf"(?:(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Ii]ts|[Tt]heir)\s+(?:[\w'’-]+\s+){{0,3}}?{_EN_NOUN}|(?=[A-Z])(?i:{_EN_NOUN}))"
    rf"(?:\s+(?:at|of|for|from|with|in)\s+(?:the\s+)?{_EN_NAME}|\s+{_EN_NAME})?"
)
# a role written before a name: "brigade commander Andriy Biletsky", "EU foreign policy chief Kaja Kallas"
_EN_ROLE_NAME = rf"(?:[A-Z][\w.-]*\s+)?(?:[a-z][\w'’-]*\s+){{1,4}}?(?=[A-Z]){_EN_NAME}"
_EN_SPK = rf"(?P<spk>he|she|they|He|She|They|{_EN_NOUN_SPK}|{_EN_NAME})"
_EN_SPK_AFTER = rf"(?P<spk>he|she|they|He|She|They|{_EN_NOUN_SPK}|{_EN_NAME}|{_EN_ROLE_NAME})"
_SL_NAME = r"[А-ЯЁІЇЄҐA-Z][\w'’.-]*(?:\s+[А-ЯЁІЇЄҐA-Z][\w'’.-]*){0,3}"
_SL_SPK = (
    rf"(?P<spk>он|она|они|він|вона|вони|(?:в|у|во)\s+[\w-]+(?:\s+[\w-]+){{0,2}}|"
    rf"(?:[\w«»-]+\s+){{0,3}}?{_SL_NAME})"
)

_AFTER_RES = (
    re.compile(rf"^\s*[,.!?…]?\s*[—–-]?\s*(?P<verb>{_EN_VERB})\s+{_EN_SPK}"),
    re.compile(
        rf"^\s*[,.!?…]?\s*[—–-]?\s*{_EN_SPK_AFTER}\s+(?:also\s+|later\s+|then\s+|has\s+|had\s+)?"
        rf"(?P<verb>{_EN_VERB})\b"
    ),
    re.compile(rf"^\s*[,.!?…]?\s*[—–-]?\s*(?P<verb>according)\s+to\s+{_EN_SPK}"),
    re.compile(rf"^\s*[,.!?…]?\s*[—–-]\s*(?P<verb>(?i:{_SLAVIC_VERB}))\s+{_SL_SPK}"),
    re.compile(rf"^\s*[,.!?…]?\s*[—–-]\s*{_SL_SPK}\s+(?P<verb>{_SLAVIC_VERB})\b"),
)
_BEFORE_RES = (
    re.compile(
        rf"{_EN_SPK}\s+(?:also\s+|later\s+|then\s+|has\s+|had\s+)?(?P<verb>{_EN_VERB})\b[^.!?\"“”«»]{{0,60}}[:,]\s*$"
    ),
    re.compile(rf"(?P<verb>[Aa]ccording)\s+to\s+{_EN_SPK}\s*,\s*$"),
    re.compile(rf"{_SL_SPK}\s+(?P<verb>{_SLAVIC_VERB})\b[^.!?«»„“”]{{0,60}}[:,]\s*$"),
    re.compile(
        rf"(?:[Пп]о\s+словам|[Зз]а\s+словами|[Кк]ак\s+(?=\S+\s)|[Яя]к\s+(?=\S+\s))\s*(?P<verb>{_SLAVIC_VERB})?\s*{_SL_SPK}\s*,\s*$"
    ),
)
# A partial quote inside reported speech (Lukashenko said Minsk stood "shoulder to shoulder"); never for a
# quote of one or two words, which stays a scare quote.
_PARTIAL_RES = (
    re.compile(rf"{_EN_SPK}\s+(?:also\s+|later\s+|then\s+|has\s+|had\s+)?(?P<verb>{_EN_VERB})\b[^.!?\"“”«»]{{0,80}}$"),
    re.compile(rf"{_SL_SPK}\s+(?P<verb>{_SLAVIC_VERB})\b[^.!?«»„“”]{{0,80}}$"),
)


_NAME_VERB_AFTER = (1, 4)  # the patterns of _AFTER_RES that read "<speaker> <verb>"


def find_quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the inner text of every quotation, outermost first, no overlaps."""
    spans: list[tuple[int, int, int, int]] = []
    for pattern in _QUOTE_RES:
        for match in pattern.finditer(text):
            spans.append((match.start(), match.end(), match.start(1), match.end(1)))
    spans.sort(key=lambda s: (s[0], -s[1]))
    kept: list[tuple[int, int, int, int]] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    return [(s[2], s[3]) for s in kept if text[s[2] : s[3]].strip()]


def is_scare(inner: str) -> bool:
    """A quote of one or two words without closing punctuation is a scare quote (or a name in quotes)."""
    words = inner.split()
    return len(words) <= 2 and not re.search(r"[.!?…,]$", inner.strip())


def _verb_lemma(verb: str, language: str) -> str:
    low = verb.lower()
    if low in EN_VERB_LEMMA:
        return EN_VERB_LEMMA[low]
    if low == "according":
        return "according to"
    if re.search(r"[а-яіїє]", low):
        from extraction.entities import morph

        parses = morph(language if language in ("ru", "uk") else "ru").parse(low)
        return str(parses[0].normal_form) if parses else low
    return low


def _mention_in(mentions: Sequence[Mention], start: int, end: int) -> Mention | None:
    inside = [m for m in mentions if m.start < end and start < m.end]
    order = {PER: 0, MIL_UNIT: 1, ORG: 2}
    inside.sort(key=lambda m: (order.get(m.label, 3), m.start))
    return inside[0] if inside else None


def _last_mention(mentions: Sequence[Mention], before: int, label: str, contains: str = "") -> Mention | None:
    best = None
    for mention in mentions:
        if mention.end <= before and mention.label == label and contains.lower() in (mention.canonical or "").lower():
            best = mention
    return best


def _sentence_end(text: str, pos: int, limit: int = 160) -> int:
    window = text[pos : pos + limit]
    match = re.search(r"(?<=[.!?…])\s|\n", window)
    return pos + (match.start() if match else len(window))


def _sentence_start(text: str, pos: int, limit: int = 220) -> int:
    lo = max(0, pos - limit)
    window = text[lo:pos]
    boundaries = [m.end() for m in re.finditer(r"[.!?…][»”\"]?\s+|\n", window)]
    return lo + (boundaries[-1] if boundaries else 0)


def extract_quotes(text: str, mentions: Sequence[Mention], language: str = "en") -> list[Quote]:
    """Quotes of one document, with speakers resolved against its (canonicalised) mentions."""
    quotes: list[Quote] = []
    last_speaker: Quote | None = None
    for start, end in find_quote_spans(text):
        inner = text[start:end]
        if any((m.start <= start and end <= m.end) or text[m.start : m.end] == inner.strip() for m in mentions):
            continue  # a name in quotes (ЧВК «Вагнер», «Коммерсант»), not a quotation
        quote = Quote(inner, start, end)
        spk_match, spk_offset = _attribution(text, start, end, partial=not is_scare(inner))
        if spk_match is None and is_scare(inner) and not text[: start - 1].rstrip().endswith(":"):
            quote.kind = "scare"
            quotes.append(quote)
            continue
        if spk_match is not None:
            verb = spk_match.groupdict().get("verb")
            quote.verb = _verb_lemma(verb, language) if verb else None
            s, e = spk_offset + spk_match.start("spk"), spk_offset + spk_match.end("spk")
            _resolve_speaker(quote, text, s, e, mentions, last_speaker)
        elif last_speaker is not None and 0 <= start - (last_speaker.end + 1) <= CONTINUATION_GAP:
            gap = text[last_speaker.end + 1 : start - 1]
            starts_sentence = not gap.strip() or re.search(r"[.!?…:]\s*$", gap) is not None
            if starts_sentence and inner[:1].isupper() and not re.search(r"[«»“”„\"]", gap):
                quote.speaker = last_speaker.speaker
                quote.speaker_canonical = last_speaker.speaker_canonical
                quote.speaker_canonical_id = last_speaker.speaker_canonical_id
                quote.verb = last_speaker.verb
        if quote.speaker is not None:
            last_speaker = quote
        quotes.append(quote)
    return quotes


def _attribution(text: str, start: int, end: int, partial: bool = True) -> tuple[re.Match[str] | None, int]:
    """The attribution match after the quote (else before it) and the offset its positions are relative to."""
    outer_end, outer_start = end + 1, start - 1
    after = text[outer_end : _sentence_end(text, outer_end)]
    # A quote that closes its own sentence ("...ours." Zelensky said) is attributed after it only when the
    # next words do not start a new sentence.
    # next words do not start a new sentence, or they are a name and a verb ("...ammunition?" Prigozhin shouted).
    closed = re.search(r"[.!?…]$", text[start:end].strip()) is not None
    new_sentence = closed and after.strip()[:1].isupper()
    for index, pattern in enumerate(_AFTER_RES):
        if new_sentence and index not in _NAME_VERB_AFTER:
            continue
        match = pattern.search(after)
        if match and not (new_sentence and match.group("spk").lower() in _PRONOUNS):
            return match, outer_end
    lo = _sentence_start(text, outer_start)
    before = text[lo:outer_start]
    for pattern in (*_BEFORE_RES, *_PARTIAL_RES) if partial else _BEFORE_RES:
        match = pattern.search(before)
        if match:
            return match, lo
    return None, 0


def _resolve_speaker(
    quote: Quote, text: str, s: int, e: int, mentions: Sequence[Mention], last_speaker: Quote | None
) -> None:
    spk = text[s:e].strip()
    quote.speaker = spk
    low = spk.lower()
    if low in _PRONOUNS:
        if last_speaker is not None and last_speaker.speaker_canonical_id is not None:
            quote.speaker = last_speaker.speaker
            quote.speaker_canonical = last_speaker.speaker_canonical
            quote.speaker_canonical_id = last_speaker.speaker_canonical_id
            return
        person = _last_mention(mentions, quote.start, PER)
        if person is not None:
            quote.speaker, quote.speaker_canonical, quote.speaker_canonical_id = (
                person.text,
                person.canonical,
                person.canonical_id,
            )
        return
    mention = _mention_in(mentions, s, e)
    if mention is not None:
        quote.speaker = mention.text
        quote.speaker_canonical, quote.speaker_canonical_id = mention.canonical, mention.canonical_id
        return
    for noun, (label, contains) in _NOUN_SPEAKERS.items():
        if noun in low:
            target = _last_mention(mentions, quote.start, label, contains) or _last_mention(
                mentions, quote.start, label
            )
            if target is not None:
                quote.speaker_canonical, quote.speaker_canonical_id = target.canonical, target.canonical_id
            return
