"""Dependency parses for quote attribution: spaCy's parser for Latin-script runs, natasha's syntax model for Cyrillic.

Both are turned into one shape (``Parse``: tokens with character offsets, a head, a relation and a sentence
number) so that the attribution rules in :mod:`extraction.quotes` read English, Russian and Ukrainian alike.
Relations are spaCy's English labels (``nsubj``, ``compound``, ``appos``, ``pobj``...) or Universal Dependencies
(``nsubj``, ``flat:name``, ``appos``, ``nmod``...); the rules accept both.

Ukrainian goes through natasha's syntax model too (it is trained on Russian; no Ukrainian parser ships in a
registry package). Where its relations are wrong on Ukrainian text, the rules fall back to the word order around
the verb (see ``extraction.quotes``). Lemmas and parts of speech of Cyrillic words come from pymorphy3.

Only documents that hold a quotation mark are parsed (``needs_parse``): the others have nothing to attribute.
Models load once per process.
"""

from __future__ import annotations

import gzip
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from extraction.entities import (
    english_parse_docs,
    morph,
    natasha_models,
    news_embedding,
    script_chunks,
    slovnet_words,
)
from extraction.name_readings import person_parse

QUOTE_CHARS = '"“”«»„'
_QUOTE_CHAR_RE = re.compile(r"[\"“”«»„]|''|``")


@dataclass(slots=True)
class Token:
    """One word of a parse (offsets into the document's text; ``head`` indexes ``Parse.tokens``)."""

    start: int
    end: int
    text: str
    head: int
    dep: str
    sent: int
    lemma: str = ""
    pos: str = ""  # universal part of speech (VERB, NOUN, PROPN, PRON, ...)
    language: str = "en"
    plural: bool = False


@dataclass(slots=True)
class Parse:
    """The parsed runs of one document: tokens in text order and sentence boundaries (token index ranges)."""

    tokens: list[Token] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    _children: list[list[int]] | None = None

    def children(self, index: int) -> list[int]:
        """Indices of the tokens whose head is ``index``."""
        if self._children is None:
            self._children = [[] for _ in self.tokens]
            for i, token in enumerate(self.tokens):
                if token.head != i:
                    self._children[token.head].append(i)
        return self._children[index]

    def token_at(self, offset: int) -> int | None:
        """Index of the token covering character ``offset`` (or the first one starting after it)."""
        lo, hi = 0, len(self.tokens)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.tokens[mid].end <= offset:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self.tokens) else None

    def sentence_of(self, index: int) -> tuple[int, int]:
        """Token range of the sentence holding token ``index``."""
        return self.sentences[self.tokens[index].sent]


def break_cycles(tokens: list[Token], first: int = 0) -> None:
    """Make the heads of ``tokens[first:]`` a forest: natasha's decoder picks each word's head on its own, so a
    sentence can come back with a cycle (two words each the other's head), which every walk up the heads would
    follow for ever. The first word met on a cycle becomes a root (its own head)."""
    state = dict.fromkeys(range(first, len(tokens)), 0)  # 0 unseen, 1 on the current path, 2 done
    for start in range(first, len(tokens)):
        path, current = [], start
        while state.get(current) == 0 and tokens[current].head != current:
            state[current] = 1
            path.append(current)
            current = tokens[current].head
        if state.get(current) == 1:  # back on this path: a cycle
            tokens[current].head = current
        for visited in path:
            state[visited] = 2
        state[current] = 2


# A dateline opening a paragraph: "OKLAHOMA CITY —", "KUPIANSK DISTRICT, Ukraine —", "WASHINGTON (AP) —".
DATELINE_RE = re.compile(
    r"(?m)^[ \t]*[A-Z][A-Z.'’-]+(?:[ \t]+[A-Z][A-Z.'’-]+)*(?:,[ \t]*[A-Z][\w.'’-]*(?:[ \t]+[A-Z][\w.'’-]*)*)?"
    r"(?:[ \t]*\([\w .]+\))?[ \t]*[—–-]+[ \t]"
)


def blank_datelines(text: str) -> str:
    """``text`` with its datelines turned into spaces (same offsets): a dateline is no part of the sentence."""
    return DATELINE_RE.sub(lambda m: " " * len(m.group(0)), text)


def needs_parse(text: str) -> bool:
    """Whether ``text`` has a quotation mark (only such documents are parsed)."""
    return _QUOTE_CHAR_RE.search(text) is not None


# -- models (once per process) ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def natasha_syntax() -> tuple[Any, Any]:
    """natasha's segmenter and news syntax parser (shipped inside the package), sharing what the NER tagger has
    loaded: the lean embedding (:func:`extraction.entities.news_embedding`) and, when both packages ship the same
    file, the compact 250,000-word vocabulary (:func:`extraction.entities.slovnet_words`)."""
    from natasha.data import NEWS_NER, NEWS_SYNTAX
    from natasha.syntax import SyntaxParser
    from slovnet.api import Syntax
    from slovnet.const import REL, SHAPE, WORD
    from slovnet.exec.encoders import SyntaxEncoder
    from slovnet.exec.infer import SyntaxDecoder, SyntaxInfer
    from slovnet.exec.model import Syntax as SyntaxModel
    from slovnet.exec.pack import Pack, vocab_name

    segmenter, tagger = natasha_models()
    with Pack(NEWS_NER) as ner_pack, Pack(NEWS_SYNTAX) as pack:
        # Compared unzipped: the two gzip headers differ (their timestamps) when the words do not.
        same_words = gzip.decompress(ner_pack.read(vocab_name(WORD))) == gzip.decompress(pack.read(vocab_name(WORD)))
        pack.load_meta().check_protocol()
        model = pack.load_model(SyntaxModel)
        arrays = dict(pack.load_arrays(model.weights))
        words = tagger.infer.encoder.words_vocab if same_words else slovnet_words(pack)
        shapes, relations = pack.load_vocab(SHAPE), pack.load_vocab(REL)
    # What ``slovnet.api.Syntax.load`` builds, with the vocabulary taken from the tagger.
    batch_size = 8
    infer = SyntaxInfer(model.inject_arrays(arrays), SyntaxEncoder(words, shapes, batch_size), SyntaxDecoder(relations))
    parser = SyntaxParser.__new__(SyntaxParser)
    Syntax.__init__(parser, infer, batch_size)
    parser.navec(news_embedding())
    return segmenter, parser


_MORPH_POS = {
    "NOUN": "NOUN",
    "ADJF": "ADJ",
    "ADJS": "ADJ",
    "COMP": "ADJ",
    "VERB": "VERB",
    "INFN": "VERB",
    "PRTF": "VERB",
    "PRTS": "VERB",
    "GRND": "VERB",
    "NUMR": "NUM",
    "ADVB": "ADV",
    "NPRO": "PRON",
    "PRED": "ADV",
    "PREP": "ADP",
    "CONJ": "CCONJ",
    "PRCL": "PART",
    "INTJ": "INTJ",
}


_FUNCTION_POS = {"NPRO", "CONJ", "PREP", "PRCL"}


@lru_cache(maxsize=65536)
def slavic_word(word: str, language: str) -> tuple[str, str, frozenset[str]]:
    """(lemma, universal POS, grammemes) of a Russian or Ukrainian word by pymorphy3's first reading."""
    if language == "uk":  # pymorphy3's Ukrainian dictionary spells the apostrophe ' (Дар'я), texts also ʼ and ’
        word = word.replace("ʼ", "'").replace("’", "'")
    parses = morph(language).parse(word)
    if not parses:
        return word.lower(), "X", frozenset()
    best = parses[0]
    tied = [p for p in parses if p.score == best.score]
    # pymorphy3's Ukrainian dictionary has no frequencies (every reading scores alike, in dictionary order): among
    # tied readings a function word wins over a rare noun ("як" is "how", not "yak"; "вона" is "she")
    best = next((p for p in tied if str(p.tag.POS) in _FUNCTION_POS), best)
    if word[:1].isupper():  # and a capitalised word is a name first ("Ірина", not the adjective "ірин")
        best = next((p for p in tied if person_parse(p)), best)
    grammemes = frozenset(str(g) for g in best.tag.grammemes)
    pos = _MORPH_POS.get(str(best.tag.POS), "X")
    if pos == "NOUN" and word[:1].isupper() and person_parse(best, also=("Geox", "Orgn")):
        pos = "PROPN"
    return str(best.normal_form), pos, grammemes


# -- parsing -----------------------------------------------------------------------------------------------------


_BLANK_LINE_RE = re.compile(r"\n\s*\n")
# an apostrophe inside a word (кав'ярні, Куп’янськ): natasha's segmenter splits the word at ' and ’ but keeps the
# modifier letter ʼ, so the parser reads the word whole
_WORD_APOSTROPHE_RE = re.compile(r"(?<=[^\W\d_])['’](?=[^\W\d_])")


def _split_at_blank_lines(ndoc: Any) -> None:
    """End a natasha sentence at every blank line in it (razdel joins a byline or a heading to the next
    paragraph); the parse then runs on the split sentences, still in one call for the whole text."""
    from natasha.doc import DocSent

    sents = []
    for sent in ndoc.sents:
        cuts = [0, *(m.end() for m in _BLANK_LINE_RE.finditer(sent.text)), len(sent.text)]
        for a, b in itertools.pairwise(cuts):
            piece = sent.text[a:b].rstrip()
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                sents.append(DocSent(sent.start + a + lead, sent.start + a + len(piece), piece.strip()))
    if len(sents) != len(ndoc.sents):
        ndoc.sents = sents
        ndoc.envelop_sent_tokens()


def parse_documents(documents: Sequence[tuple[str, str | None]], batch_size: int = 64) -> list[Parse | None]:
    """Parses of ``(text, language)`` pairs (``None`` for a text without quotation marks); English runs go
    through one ``nlp.pipe`` call."""
    parses: list[Parse | None] = [Parse() if needs_parse(text) else None for text, _ in documents]
    latin: list[tuple[int, int, int]] = []  # document, run start, run end
    cyrillic: list[tuple[int, int, int, str]] = []
    for index, (text, language) in enumerate(documents):
        if parses[index] is None:
            continue
        for chunk in script_chunks(text, language):
            if chunk.script == "cyrillic":
                cyrillic.append((index, chunk.start, chunk.end, chunk.language))
            else:
                latin.append((index, chunk.start, chunk.end))
    runs: list[tuple[int, int, list[Token], list[tuple[int, int]]]] = []
    if latin:
        texts = (blank_datelines(documents[i][0][s:e]) for i, s, e in latin)
        for (index, start, _), doc in zip(latin, english_parse_docs(texts, batch_size), strict=True):
            tokens = [
                Token(
                    start + t.idx,
                    start + t.idx + len(t.text),
                    t.text,
                    t.head.i,
                    t.dep_.lower(),
                    0,
                    t.lemma_,
                    t.pos_,
                    "en",
                    t.tag_ in ("NNS", "NNPS"),
                )
                for t in doc
            ]
            sentences = [(s.start, s.end) for s in doc.sents]
            runs.append((index, start, tokens, sentences))
    if cyrillic:
        from natasha import Doc

        segmenter, syntax = natasha_syntax()
        for index, start, end, language in cyrillic:
            original = documents[index][0][start:end]
            ndoc = Doc(_WORD_APOSTROPHE_RE.sub("ʼ", original))  # same length: offsets hold
            ndoc.segment(segmenter)
            _split_at_blank_lines(ndoc)
            ndoc.parse_syntax(syntax)
            tokens, sentences = [], []
            for sent in ndoc.sents:
                first = len(tokens)
                ids = {t.id: first + k for k, t in enumerate(sent.tokens)}
                for k, t in enumerate(sent.tokens):
                    t.text = original[t.start : t.stop]
                    lemma, pos, grammemes = (
                        slavic_word(t.text, language)
                        if t.text[:1].isalpha()
                        else (t.text, "NUM" if t.text[:1].isdigit() else "PUNCT", frozenset())
                    )
                    tokens.append(
                        Token(
                            start + t.start,
                            start + t.stop,
                            t.text,
                            ids.get(t.head_id, first + k),
                            (t.rel or "dep").lower(),
                            0,
                            lemma,
                            pos,
                            language,
                            "plur" in grammemes,
                        )
                    )
                break_cycles(tokens, first)
                sentences.append((first, len(tokens)))
            runs.append((index, start, tokens, sentences))
    for index, _, tokens, sentences in sorted(runs, key=lambda r: (r[0], r[1])):
        parse = parses[index]
        assert parse is not None
        offset = len(parse.tokens)
        for token in tokens:
            token.head += offset
        for s, e in sentences:
            for token in tokens[s:e]:
                token.sent = len(parse.sentences)
            parse.sentences.append((s + offset, e + offset))
        parse.tokens.extend(tokens)
    return parses
