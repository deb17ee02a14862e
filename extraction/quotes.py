"""Direct quotations and their speakers, read off the dependency parse (:mod:`extraction.syntax`).

For every quotation (:mod:`extraction.quote_marks`) the rules below run in this order; the first that applies
gives the speaker and the ``attribution`` field says which one it was:

1. ``byline``: a dash and a name right after the closing mark (``"..." - Francisco Herrero``, ``«...» — Пригожин``).
2. ``subject`` / ``pronoun`` / ``nominal``: the speech verb that governs the quote in the parse (the quote's
   clause hangs under it, or it hangs under the quote's clause: ``"A," he said, "B."``), accepted when its lemma is
   in :mod:`extraction.speech_verbs`; participles and conjuncts (``adding``, ``telling reporters``, ``and added``)
   take the subject of the verb they hang on. The speaker is the verb's grammatical subject with its compound/flat
   name and, for a common noun, the name in apposition (``Hungary's deputy foreign minister, Tamás Bereczky``).
   A name is a ``subject``; a pronoun (``he``, ``она``, ``він``) resolves to the nearest compatible person (or
   organisation, for ``they``/``it``) in subject position of the preceding sentences, then to other mentions;
   a definite common noun (``the ministry``, ``the brigade``, ``the once top ally to ...``) resolves to the nearest
   organisation whose name holds the noun, else to the nearest person in subject position (``nominal``); an
   indefinite one (``a senior U.S. official``) keeps its words and no canonical speaker. Role and person nouns
   (a role lexicon in English, pymorphy3's animacy and case in Russian and Ukrainian) find the name they introduce
   or refer back to (``Керівник штабу Роман Ткач``, ``— додав комбат``, ``Ukraine's finance minister``).
3. ``according_to``: ``according to X``, ``по словам X``, ``за словами X`` in the quote's sentence.
4. A sentence ending with a colon right before the quote (``He said: ¶ "..."``) governs it like rule 2.
5. ``continuation``: a quote with none of the above continues the last speaker's quote when it follows in the
   same or the next paragraph and no other person was mentioned in between (or, as a paragraph of its own, after
   at most two paragraphs that name nobody else).

A quote inside a quote takes the speech verb inside the outer quote (``I say, '...'``: the outer speaker;
``He said, '...'``: someone named before). ``I`` in an interview is the person a ``NAME:`` turn names, else the
person interviewed; ``you`` in a question is the person interviewed.

A quote of one or two words that ends no sentence, or a short lower-case phrase that no verb frames, is a scare
quote (no speaker) unless a colon or a speech frame introduces it;
a title-case quote that no speech verb governs is the title of a work (``on CNN's "State of the Union."``) and is
not a quotation; a quote that is a mention's name (``ЧВК «Вагнер»``) is part of the name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from extraction.canonical import Mention, canonical_id, strip_descriptors
from extraction.entities import CASES, morph, slavic_lemma
from extraction.gazetteer import (
    DEMONYMS,
    GIVEN_NAMES,
    LOC,
    MIL_UNIT,
    ORG,
    PER,
    country_name,
    cyrillic_language,
    has_cyrillic,
    lookup_known,
    lookup_place,
    romanize,
    skeleton,
)
from extraction.name_readings import PERSON_GRAMMEMES, person_parse
from extraction.quote_marks import QuoteSpan, find_nested_quotes, find_quotes
from extraction.regions import centre_candidates, region_named, region_place, regions
from extraction.speech_verbs import (
    CHARACTERISING,
    COGNITION_ONLY,
    CONTINUING,
    DOCUMENT_NOUNS,
    FEMALE_NAMES,
    KINSHIP_NOUNS,
    NAMING_NOUNS,
    ORG_NOUNS,
    REPORTER_NOUNS,
    SMALL_WORDS,
    SPOKESPERSON_NOUNS,
    TITLE_WORDS,
    is_speech_verb,
)
from extraction.syntax import DATELINE_RE, Parse, Token, parse_documents, slavic_word

SUBJECT, PRONOUN, NOMINAL, CONTINUATION, BYLINE, ACCORDING_TO = (
    "subject",
    "pronoun",
    "nominal",
    "continuation",
    "byline",
    "according_to",
)
ANTECEDENT_SENTENCES = 6  # how far back a pronoun or a definite noun looks for its antecedent
CLIMB = 4  # how many heads up from a quote the governing verb may be
CONTINUATION_PARAGRAPHS = 2  # how many paragraphs naming nobody else may stand between a quote and its continuation


@dataclass(slots=True)
class Quote:
    """One quotation: offsets of its inner text, kind, speaker (surface, canonical, offsets), verb and how the
    speaker was found (``attribution``)."""

    text: str
    start: int
    end: int
    kind: str = "statement"  # "statement" | "scare"
    speaker: str | None = None
    speaker_canonical: str | None = None
    speaker_canonical_id: str | None = None
    verb: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    attribution: str | None = None


@dataclass(slots=True)
class _Referent:
    """Who a subject, pronoun or noun refers to."""

    canonical: str | None
    canonical_id: str | None
    label: str
    gender: str = ""  # "m" | "f" | ""


_AGE_BEFORE = re.compile(r"\d+-year-old\s+$")
_AGE_AFTER = re.compile(r",\s*\d{1,3},")
_NOMINAL_POS = {"NOUN", "PROPN", "PRON", "X", "NUM", "ADJ", "DET"}
_RELATIVE_DEPS = {"relcl", "acl:relcl", "acl"}
_RELATIVE_PRONOUNS = {"who", "which", "that", "который", "которая", "которые", "котрий", "котра", "який", "яка"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "nsubj:pass", "csubj"}
_NAME_DEPS = {"compound", "flat", "flat:name", "flat:foreign", "nmod:poss"}
_CLIMB_DEPS = {"advcl", "xcomp", "conj", "dep", "parataxis", "ccomp", "advmod"}
_PRONOUNS = {
    "he": ("m", PER),
    "she": ("f", PER),
    "they": ("", ORG),
    "it": ("", ORG),
    "он": ("m", PER),
    "она": ("f", PER),
    "они": ("", ORG),
    "він": ("m", PER),
    "вона": ("f", PER),
    "вони": ("", ORG),
    "his": ("m", PER),
    "her": ("f", PER),
    "its": ("", ORG),
    "their": ("", ORG),
    "его": ("m", PER),
    "ее": ("f", PER),
    "её": ("f", PER),
    "их": ("", ORG),
    "його": ("m", PER),
    "її": ("f", PER),
    "їх": ("", ORG),
}
# Verbs that go on with what was being said: "he added" is the last quoted speaker when the pronoun fits.
# Words that make a Russian or Ukrainian noun someone new: indefinites, first-person possessives ("наш источник")
_SLAVIC_INDEFINITE = {"один", "некий", "какой-то", "кто-то", "якийсь", "хтось", "деякий", "некоторый"}
_SLAVIC_INDEFINITE |= {"наш", "мой", "мій"}
_SLAVIC_DEMONSTRATIVES = {"этот", "эта", "тот", "та", "цей", "ця", "той"}
_FIRST_PERSON = {"i", "я"}  # in an interview, the person interviewed (the document's most mentioned person)
_WE = {"we", "мы", "ми"}
_SECOND_PERSON = {"you", "вы", "ви", "ты", "ти"}  # in an interviewer's question, the person interviewed
_QUESTION, _ANSWER = "question", "answer"
_TURN_RE = re.compile(r"^([A-ZА-ЯЁІЇЄҐ][\w.'’ -]{0,40}?):\s")
_QUESTION_LABELS = {"q", "question", "interviewer", "в", "вопрос", "питання", "кор", "корреспондент", "кореспондент"}
_ANSWER_LABELS = {"a", "answer", "о", "ответ", "в-дь", "відповідь"}
_FEMALE_TITLES = {"ms", "mrs", "miss", "madam", "lady", "queen", "г-жа", "пані"}
_MALE_TITLES = {"mr", "sir", "lord", "king", "г-н", "пан"}
_ACCORDING_PRONOUN_RE = re.compile(
    r"(?<![\w-])(?:[Пп]о\s+(?P<ru>его|ее|её|их)\s+(?:словам|мнению|данным)|"
    r"[Зз]а\s+(?P<uk>його|її|їхніми|їх)\s+словами|[Нн]а\s+(?P<uk2>його|її|їхню)\s+думку)"
)
_ACCORDING_RE = re.compile(
    r"(?:\b[Aa]ccording\s+to|(?<![\w-])[Пп]о\s+словам|(?<![\w-])[Зз]а\s+словами|(?<![\w-])[Пп]о\s+мнению|"
    r"(?<![\w-])[Нн]а\s+думку)\s+(?:the\s+)?"
)
_ABBREVIATION_RE = re.compile(r"\b[A-Z][a-z]{0,3}\.")  # Gen., Lt., Dr., Mr.
_KIN_RE = re.compile(
    r"(?:\b(?P<name>[A-Z][\w'’-]+)['’]s|\b(?P<pronoun>[Hh]is|[Hh]er|[Tt]heir))\s+(?:[a-z-]+\s+)?(?P<kin>[a-z]+),?\s*$"
)
_NICKNAME_RE = re.compile(r"\s+[\"“«'‘][^\"”»'’]{1,30}[\"”»'’]\s+")
_OWNER_RE = re.compile(r"([A-Z][\w.]+)['’]s\s+$")  # a country or body owning the name that follows
# a quote after "so-called" or a noun for words ("the word", "слова") is a term nobody is said to utter
_SO_CALLED_RE = re.compile(
    r"(?i)(?:\bso-called|\bthe\s+(?:word|words|phrase|term)|(?<![\w-])так\s+(?:называем\w*|зван\w*)|"
    r"(?:(?<![\w-])(?P<owner>\w+)\s+)?(?<![\w-])(?:слово|слова|словами|фраза|фразу|фразой|фразою|выражение|вираз))\s*$"
)
# city bodies: the mayoralty, the city council ("мэрия", "горсовет", "міськрада"; "городская администрация" and
# "міська рада" with their adjective)
_MAYORALTY_RE = re.compile(r"^(?:мэри|мері|горадминистрац|міськадміністрац)")
_COUNCIL_RE = re.compile(r"^(?:горсовет|міськрад|горрад)")
_SOVIET_RE = re.compile(r"^(?:совет|рада|ради|раді|раду|радою)$")
# English nouns for a person of someone (besides the titles): "their regional head", "his deputy", "her aide"
_SETTLEMENT_NOUNS = frozenset({"village", "town", "city", "hamlet", "settlement", "district", "region", "province"})
_COUNTRY_GENITIVES = {"Russia": ("России", "Росії"), "Ukraine": ("Украины", "України")}  # "... of <country>"
_NAME_LINKS = frozenset({"of", "and", "for", "the", "on"})  # lower-case words inside a spelled-out name
_GIVEN_BEFORE_RE = re.compile(r"(?<![\w.])([A-Z][a-z]+)[ \t]+$")  # a capitalised word right before a surname
_ROLE_BEFORE_RE = re.compile(r"\b(\w+),?\s+$")  # the person noun a name stands in apposition to
_LOCAL_BODY_NOUNS = {"council": "Council", "administration": "Administration"}  # a town's or region's own body
_LOCAL_LEVELS = {"city": "City", "municipal": "City", "town": "City", "regional": "Regional", "oblast": "Regional"}
_ROLE_NOUNS = frozenset({"head", "colleague", "aide", "adviser", "advisor", "assistant", "boss", "leader", "friend"})
_PERSON_NOUNS = TITLE_WORDS | KINSHIP_NOUNS | _ROLE_NOUNS  # a word that names a person by role, title or kin
_OWNERS = {"его", "её", "ее", "их", "мои", "свои", "його", "її", "їх", "мої", "свої"}  # "его слова «...»": his words
# a quote after a naming noun is the name it introduces ("call sign", "под позывным", "з позивним")
_NAMED_RE = re.compile(
    r"(?i)(?:\bcall\s*sign|\bnicknamed|\bnickname|(?<![\w-])(?:позывн|позивн|псевдоним|прозвищ|прізвиськ)\w*)\s*$"
)
_COMPLEMENTISER_RE = re.compile(r"(?i)(?:^|[\s,])(?:что|чтобы|будто|що|щоб|нібито)\s")
_APPOSITIVE_RE = re.compile(r",[^,;:\"“”«»()]{3,120},\s*")  # ", the commander of the brigade, "
_ROLE_TAIL_RE = re.compile(r"[\w\s'’-]{0,60},\s*")  # the rest of a role's phrase up to its appositive name
_ORDINAL_RE = re.compile(
    r"(?i)\b(?:\d+(?:st|nd|rd|th)?|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b"
)
_BYLINE_RE = re.compile(r"^[ \t]*[.,]?[ \t]*[—–-]{1,2}[ \t]*(?=[A-ZА-ЯЁІЇЄҐ0-9])")


def is_scare(inner: str) -> bool:
    """A quote of one or two words that ends no sentence is a scare quote (or a name in quotes) unless a speech
    frame makes it a statement (see ``_Document.quotes_short``)."""
    words = inner.split()
    return len(words) <= 2 and not re.search(r"[.!?…]$", inner.strip())


def is_fragment(inner: str) -> bool:
    """A short phrase that starts in lower case: a quoted term when no speech verb frames it."""
    return len(inner.split()) <= 4 and inner.strip()[:1].islower()


def _is_title(inner: str) -> bool:
    """Title case: every word but small ones capitalised (``State of the Union.``, ``Fox News Sunday``)."""
    words = re.findall(r"[\w'’]+", inner)
    if not 2 <= len(words) <= 8 or re.search(r"[,;:!?]", inner.strip().rstrip(".,")):
        return False
    return all(w[:1].isupper() or w.lower() in SMALL_WORDS or w[:1].isdigit() for w in words)


class _Document:
    """One document's text, parse, mentions and the referents found so far."""

    def __init__(
        self,
        text: str,
        mentions: Sequence[Mention],
        parse: Parse,
        spans: Sequence[QuoteSpan],
        every_span: Sequence[QuoteSpan] = (),
    ) -> None:
        self.text = text
        # an all-capitals name longer than an acronym is a dateline (OKLAHOMA CITY, LVIV), not a speaker
        datelines = [(d.start(), d.end()) for d in DATELINE_RE.finditer(text)]
        self.mentions = [
            m
            for m in mentions
            if (m.label in (PER, ORG, MIL_UNIT) or self.label_of(m) == PER)  # "12-year-old Zlata Hnatiuk" as a place
            and not (m.text.isupper() and len(m.text) > 5)
            and not any(s <= m.start < e for s, e in datelines)
            and not (m.label == PER and _common_noun(m.text, m.language))
        ]
        self.mentions = [self.given_name_alone(m) for m in self.mentions]
        self.places = [(m.start, m.end) for m in mentions if m.label == LOC]
        self.place_mentions = [m for m in mentions if m.label in (LOC, ORG)]  # the model takes a town for a body
        self.parse = parse
        self.spans = spans
        self.quote_of_token: list[int] = [-1] * len(parse.tokens)
        for qi, span in enumerate(spans):
            first = parse.token_at(span.outer_start)
            index = first if first is not None else len(parse.tokens)
            while index < len(parse.tokens) and parse.tokens[index].start < span.outer_end:
                self.quote_of_token[index] = qi
                index += 1
        self.call_signs = {
            re.sub(r"[аяоеиыуюіїєь]$", "", text[s.start : s.end].strip(" ,.;:!?").lower())  # (call sign "Lis,")
            for s in every_span or spans  # names in quotes (ЧВК «Вагнер», з позивним «Граф») are no quotations
            if _NAMED_RE.search(text[max(0, s.outer_start - 30) : s.outer_start].rstrip(" (")) is not None
        }
        self.complete_names()
        self.country: str | None = None  # the story's country, once asked for ("" for none)
        self.memo: dict[int, tuple[_Referent | None, str]] = {}
        self.genders: dict[str, str] = {}
        self.families: dict[int, str | None] = {}
        self.expansions: dict[str, str | None] = {}

    def complete_names(self) -> None:
        """Russian and Ukrainian person names the entity model missed or cut (natasha reads Ukrainian as Russian):
        a run of capitalised words outside quotes holding a given name or surname to pymorphy3 (leading words
        that are neither dropped: ``Речник``) is a person; it replaces the person mentions inside it
        (``Наталія`` + ``Бойко``, ``Юрій`` of ``Юрій Ігнат``) and is added where there was none."""
        self.trim_role_words()
        self.mentions = [m for i, m in enumerate(self.mentions) if all(m is not o for o in self.mentions[:i])]
        run: list[Token] = []
        for index, token in enumerate([*self.parse.tokens, None]):
            name_like = (
                token is not None
                and token.language in ("ru", "uk")
                and token.text[:1].isupper()
                and re.fullmatch(r"\w+(?:[-'’ʼ]\w+)*", token.text) is not None  # Паньків-Гуцал, Пʼятничук
                and not token.text.isupper()
                and self.quote_of_token[index] < 0
                and not self.is_place(index)  # "в Куп'янському районі": a place the entity layer found
            )
            if (
                token is not None
                and name_like
                and run
                and run[-1].sent == token.sent
                and self.text[run[-1].end : token.start] == " "
            ):
                run.append(token)
                continue
            while run and (
                PERSON_GRAMMEMES.isdisjoint(slavic_word(run[0].text, run[0].language)[2])
                or any(m.label != PER and m.start <= run[0].start < m.end < run[-1].end for m in self.mentions)
            ):  # "Верховної Ради Вікторія Семенко": a word of an organisation's name is no given name (a span
                # that runs on into the name is mended in ``add_name``)
                run.pop(0)
            if run and len(run) <= 3 and not (len(run) == 1 and self.role_noun(self.parse.tokens.index(run[0]))):
                self.add_name(run[0].start, run[-1].end, run[0].language)
            run = [token] if token is not None and name_like else []
        self.mentions.sort(key=lambda m: m.start)

    def trim_role_words(self) -> None:
        """Cut a leading word that pymorphy3 knows only as a common noun off a Russian or Ukrainian person span
        before a given name (``Ужгородець Василь Ґабор``, ``Економіст Ілля ...``): a role or a demonym, not part of
        the name (pymorphy3 knows some given names only as common nouns: ``Богдан Мар'янчук`` stays whole)."""
        for at, mention in enumerate(list(self.mentions)):
            words = mention.text.split(" ")
            if mention.label != PER or len(words) < 2 or not _common_noun(words[0], mention.language):
                continue
            named = next((m for m in self.mentions if m.label == PER and m.start == mention.end + 1), None)
            if named is not None and "Name" in slavic_word(named.text.split()[0], named.language)[2]:
                self.mentions[at] = named  # "Адвокатка Стецюка-Ревуки Ольга Марценюк": the role of the name after it
                continue
            if "Name" not in slavic_word(words[1], mention.language)[2]:
                continue
            start = mention.start + len(words[0]) + 1
            text = mention.text[len(words[0]) + 1 :]
            lemma = slavic_lemma(text, mention.language, PER)
            self.mentions[at] = Mention(
                text, PER, start, mention.end, lemma, mention.language, lemma, canonical_id(PER, lemma)
            )

    def role_noun(self, index: int) -> bool:
        """Whether a capitalised Russian or Ukrainian word that pymorphy3 reads as a surname too opens its sentence
        as a common noun heading a genitive (``Майстер бригади ... Іван Лозинський-Гетьман``, ``Староста села``):
        a role, not a name."""
        word = self.tok(index)
        if word.language not in ("ru", "uk") or index + 1 >= len(self.parse.tokens):
            return False
        if index > 0 and self.tok(index - 1).sent == word.sent and self.tok(index - 1).pos != "PUNCT":
            return False
        following = self.tok(index + 1)
        if following.sent != word.sent or not following.text[:1].islower():
            return False
        readings = morph(word.language).parse(word.text.lower())
        common = any(p.is_known and not person_parse(p) for p in readings)
        return common and "gent" in slavic_word(following.text, following.language)[2]

    def add_name(self, start: int, end: int, language: str) -> None:
        """Make ``text[start:end]`` one person mention unless a non-person mention overlaps it."""
        inside = [m for m in self.mentions if m.start < end and start < m.end]
        for mention in [m for m in inside if m.label != PER and m.start < start]:
            # "Сил оборони півдня Дмитро Плетенчук": the organisation's span ran on into the name after it
            self.mentions.remove(mention)
            inside.remove(mention)
            kept = self.text[mention.start : start].rstrip()
            words = len(kept.split())
            canonical = " ".join(mention.canonical.split()[:words]) if mention.canonical else kept
            self.mentions.append(
                Mention(
                    kept,
                    mention.label,
                    mention.start,
                    mention.start + len(kept),
                    canonical,
                    mention.language,
                    canonical,
                    canonical_id(mention.label, canonical),
                )
            )
        given = "Name" in slavic_word(self.text[start:end].split()[0], language)[2]
        for mention in [m for m in inside if m.label != PER and start <= m.start and m.end <= end and given]:
            inside.remove(mention)  # "Юрій Паньків-Гуцал" taken for an organisation: a given name opens it
            self.mentions.remove(mention)
        if any(m.label != PER or m.start < start or m.end > end for m in inside):
            return
        if len(inside) == 1 and (inside[0].start, inside[0].end) == (start, end):
            return
        for mention in inside:
            self.mentions.remove(mention)
        text = self.text[start:end]
        # pymorphy3 spells the Ukrainian apostrophe ' (Дар'я): a name written with ʼ or ’ declines like it
        lemma = slavic_lemma(re.sub(r"(?<=\w)[ʼ’](?=\w)", "'", text) if language == "uk" else text, language, PER)
        known = next((m for m in inside if lookup_known(m.canonical or m.text) is not None), None)
        canonical, key = (known.canonical, known.canonical_id) if known else (lemma, canonical_id(PER, lemma))
        self.mentions.append(Mention(text, PER, start, end, lemma, language, canonical, key))

    # -- small helpers ---------------------------------------------------------------------------------------

    def tok(self, index: int) -> Token:
        return self.parse.tokens[index]

    def outside(self, index: int) -> bool:
        return self.quote_of_token[index] < 0

    def is_place(self, index: int) -> bool:
        """Whether the token is part of a place name the entity layer found."""
        start = self.tok(index).start
        return any(s <= start < e for s, e in self.places)

    def mention_at(self, index: int) -> Mention | None:
        token = self.tok(index)
        for mention in self.mentions:
            if mention.start <= token.start < mention.end:
                return mention
        return None

    def speech_verb(self, index: int) -> bool:
        token = self.tok(index)
        return token.pos in ("VERB", "AUX") and self.outside(index) and self.speech_lemma(index)

    # -- the governing verb ----------------------------------------------------------------------------------

    def quote_tokens(self, qi: int) -> list[int]:
        return [i for i, q in enumerate(self.quote_of_token) if q == qi]

    def governor(self, qi: int, anywhere: bool = True) -> int | None:
        """The speech verb the quote's clause hangs under, or that hangs under the quote's clause (with
        ``anywhere``, in Russian and Ukrainian, else the nearest one in the quote's sentence)."""
        inside = self.quote_tokens(qi)
        if not inside:
            return None
        members = set(inside)
        sentences = {self.tok(i).sent for i in inside}
        after = self.verb_right_after(qi)
        climbed = self.verb_above(inside, members)
        if after is not None and climbed is not None and after != climbed:
            # 'Reuters reported that "A," Peskov said' / 'Пригожин заявил, что «A», — передаёт Rybar': the frame
            # whose subject is a person wins over an outlet relaying it; else the nearer frame after the quote
            return climbed if self.person_subject(climbed) and not self.person_subject(after) else after
        if after is not None or climbed is not None:
            return after if after is not None else self.reporting_frame(climbed)
        below = self.verb_below(qi, members, sentences)
        if below is None and anywhere:
            return self.verb_in_sentence(qi, min(sentences))
        return below

    def reporting_frame(self, verb: int | None) -> int | None:
        """The speech verb whose reported clause holds ``verb`` when ``verb``'s subject is no person: a partial
        quote in reported speech is the reporter's (``Kuchar said the company would publish "..."``, ``Kravets
        said the lists had been agreed "name by name"``)."""
        subject = self.subject_of(verb) if verb is not None else None
        if verb is None or self.person_subject(verb, persons_only=True):
            return verb
        if subject is None and not self.outside(self.tok(verb).head):
            # "Автор сказав читачам, що писав книжку «...»": the parse hung the reported verb on a word of the
            # quote; the speech verb before it whose clause the complementiser opens reports it
            lo, _ = self.parse.sentence_of(verb)
            for v in range(verb - 1, lo - 1, -1):
                if self.speech_verb(v) and self.subject_of(v) is not None:
                    between = self.text[self.tok(v).end : self.tok(verb).start]
                    return v if _COMPLEMENTISER_RE.search(between) or " that " in f" {between} " else verb
        if subject is not None and (self.tok(subject).pos == "PROPN" or self.mention_at(subject) is not None):
            return verb  # "Smith said Russia had warned '...'": a named source's words stay its own
        current = verb
        for _ in range(CLIMB):
            token = self.tok(current)
            if token.dep not in ("ccomp", "conj", "xcomp") or token.head == current or not self.outside(token.head):
                return verb
            deps = {self.tok(c).dep for c in self.parse.children(current)}
            if token.dep == "conj" and deps & _SUBJECT_DEPS and "mark" not in deps:
                return verb  # "The council promised money, and the head of transport ... said": its own clause
                # ("said ..., and that the lists had been agreed '...'" is still what was said)
            current = token.head
            if self.speech_verb(current) and _lemma(self.tok(current)) not in COGNITION_ONLY:
                return current if self.subject_of(current) is not None else verb
        return verb

    def person_subject(self, verb: int, persons_only: bool = False) -> bool:
        subject = self.subject_of(verb)
        mention = self.mention_at(subject) if subject is not None else None
        return (mention is not None and mention.label == PER) or (
            subject is not None
            and self.tok(subject).text.lower() in _PRONOUNS
            and (not persons_only or _PRONOUNS[self.tok(subject).text.lower()][1] == PER)
        )

    def verb_above(self, inside: list[int], members: set[int]) -> int | None:
        """The speech verb the quote's clause hangs under."""
        for i in inside:
            head, steps = self.tok(i).head, 0
            while head not in members and steps < CLIMB:
                if self.speech_verb(head):
                    return self.object_participle(head, inside[0]) or head
                if not self.outside(head):
                    break
                aside = next(  # "the director, Keller, says, the work will take '...'": a parenthetical frame
                    (
                        c
                        for c in self.parse.children(head)
                        if self.tok(c).dep == "parataxis" and c < inside[0] and self.speech_verb(c)
                    ),
                    None,
                )
                if aside is not None:
                    return aside
                nxt = self.tok(head).head
                if nxt == head:
                    break
                head, steps = nxt, steps + 1
        return None

    def object_participle(self, verb: int, before: int) -> int | None:
        """A speech participle describing the verb's object before the quote (``I remember a minister telling a
        conference, "..."``, ``heard him say``): the words are the object's, framed by the participle."""
        for child in self.parse.children(verb):
            if self.tok(child).dep not in ("dobj", "obj") or child > before:
                continue
            for grand in self.parse.children(child):
                if self.tok(grand).dep in ("acl", "amod") and grand < before and self.speech_verb(grand):
                    return grand
        return None

    def verb_below(self, qi: int, members: set[int], sentences: set[int]) -> int | None:
        """A speech verb that hangs under the quote's clause ("A," he said, "B."), else one the parser put in the
        next sentence."""
        best: tuple[int, int] | None = None
        for s in sentences:
            lo, hi = self.parse.sentences[s]
            for v in range(lo, hi):
                if not self.speech_verb(v) or self.tok(v).dep in _RELATIVE_DEPS:
                    continue  # "A diplomat I spoke to ... summed it up: '...'": a relative clause describes
                head, steps = self.tok(v).head, 0
                while steps < CLIMB:
                    if head in members:
                        if best is None or steps < best[1]:
                            best = (v, steps)
                        break
                    nxt = self.tok(head).head
                    if nxt == head:
                        break
                    head, steps = nxt, steps + 1
        if best is not None:
            return best[0]
        return self.verb_after(qi, max(sentences))

    def verb_in_sentence(self, qi: int, sent: int) -> int | None:
        """Russian and Ukrainian only, where natasha's parse may not connect the quote to its verb (its model is
        Russian): the nearest speech verb of the quote's sentence, before the quote first (``Юсов зауважив, що
        ... „...“``)."""
        lo, hi = self.parse.sentences[sent]
        first = self.quote_tokens(qi)[0]
        if self.tok(first).language == "en":
            return None
        before = [v for v in range(lo, first) if self.speech_verb(v)]
        after = [v for v in range(first, hi) if self.speech_verb(v)]
        return before[-1] if before else after[0] if after else None

    def slavic_frame(self, qi: int) -> int | None:
        """Russian and Ukrainian, where natasha's parse often leaves a short quote unattached: the speech verb
        before the quote in its sentence when the quote stands in what it reports (``визнала, що ситуація
        «складна»``), right after its clause (``Як казав мій командир, «...»``) or, for a characterising verb,
        right after its object (``назвало проєкт «пілотним»``)."""
        inside = self.quote_tokens(qi)
        if not inside or self.tok(inside[0]).language not in ("ru", "uk"):
            return None
        lo, _ = self.parse.sentence_of(inside[0])
        before = [v for v in range(lo, inside[0]) if self.speech_verb(v)]
        if not before:
            return None
        verb = before[-1]
        gap = self.text[self.tok(verb).end : self.spans[qi].outer_start]
        if "\n" in gap or re.search(r"[.!?…;]", gap):
            return None
        characterising = _lemma(self.tok(verb)) in CHARACTERISING and len(gap.split()) <= 3
        framed = gap.rstrip().endswith((",", ":")) or _COMPLEMENTISER_RE.search(gap) is not None
        return verb if framed or characterising else None

    def verb_right_after(self, qi: int) -> int | None:
        """A speech verb within the five words after the closing mark (``", Peskov said``, ``», — заявил он``)
        that takes no clause or object of its own."""
        first = self.parse.token_at(self.spans[qi].outer_end)
        if first is None:
            return None
        inner = self.text[self.spans[qi].start : self.spans[qi].end].rstrip()
        if inner.endswith(".") and self.tok(first).language == "en" and self.tok(first).text[:1].isupper():
            return None  # '"..., then walk back." Nobody argues.': a full sentence quoted, then the next one
        for v in range(first, min(first + 5, len(self.parse.tokens))):
            if not self.outside(v) or "\n" in self.text[self.spans[qi].outer_end : self.tok(v).start]:
                return None
            if self.tok(v).text in (".", "!", "?", ";"):
                return None  # '"We did not know." Fine. Now they know.': the next sentence is no frame
            if self.tok(v).dep == "conj" and self.tok(v).language == "en":
                return None  # 'said that the plan "will delay ..." and called for': the subject's next clause
            if self.tok(v).text.lower() in ("which", "who", "whom", "whose"):
                return None  # '"...," which was nice to read': a relative clause on the quote, no frame
            bare = not any(
                self.tok(c).dep in ("ccomp", "dobj", "obj", "xcomp") and c > v for c in self.parse.children(v)
            )
            if bare and (self.speech_verb(v) or self.frame_verb(qi, v)):
                return None if self.opens_own_quote(v) else v
        return None

    def opens_own_quote(self, verb: int) -> bool:
        """Whether the verb's clause ends with a colon that opens another quote (``«...?» Я відповіла: «...»``):
        the frame of that quote, not of the one before it."""
        rest = self.text[self.tok(verb).end : self.tok(verb).end + 40]
        return re.match(r"[^.!?;:\n\"«»“”„]{0,30}:\s*[\"«“„]", rest) is not None

    def frame_verb(self, qi: int, verb: int) -> bool:
        """An English verb outside the lexicon that frames the quote all the same: ``"...," Lopez shot back.``,
        a person (name or he/she) doing it within three words of a quote that ends with ``,``, ``?`` or ``!``."""
        token = self.tok(verb)
        first = self.parse.token_at(self.spans[qi].outer_end)
        if token.language != "en" or token.pos != "VERB" or first is None or verb - first > 3:
            return False
        if self.text[self.spans[qi].start : self.spans[qi].end].rstrip()[-1:] not in (",", "?", "!"):
            return False
        subject = self.subject_of(verb)
        return subject is not None and subject < verb and self.person_subject(verb, persons_only=True)

    def named_work(self, qi: int) -> bool:
        """Whether the quote is a name in a phrase: after a possessive (``CNN's "State of the Union."``) or the
        object of a preposition (``on "Fox News Sunday"``)."""
        if re.search(r"['’]s?\s*$", self.text[: self.spans[qi].outer_start]):
            return True
        inside = self.quote_tokens(qi)
        members = set(inside)
        return any(self.tok(i).head not in members and self.tok(i).dep in ("pobj", "compound") for i in inside)

    def named_thing(self, qi: int) -> bool:
        """Whether the quote names the thing a common noun before it stands for (``the call-in show "Good Morning,
        Donbas,"``, ``выставку «Нить времени»``, ``роману «Тиша після Бахмута»``) or what something is called
        (``is called "Safe Fields."``): a short capitalised phrase with no verb in it, right after the noun (a
        document noun only before a title-case phrase: ``the report "Winter Outlook 2026"``)."""
        inside = self.quote_tokens(qi)
        inner = self.text[self.spans[qi].start : self.spans[qi].end].strip()
        if not inside or inside[0] == 0 or not inner[:1].isupper() or len(inner.split()) > 6:
            return False
        if re.search(r"[.!?…]\S| [—–] ", inner) or any(self.tok(i).pos in ("VERB", "AUX") for i in inside):
            return False
        index = inside[0] - 1
        while index > 0 and self.tok(index).text == ",":  # "her new novel, "The Salt Road,""
            index -= 1
        before = self.tok(index)
        if self.text[before.end : self.spans[qi].outer_start].strip(" ,") or not self.outside(index):
            return False
        title_case = _is_title(inner.replace(",", " "))
        if before.language == "en" and before.text.lower() in ("called", "named", "titled", "entitled"):
            return title_case
        if before.pos != "NOUN" or before.text[:1].isupper():
            return False
        return title_case or _lemma(before) not in DOCUMENT_NOUNS | NAMING_NOUNS

    def quotes_short(self, qi: int, verb: int | None) -> bool:
        """Whether a quote of one or two words is a statement: a speech verb governs it that is not a
        characterising one, and it is not that verb's direct object ("telling a 'bigger story'"); or ``according
        to X`` introduces it."""
        if verb is None:
            if self.according_to(qi) is not None or self.according_pronoun(qi) is not None:
                return True
            noun = self.according_noun(qi)  # "За словами глави держави, ... «посилення ППО»"
            before = noun is not None and self.tok(noun).start < self.spans[qi].outer_start
            if noun is None or not before:
                return False
            token = self.tok(noun)  # "по словам следователей, ... «...»": people, named or not
            people = token.language != "en" and "anim" in _tags(token.text, token.language)
            return people or self.according_referent(noun) is not None
        if _lemma(self.tok(verb)) in CHARACTERISING:
            # a term someone identifiable uses is theirs ("Stepanenko called the blockade 'unacceptable'"), one
            # that a group or nobody uses is a scare quote ("analysts described it as a 'meat grinder'")
            subject = self.subject_of(verb)
            return subject is not None and self.resolve_subject(subject)[0] is not None
        return not any(self.tok(i).head == verb and self.tok(i).dep in ("dobj", "obj") for i in self.quote_tokens(qi))

    def verb_after(self, qi: int, sent: int) -> int | None:
        """The speech verb of a sentence that the parser started right after a quote closing with ``?`` or ``!``
        on the same line (``"Why are we guarding theirs?" he asked.``), when the verb has no object of its own."""
        if sent + 1 >= len(self.parse.sentences):
            return None
        lo, hi = self.parse.sentences[sent + 1]
        gap = self.text[self.spans[qi].outer_end : self.tok(lo).start]
        if "\n" in gap or len(gap) > 2 or "." in gap or not self.outside(lo):
            return None
        for v in range(lo, hi):
            if self.speech_verb(v) and not any(
                self.tok(c).dep in ("ccomp", "dobj", "obj", "xcomp") for c in self.parse.children(v)
            ):
                return v
        return None

    def reported_before(self, qi: int) -> _Referent | None:
        """The person of reported speech in the sentence right before an unattributed quote, when that sentence
        holds no quote of its own (``Rusu said the government had asked for monitors. "We are a small country."``,
        ``According to Rusu, ...``): the quote goes on with what that person says."""
        inside = self.quote_tokens(qi)
        if not inside or self.tok(inside[0]).sent == 0:
            return None
        lo, hi = self.parse.sentences[self.tok(inside[0]).sent - 1]
        if any(not self.outside(i) for i in range(lo, hi)):
            return None
        for match in _ACCORDING_RE.finditer(self.text, self.tok(lo).start, self.tok(hi - 1).end):
            for mention in self.mentions:
                if 0 <= mention.start - match.end() <= 40 and mention.label == PER:
                    return self.referent(mention)
        for v in range(lo, hi):
            if self.speech_verb(v) and self.tok(v).lemma.lower() not in COGNITION_ONLY:
                subject = self.subject_of(v)
                if subject is not None:
                    ref, _ = self.resolve_subject(subject)
                    if ref is not None and ref.label == PER:
                        return ref
        return None

    def colon_before(self, qi: int) -> int | None:
        """The token of a colon that ends the text right before the quote (``He said: ¶ "..."``)."""
        before = self.text[: self.spans[qi].outer_start].rstrip()
        return self.parse.token_at(len(before) - 1) if before.endswith(":") else None

    def colon_verb(self, qi: int) -> int | None:
        """The speech verb of the sentence that ends with a colon right before the quote."""
        colon = self.colon_before(qi)
        if colon is None:
            return None
        lo, hi = self.parse.sentence_of(colon)
        verbs = [  # not a relative clause's ("A diplomat I spoke to ... summed it up:")
            v
            for v in range(lo, min(hi, colon + 1))
            if self.speech_verb(v) and not (self.tok(v).dep in _RELATIVE_DEPS and self.tok(v).head < v)
        ]
        return verbs[-1] if verbs else None

    def colon_subject(self, qi: int) -> int | None:
        """The named person who is the subject of the clause ending with a colon right before the quote, whatever
        its verb (``Тренер Ярослав Гвоздецкий остался доволен: «...»``, ``Kovalenko was blunt: "..."``): the
        person the sentence is about introduces what follows."""
        colon = self.colon_before(qi)
        if colon is None:
            return None
        lo, _ = self.parse.sentence_of(colon)
        roots = [
            i
            for i in range(lo, colon)
            if self.outside(i)
            and self.tok(i).pos in ("VERB", "AUX", "ADJ")
            and (self.tok(i).head in (i, colon) or self.quote_of_token[self.tok(i).head] == qi)  # quote as root
        ]
        subject = self.subject_of(roots[-1]) if roots else None
        if subject is None and roots and self.tok(roots[-1]).language in ("ru", "uk"):
            # the parse left the subject unattached ("Її колега з комітету Богдан Мар'янчук оптимізму не поділяє:"):
            # the one person named before the verb in the nominative
            named = [
                i
                for i in range(lo, roots[-1])
                if (m := self.mention_at(i)) is not None and m.start == self.tok(i).start and _nominative_name(m)
            ]
            subject = named[0] if len(named) == 1 else None
        if subject is None:
            return None
        token = self.tok(subject)
        if token.text.lower() in _FIRST_PERSON or _PRONOUNS.get(token.text.lower(), ("", ""))[1] == PER:
            return subject  # "Я доручив:", "She was blunt:": the narrator, the person named before
        if token.pos == "NOUN" and (token.language == "en" or "anim" in _tags(token.text, token.language)):
            return subject  # "учні гімназії залишили запис:": someone, maybe unnamed, not the last speaker
        ref, how = self.resolve_subject(subject)
        return subject if how == SUBJECT and ref is not None and ref.label == PER else None

    def colon_label(self, qi: int) -> int | None:
        """The head word of a verbless line ending with a colon right before the quote (``Spokesman Lt. Gen.
        Igor Konashenkov:``, ``His answer:``): the speaker's name or a noun whose possessor speaks."""
        colon = self.colon_before(qi)
        if colon is None:
            return None
        lo, _ = self.parse.sentence_of(colon)
        words = [i for i in range(lo, colon) if self.outside(i) and self.tok(i).pos not in ("PUNCT", "SPACE")]
        if not words or len(words) > 12 or any(self.tok(i).pos in ("VERB", "AUX") for i in words):
            return None
        people = [i for i in words if (m := self.mention_at(i)) is not None and m.label == PER]
        if people:
            return people[-1]
        head = words[-1]
        while self.tok(head).head != head and lo <= self.tok(head).head < colon:
            head = self.tok(head).head
        whose = any(self.tok(c).text.lower() in _PRONOUNS for c in self.parse.children(head))
        named = self.mention_at(head) is not None or self.tok(head).pos == "PROPN"
        return head if named or whose else None  # "Ще раз:" names nobody

    # -- subjects --------------------------------------------------------------------------------------------

    def subject_of(self, verb: int) -> int | None:
        """The grammatical subject of ``verb`` (or of the verb it hangs on, for participles and conjuncts)."""
        current = verb
        for _ in range(CLIMB):
            token = self.tok(current)
            modifies = (  # not a word of a quote the parse hung the verb on
                token.dep in _RELATIVE_DEPS
                and self.tok(token.head).pos in ("NOUN", "PROPN")
                and self.outside(token.head)
            )
            subjects = [
                subject
                for child in self.parse.children(current)
                if self.tok(child).dep in _SUBJECT_DEPS
                and self.outside(child)
                and self.tok(child).pos in _NOMINAL_POS
                and (subject := self.unlabelled(child)) is not None
            ]
            addressed = [  # "— Алла Сергеевна, вы сказали", "Пані Віро, ви сказали": a name addressed, then "you"
                c
                for c in self.parse.children(current)
                if self.tok(c).text.lower() in _SECOND_PERSON
                and c < current
                and any(
                    re.fullmatch(r"[\w\s'’ʼ.-]*,\s*", self.text[self.tok(s).end : self.tok(c).start]) for s in subjects
                )
            ]
            if addressed:
                return addressed[0]
            # two subjects are a noun and its appositive name the parser split ("A spokeswoman for Prewitt, Lisa
            # Monroe, said"): the name
            names = [  # or a noun named by its own appositive ("Один из авторов, председатель комитета X, заявил")
                c
                for c in subjects
                if ((m := self.mention_at(c)) is not None and m.label == PER)
                or (len(subjects) > 1 and c != subjects[0] and self.appos_name(c) is not None)
            ]
            for child in names[-1:] if len(subjects) > 1 and names else subjects[:1]:
                if modifies and self.tok(child).lemma.lower() in _RELATIVE_PRONOUNS:
                    return token.head  # "Raymond Tibbets, who called the rule ..."
                return child
            if modifies:
                return token.head  # "the minister, Vadim Krasnov, accused ... and warned" read as a modifier
            if token.dep not in _CLIMB_DEPS or token.head == current or not self.outside(token.head):
                break
            current = token.head
        return (
            self.shared_subject(verb)
            or self.participle_subject(verb)
            or self.appositive_subject(verb)
            or self.stranded_subject(verb)
            or self.adjacent_subject(verb)
            or self.place_subject(verb)
        )

    def stranded_subject(self, verb: int) -> int | None:
        """A subject before the verb that the parser hung on a word inside the quote, when the verb hangs there
        too (``Міський голова Андрій Садовий, відвідавши ..., назвав постановку «...»``: the quote became the
        sentence's root)."""
        if self.outside(self.tok(verb).head):
            return None
        lo, _ = self.parse.sentence_of(verb)
        for i in range(verb - 1, lo - 1, -1):
            token = self.tok(i)
            if (
                token.dep in _SUBJECT_DEPS
                and self.outside(i)
                and token.pos in _NOMINAL_POS
                and not self.outside(token.head)
            ):
                return i
        return None

    def participle_subject(self, verb: int) -> int | None:
        """The name before a participle clause set off by commas that the parser made the clause's subject
        (``Dmitry Peskov, asked about the attacks, said ...``: ``Peskov`` hung on ``asked``)."""
        for child in self.parse.children(verb):
            token = self.tok(child)
            if child > verb or token.dep not in ("ccomp", "advcl", "parataxis") or not self.outside(child):
                continue
            for grand in self.parse.children(child):
                subject = self.tok(grand)
                between = self.text[subject.end : token.start]
                named = self.mention_at(grand) is not None or subject.pos == "PROPN"
                if subject.dep in _SUBJECT_DEPS and grand < child and between.strip() == "," and named:
                    return grand
        return None

    def appositive_subject(self, verb: int) -> int | None:
        """A person's name right before the verb but for an appositive set off by commas, which the parser did not
        make the verb's subject (``..., Col. Martin Saar, the commander of the brigade hosting the exercises,
        conceded that "..."``)."""
        lo, _ = self.parse.sentence_of(verb)
        start = self.tok(verb).start
        for mention in reversed(self.mentions):
            first = self.parse.token_at(mention.start)
            if mention.end > start or first is None or first < lo:
                continue
            if mention.label != PER:
                continue  # a place or body inside the appositive ("our mechanic in Lviv")
            between = self.text[mention.end : start]
            if self.outside(first) and _APPOSITIVE_RE.fullmatch(between):
                return self.parse.token_at(mention.end - 1)
            return None
        # a sentence opening with a name of two or more capitalised words the entity model missed
        last = lo - 1
        while last + 1 < verb and self.outside(last + 1) and re.fullmatch(r"[A-Z][a-z'’-]+", self.tok(last + 1).text):
            last += 1
        opening = last > lo and self.tok(lo).pos not in ("DET", "PRON")
        return last if opening and _APPOSITIVE_RE.fullmatch(self.text[self.tok(last).end : start]) else None

    def shared_subject(self, verb: int) -> int | None:
        """The subject of a speech verb hanging on a subjectless one (``he said, then added, "..."``: the parser
        made ``added`` the root and ``he said`` its parataxis)."""
        for child in self.parse.children(verb):
            if self.tok(child).dep in ("parataxis", "conj") and self.outside(child) and self.speech_lemma(child):
                for grand in self.parse.children(child):
                    token = self.tok(grand)
                    if token.dep in _SUBJECT_DEPS and self.outside(grand) and token.pos in _NOMINAL_POS:
                        return grand
        return None

    def place_subject(self, verb: int) -> int | None:
        """A verb without a subject whose source is a place or a document: ``В Кремле заявили``, ``говорится в
        сообщении ведомства``, ``said in a statement from the brigade``: the institution or the document's author."""
        _, hi = self.parse.sentence_of(verb)
        following = [i for i in range(verb + 1, min(verb + 4, hi)) if self.tok(verb).language != "en"]
        for child in dict.fromkeys([*self.parse.children(verb), *following]):  # the parse may hang it elsewhere
            token = self.tok(child)
            located = any(self.tok(i).text.lower() in ("в", "во", "у") for i in range(max(0, child - 2), child))
            if child in following and located and self.outside(child) and self.municipal(child) is not None:
                return child  # "— наголосили в міській раді" (the parse hung it on a word of the quote)
            if token.dep not in ("obl", "nmod", "prep", "pobj") or not self.outside(child):
                continue
            mention = self.mention_at(child)
            if mention is not None and mention.label in (ORG, MIL_UNIT) and token.language != "en":
                if self.role_owner(child):
                    continue
                return child
            if token.language != "en" and token.pos == "NOUN" and self.owns_document(child):
                return child  # "йдеться в повідомленні прокуратури" with the document hung on its owner
            if token.lemma.lower() in DOCUMENT_NOUNS and token.language != "en":
                for grand in self.parse.children(child):
                    if self.tok(grand).dep in ("nmod", "nmod:poss") and self.outside(grand):
                        return grand
                return child  # "— йдеться у відповіді": the reply of whoever was answering (see ``nominal``)
            if self.institution(child):
                return child  # "— отметили в ведомстве", "— зазначили в пресслужбі": the body (see ``nominal``)
        return None

    def owns_document(self, index: int) -> bool:
        """Whether a Russian or Ukrainian common noun is the owner of a document noun right before it (``в
        сообщении министерства``), however the parse linked the two."""
        before = self.tok(index - 1) if index > 0 else None
        return (
            before is not None
            and self.mention_at(index) is None
            and before.lemma.lower() in DOCUMENT_NOUNS
            and (before.head == index or self.tok(index).head == index - 1)
        )

    def institution(self, index: int) -> bool:
        """Whether a Russian or Ukrainian noun is a body speaking through an impersonal verb: an inanimate noun
        after ``в``/``у`` (``в ведомстве``, ``у службі``), hanging on the verb."""
        token = self.tok(index)
        if token.language == "en" or token.pos != "NOUN" or token.dep != "obl":
            return False
        children = self.parse.children(index)
        if any(self.tok(c).dep in ("det", "nmod:poss") for c in children):
            return False  # "в своем Telegram-канале": the subject's own medium
        cases = {self.tok(c).text.lower() for c in children if self.tok(c).dep == "case"}
        grammemes = slavic_word(token.text, token.language)[2]
        locative = "loct" in grammemes | _cases(token.text, token.language)
        return bool(cases & {"в", "во", "у"}) and "anim" not in grammemes and locative

    def role_owner(self, index: int) -> bool:
        """Whether a Russian or Ukrainian organisation mention owns the role noun it hangs on (``голова НБУ``,
        ``заступник начальника Сумської ОВА``): the speaker is the role's holder, not the body."""
        mention = self.mention_at(index)
        first = self.parse.token_at(mention.start) if mention is not None else None
        if mention is None or first is None or mention.label == PER:
            return False
        index, token = first, self.tok(first)  # "Сумської ОВА": the name hangs on its first word
        if token.language == "en":
            return False
        if token.dep != "nmod":  # the parse hung it elsewhere: a person noun right before it and a person's name
            before = self.tok(first - 1) if first > 0 else None  # right after ("директорка УЦОЯО Тетяна ...")
            after = self.mention_at(self.parse.token_at(mention.end + 1) or index)
            return (
                before is not None
                and before.pos == "NOUN"
                and self.outside(first - 1)
                and self.unnamed(first - 1, "")
                and after is not None
                and after.label == PER
                and not self.text[mention.end : after.start].strip()
            )
        head = token.head
        for _ in range(3):  # "заступник начальника ОВА": up the chain of nouns
            if head == index or self.tok(head).pos != "NOUN":
                return False
            if self.unnamed(head, ""):
                return True
            index, head = head, self.tok(head).head
        return False

    def adjacent_subject(self, verb: int) -> int | None:
        """A name or pronoun right next to the verb (the parse has no subject: natasha on Ukrainian)."""
        lo, hi = self.parse.sentence_of(verb)
        for i in (verb + 1, verb + 2, verb - 1, verb - 2):
            if lo <= i < hi and self.outside(i):
                token = self.tok(i)
                mention = self.mention_at(i)  # mentions are people, organisations and units only
                named = mention is not None
                if self.role_owner(i):
                    continue  # "заявив голова НБУ Андрій Пишний": the body owns the role, the name follows
                if mention is not None and token.language != "en" and self.addressee(verb, mention):
                    continue  # "— сказав Укрінформу агроном ...": the one told, not the speaker
                if token.text.lower() in _PRONOUNS or token.text.lower() in _FIRST_PERSON or named:
                    plural_verb = self.tok(verb).language != "en" and self.tok(verb).plural and not token.plural
                    if plural_verb and (mention is None or mention.label == PER):
                        continue  # "В Минобороны заявления Руденко назвали": a plural verb, no one person
                    if token.language != "en" and not named:
                        _, _, grammemes = slavic_word(token.text, token.language)
                        if grammemes and "nomn" not in grammemes:
                            continue
                    return i
        role = None
        if self.tok(verb).language != "en":  # "Как отметила на пресс-конференции ... Ирина Нестерова, «...»"
            for i in range(verb + 1, hi):
                token = self.tok(i)
                if token.pos == "PUNCT" or not self.outside(i):
                    break
                mention = self.mention_at(i)
                if self.role_owner(i) or self.tok(i - 1).pos == "ADP":
                    continue  # "— написав посадовець у Telegram": a name after a preposition is no subject
                if mention is not None and self.addressee(verb, mention):
                    continue
                if mention is not None or (token.text[:1].isupper() and token.text.isalpha()):
                    return i
                if role is None and token.pos == "NOUN" and self.unnamed(i, "") and self.nominative(i):
                    role = i  # "— додав комбат", "— сказала жінка": a person noun, when no name follows
        return role

    def addressee(self, verb: int, mention: Mention) -> bool:
        """Whether a Russian or Ukrainian mention right after the speech verb, with no preposition, is the one
        told (``— сказав Укрінформу агроном ...``): a dative that cannot be the nominative subject."""
        first = self.parse.token_at(mention.start)
        if first is None or first <= verb or self.tok(first - 1).pos == "ADP":
            return False
        cases = [_cases(word, mention.language) for word in mention.text.split()]
        return any("datv" in word for word in cases) and not any("nomn" in word or not word for word in cases)

    def nominative(self, index: int) -> bool:
        """Whether a Russian or Ukrainian word can be in the nominative."""
        token = self.tok(index)
        return "nomn" in _cases(token.text, token.language)

    def in_subject(self, index: int) -> bool:
        """Whether the token is a subject, or a name in apposition to one (``Депутат Евгения Шмелёва
        напомнила``): the words stand in the nominative."""
        for _ in range(3):
            token = self.tok(index)
            if token.dep.startswith("nsubj"):
                return True
            if token.dep not in ("appos", "flat", "flat:name") or token.head == index:
                return False
            index = token.head
        return False

    def names_subject(self, mention: Mention) -> bool:
        """Whether the mention's first word is a subject or stands in apposition to one."""
        index = self.parse.token_at(mention.start)
        return index is not None and index < len(self.parse.tokens) and self.in_subject(index)

    def name_span(self, head: int) -> tuple[int, int]:
        """Character span of the subject's name: the head with its compound/flat words."""
        lo = hi = head
        for child in self.parse.children(head):  # a naming noun stays out ("call sign Lystok")
            if self.tok(child).dep in _NAME_DEPS and not self.naming_noun(child):
                lo, hi = min(lo, child), max(hi, child)
        for child in self.parse.children(head):  # a possessive's name stays out ("Ukraine's Third Assault Brigade")
            if self.tok(child).dep == "poss":
                lo = max(lo, child + 1)
        return self.tok(lo).start, self.tok(hi).end

    def appos_name(self, head: int, depth: int = 2) -> int | None:
        """A name in apposition to a common noun (``the brigade's commander, Ivan Petrov``), also through a
        second noun (``Ее сосед, бывший тракторист Николай Ефремов``), through the noun's preposition when the
        parser hung the name there (``A spokesman for the governor, Kyle Brandt,``), after a naming noun (``a
        medic with the call sign Lystok``) or, in Russian and Ukrainian, right after the role noun and its
        genitives (``Керівник обласного штабу Роман Ткач``)."""
        named = self.naming_name(head)
        if named is not None:
            return named
        for child in self.parse.children(head):
            token = self.tok(child)
            if token.dep == "prep":
                for pobj in self.parse.children(child):
                    if self.tok(pobj).dep != "pobj":
                        continue
                    owner = self.mention_at(pobj)
                    for grand in self.parse.children(pobj):
                        mention = self.mention_at(grand)
                        if (
                            self.tok(grand).dep == "appos"
                            and mention is not None
                            and mention.label == PER
                            and (owner is None or owner.label != PER or owner.canonical_id != mention.canonical_id)
                        ):
                            return grand  # a person's name in apposition to another person's is the noun's
            if token.dep != "appos" or not self.outside(child):
                continue
            mention = self.mention_at(child)
            if mention is not None and mention.label != PER and self.unnamed(head, ""):
                pass  # "Депутатка Верховної Ради Вікторія Семенко": a person noun's body is no name for it
            elif token.pos == "PROPN" or mention is not None:
                return child
            deeper = self.appos_name(child, depth - 1) if depth > 1 else None
            if deeper is not None:
                return deeper
            for grand in self.parse.children(child):  # "тракторист Николай Ефремов": the name hangs on the noun
                mention = self.mention_at(grand)
                if mention is not None and mention.label == PER and self.outside(grand):
                    return grand
        return self.titled_name(head)

    def naming_noun(self, index: int) -> bool:
        """``name``, ``nickname``, ``call sign``, ``позывной``: a noun that introduces the name after it."""
        token = self.tok(index)
        lemma = token.lemma.lower()
        if lemma == "sign":
            return any(self.tok(c).lemma.lower() == "call" for c in self.parse.children(index))
        return lemma in NAMING_NOUNS

    def naming_name(self, head: int, depth: int = 3) -> int | None:
        """The name a naming noun under ``head`` introduces (``with the call sign Lystok``, ``под позывным
        Гром``)."""
        for child in self.parse.children(head):
            if self.tok(child).text.lower() in ("named", "called", "nicknamed") and self.outside(child):
                after = child + 1  # "a very calm man named Yevgeny Sablin": the name the participle gives
                while after + 1 < len(self.parse.tokens) and self.tok(after + 1).pos == "PROPN":
                    after += 1
                if after < len(self.parse.tokens) and self.tok(after).pos == "PROPN" and self.outside(after):
                    return after
            clause = self.tok(child).pos in ("VERB", "AUX") and self.tok(child).text[-3:] != "ing"
            if not self.outside(child) or clause:
                continue  # a participle may carry the name ("writing under the name Northern Wind"), a clause not
            if self.naming_noun(child):
                for name in self.parse.children(child):  # "the name Northern Wind": Wind, with its compound
                    proper = self.tok(name).pos == "PROPN" or self.tok(name).text[:1].isupper()  # "позывным Гром"
                    if proper and self.tok(name).dep in ("appos", *_NAME_DEPS) and name > child:
                        return name
                after = child + 1
                if self.tok(child).head != head and self.tok(self.tok(child).head).pos == "PROPN":
                    return self.tok(child).head
                if after < len(self.parse.tokens) and self.tok(after).pos == "PROPN" and self.outside(after):
                    return after
            if self.tok(child).pos == "PROPN" and any(self.naming_noun(c) for c in self.parse.children(child)):
                return child
            if depth > 1:
                deeper = self.naming_name(child, depth - 1)
                if deeper is not None:
                    return deeper
        return None

    def titled_name(self, head: int) -> int | None:
        """Russian and Ukrainian: a person named right after a role noun and its genitives, no comma between
        (``міністр оборони Андрій Мороз``, ``Керівник обласного штабу ... Роман Ткач``)."""
        token = self.tok(head)
        if token.language == "en" or token.pos != "NOUN":
            return None
        _, hi = self.parse.sentence_of(head)
        for i in range(head + 1, min(hi, head + 8)):
            mention = self.mention_at(i)
            if mention is not None and mention.label == PER and self.outside(i):
                # in apposition the name takes the noun's case ("соратник президента Владимира Путина" is not)
                agrees = _cases(token.text, token.language) & _cases(self.tok(i).text, token.language)
                return i if agrees else None
            if self.tok(i).pos in ("PUNCT", "VERB", "AUX", "CCONJ") or not self.outside(i):
                return None  # a preposition may stand in the genitives ("голова комітету однієї з шкіл Роман ...")
        return None

    # -- referents -------------------------------------------------------------------------------------------

    def gender(self, mention: Mention) -> str:
        key = mention.canonical_id or mention.text
        if key in self.genders:
            return self.genders[key]
        before = re.findall(r"[\w-]+", self.text[max(0, mention.start - 12) : mention.start])
        title = before[-1].lower().rstrip(".") if before else ""
        words = mention.text.replace(".", " ").split()
        first = words[0].lower() if words else ""
        given = (mention.canonical or "").split()[:1]  # "Lysenko" canonical "Viktoriia Lysenko": the given name
        if title in _MALE_TITLES or first in _MALE_TITLES:  # a title tells before a name's spelling key does
            return "m"  # ("Mr. Ian Trevail": "ian" keys like a woman's "Yana")
        if title in _FEMALE_TITLES or first in _FEMALE_TITLES or _female_name(first) or _female_name(*given):
            return "f"
        if mention.label == PER and len(words) > 1 and (romanised := _romanised_gender(words[0])):
            return romanised  # "Elvira Nabiullina": a given name pymorphy3 knows once read back into Cyrillic
        language = mention.language if mention.language in ("ru", "uk") else "ru"
        written = self.names_subject(mention) and _nominative_name(mention)  # a subject is written in its base form
        if re.search(r"[а-яіїєё]", mention.canonical.lower()) and not written:
            words = mention.canonical.split()  # nominative: "Константина Воробьева" reads as a woman's surname
        for word in words:  # the given name tells (Юлія), else the surname (Архипова); a lone word may be either
            if re.search(r"[а-яіїєё]", word.lower()):
                gender = _slavic_gender(word, language, "Name" if word is not words[-1] else "")
                if not gender and len(words) == 1:
                    gender = _slavic_gender(word, language, "Name")  # "Першокласник Марко"
                if gender or word is words[-1]:
                    return gender
        return ""

    def full_name(self, word: str) -> Mention | None:
        """The person named in full in the document whose surname is ``word`` (``Kemper`` -> ``Douglas R.
        Kemper``; ``Архиповой`` -> ``Елена Архипова``: a Cyrillic surname may differ in its ending)."""
        for other in self.mentions:
            words = other.text.split()
            if other.label == PER and len(words) > 1 and _same_surname(words[-1], word):
                return other
        return self.given_name_owner(word)

    def given_name_owner(self, word: str) -> Mention | None:
        """The one person named in full in a Russian or Ukrainian document whose given name is ``word`` written
        alone (a feature calls ``Сардана Иванова-Ойунская`` then ``Сардана``); none when two share it."""
        owners = {
            other.canonical_id or other.text: other
            for other in self.mentions
            if other.label == PER
            and other.language in ("ru", "uk")
            and len(other.text.split()) > 1
            and other.text.split()[0] == word
            and "Name" in _tags(word, other.language)
        }
        return next(iter(owners.values())) if len(owners) == 1 else None

    def call_sign(self, word: str) -> bool:
        """Whether a word is (a case form of) a call sign or nickname the document gave in quotes (``з позивним
        «Граф»``, ``(call sign "Borsuk")``): someone not named."""
        low = word.lower()
        return " " not in low and any(low.startswith(sign) and len(low) <= len(sign) + 3 for sign in self.call_signs)

    def referent(self, mention: Mention, nominative: bool = False) -> _Referent:
        """Who a mention names; a one-word mention that is the surname of a person named in full in the
        document is that person (the model labelled ``Kemper`` an organisation; ``Архипова`` alone lemmatises
        to the man's form); a call sign names nobody."""
        if self.call_sign(mention.text):
            return _Referent(None, None, PER)
        written = mention
        before = _GIVEN_BEFORE_RE.search(self.text, max(0, mention.start - 25), mention.start)
        if (
            mention.label == PER
            and mention.language == "en"
            and " " not in mention.text
            and before is not None
            and before.group(1).lower() not in _PERSON_NOUNS
            and lookup_place(before.group(1)) is None
            and self.propn_at(before.start(1))
        ):  # "his niece, Nivi Angutik", the model's span left the given name out: not the Angutik named before
            name = f"{before.group(1)} {mention.text}"
            mention = Mention(name, PER, before.start(1), mention.end, name, "en", name, canonical_id(PER, name))
        elif " " not in mention.text and not mention.text.isupper():
            mention = self.full_name(mention.text) or mention
        canonical = mention.canonical or mention.text
        key = mention.canonical_id or canonical_id(mention.label, canonical)
        expanded = self.expansion(mention.text) if mention.label == ORG and canonical == mention.text else None
        if expanded is not None:  # "the Caspian Pipeline Consortium (CPC) ... CPC said": the name spelled out
            canonical, key = expanded, canonical_id(ORG, expanded)
        if (
            has_cyrillic(canonical)  # no curated English name
            and ((nominative and mention is written) or self.names_subject(mention))
            and _nominative_name(mention)
        ):  # a subject's words are the name's base form
            canonical = " ".join(mention.text.split())
        elif has_cyrillic(canonical) and mention.label == PER and mention.language in ("ru", "uk"):
            words = mention.text.split()  # "(Адвокат Алиева) Заира Гаджиева": a given name that can only be
            given = next((i for i, w in enumerate(words) if "Name" in _tags(w, mention.language)), None)
            if given is not None and len(words) - given >= 2 and _given_name_nominative(words[given], mention.language):
                canonical = " ".join(words[given:])  # nominative makes the words after it their base form
            elif given is not None and _woman(words[given], mention.language) and _CONSONANT_END_RE.search(words[-1]):
                # a woman's surname ending in a consonant does not decline ("Оюны Сарыглар": Сарыглар)
                canonical = " ".join([*canonical.split()[:-1], words[-1]])
            elif (
                given is not None
                and mention.language == "uk"
                and _man_oblique(words[given])
                and canonical.endswith("ка")
                and words[-1].endswith("ка")
            ):  # a Ukrainian man's surname in -ко declines like a noun in -а: "мера Михайла Посітка" is Посітко
                canonical = canonical[:-1] + "о"
        family = self.family_name(mention.start) if mention.label == PER and " " not in mention.text else None
        if family is not None:  # "Lysenko's wife, Halyna": Halyna Lysenko
            canonical = f"{mention.text} {family}"
            key = canonical_id(PER, canonical)
        owner = _OWNER_RE.search(self.text[max(0, mention.start - 30) : mention.start])
        if mention.label == ORG and owner is not None:  # "Russia's Foreign Ministry": the country names it
            whole = f"{owner.group(1)}'s {mention.text}"
            if strip_descriptors(whole) != whole:
                canonical = strip_descriptors(whole)
                key = canonical_id(ORG, canonical)
        if mention.label == PER and _NICKNAME_RE.search(canonical):  # 'Dmytro "Hawk" Ivashchenko': the call sign
            canonical = _NICKNAME_RE.sub(" ", canonical)  # is no part of the name
            key = canonical_id(PER, canonical)
        words = canonical.split()
        if mention.label == PER:  # the model's span took a role in ("Organizer Sabine Roth", "lawmaker Nino Zhvania")
            words = _without_leading_titles(words)
        if mention.label == PER and mention.language in ("ru", "uk"):
            words = _slavic_person_words(words, mention.language)  # "Верховний Рада Вікторія Семенко"
        if len(words) < len(canonical.split()):
            canonical = " ".join(words)
            same = next((m.canonical_id for m in self.mentions if m.canonical == canonical and m.canonical_id), "")
            key = same or canonical_id(PER, canonical)
        gender = self.gender(mention)
        if gender:
            self.genders.setdefault(key, gender)
        label = self.label_of(mention)
        if label != mention.label:
            key = canonical_id(label, canonical)
        owner_country = owner.group(1) if owner is not None and owner.group(1).lower() in DEMONYMS else None
        national = self.national(canonical, owner_country) if label == ORG else None
        if national is not None:  # "State Emergency Service" in a story from Ukraine: the curated body
            return national
        if owner_country is not None and label == ORG and not _ORDINAL_RE.search(canonical):  # a unit: its number
            demonym = DEMONYMS[owner_country.lower()]
            if owner_country not in canonical and demonym not in canonical:
                canonical = f"{demonym} {canonical}"  # "Finland's Border Guard", curated nowhere: Finnish Border Guard
                key = canonical_id(ORG, canonical)
        local = _slavic_local_body(canonical) if label == ORG and has_cyrillic(canonical) else None
        if local is not None:  # "Херсонська міська військова адміністрація": Kherson City Military Administration
            return _Referent(local, canonical_id(ORG, local), ORG)
        if label == PER and _given_name_only(canonical, mention.language):
            return _Referent(None, None, PER, gender)  # "Our conductor, Petro", "внучка Даша": nobody named in full
        return _Referent(canonical, key, label, gender)

    def expansion(self, acronym: str) -> str | None:
        """The name an acronym abbreviates, spelled out in the document (``_expansion``, once per acronym)."""
        if acronym not in self.expansions:
            self.expansions[acronym] = _expansion(self.text, acronym)
        return self.expansions[acronym]

    def propn_at(self, offset: int) -> bool:
        """Whether the parse tags the word at ``offset`` a proper noun."""
        index = self.parse.token_at(offset)
        return index is not None and self.tok(index).start == offset and self.tok(index).pos == "PROPN"

    def given_name_alone(self, mention: Mention) -> Mention:
        """A one-word "organisation" or "place" that is the given name of the one person the document names in
        full with it (``12-year-old Zlata Hnatiuk ... Zlata wants to play``) is that person."""
        if mention.label == PER or " " in mention.text or not mention.text[:1].isupper():
            return mention
        owner = self.named_in_full(mention.text)
        if owner is None:
            return mention
        canonical = owner.canonical or owner.text
        return Mention(
            mention.text, PER, mention.start, mention.end, canonical, mention.language, canonical, owner.canonical_id
        )

    def named_in_full(self, given: str) -> Mention | None:
        """The one person the document names in full with this first word (none when two share it)."""
        owners = {
            m.canonical_id: m
            for m in self.mentions
            if " " in m.text and m.text.split()[0] == given and (m.label == PER or self.label_of(m) == PER)
        }
        return next(iter(owners.values())) if len(owners) == 1 else None

    def written_in_full(self, given: str) -> _Referent | None:
        """The one person the text writes in full with this first word where the entity model found no name
        (``Nadiya Shvets, 44, said ... Nadiya laughed``); none for a place's name or when two surnames follow."""
        if not given.isalpha() or not given[:1].isupper() or given.isupper() or lookup_place(given) is not None:
            return None
        surnames = {
            m.group(1)
            for m in re.finditer(rf"\b{re.escape(given)}\s+([A-Z][a-z][\w'’-]*)(?!\s+[A-Z])", self.text)
            if lookup_known(f"{given} {m.group(1)}") is None and m.group(1).lower() not in ORG_NOUNS
        }
        if len(surnames) != 1:
            return None
        name = f"{given} {surnames.pop()}"
        return _Referent(name, canonical_id(PER, name), PER)

    def label_of(self, mention: Mention) -> str:
        """The mention's label, mended where the entity model and plain cues disagree: a "person" the gazetteer
        knows as a place and that is no given name is a place (``from Kherson``); a name with an age
        (``12-year-old Zlata Hnatiuk``, ``Natalia Hordiienko, 54,``) or opening with a woman's given name is a
        person."""
        words = mention.text.split()
        if mention.label == PER and len(words) == 1 and words[0].lower() not in GIVEN_NAMES | FEMALE_NAMES:
            place = lookup_place(mention.text)
            return LOC if place is not None and place.name == mention.text else PER  # "Taras" is not Taraz
        if mention.label in (ORG, LOC) and len(words) == 1 and _dictionary_given_name(words[0], mention.language):
            return PER  # "внучка Даша": a given name the model took for a body or a place
        if mention.label in (ORG, LOC) and 2 <= len(words) <= 3 and all(w[:1].isupper() for w in words):
            aged = _AGE_BEFORE.search(self.text, max(0, mention.start - 16), mention.start) or _AGE_AFTER.match(
                self.text, mention.end
            )
            given = words[0].lower() in FEMALE_NAMES or _dictionary_given_name(words[0], mention.language)
            if (aged or given) and lookup_place(mention.text) is None:  # "Микола Стасюк" taken for a place
                return PER
            role = _ROLE_BEFORE_RE.search(self.text, max(0, mention.start - 40), mention.start)
            person_noun = role is not None and role.group(1).lower() in _PERSON_NOUNS
            if person_noun and lookup_known(mention.text) is None and lookup_place(mention.text) is None:
                return PER  # "Its foreign minister, Jean Dubois", "Kava's niece, Mila Kava": a person
        return mention.label

    def family_name(self, start: int) -> str | None:
        """The family name of a relative named by the given name alone after a family noun and its owner
        (``Lysenko's wife, Halyna``, ``Her husband, Mykola``: the owner's surname)."""
        if start in self.families:
            return self.families[start]
        self.families[start] = None  # guards against cycles
        found = _KIN_RE.search(self.text, max(0, start - 60), start)  # "Koskimaa's son Eero" or "..., Eero"
        family = None
        if found is not None and found.group("kin") in KINSHIP_NOUNS:
            if found.group("name"):
                owner = self.full_name(found.group("name"))
                family = owner.text.split()[-1] if owner is not None else found.group("name")
            else:
                index = self.parse.token_at(found.start("pronoun"))
                gender = {"his": "m", "her": "f"}.get(found.group("pronoun").lower(), "")
                ref = self.antecedent(index, PER, gender) if index is not None else None
                words = ref.canonical.split() if ref is not None and ref.canonical else []
                family = words[-1] if len(words) > 1 else None
        self.families[start] = family
        return family

    def name_referent(self, head: int) -> _Referent | None:
        """The referent of a name subject (its mention, else the name's words with titles dropped)."""
        mention = self.mention_at(head)
        if mention is not None:
            return self.referent(mention)
        start, end = self.name_span(head)
        written = self.text[start:end].split()
        if any(w.lower() in ORG_NOUNS for w in written):  # "the General Staff": an institution keeps its words
            owner = _OWNER_RE.search(self.text[max(0, start - 30) : start])  # "Romania's transport ministry"
            if owner is None:
                national = self.national(" ".join(written))
                if national is not None:  # "the General Staff" in a story from Ukraine
                    return national
            return _institution(f"{owner.group(1)}'s {' '.join(written)}" if owner else " ".join(written))
        words = [w for w in written if w.lower().rstrip(".") not in TITLE_WORDS]
        if not words or all(len(w.rstrip(".")) < 2 for w in words):
            return None  # "Q:" of an interview, a lone initial: no name
        if len(words) == 1 and self.call_sign(words[0]):
            return _Referent(None, None, PER)  # "The unit's commander, call sign "Lis,"": no name
        other = self.full_name(words[-1])
        if other is not None and (len(words) == 1 or other.text.split()[0] == words[0]):
            return self.referent(other)  # the surname alone, or the same given name: not "his niece, Nivi X"
        name = " ".join(words)
        person = (
            self.tok(head).pos == "PROPN"
            or self.naming_noun(self.tok(head).head)
            or (len(words) == 1 and _dictionary_given_name(words[0], self.tok(head).language))
        )
        # "Russia has denied ...": a state, never "he" (a given name the entity layer took for a place is a person)
        place = self.is_place(head) and self.tok(head).text.lower() not in GIVEN_NAMES
        label = PER if person and not place else ORG
        family = self.family_name(start) if person and len(words) == 1 else None
        if family is not None:  # "His mother, Liudmyla, kept a notebook"
            name, label = f"{name} {family}", PER
        key = canonical_id(label, name)
        language = self.tok(head).language
        gender = self.gender(Mention(name, label, start, end, name, language, name, key)) if label == PER else ""
        if label == PER and _given_name_only(name, language):
            return _Referent(None, None, PER, gender)
        return _Referent(name, key, label, gender)

    def resolve_subject(self, head: int) -> tuple[_Referent | None, str]:
        """Who the subject token refers to, and how (``subject``, ``pronoun``, ``nominal``)."""
        if head in self.memo:
            return self.memo[head]
        self.memo[head] = (None, NOMINAL)  # guards against cycles
        result = self._resolve_subject(head)
        self.memo[head] = result
        return result

    def _resolve_subject(self, head: int) -> tuple[_Referent | None, str]:
        token = self.tok(head)
        low = token.text.lower()
        if low in _FIRST_PERSON or (low in _SECOND_PERSON and self.turn(head) == _QUESTION):
            return self.interview_speaker(head, low in _SECOND_PERSON), PRONOUN
        if low in _PRONOUNS:
            gender, label = _PRONOUNS[low]
            exclude = self.answering(head) if label == PER else None  # in an answer, "he" is not the one answering
            found = self.antecedent(head, label, gender, exclude)
            if found is not None and gender and not found.gender and found.canonical_id:
                self.genders[found.canonical_id] = gender
            return found, PRONOUN
        mention = self.mention_at(head)
        if self.call_sign(token.text):
            return _Referent(None, None, PER), SUBJECT  # "Тайфун попросил": a call sign, no name
        owner = self.named_in_full(token.text) if mention is None and token.text[:1].isupper() else None
        if mention is None and not self.role_noun(head) and self.outside(head):  # "Nadiya laughed", no name
            written = self.referent(owner) if owner is not None else self.written_in_full(token.text)
            if written is not None:  # found there: the one person named in full with that given name
                return written, SUBJECT
        if mention is not None or (token.pos == "PROPN" and not self.role_noun(head)):
            return self.name_referent(head), SUBJECT
        named = self.appos_name(head) or self.split_appositive(head)
        if named is not None:
            return self.name_referent(named), SUBJECT
        return self.nominal(head), NOMINAL

    def split_appositive(self, head: int) -> int | None:
        """A person's name the parser made a second subject of the noun's verb: ``The farmer who owns this field,
        Petro Lysenko, watches`` (the noun's appositive)."""
        token = self.tok(head)
        if token.pos != "NOUN" or token.dep not in _SUBJECT_DEPS or token.head == head:
            return None
        for sibling in self.parse.children(token.head):
            mention = self.mention_at(sibling)
            if (
                sibling > head
                and self.tok(sibling).dep in _SUBJECT_DEPS
                and mention is not None
                and mention.label == PER
                and self.outside(sibling)
                and "," in self.text[token.end : mention.start]
            ):
                return sibling
        return None

    def nominal(self, head: int) -> _Referent | None:
        """A common-noun subject: an organisation named with that noun, else the nearest person (definite only)."""
        token = self.tok(head)
        children = self.parse.children(head)
        local = self.local_body(head)
        if local is not None:
            return local
        determiners = {self.tok(c).text.lower() for c in children if self.tok(c).dep in ("det", "poss")}
        for child in children:  # "Sedykh's channel posted", "the ministry's spokesman said": the possessor's
            named = self.mention_at(child) is not None or self.tok(child).pos == "PROPN"
            if self.tok(child).dep == "poss" and named and not self.is_place(child):
                return self.name_referent(child)
            if self.tok(child).dep == "poss" and named:  # "Ukraine's finance minister": that office's holder
                holder = self.role_holder(head, self.tok(child).text)
                if holder is not None:
                    return holder
                title = self.text[self.tok(child).end : token.end].lstrip("'’s ").split()
                office = f"{' '.join(w[:1].upper() + w[1:] for w in title)} of {self.tok(child).text}"
                label = ORG if token.lemma.lower() in ORG_NOUNS else PER  # "Ukraine's navy ... it": a body
                seat = next(  # "Russia's embassy in Oslo": a body the owner keeps in a place is named with it
                    (
                        self.tok(p)
                        for c in children
                        if self.tok(c).dep == "prep" and self.tok(c).text.lower() == "in"
                        for p in self.parse.children(c)
                        if self.tok(p).dep == "pobj" and self.is_place(p)
                    ),
                    None,
                )
                if seat is not None and label == ORG:
                    office = f"{office} in {seat.text}"
                return _Referent(office, canonical_id(label, office), label)  # "Finance Minister of Ukraine"
        if token.language == "en" and not determiners & {"the", "this", "that", "its", "his", "her", "their"}:
            # someone new ("a senior U.S. official", "officials"); a spokesperson the organisation's name
            # modifies speaks for it ("a European Commission spokeswoman"); "a spokesman for the company" is
            # someone of it, not named
            noun_lemma = token.lemma.lower()
            for child in children if noun_lemma in SPOKESPERSON_NOUNS else ():
                for part in [child, *self.parse.children(child)]:
                    mention = self.mention_at(part) if self.tok(part).dep == "compound" else None
                    if mention is not None and mention.label in (ORG, MIL_UNIT):
                        return self.referent(mention)
            return None  # "a senior EU official": someone of the organisation, not named
        if token.lemma.lower() in KINSHIP_NOUNS:  # "His mother does not want to discuss it": named before?
            holder = self.role_holder(head, back=token.sent)  # a family role holds for the whole story
            if holder is not None:
                return holder
        lemma = token.lemma.lower()
        someone = lemma not in SPOKESPERSON_NOUNS and (
            (token.language == "en" and lemma in _PERSON_NOUNS) or (token.language != "en" and self.unnamed(head, ""))
        )
        for child in children:  # "its evening summary", "his answer": whose
            possessor = self.tok(child)
            if possessor.dep in ("poss", "det", "nmod:poss") and possessor.text.lower() in _PRONOUNS:
                if someone:  # "Their regional head answered": a person of theirs, not named
                    return None
                return self.resolve_subject(child)[0]
        noun = token.lemma.lower()
        if noun in DOCUMENT_NOUNS:  # "a statement from the brigade said"; "the statement said": the last institution
            for child in children:
                for grand in [child, *self.parse.children(child)]:
                    mention = self.mention_at(grand)
                    if mention is not None and grand > head:  # the owner follows the noun
                        return self.referent(mention)
            return self.reporting_body(head) or self.antecedent(head, ORG, "")
        topic = {
            self.tok(c).text.lower()
            for c in children
            if token.language == "en" and self.tok(c).dep in ("compound", "amod") and self.tok(c).text.islower()
        }
        words = {noun} | topic  # "the interior ministry": a ministry named with that topic
        stem = noun[:5]
        person = self.unnamed(head, "")  # "речник" is someone of "Речник Сил оборони", not the organisation
        organisations = [
            m
            for m in self.mentions
            if m.end <= token.start
            and not person
            and m.label in (ORG, MIL_UNIT)
            and (
                words <= {w.lower() for w in f"{m.text} {m.canonical or ''}".split()}
                or (token.language != "en" and any(w.lower().startswith(stem) for w in m.text.split()))
            )
        ]
        if organisations:
            return self.referent(organisations[-1])
        if token.language == "en" and token.plural and token.text.lower() not in ORG_NOUNS:
            return None  # "the companies always say": a group, not someone named before ("the authorities" is)
        country = self.dateline_country() if topic and noun == "ministry" else None
        if country is not None:  # "NARVA, Estonia — ... The interior ministry said": that country's ministry
            written = f"{country} {' '.join(sorted(topic))} ministry"
            if strip_descriptors(written) != written:  # a topic the ministry rule knows
                return _institution(written)
        if noun in ORG_NOUNS and topic and token.language == "en":  # "The air force says": the story country's
            words_before = [self.tok(c).text for c in children if self.tok(c).dep == "compound" and c < head]
            national = self.national(" ".join(w.title() for w in [*words_before, token.text]))
            if national is not None:  # curated body of that name
                return national
        if noun in ORG_NOUNS:
            return self.antecedent(head, ORG, "")
        municipal = self.municipal(head) if token.language != "en" else None
        if municipal is not None:  # "уточнили в мэрии", "наголосили в міській раді": the story's city's body
            return municipal
        if token.language != "en" and not determiners & _SLAVIC_DEMONSTRATIVES:
            # no article to tell: a noun marked indefinite ("глава одного из сел") is someone new; otherwise it
            # refers back to a person of the gender the past-tense verb (or the noun) shows: "— сказала жінка",
            # "заявил ... бывший ближайший соратник Путина"; "Чиновник ... ответил мне" in an interview with a woman
            # finds no one
            words = {self.tok(d).lemma.lower() for c in children for d in [c, *self.parse.children(c)]}
            # "Правозащитники из движения «Призыв к совести»", "пресс-служба бригады": the organisation; but
            # "командир бригады" is a person
            group = token.plural or not self.unnamed(head, "")
            for child in children if group else ():
                for part in [child, *self.parse.children(child)]:
                    mention = self.mention_at(part) if self.tok(child).dep == "nmod" else None
                    if mention is not None and mention.label in (ORG, MIL_UNIT) and self.outside(part):
                        return self.referent(mention)
            if self.institution(head):
                # "в пресс-службе ведомства": the body named after it; "в ведомстве": the last body named
                for child in children:
                    if self.tok(child).dep == "nmod" and self.tok(child).pos == "NOUN" and self.outside(child):
                        return self.nominal(child)
                return self.antecedent(head, ORG, "") if noun in ORG_NOUNS else None
            lo, _ = self.parse.sentence_of(head)
            words |= {self.tok(i).text.lower() for i in range(max(lo, head - 2), head)}  # "мій перший командир"
            verb_head = self.tok(token.head)
            plural_verb = (
                verb_head.pos in ("VERB", "AUX")
                and self.outside(token.head)
                and "plur" in slavic_word(verb_head.text, token.language)[2]
            )
            if words & _SLAVIC_INDEFINITE or token.plural or plural_verb:
                return None  # "Мешканці ... пишуть": a group, not someone named before
            if any(self.tok(c).dep in _RELATIVE_DEPS for c in children):
                return None  # "Пенсионерка из Подольска, летевшая к дочери": described as someone new
            if noun in SPOKESPERSON_NOUNS and any(
                self.tok(c).dep == "nmod" and self.mention_at(c) is None for c in children
            ):
                return None  # "представитель штаба": someone unnamed speaking for a body
            verb = self.tok(token.head)
            verb_grammemes: frozenset[str] | set[str] = set()
            if verb.pos in ("VERB", "AUX") and self.outside(token.head):  # not a verb the parse took from the quote
                verb_grammemes = slavic_word(verb.text, token.language)[2]
            noun_grammemes = slavic_word(token.text, token.language)[2]
            gender = next(
                ("f" if "femn" in g else "m" for g in (verb_grammemes, noun_grammemes) if {"femn", "masc"} & g), ""
            )
            if not gender:
                return None
            return self.role_holder(head) or self.antecedent(head, PER, gender, self.answering(head))
        if token.language == "en" and self.introduced_unnamed(head):
            return None  # "According to a senior EU official ... the official said": that one, not named
        return self.role_holder(head) or self.antecedent(head, PER, "", self.answering(head))

    def introduced_unnamed(self, head: int) -> bool:
        """Whether a definite English noun repeats the last noun phrase with its noun, and that one introduced
        someone new without a name (``a senior official``, no appositive name)."""
        same = self.same_noun_before(head)
        if same is None or self.appos_name(same) is not None or self.name_after(same) is not None:
            return False
        return any(
            self.tok(c).dep == "det" and self.tok(c).text.lower() in ("a", "an") for c in self.parse.children(same)
        )

    def local_body(self, head: int, repeat: bool = True) -> _Referent | None:
        """An English town's or region's own body named by its noun: ``the city council`` -> ``<Town> City
        Council``, ``Pokrovsk's military administration`` -> ``Pokrovsk City Military Administration``, ``the
        regional military administration`` -> ``<Region> Regional Military Administration`` (the town its possessor
        names, else the story's); a bare definite ``the council`` is the last such noun phrase (``repeat``)."""
        token = self.tok(head)
        noun = token.lemma.lower()
        if token.language != "en" or noun not in _LOCAL_BODY_NOUNS or token.plural:
            return None
        children = self.parse.children(head)
        modifiers = {self.tok(c).text.lower() for c in children if self.tok(c).dep in ("amod", "compound", "poss")}
        town = None
        for child in children:
            if self.tok(child).dep != "poss" or self.tok(child).text.lower() in _LOCAL_LEVELS:
                continue
            mention = self.mention_at(child)
            town = self.town_name(mention) if mention is not None else None
            place = lookup_place(self.tok(child).text) if town is None and self.tok(child).pos == "PROPN" else None
            town = town or (place.name if place is not None and place.admin1 else None)
            if town is None:
                return None  # "Russia's military administration", "its council": not a town's
            modifiers.discard(self.tok(child).text.lower())
        level = next((_LOCAL_LEVELS[m] for m in modifiers if m in _LOCAL_LEVELS), "City" if town else None)
        if level is None or modifiers - set(_LOCAL_LEVELS) - {"military", "the"}:
            if not repeat or modifiers - {"the"}:
                return None
            same = self.same_noun_before(head)
            return self.local_body(same, repeat=False) if same is not None else None
        body = ("Military " if "military" in modifiers else "") + _LOCAL_BODY_NOUNS[noun]
        town = town or self.story_city()
        if town is None:
            return None
        place = lookup_place(town)
        if level == "Regional":
            region = next(
                (
                    r.canonical
                    for r in regions()
                    if place is not None
                    and r.canonical.endswith(" Oblast")
                    and (r.country, region_place(r).admin1) == (place.country_code, place.admin1)
                ),
                None,
            )
            if region is None:
                return None
            town = region.removesuffix(" Oblast")
        return _institution(f"{town} {level} {body}")

    def answering(self, index: int) -> str | None:
        """The key of the person answering in an interview answer the token stands in: a noun or pronoun there
        ("the owner", "the minister", "he") is someone else."""
        if self.turn(index) != _ANSWER:
            return None
        answering = self.interview_speaker(index, False)
        return answering.canonical_id if answering is not None else None

    def municipal(self, head: int) -> _Referent | None:
        """A Russian or Ukrainian city body (``мэрия``, ``горсовет``, ``городская администрация``, ``міська
        рада``) of the city named after it or, else, of the story's city: ``<City> City Administration`` or
        ``<City> City Council``."""
        token = self.tok(head)
        word = token.text.lower()
        previous = self.tok(head - 1).text.lower() if head > 0 else ""
        city_adjective = previous.startswith(("городск", "міськ"))
        if _MAYORALTY_RE.match(word) or (city_adjective and word.startswith(("администрац", "адміністрац"))):
            body = "City Administration"
        elif _COUNCIL_RE.match(word) or (city_adjective and _SOVIET_RE.match(word)):
            body = "City Council"
        else:
            return None
        located = any(self.tok(i).text.lower() in ("в", "во", "у") for i in range(max(0, head - 2), head))
        singular = any(
            {"nomn", "sing"} <= p.tag.grammemes for p in morph(token.language).parse(token.text)
        )  # "Мэрия сообщила"; not the owner in "посадовця міськради"
        if not located and not singular:
            return None
        following = self.mention_at(head + 1) if head + 1 < len(self.parse.tokens) else None
        city = self.town_name(following) if following is not None else None
        city = city or self.story_city()
        if city is None:
            return None
        name = f"{city} {body}"
        return _Referent(name, canonical_id(ORG, name), ORG)

    def town_name(self, mention: Mention) -> str | None:
        """The English name of a town a place mention names (none for a country or a region)."""
        if mention.label not in (LOC, ORG):
            return None
        place = lookup_place(mention.canonical or mention.text)
        if place is None or not place.admin1 or has_cyrillic(place.name):
            return None
        return place.name if mention.label == LOC or place.name == mention.text else None  # "Poltava" as ORG

    def story_city(self) -> str | None:
        """The town the story is about: its dateline's (``KRAMATORSK, Ukraine —``), else the one its place mentions
        name most often (the first on a tie)."""
        dateline = DATELINE_RE.search(self.text)
        if dateline is not None:
            written = re.split(r"[,/(—–-]", dateline.group(0))[0].strip().title()
            place = lookup_place(written)
            if place is not None and place.admin1 and not has_cyrillic(place.name):
                return place.name
        counts: dict[str, int] = {}
        for mention in self.place_mentions:
            town = self.town_name(mention)
            if town is not None:
                counts[town] = counts.get(town, 0) + 1
        return max(counts, key=lambda town: counts[town]) if counts else None

    def reporting_body(self, head: int, back: int = 2) -> _Referent | None:
        """The organisation that last reported something before ``head`` (``..., сообщило управление дорог.
        ¶ «...», — говорится в сообщении``; ``повідомили в Офісі генпрокурора``): a statement's author."""
        sent = self.tok(head).sent
        lo = self.parse.sentences[max(0, sent - back)][0]
        for verb in range(head - 1, lo - 1, -1):
            if not self.speech_verb(verb) or _lemma(self.tok(verb)) in COGNITION_ONLY:
                continue
            for subject in (self.subject_of(verb), self.place_subject(verb)):  # "повідомили в Офісі генпрокурора"
                ref = self.resolve_subject(subject)[0] if subject is not None and subject != head else None
                if ref is not None and ref.label in (ORG, MIL_UNIT):
                    return ref
        return None

    def national(self, name: str, country: str | None = None) -> _Referent | None:
        """A curated national body an English organisation name means in ``country`` (its owner: ``Ukraine's
        General Staff``), else in the story's country (``State Emergency Service``, ``Energy Ministry`` in a story
        from Ukraine); none when the name is curated already, names a country or no country is known."""
        if lookup_known(name) is not None:
            return None
        if has_cyrillic(name):
            owners = _COUNTRY_GENITIVES.get(self.story_country() or "", ())
            known = next((k for k in (lookup_known(f"{name} {owner}") for owner in owners) if k is not None), None)
            if known is None or known.label != ORG:  # "Министерство обороны" in a story from Russia
                return None
            return _Referent(known.name, canonical_id(ORG, known.name), ORG)
        country = country or self.story_country()
        if country is None or country in name or DEMONYMS.get(country.lower(), country) in name:
            return None
        bare = re.sub(r"^(?:the|The)\s+", "", name)
        for written in (f"{bare} of {country}", strip_descriptors(f"{country}'s {bare}")):
            known = lookup_known(written)
            if known is not None and known.label == ORG:
                return _Referent(known.name, canonical_id(ORG, known.name), ORG)
        ministry = strip_descriptors(f"{country} {bare}")
        if ministry != f"{country} {bare}" and strip_descriptors(bare) == bare:  # "the Defense Ministry" in a
            return _institution(ministry)  # story from Bulgaria, curated nowhere: Bulgarian Defense Ministry
        return None

    def story_country(self) -> str | None:
        """The country the story is set in: the dateline's, else that of its most mentioned town."""
        if self.country is None:
            town = self.story_city()
            place = lookup_place(town) if town is not None else None
            code = place.country_code if place is not None else None
            name = country_name(code)
            self.country = self.dateline_country() or (name if name and name.lower() in DEMONYMS else "")
        return self.country or None

    def dateline_country(self) -> str | None:
        """The country a dateline names (``NARVA, Estonia (Reuters) —``), as the demonym lexicon spells it."""
        for match in DATELINE_RE.finditer(self.text):
            country = re.search(r",\s*([A-Z][\w.]+)", match.group(0))
            if country is not None and country.group(1).lower() in DEMONYMS:
                return country.group(1)
        return None

    def same_noun_before(self, head: int, back: int = ANTECEDENT_SENTENCES) -> int | None:
        """The last earlier word outside quotes, at most ``back`` sentences back, with this noun's lemma in its
        number (``пчеловод`` is none of ``союз пчеловодов``)."""
        token = self.tok(head)
        first = self.parse.sentences[max(0, token.sent - back)][0]
        noun = token.lemma.lower()
        return next(
            (
                i
                for i in range(head - 1, first - 1, -1)
                if self.tok(i).lemma.lower() == noun and self.outside(i) and self.tok(i).plural == token.plural
            ),
            None,
        )

    def role_holder(self, head: int, owner: str = "", back: int = ANTECEDENT_SENTENCES) -> _Referent | None:
        """The nearest earlier person named with this role: the name given to the last noun phrase with this
        noun (``Another blogger, writing under the name Northern Wind, ... the blogger``), else a person named with
        the noun, or its abbreviation as a title, within a few words (``the governor`` -> ``Gov. Dale Prewitt`` or
        ``Dale Prewitt, the governor``); with ``owner`` (``Ukraine's finance minister``), only the role of that
        owner; the earlier noun phrase is looked for ``back`` sentences back."""
        token = self.tok(head)
        noun = token.lemma.lower()
        same = self.same_noun_before(head, back)
        if (
            same is not None
            and owner
            and owner not in self.text[max(0, self.tok(same).start - 40) : self.tok(same).start]
        ):
            same = None
        named = self.appos_name(same) if same is not None and self.tok(same).pos == "NOUN" else None
        if named is not None:
            return self.name_referent(named)
        if len(noun) < 3:
            return None
        role = re.compile(rf"(?i)\b(?:{re.escape(noun)}|{re.escape(noun[:3])}\.)")
        best: Mention | None = None
        for mention in self.mentions:
            if mention.label != PER or mention.end > token.start:
                continue
            before = self.text[max(0, mention.start - 30) : mention.start]
            after = self.text[mention.end : mention.end + 40].split("\n")[0]
            if owner and owner not in before + after:
                continue
            titled = role.match(mention.text) is not None  # the span took the title in: "Mayor Katri Raudsepp"
            if titled or role.search(before) or re.match(rf"^,\s+(?:\w+\s+){{0,4}}?{role.pattern[4:]}", after, re.I):
                best = mention
        if best is not None:
            return self.referent(best)
        # a name the entity model missed after the title ("Mayor Katri Raudsepp told a council session")
        titles = list(
            re.finditer(rf"(?i:{role.pattern[4:]})\s+((?:[A-Z][\w'’-]+ )*[A-Z][\w'’-]+)", self.text[: token.start])
        )
        last = titles[-1] if titles else None
        index = self.parse.token_at(last.end(1) - 1) if last is not None else None
        if index is not None and self.tok(index).pos == "PROPN" and self.outside(index):
            return self.name_referent(index)
        return None

    def most_mentioned(self) -> _Referent | None:
        """The person the document mentions most often (first mentioned on a tie)."""
        counts: dict[str, int] = {}
        first: dict[str, Mention] = {}
        for mention in self.mentions:
            if mention.label == PER:
                key = self.referent(mention).canonical_id or mention.text
                counts[key] = counts.get(key, 0) + 1
                first.setdefault(key, mention)
        if not counts:
            return None
        best = max(counts, key=lambda k: (counts[k], -first[k].start))
        return self.referent(first[best])

    def unlabelled(self, index: int) -> int | None:
        """The token itself, or for an interview turn's label the parser took for a subject the noun it hung on the
        label (``Q: Russia's central bank governor, Elvira Nabiullina, has described``), else ``None``."""
        if not self.turn_label(index):
            return index
        return next((c for c in self.parse.children(index) if self.tok(c).dep == "appos"), None)

    def turn_label(self, index: int) -> bool:
        """Whether the token is an interview turn's label (``Q:``, ``A:``, ``Вопрос:``), which the parser may take
        for the subject of the turn's first verb."""
        token = self.tok(index)
        line = self.text[self.text.rfind("\n", 0, token.start) + 1 : token.start]
        after = self.text[token.end : token.end + 1]
        return after == ":" and not line.strip() and token.text.lower().rstrip(".") in _QUESTION_LABELS | _ANSWER_LABELS

    def turn(self, index: int) -> str:
        """The interview turn of the token's paragraph: ``_QUESTION`` (``Q:``, ``Вопрос:``, a dash line ending
        with a question mark), ``_ANSWER`` (``A:``), the speaker label of a ``NAME:`` turn, or empty."""
        start = self.text.rfind("\n", 0, self.tok(index).start) + 1
        end = self.text.find("\n", start)
        paragraph = self.text[start : end if end >= 0 else len(self.text)].strip()
        label = _TURN_RE.match(paragraph)
        if label is None:
            return _QUESTION if paragraph.startswith(("—", "–", "-")) and paragraph.endswith("?") else ""
        word = label.group(1).strip().lower().rstrip(".")
        return _QUESTION if word in _QUESTION_LABELS else _ANSWER if word in _ANSWER_LABELS else label.group(1)

    def interview_speaker(self, index: int, addressed: bool) -> _Referent | None:
        """Who ``I`` (or, in a question, ``you``) is: the person interviewed (the document's most mentioned),
        the person a ``NAME:`` turn names, and nobody for an ``I`` in the interviewer's question."""
        turn = self.turn(index)
        if turn == _QUESTION and not addressed:
            return None
        if turn not in ("", _QUESTION, _ANSWER):
            surname = turn.split()[-1].lower()
            named = next((m for m in self.mentions if m.label == PER and m.text.split()[-1].lower() == surname), None)
            if named is not None:
                return self.referent(named)
        return self.signer() or self.introduced() or self.most_mentioned()

    def introduced(self) -> _Referent | None:
        """The person an interview's introduction names first, before its first question (``X is an economist
        ... Q: ...``): the person interviewed, however often the questions name others."""
        first_question = next(
            (
                line.start()
                for line in re.finditer(r"(?m)^.+$", self.text)
                if (label := _TURN_RE.match(line.group(0).strip())) is not None
                and label.group(1).strip().lower().rstrip(".") in _QUESTION_LABELS
            ),
            None,
        )
        if first_question is None:
            return None
        lo, hi = self.parse.sentences[0] if self.parse.sentences else (0, 0)
        subject = next((i for i in range(lo, hi) if self.tok(i).dep in _SUBJECT_DEPS), None)
        if subject is not None and self.tok(subject).pos == "PROPN":  # "Vera Lind-Orlova is an economist": the
            first = subject  # opening sentence's subject, a name the entity model may have missed or mislabelled
            while first > lo and (self.tok(first - 1).pos == "PROPN" or self.tok(first - 1).text == "-"):
                first -= 1
            mention = self.mention_at(subject)
            if mention is not None and self.label_of(mention) == PER:
                return self.referent(mention)
            words = _without_leading_titles(self.text[self.tok(first).start : self.tok(subject).end].split())
            name = " ".join(words)
            if len(words) >= 2 and all(w[:1].isupper() for w in words):
                return _Referent(name, canonical_id(PER, name), PER)
        person = next((m for m in self.mentions if m.end <= first_question and self.label_of(m) == PER), None)
        return self.referent(person) if person is not None else None

    def first_person(self, verb: int) -> int | None:
        """For a subjectless Russian/Ukrainian speech verb: the verb itself when it is in the first person singular
        (``повторю``), or the ``я`` subject of a verb it hangs on (``Я повторю то, что говорил``)."""
        current = verb
        for _ in range(CLIMB):
            token = self.tok(current)
            if token.language not in ("ru", "uk") or not self.outside(current):
                return None
            if {"1per", "sing"} <= slavic_word(token.text, token.language)[2]:
                return current
            for child in self.parse.children(current):
                if self.tok(child).dep in _SUBJECT_DEPS and self.tok(child).text.lower() in ("я",):
                    return child
            if token.head == current:
                return None
            current = token.head
        return None

    def signer(self) -> _Referent | None:
        """The author who signs the post on its last line (``Олег Кіпер``, ``Владислав Ждановский-Ким, глава
        округа``): a name opening a short line without a sentence's end."""
        body = self.text.rstrip()
        start = body.rfind("\n") + 1
        start += len(body[start:]) - len(body[start:].lstrip("—–- \t"))  # "— Taras Bondar, Road Trucks"
        line = body[start:]
        if start == 0 or len(line.split()) > 8 or re.search(r"[.!?:»\"”]", line):
            return None
        for mention in self.mentions:
            if mention.start == start and mention.label == PER:
                return self.referent(mention)
        name = _title_case_name(line.split(",")[0])
        if name is None or not 2 <= len(name.split()) <= 3:
            return None
        return _Referent(name, canonical_id(PER, name), PER)

    def antecedent(self, at: int, label: str, gender: str, exclude: str | None = None) -> _Referent | None:
        """Nearest compatible referent before token ``at``: subjects of the nearest sentence first, then other
        mentions of that sentence, going back ``ANTECEDENT_SENTENCES`` sentences."""
        sent = self.tok(at).sent
        labels = {label} if label == PER else {ORG, MIL_UNIT}
        for s in range(sent, max(-1, sent - ANTECEDENT_SENTENCES - 1), -1):
            lo, hi = self.parse.sentences[s]
            hi = min(hi, at)
            subjects: list[_Referent] = []
            others: list[_Referent] = []
            for i in range(lo, hi):
                if not self.outside(i):
                    continue
                token = self.tok(i)
                if token.text.lower() in _FIRST_PERSON:
                    continue  # "он", "his" never refer to the narrator
                if token.dep in _SUBJECT_DEPS and self.narrator(i):
                    continue  # "Наш корреспондент поговорил с ... Волковым. Вот что он рассказал"
                plural = token.plural or (token.language != "en" and _nominative_plural(token.text, token.language))
                if token.language == "en" and token.text[:1].isupper() and not token.text.endswith("s"):
                    plural = False  # the tagger's plural for a name it does not know ("Nadiya laughed")
                adjective = token.pos == "ADJ" and not (token.language == "en" and token.text[:1].isupper())
                if token.dep in _SUBJECT_DEPS and i != at and not (gender and plural) and not adjective:
                    ref, how = self.resolve_subject(i)
                    if ref is not None and exclude is not None and ref.canonical_id == exclude:
                        continue  # (someone not named has no id, and is never the one excluded)
                    if ref is not None and ref.label in labels and _compatible(ref, gender, self.genders):
                        subjects.append(ref)
                    elif (
                        ref is None
                        and how == NOMINAL
                        and label == PER
                        and not subjects
                        and self.unnamed(i, gender)
                        and self.name_after(i) is None
                    ):
                        return None  # "наш источник ...: по его словам": the unnamed person speaks
                    elif ref is None and how == NOMINAL and not subjects and self.group_for(at, i):
                        return None  # "Фермери ... планують. «...», — кажуть вони": the group speaks
            for mention in self.mentions:
                if self.tok(lo).start <= mention.start and mention.end <= (self.tok(hi - 1).end if hi > lo else 0):
                    index = self.parse.token_at(mention.start)
                    if index is None or not self.outside(index):
                        continue
                    ref = self.referent(mention)
                    # a call sign or a given name alone outside subject position ("Командир с позывным «Барс»,
                    # Андрей Горбунов") stands beside the name, not for the antecedent
                    kept = ref.canonical is not None and (exclude is None or ref.canonical_id != exclude)
                    if ref.label in labels and kept and _compatible(ref, gender, self.genders):
                        others.append(ref)
            if subjects:
                return subjects[0]
            if others:
                return others[0]
        return None

    def named_between(self, ref: _Referent, start: int, end: int) -> bool:
        """Whether the text names this referent between two offsets, outside quotes, other than as the subject
        of a verb that is no speech verb (``X said Belgium backed the plan. "...," he added``; not ``Shoigu
        nodded``)."""
        for mention in self.mentions:
            index = self.parse.token_at(mention.start) if start <= mention.start < end else None
            if index is None or not self.outside(index) or self.referent(mention).canonical_id != ref.canonical_id:
                continue
            token = self.tok(index)
            head = self.tok(token.head) if token.dep in _NAME_DEPS else token  # the name's head word
            if head.dep in _SUBJECT_DEPS and not self.speech_verb(head.head):
                continue
            return True
        return False

    def group_for(self, pronoun: int, noun: int) -> bool:
        """Whether a plural pronoun (``they``, ``они``, ``вони``) refers to a plural common noun subject."""
        token = self.tok(noun)
        if self.tok(pronoun).text.lower() not in ("they", "они", "вони") or token.pos != "NOUN":
            return False
        return token.plural or (token.language != "en" and "plur" in slavic_word(token.text, token.language)[2])

    def narrator(self, index: int) -> bool:
        """Whether a subject noun is the outlet's own reporter (``наш корреспондент``, ``our correspondent``): the
        narrator, whom a later he/she does not mean."""
        token = self.tok(index)
        words = {self.tok(c).lemma.lower() for c in self.parse.children(index)}
        return token.lemma.lower() in REPORTER_NOUNS and bool(words & {"наш", "our", "мой", "мій", "my"})

    def name_after(self, index: int) -> Mention | None:
        """A person's name within the three words after a noun, no punctuation between: an apposition the parse
        missed (``Оператор дронів Євген Ковтун-Ярош до війни працював``)."""
        for i in range(index + 1, min(index + 4, len(self.parse.tokens))):
            if self.tok(i).pos == "PUNCT" or not self.outside(i):
                return None
            mention = self.mention_at(i)
            if mention is not None:
                return mention if mention.label == PER else None
        return None

    def unnamed(self, index: int, gender: str) -> bool:
        """Whether a subject noun is a person of ``gender`` whom no name resolves: in Russian and Ukrainian an
        animate noun; in English a noun with a ``who`` clause (``A security guard ..., who asked not to be
        named,``)."""
        token = self.tok(index)
        if token.pos != "NOUN":
            return False
        if token.language == "en":
            children = self.parse.children(index)
            phrase, who = list(children), False  # the parse may hang the clause on a word of the phrase
            for _ in range(3):
                who = who or any(
                    self.tok(c).dep in _RELATIVE_DEPS
                    and any(self.tok(g).text.lower() in ("who", "whom") for g in self.parse.children(c))
                    for c in phrase
                )
                phrase = [g for c in phrase if self.tok(c).dep in ("prep", "pobj") for g in self.parse.children(c)]
            return not token.plural and who
        grammemes = slavic_word(token.text, token.language)[2]
        return "anim" in grammemes and (not gender or {"m": "masc", "f": "femn"}[gender] in grammemes)

    # -- quotes inside quotes --------------------------------------------------------------------------------

    def nested_frame(self, span: QuoteSpan, host: Quote) -> tuple[int, int] | None:
        """The speech verb inside ``host`` that governs the nested quote ``span`` and its subject: the verb the
        nested quote hangs under, else the nearest one before it in its sentence, else one right after it."""
        first = self.parse.token_at(span.outer_start)
        if first is None:
            return None
        nested = set()
        index = first
        while index < len(self.parse.tokens) and self.tok(index).start < span.outer_end:
            nested.add(index)
            index += 1

        def in_host(i: int) -> bool:
            return host.start <= self.tok(i).start < host.end and i not in nested

        candidates: list[int] = []
        for i in sorted(nested):
            head, steps = self.tok(i).head, 0
            while head in nested and steps < CLIMB and self.tok(head).head != head:
                head, steps = self.tok(head).head, steps + 1
            if head not in nested and in_host(head):
                candidates.append(head)
        lo, _ = self.parse.sentence_of(first)
        candidates.extend(i for i in range(first - 1, lo - 1, -1) if in_host(i))
        last = max(nested)
        candidates.extend(i for i in range(last + 1, min(last + 5, len(self.parse.tokens))) if in_host(i))
        for verb in candidates:
            if self.tok(verb).pos in ("VERB", "AUX") and self.speech_lemma(verb):
                subject = self.nested_subject(verb, in_host)
                return (verb, subject) if subject is not None else None
        return None

    def nested_subject(self, verb: int, in_host: Callable[[int], bool]) -> int | None:
        """The subject of a speech verb inside a quote: its parse subject, else a pronoun or name next to it."""
        for child in self.parse.children(verb):
            if self.tok(child).dep in _SUBJECT_DEPS and in_host(child):
                return child
        for i in (verb - 1, verb + 1, verb - 2, verb + 2):
            if 0 <= i < len(self.parse.tokens) and in_host(i):
                low = self.tok(i).text.lower()
                if low in _PRONOUNS or low in _FIRST_PERSON or low in _WE or self.mention_at(i) is not None:
                    return i
        return None

    def nested_speaker(self, subject: int, host: Quote) -> tuple[_Referent | None, str]:
        """Who the subject of a frame inside ``host`` is: ``I``/``we`` the host's speaker, ``he``/``she`` the
        nearest compatible person before other than the host's speaker, a name its referent; else nobody."""
        low = self.tok(subject).text.lower()
        if low in _FIRST_PERSON or low in _WE:
            if host.speaker_canonical_id is None:
                return None, PRONOUN
            label = host.speaker_canonical_id.split(":")[0]
            return _Referent(host.speaker_canonical, host.speaker_canonical_id, label), PRONOUN
        if low in _PRONOUNS:
            gender, label = _PRONOUNS[low]
            if label != PER:
                return None, PRONOUN  # "they ask me": people in general
            return self.antecedent(subject, PER, gender, exclude=host.speaker_canonical_id), PRONOUN
        mention = self.mention_at(subject)
        if mention is not None:
            return self.referent(mention), SUBJECT
        return None, NOMINAL

    def speech_lemma(self, index: int) -> bool:
        """Whether the token's lemma is in the speech-verb lexicon of its language (Russian and Ukrainian both
        for Cyrillic: natasha reads Ukrainian as Russian)."""
        token = self.tok(index)
        if token.lemma.lower() in CONTINUING and any(
            self.tok(c).dep in ("dobj", "obj") and self.outside(c) for c in self.parse.children(index)
        ):
            return False  # "would continue them": going on with a thing, not with what was being said
        if token.language == "en":
            return is_speech_verb(token.lemma, "en")
        return is_speech_verb(token.lemma, token.language) or is_speech_verb(
            token.lemma, "ru" if token.language == "uk" else "uk"
        )

    # -- other attributions ----------------------------------------------------------------------------------

    def byline(self, qi: int) -> Mention | None:
        """The name after a dash that follows the quote on its line (a mention, else the rest of a short line)."""
        span = self.spans[qi]
        line_end = self.text.find("\n", span.outer_end)
        rest = self.text[span.outer_end : line_end if line_end >= 0 else len(self.text)]
        match = _BYLINE_RE.match(rest)
        if match is None:
            return None
        at = span.outer_end + match.end()
        # the name ends at the first comma: an age, a role or a place follows (", 42, teacher, Valencia")
        head = rest[match.end() :].split(",")[0]
        titles = re.match(r"(?:[A-Z][a-z]{0,11}\.?\s+)*", head)
        for mention in self.mentions:
            if (
                mention.start == at
                or (
                    at < mention.start < at + len(head)  # "— Maj. Taras Horbenko": the title before the name
                    and titles is not None
                    and mention.start <= at + titles.end()
                    and all(w.lower().rstrip(".") in TITLE_WORDS for w in self.text[at : mention.start].split())
                )
            ):
                tail = self.text[mention.end : span.outer_end + len(rest)]
                words = tail.split()
                if (
                    words
                    and words[0][:1].islower()
                    and words[0] not in SMALL_WORDS
                    and words[0].strip(".,;") not in DOCUMENT_NOUNS  # "— Russian Foreign Ministry statement"
                ):
                    return None  # "— заявил Пригожин": a verb, not a byline
                whole = _title_case_name(self.text[mention.start : at + len(head)])
                if whole is not None and len(whole) > len(mention.text):  # "— Air Force of the Armed Forces"
                    return Mention(whole, mention.label, mention.start, mention.start + len(whole), whole, "", whole)
                return mention
        name = _title_case_name(head)
        if name is not None:
            label = ORG if any(w.lower() in ORG_NOUNS for w in name.split()) else PER
            return Mention(name, label, at, at + len(name), name, "", name, canonical_id(label, name))
        return None

    def according_pronoun(self, qi: int) -> int | None:
        """The pronoun of ``по ее словам`` / ``за його словами`` in the quote's sentence."""
        inside = self.quote_tokens(qi)
        if not inside:
            return None
        lo, hi = self.parse.sentence_of(inside[0])
        for match in _ACCORDING_PRONOUN_RE.finditer(self.text, self.tok(lo).start, self.tok(hi - 1).end):
            word = match.group("ru") or match.group("uk") or match.group("uk2")
            index = self.parse.token_at(match.start(match.lastgroup or 0))
            if index is not None and self.tok(index).text.lower() == word.lower():
                return index
        return None

    def according_to(self, qi: int) -> _Referent | None:
        """Who ``according to X`` / ``по словам X`` names: X, or the holder of the role written before X
        (``за словами начальника КМВА`` -> the head of the administration named earlier)."""
        found = self.according_mention(qi)
        if found is None:
            return None
        mention, cue_end = found
        index = self.parse.token_at(cue_end)
        while index is not None and index < len(self.parse.tokens) and self.tok(index).end <= mention.start:
            token = self.tok(index)
            if token.pos == "NOUN" and self.outside(index):
                if token.language != "en" and mention.label != PER and _plural_people(token):
                    return None  # "по словам синоптиков Бурятского ЦГМС": people of the body, a group
                holder = self.role_holder(index)
                if holder is None and mention.label != PER and self.unnamed(index, ""):
                    # "за словами речника ГУР": a person of the organisation, the one of that gender named before
                    gender = _noun_gender(token)
                    holder = self.antecedent(index, PER, gender) if gender else None
                if holder is not None:
                    return holder
            index += 1
        return self.referent(mention)

    def according_scope(self, qi: int, verb: int) -> bool:
        """Whether ``according to X`` / ``по словам X`` / ``за його словами`` opens the quote's sentence before the
        quote and the speech verb, and that verb has no named or pronoun subject of its own: what the sentence
        reports, the quote included, is X's (``According to the ministry, conscripts are called up "..."``, ``По
        его словам, клуб ответил «...»``); a named subject keeps its words (``По словам X, Иванов заявил «...»``)."""
        inside = self.quote_tokens(qi)
        if not inside:
            return False
        lo, _ = self.parse.sentence_of(inside[0])
        begin, quote_start = self.tok(lo).start, self.spans[qi].outer_start
        cues = [
            m.end()
            for pattern in (_ACCORDING_RE, _ACCORDING_PRONOUN_RE)
            if (m := pattern.search(self.text, begin, quote_start)) is not None
            and (index := self.parse.token_at(m.start())) is not None
            and self.outside(index)
        ]
        if not cues or self.tok(verb).start < min(cues):
            return False
        subject = self.subject_of(verb)
        return subject is None or self.resolve_subject(subject)[1] == NOMINAL

    def according_mention(self, qi: int) -> tuple[Mention, int] | None:
        inside = self.quote_tokens(qi)
        if not inside:
            return None
        sentences = {self.tok(i).sent for i in inside}
        lo = self.tok(self.parse.sentences[min(sentences)][0]).start
        hi = self.tok(self.parse.sentences[max(sentences)][1] - 1).end
        for match in _ACCORDING_RE.finditer(self.text, lo, hi):
            index = self.parse.token_at(match.start())
            if index is None or not self.outside(index):
                continue
            near = [
                m
                for m in self.mentions
                if 0 <= m.start - match.end() <= 40
                and not re.search(r"[,.;:]", _ABBREVIATION_RE.sub("", self.text[match.end() : m.start]))
            ]  # "According to Gen. Briggs": an abbreviated title ends nothing
            people = [m for m in near if m.label == PER]  # "по словам начальника Тувинского ЦГМС Оюны Сарыглар"
            if near:
                return (people or near)[0], match.end()
        return None

    def according_noun(self, qi: int) -> int | None:
        """The noun ``according to`` / ``за словами`` introduces when it names no one (``за словами глави
        держави``, ``according to the ministry``)."""
        inside = self.quote_tokens(qi)
        if not inside:
            return None
        lo, hi = self.parse.sentence_of(inside[0])
        for match in _ACCORDING_RE.finditer(self.text, self.tok(lo).start, self.tok(hi - 1).end):
            first = self.parse.token_at(match.end())
            if first is None or not self.outside(first):
                continue
            for index in range(first, min(first + 4, hi)):
                if self.tok(index).pos in ("NOUN", "PROPN") and self.outside(index):
                    return index
                if self.tok(index).pos in ("PUNCT", "VERB", "AUX"):
                    break
        return None

    def according_referent(self, noun: int) -> _Referent | None:
        """Who the noun after ``according to`` is: as a subject would be, and a Russian or Ukrainian role (no
        article tells it is someone new) the holder or the person of its gender named before."""
        token = self.tok(noun)
        for mention in self.mentions:  # "According to the government's barrister, Sarah Pell, ...": the name
            between = self.text[token.end : mention.start]
            if (
                mention.label == PER
                and _ROLE_TAIL_RE.fullmatch(between)
                and self.text[mention.end : mention.end + 1] == ","
            ):
                return self.referent(mention)
        ref, _ = self.resolve_subject(noun)
        readings = [p.tag.grammemes for p in morph(token.language).parse(token.text)] if token.language != "en" else []
        if readings and all("plur" in g for g in readings):
            return None  # "по словам следователей": a group, no one person
        if ref is None and token.language != "en" and "anim" in _tags(token.text, token.language):
            genders = {
                "f" if "femn" in p.tag.grammemes else "m"
                for p in morph(token.language).parse(token.text)
                if "anim" in p.tag.grammemes and {"femn", "masc"} & p.tag.grammemes
            }
            gender = genders.pop() if len(genders) == 1 else ""
            ref = self.role_holder(noun) or self.antecedent(noun, PER, gender)
        return ref


def _without_leading_titles(words: list[str]) -> list[str]:
    """A name's words after the title words it opens with (``Colonel Jane Porter`` -> ``Jane Porter``); the last
    word stays."""
    start = 0
    while start < len(words) - 1 and words[start].lower().rstrip(".") in TITLE_WORDS:
        start += 1
    return words[start:]


def _expansion(text: str, acronym: str) -> str | None:
    """The name an acronym abbreviates, spelled out in the text (``Environmental Protection Agency`` for
    ``E.P.A.``): capitalised words whose initials are its letters (``of``, ``and``, ``for``, ``the`` between)."""
    letters = acronym.replace(".", "")
    if not 2 <= len(letters) <= 6 or not letters.isalpha() or not letters.isupper():
        return None
    words = list(re.finditer(r"[\w'’-]+", text))
    for i, word in enumerate(words):
        if word.group(0)[:1] != letters[0] or word.group(0).isupper():
            continue
        taken: list[re.Match[str]] = []
        for following in words[i:]:
            piece = following.group(0)
            if len(taken) == len(letters) or (piece not in _NAME_LINKS and piece[:1] != letters[len(taken)]):
                break
            if piece not in _NAME_LINKS:
                taken.append(following)
        if len(taken) == len(letters):
            return text[taken[0].start() : taken[-1].end()]
    return None


_SLAVIC_LOCAL_BODY_RE = re.compile(
    r"^(?P<place>[А-ЯІЇЄҐЁ][\w'’ʼ-]+)\s+(?:(?P<level>міськ|городск|обласн|областн)\w*\s+)?"
    r"(?:(?P<military>військов|военн)\w*\s+)?(?P<body>адміністраці|администраци|рад|совет|ОВА|МВА)\w*$"
)
_SLAVIC_BODIES = {"адміністраці": "Administration", "администраци": "Administration", "рад": "Council"}


def _slavic_local_body(name: str) -> str | None:
    """The English name of a Ukrainian or Russian town's or region's own body (``Херсонська міська військова
    адміністрація`` -> ``Kherson City Military Administration``, ``Волинська ОВА`` -> ``Volyn Regional Military
    Administration``, ``Чернівецька міська рада`` -> ``Chernivtsi City Council``); none for other names."""
    match = _SLAVIC_LOCAL_BODY_RE.match(" ".join(name.split()))
    if match is None:
        return None
    body, level = match.group("body"), match.group("level") or ""
    if body in ("ОВА", "МВА"):
        level = "обласн" if body == "ОВА" else "міськ"
        body, military = "Military Administration", True
    else:
        military = match.group("military") is not None
        body = ("Military " if military else "") + _SLAVIC_BODIES.get(body, "Council")
    adjective = match.group("place")
    if level.startswith(("обласн", "областн")):
        region = region_named(f"{adjective[:-1]}а область") or region_named(f"{adjective[:-2]}ая область")
        if region is None or not region.canonical.endswith(" Oblast"):
            return None
        return f"{region.canonical.removesuffix(' Oblast')} Regional {body}"
    if not level:
        return None
    town = next((p for p in map(lookup_place, centre_candidates(adjective)) if p is not None and p.admin1), None)
    return f"{town.name} City {body}" if town is not None and not has_cyrillic(town.name) else None


def _institution(written: str) -> _Referent:
    """An organisation named by its words: descriptors in one form (``Romania's transport ministry`` ->
    ``Romanian Transport Ministry``), a curated body by its name."""
    name = strip_descriptors(written)
    known = lookup_known(name)
    name = known.name if known is not None else name
    return _Referent(name, canonical_id(ORG, name), ORG)


_CONSONANT_END_RE = re.compile(r"[бвгджзклмнпрстфхцчшщ]$")


def _woman(word: str, language: str) -> bool:
    """Whether a Russian or Ukrainian word reads only as a woman's given name (in the singular)."""
    names = [p.tag.grammemes for p in morph(language).parse(word) if {"Name", "sing"} <= p.tag.grammemes]
    return bool(names) and all("femn" in g for g in names)


def _man_oblique(word: str) -> bool:
    """Whether a Ukrainian word reads only as a man's given name in an oblique case (``Михайла``, ``Андрія``)."""
    names = [p.tag.grammemes for p in morph("uk").parse(word) if "Name" in p.tag.grammemes]
    return bool(names) and all("masc" in g and "nomn" not in g for g in names)


def _given_name_nominative(word: str, language: str) -> bool:
    """Whether a Russian or Ukrainian word read as a given name can only be a singular nominative (``Заира``,
    ``Юлія``; not ``Ивана``): the name's other words agree with it, so they are written in their base form too
    (``Заира Гаджиева`` is a woman, never the man ``Гаджиев``)."""
    if language not in ("ru", "uk"):
        return False
    names = [p.tag for p in morph(language).parse(word) if "Name" in p.tag.grammemes and "sing" in p.tag.grammemes]
    return bool(names) and all("nomn" in tag.grammemes for tag in names)


def _slavic_person_words(words: list[str], language: str) -> list[str]:
    """The words of a Russian or Ukrainian person's name at the end of a longer span: the surname with the given
    name (and patronymic) before it; the words before the given name are a run-on (``Верховний Рада``)."""
    if len(words) < 3:
        return words
    start = len(words) - 1
    if "Patr" in slavic_word(words[start - 1], language)[2] | _tags(words[start - 1], language):
        start -= 1
    if "Name" in _tags(words[start - 1], language):
        return words[start - 1 :]
    return words


@lru_cache(maxsize=65536)
def _tags(word: str, language: str) -> frozenset[str]:
    """Every grammeme of every pymorphy3 reading of the word."""
    return frozenset(g for p in morph(language).parse(word) for g in p.tag.grammemes)


def _nominative_plural(word: str, language: str) -> bool:
    """Whether a Russian or Ukrainian noun in the nominative can only be plural (``закарпатці``, which the best
    reading takes for a locative singular: a subject is no locative)."""
    readings = [p.tag for p in morph(language if language in ("ru", "uk") else "ru").parse(word)]
    nominative = [tag for tag in readings if "nomn" in tag]
    return bool(nominative) and all("plur" in tag for tag in nominative)


def _plural_people(token: Token) -> bool:
    """Whether every animate reading of a Russian or Ukrainian noun is plural (``синоптиков``): a group."""
    readings = [p.tag for p in morph(token.language).parse(token.text) if "anim" in p.tag]
    return bool(readings) and all("plur" in tag for tag in readings)


def _dictionary_given_name(word: str, language: str) -> bool:
    """Whether a Cyrillic word is a given name pymorphy3's dictionary knows (``Даша``), and no place name
    (``Geox``) it knows."""
    language = language if language in ("ru", "uk") else "ru"
    if not has_cyrillic(word) or not morph(language).word_is_known(word):
        return False
    tags = _tags(word, language)
    return "Name" in tags and "Geox" not in tags


def _given_name_only(name: str, language: str) -> bool:
    """Whether a person's name is a given name alone (``Petro``, ``Даша``): someone the story does not name in
    full, as a call sign names nobody (a Cyrillic word by pymorphy3's ``Name`` tag, a Latin one by the lexicons)."""
    words = name.split()
    if len(words) != 1:
        return False
    if has_cyrillic(name):
        return "Name" in _tags(name, language if language in ("ru", "uk") else "ru")
    if name.lower() in GIVEN_NAMES | FEMALE_NAMES:
        return True
    return any(  # "Pavlo": Павло, a given name pymorphy3's dictionary knows (not one its guesser makes up)
        morph(lang).word_is_known(written) and "Name" in _tags(written, lang)
        for lang, written in _cyrillic_spellings(name)
    )


# Latin letters back to Cyrillic, longest first, for the romanised given names of Ukrainian and Russian people
_DIGRAPHS = {"shch": "щ", "kh": "х", "zh": "ж", "ch": "ч", "sh": "ш", "ts": "ц", "ya": "я", "yu": "ю"}
_TO_CYRILLIC = {
    "uk": {**_DIGRAPHS, "ye": "є", "yi": "ї", "iy": "ій", "i": "і", "y": "и", "h": "г", "g": "ґ"},
    "ru": {**_DIGRAPHS, "ye": "е", "iy": "ий", "i": "и", "y": "ы", "h": "х", "g": "г"},
}
_LATIN_LETTERS = dict(zip("abvdezklmnoprstufc", "абвдезклмнопрстуфк", strict=True))


def _cyrillic_spellings(word: str) -> list[tuple[str, str]]:
    """A Latin word read back into Ukrainian and Russian letters (``Pavlo`` -> ``павло``), per language."""
    low = word.lower()
    if not low.isalpha() or not low.isascii():
        return []
    spellings = []
    for language, table in _TO_CYRILLIC.items():
        out, i = [], 0
        while i < len(low):
            piece = next((k for k in sorted(table, key=len, reverse=True) if low.startswith(k, i)), None)
            if piece is None:
                out.append(_LATIN_LETTERS.get(low[i], ""))
                i += 1
            else:
                out.append(table[piece])
                i += len(piece)
        spellings.append((language, "".join(out).capitalize()))
    return spellings


def _romanised_gender(word: str) -> str:
    """The gender of a romanised Russian or Ukrainian given name (``Elvira``, ``Taras``) that pymorphy3's dictionary
    knows once read back into Cyrillic, when every reading it knows agrees; else empty."""
    genders = {
        _slavic_gender(cyrillic, language, "Name")
        for language, cyrillic in _cyrillic_spellings(word)
        if morph(language).word_is_known(cyrillic) and "Name" in _tags(cyrillic, language)
    }
    return genders.pop() if len(genders) == 1 else ""


def _noun_gender(token: Token) -> str:
    """``m`` or ``f`` for a Russian or Ukrainian noun of that gender (else empty)."""
    grammemes = slavic_word(token.text, token.language)[2]
    return "f" if "femn" in grammemes else "m" if "masc" in grammemes else ""


def _title_case_name(rest: str) -> str | None:
    """The rest of a byline line when it is a name: one to eight words, each capitalised or a small word."""
    name = rest.strip().rstrip(".")
    words = name.split()
    if 1 <= len(words) <= 8 and all(w[:1].isupper() or w.lower() in SMALL_WORDS for w in words):
        return name
    return None


def _slavic_gender(word: str, language: str, tag: str) -> str:
    """Gender of a Russian or Ukrainian name word read in the nominative (``tag``: ``Name`` for a given name); a
    given name one dictionary lacks is read with the other (``Володимир`` is known to the Russian one only)."""
    for lang in (language, "uk" if language == "ru" else "ru") if tag else (language,):
        genders = {
            "f" if "femn" in p.tag else "m"
            for p in morph(lang).parse(word)
            if "nomn" in p.tag and ("femn" in p.tag or "masc" in p.tag) and (not tag or tag in p.tag)
        }
        if genders:
            return genders.pop() if len(genders) == 1 else ""
    return ""


@lru_cache(maxsize=1)
def _female_name_keys() -> frozenset[str]:
    return frozenset(skeleton(name) for name in FEMALE_NAMES)


def _female_name(word: str = "") -> bool:
    """Whether a Latin-script given name is a woman's, by its spelling key (``Viktoriia`` = ``Viktoria``)."""
    return bool(word) and not has_cyrillic(word) and skeleton(word) in _female_name_keys()


def _common_noun(text: str, language: str) -> bool:
    """A one-word Russian or Ukrainian "person" that pymorphy3 knows only as a common noun (``Мешканка``)."""
    if language not in ("ru", "uk") or " " in text or not re.search(r"[а-яіїєё]", text.lower()):
        return False
    parses = morph(language).parse(text)
    return all(p.is_known and not person_parse(p) for p in parses)


def _same_surname(a: str, b: str) -> bool:
    """Whether two surnames are one, a Cyrillic one allowing another case ending (``Архипова``, ``Архиповой``)."""
    if a == b:
        return True
    if not (re.search(r"[а-яіїєё]", a.lower()) and len(a) >= 4 and len(b) >= 4):
        return False
    low_a, low_b = a.lower(), b.lower()
    common = next((i for i in range(min(len(a), len(b))) if low_a[i] != low_b[i]), min(len(a), len(b)))
    return common >= 4 and common >= max(len(a), len(b)) - 3


def _cases(word: str, language: str) -> frozenset[str]:
    """Every case pymorphy3 allows for a Russian or Ukrainian word."""
    return _tags(word, language) & CASES


def _compatible(ref: _Referent, gender: str, genders: dict[str, str]) -> bool:
    known = ref.gender or genders.get(ref.canonical_id or "", "")
    return not gender or not known or known == gender


def _lemma(token: Token) -> str:
    return token.lemma.lower()


def extract_quotes(
    text: str, mentions: Sequence[Mention], language: str = "en", parse: Parse | None = None
) -> list[Quote]:
    """Quotes of one document with speakers resolved against its (canonicalised) mentions.

    ``parse`` is the document's parse from :func:`extraction.syntax.parse_documents` (computed here if missing).
    """
    found = _split_interrupted(text, find_quotes(text), language)
    spans = [
        s
        for s in found
        if not any(
            (m.start <= s.start and s.end <= m.end) or text[m.start : m.end] == text[s.start : s.end].strip()
            for m in mentions
        )
    ]
    if not spans:
        return []
    if parse is None:
        parse = parse_documents([(text, language)])[0] or Parse()
    doc = _Document(text, mentions, parse, spans, found)
    quotes: list[Quote] = []
    last: Quote | None = None
    for qi, span in enumerate(spans):
        inner = text[span.start : span.end]
        quote = Quote(inner, span.start, span.end)
        colon = text[: span.outer_start].rstrip().endswith(":")
        before = text[max(0, span.outer_start - 30) : span.outer_start]
        if _NAMED_RE.search(before):
            continue  # "з позивним «Лелека»", "(call sign "Borsuk")": a name, not a quotation
        term = _SO_CALLED_RE.search(before)
        if term is not None and (term.group("owner") or "").lower() not in _OWNERS:
            quote.kind = "scare"  # "the so-called 'border bonus'", "слова „все спокійно“": nobody's words
            quotes.append(quote)
            continue
        if not colon and doc.named_thing(qi):
            continue  # the name of a work, a show or a group, not a quotation
        verb = doc.governor(qi)
        near = doc.governor(qi, anywhere=False)
        if near is None:
            near = doc.slavic_frame(qi)
        scare = is_scare(inner) or (is_fragment(inner) and near is None and doc.according_mention(qi) is None)
        split = _split_from(doc, quotes[-1], span) if quotes and (scare or verb is None) else None
        if split is not None:  # «A,» — сказала вона, — «і B»: the second half of one statement
            quote.speaker, quote.speaker_canonical, quote.speaker_canonical_id = (
                split.speaker,
                split.speaker_canonical,
                split.speaker_canonical_id,
            )
            quote.speaker_start, quote.speaker_end = split.speaker_start, split.speaker_end
            quote.verb, quote.attribution = split.verb, split.attribution
            last = quote
            quotes.append(quote)
            continue
        if scare and not colon and not doc.quotes_short(qi, near):
            quote.kind = "scare"
            quotes.append(quote)
            continue
        if _is_title(inner) and not colon and (verb is None or doc.named_work(qi)):
            continue  # the title of a work, not a quotation
        _attribute(doc, qi, quote, verb, last)
        reported = doc.reported_before(qi) if quote.attribution is None and quote.verb is None else None
        if reported is not None:  # "According to Rusu, the government asked ... ¶ "We are a small country,""
            quote.speaker_canonical, quote.speaker_canonical_id = reported.canonical, reported.canonical_id
            quote.speaker, quote.attribution = reported.canonical, CONTINUATION
        elif quote.attribution is None and quote.verb is None and last is not None and _continues(doc, last, quote):
            quote.speaker, quote.speaker_canonical = last.speaker, last.speaker_canonical
            quote.speaker_canonical_id, quote.verb = last.speaker_canonical_id, last.verb
            quote.attribution = CONTINUATION
        if quote.attribution is None and "\n" in text[span.end :] and not text[: span.outer_start].strip():
            continue  # a headline opening with a quote of nobody named («...»: розмова з ...) is the story's title
        if quote.attribution is not None and quote.kind == "statement":
            last = quote
        quotes.append(quote)
    quotes.extend(_nested(doc, quotes))
    for quote in quotes:  # persons are named in Latin letters, as the entity table's English canonicals
        if quote.speaker_canonical is not None and (quote.speaker_canonical_id or "").startswith(PER + ":"):
            quote.speaker_canonical = latin_person_name(quote.speaker_canonical, language)
    return sorted(quotes, key=lambda q: q.start)


# the narrator's words inside one pair of guillemets: «A, — сказал он, — B», «A. — пояснила вона. — B»
_INTERRUPTION_RE = re.compile(r"(?<=[,.!?…])[ \t]+[—–][ \t]+([^—–«»„“\"\n]{2,80}?)[,.:][ \t]+[—–][ \t]+(?=\S)")


def _split_interrupted(text: str, spans: Sequence[QuoteSpan], language: str) -> list[QuoteSpan]:
    """Split a quotation that the narrator's frame interrupts inside one pair of marks (the Russian and Ukrainian
    convention ``«Машина готова, — сказал он, — люди готовы»``) into its two halves, when the frame between the
    dashes holds a speech verb of the lexicon; the frame then lies outside both and governs them like any other."""
    if language not in ("ru", "uk"):
        return list(spans)
    out: list[QuoteSpan] = []
    for span in spans:
        start = span.start
        open_mark = span.open_mark
        for match in _INTERRUPTION_RE.finditer(text, span.start, span.end):
            words = re.findall(r"\w+(?:[-'’ʼ]\w+)*", match.group(1))
            if len(words) > 8 or not any(
                slavic_word(w, language)[1] == "VERB" and is_speech_verb(slavic_word(w, language)[0], language)
                for w in words
            ):
                continue
            out.append(QuoteSpan(start, match.start(), open_mark, ""))
            start, open_mark = match.end(), ""
        out.append(QuoteSpan(start, span.end, open_mark, span.close_mark) if start != span.start else span)
    return out


def _split_from(doc: _Document, previous: Quote, span: QuoteSpan) -> Quote | None:
    """The quote whose second half ``span`` is: the previous statement, when only its own frame stands between
    them on the same line, with no sentence end (``"A," he said, "B."``, ``«A,» — сказала вона, — «і B»``)."""
    if previous.kind != "statement" or previous.speaker_start is None or previous.speaker_canonical is None:
        return None
    gap_start = previous.end + 1
    gap = doc.text[gap_start : span.outer_start]
    if "\n" in gap or re.search(r"[.!?…;]", gap) or len(gap.split()) > 7:
        return None
    inside = gap_start <= previous.speaker_start and previous.speaker_end is not None
    return previous if inside and (previous.speaker_end or 0) <= span.outer_start else None


def _nested(doc: _Document, outer: Sequence[Quote]) -> list[Quote]:
    """Quotes one level inside the outer ones, attributed by the speech verb inside the outer quote that governs
    them (see ``_Document.nested_frame``): ``I say, 'The chickens will manage.'`` is the outer speaker's, ``He
    said, '...'`` someone named before the outer quote, ``Банк России сказал бизнесу: „...“`` the bank; else no
    speaker (``They ask me, 'Who will feed the chickens?'``)."""
    out = []
    for span in find_nested_quotes(doc.text, list(doc.spans)):
        inner = doc.text[span.start : span.end]
        quote = Quote(inner, span.start, span.end)
        host = next((q for q in outer if q.start <= span.start and span.end <= q.end), None)
        colon = doc.text[: span.outer_start].rstrip().endswith(":")
        if is_scare(inner) and not colon:
            quote.kind = "scare"
        elif host is not None and host.kind == "statement":
            frame = doc.nested_frame(span, host)
            if frame is not None:
                verb, subject = frame
                ref, how = doc.nested_speaker(subject, host)
                if ref is not None:
                    token = doc.tok(subject)
                    mention = doc.mention_at(subject) if how == SUBJECT else None
                    start, end = (mention.start, mention.end) if mention is not None else (token.start, token.end)
                    _set(quote, doc.text[start:end], start, end, ref, how, _lemma(doc.tok(verb)))
        out.append(quote)
    return out


def _attribute(doc: _Document, qi: int, quote: Quote, verb: int | None, last: Quote | None) -> None:
    """Fill the speaker of ``quote`` by rules 1-4 of the module docstring (no change when none applies)."""
    mention = doc.byline(qi)
    if mention is not None:
        _set(quote, mention.text, mention.start, mention.end, doc.referent(mention, nominative=True), BYLINE, None)
        return
    if verb is not None and doc.according_scope(qi, verb):
        verb = None  # "According to X, the plan was called '...'": the whole sentence is X's
    if verb is None:
        found = doc.according_mention(qi)
        if found is not None:
            mention, start = found  # the speaker as written: "Дмитрия Пескова", "начальника КМВА"
            words = doc.text[start : mention.end]
            _set(quote, words, start, mention.end, doc.according_to(qi), ACCORDING_TO, "according to")
            return
        noun = doc.according_noun(qi)
        if noun is not None:  # the phrase as written up to its comma: "глави держави", "Ukraine's border service"
            start, tail = doc.name_span(noun)[0], noun
            while tail + 1 < len(doc.parse.tokens) and doc.outside(tail + 1) and doc.tok(tail + 1).pos != "PUNCT":
                tail += 1
            end = doc.tok(tail).end
            _set(quote, doc.text[start:end], start, end, doc.according_referent(noun), ACCORDING_TO, "according to")
            return
        pronoun = doc.according_pronoun(qi)
        if pronoun is not None:
            token = doc.tok(pronoun)
            _set(
                quote, token.text, token.start, token.end, doc.resolve_subject(pronoun)[0], ACCORDING_TO, "according to"
            )
            return
        verb = doc.colon_verb(qi)
    if verb is None:
        label = doc.colon_label(qi)
        if label is not None:
            _speaker(doc, quote, label, None)
            return
        subject = doc.colon_subject(qi)
        if subject is not None:
            _speaker(doc, quote, subject, None)
        return
    subject = doc.subject_of(verb)
    lemma = _lemma(doc.tok(verb))
    if subject is None:
        quote.verb = lemma
        first = doc.first_person(verb)
        if first is not None:  # "Я вчора сказав ... й повторю тут: «...»": the author speaks
            token = doc.tok(first)
            _set(quote, token.text, token.start, token.end, doc.interview_speaker(first, False), PRONOUN, lemma)
        return
    _speaker(doc, quote, subject, lemma, last)


def _speaker(doc: _Document, quote: Quote, subject: int, lemma: str | None, last: Quote | None = None) -> None:
    """Set the speaker of ``quote`` from the subject token (resolved as name, pronoun or noun)."""
    ref, how = doc.resolve_subject(subject)
    if lemma in CONTINUING and last is not None and last.speaker_canonical_id is not None:
        # "he added", "— додав комбат": the last quoted speaker goes on, when the pronoun fits or the noun is bare
        gender, label = _PRONOUNS.get(doc.tok(subject).text.lower(), ("", ""))
        fits = (
            how == PRONOUN
            and bool(label)
            and last.speaker_canonical_id.startswith(label)
            and (not gender or doc.genders.get(last.speaker_canonical_id, gender) == gender)
        )
        bare = not any(doc.tok(c).dep in ("nmod", "appos") for c in doc.parse.children(subject))
        if fits and ref is not None and ref.canonical_id not in (None, last.speaker_canonical_id):
            fits = not doc.named_between(ref, last.end, doc.tok(subject).start)  # someone new took the floor
        if fits or (how == NOMINAL and ref is None and bare and doc.tok(subject).language != "en"):
            # "— додав комбат" goes on; "— добавил представитель штаба" is someone else of another body
            ref = _Referent(last.speaker_canonical, last.speaker_canonical_id, label or PER)
    head = subject
    if how == SUBJECT and doc.mention_at(subject) is None and doc.tok(subject).pos != "PROPN":
        head = doc.appos_name(subject) or subject
    start, end = doc.name_span(head) if how != PRONOUN else (doc.tok(subject).start, doc.tok(subject).end)
    mention = doc.mention_at(head)
    if mention is not None and how == SUBJECT:
        start, end = min(start, mention.start), max(end, mention.end)
    _set(quote, doc.text[start:end], start, end, ref, how, lemma)


def _set(quote: Quote, surface: str, start: int, end: int, ref: _Referent | None, how: str, verb: str | None) -> None:
    quote.speaker, quote.speaker_start, quote.speaker_end = surface, start, end
    quote.attribution, quote.verb = how, verb
    if ref is not None:
        quote.speaker_canonical, quote.speaker_canonical_id = ref.canonical, ref.canonical_id


def latin_person_name(name: str, language: str) -> str:
    """A person's name in Latin letters: a Cyrillic name (one the gazetteer has no English spelling for) is
    transliterated, Russian in the wire-service style, Ukrainian in the national system, by the text's
    ``language`` (``Кирилл Ёршов`` -> ``Kirill Yorshov``, ``Ґалина Ярема`` -> ``Galyna Yarema``); each part of a
    double surname keeps its capital (``Ёлкина-рудь`` -> ``Yolkina-Rud``)."""
    if not has_cyrillic(name):
        return name
    language = language if language in ("ru", "uk") else cyrillic_language(name)
    words = ["-".join(part[:1].upper() + part[1:] for part in word.split("-")) for word in name.split()]
    if len(words) > 2:  # the wire style names a person without the patronymic (Мария Петровна Осипенко)
        words = [w for w in words if "Patr" not in _tags(w, language)] or words
    return romanize(" ".join(words), language)


def _nominative_name(mention: Mention) -> bool:
    """Whether a Russian or Ukrainian person's mention of two or more words opens with a word that can be read in
    the nominative (then, in a subject, its words are the name; the lemmatiser may have read ``Евгения Шмелёва``
    as a man's genitive; a surname such as ``Ёжиков`` may be known only as a common noun's plural)."""
    words = mention.text.split()
    return (
        mention.label == PER
        and mention.language in ("ru", "uk")
        and len(words) > 1
        and "nomn" in _cases(words[0], mention.language)
    )


def _place_after_preposition(text: str, mention: Mention) -> bool:
    """A "person" the entity model found after ``from``/``in`` that the gazetteer knows as a place (``a former
    mining engineer from Kryvyi Rih``), or after a settlement noun and ``of`` (``from the village of Kelloselkä``)."""
    before = text[max(0, mention.start - 24) : mention.start].lower().split()
    if before[-2:-1] and before[-1] == "of" and before[-2] in _SETTLEMENT_NOUNS:
        return True
    return bool(before) and before[-1] in ("from", "in", "of", "near") and lookup_place(mention.text) is not None


def _continues(doc: _Document, last: Quote, quote: Quote) -> bool:
    """Whether ``quote`` continues ``last``: same or next paragraph, no other person named in between; or a quote
    paragraph after at most ``CONTINUATION_PARAGRAPHS`` paragraphs that name nobody else and whose he/she subjects
    are the last speaker (``She joined the group in the spring ... ¶ "I understand them."``, ``Key quotes ¶ "..."``)."""
    gap = doc.text[last.end : quote.start]
    breaks = len(re.findall(r"\n\s*\n|\n", gap))
    if last.speaker_canonical_id is None or breaks > CONTINUATION_PARAGRAPHS + 1:
        return False
    if breaks > 1 and not re.search(r"\n\s*$", doc.text[: quote.start - 1]):
        return False  # a quote inside a later paragraph's sentence has a frame of its own, or none
    for mention in doc.mentions:
        between = last.end <= mention.start and mention.end <= quote.start
        if (
            between
            and mention.label == PER
            and not _place_after_preposition(doc.text, mention)
            and doc.referent(mention).canonical_id != last.speaker_canonical_id
        ):
            index = doc.parse.token_at(mention.start)
            if index is not None and doc.outside(index):
                return False
    if breaks <= 1:
        return True
    first, end = doc.parse.token_at(last.end), doc.parse.token_at(quote.start)
    for index in range(first if first is not None else 0, end if end is not None else 0):
        token = doc.tok(index)
        if doc.outside(index) and token.dep in _SUBJECT_DEPS and _PRONOUNS.get(token.text.lower(), ("", ""))[1] == PER:
            ref, _ = doc.resolve_subject(index)
            if ref is None or ref.canonical_id != last.speaker_canonical_id:
                return False
    return True
