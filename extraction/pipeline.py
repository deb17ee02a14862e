"""The extraction step, pure and batched: documents in, rows for every extraction table out.

``extract_batch`` runs NER over all documents of a batch at once (one ``nlp.pipe`` call for the English runs,
natasha for the Cyrillic runs), canonicalises mentions with the batch (plus entities already known to the
warehouse) as the corpus, then finds quotes, attributions, links and Telegram references per document.
Models load once per process. A big batch shares its NER with worker processes (every core; the rows are the
same as in one process), a small one stays in this process. Bump ``EXTRACTOR_VERSION`` whenever output for the
same text can change: rows of older versions are then replaced by ``telefeed reextract`` or the ``extract`` flow.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from extraction.attributions import Attribution, extract_attributions
from extraction.canonical import CanonicalEntity, Mention, canonicalise
from extraction.entities import extract_mentions
from extraction.links import Link, TelegramRef, extract_links, metadata_links, telegram_refs
from extraction.quotes import Quote, extract_quotes
from extraction.syntax import Parse, parse_documents

EXTRACTOR_VERSION = "1.14.0"

# Keys of ``telefeed extract FILE --json`` (documented in docs/extraction.md; keep them stable).
JSON_KEYS = ("extractor_version", "language", "text", "entities", "quotes", "attributions", "links", "telegram_refs")


@dataclass(slots=True)
class ExtractInput:
    """One document to extract from (primitive fields only, so flows and the CLI can build it)."""

    document_id: str
    text: str
    language: str | None = None
    source: str | None = None
    kind: str | None = None
    published_at: datetime | None = None
    version_hash: str | None = None  # the stored document's version; recorded so that a later edit is extracted again
    metadata: Mapping[str, Any] | None = None  # a Telegram post's hidden links, link preview and forward source


@dataclass(slots=True)
class DocumentExtraction:
    """Everything extracted from one document."""

    document_id: str
    language: str | None
    text: str
    version_hash: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    telegram_refs: list[TelegramRef] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape printed by ``telefeed extract FILE --json``."""
        return {
            "extractor_version": EXTRACTOR_VERSION,
            "language": self.language,
            "text": self.text,
            "entities": [
                {
                    "text": m.text,
                    "label": m.label,
                    "canonical": m.canonical,
                    "canonical_id": m.canonical_id,
                    "start": m.start,
                    "end": m.end,
                }
                for m in self.mentions
            ],
            "quotes": [
                {
                    "text": q.text,
                    "kind": q.kind,
                    "speaker": q.speaker,
                    "speaker_canonical": q.speaker_canonical,
                    "verb": q.verb,
                    "start": q.start,
                    "end": q.end,
                    "speaker_start": q.speaker_start,
                    "speaker_end": q.speaker_end,
                    "attribution": q.attribution,
                }
                for q in self.quotes
            ],
            "attributions": [asdict(a) for a in self.attributions],
            "links": [asdict(link) for link in self.links],
            "telegram_refs": [asdict(r) for r in self.telegram_refs],
        }


@dataclass(slots=True)
class BatchExtraction:
    """The extraction of a batch of documents and the canonical entities its mentions resolved to."""

    documents: list[DocumentExtraction]
    canonical_entities: dict[str, CanonicalEntity]
    extractor_version: str = EXTRACTOR_VERSION


def _language(text: str, language: str | None) -> str | None:
    if language:
        return language
    try:
        from extraction.language import detect_language
    except ImportError:  # pragma: no cover - the articles module ships it
        return None
    return detect_language(text)


# Documents per process below which a batch's NER stays in one process (a worker's start and the models it
# loads are not worth it for a few posts).
MIN_DOCUMENTS_PER_PROCESS = 50

_POOL: tuple[int, ProcessPoolExecutor] | None = None  # (workers, pool)
_POOL_LOCK = threading.Lock()


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def mention_processes(documents: int) -> int:
    """How many processes share the NER of a batch of ``documents``: every core for a big batch, one for a small.

    One inside a daemonic process (a multiprocessing worker may not start processes of its own).
    """
    if multiprocessing.current_process().daemon:
        return 1
    return max(1, min(available_cores(), documents // MIN_DOCUMENTS_PER_PROCESS))


def _worker_pool(workers: int) -> ProcessPoolExecutor:
    """The process's pool of NER workers, started when first needed and kept (each worker loads its models once).

    Workers come from a ``forkserver`` (a clean process, not a fork of this one with its threads and open
    warehouse connections) that preloads only this module; as with any multiprocessing start method but fork,
    each worker also imports the program's main module. They shut down with this process.
    """
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL[0] < workers:
            if _POOL is not None:
                _POOL[1].shutdown()
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            _POOL = (workers, ProcessPoolExecutor(workers, mp_context=context))
        return _POOL[1]


def _balanced_slices(pairs: Sequence[tuple[str, str | None]], parts: int) -> list[slice]:
    """``parts`` consecutive slices of ``pairs`` holding about the same amount of text each."""
    total = sum(len(text) for text, _ in pairs) or 1
    bounds: list[slice] = []
    seen = start = 0
    for index, (text, _) in enumerate(pairs):
        middle = seen + len(text) / 2  # a document goes to the part its middle falls in
        if index > start and len(bounds) < parts - 1 and middle * parts >= total * (len(bounds) + 1):
            bounds.append(slice(start, index))
            start = index
        seen += len(text)
    bounds.append(slice(start, len(pairs)))
    return bounds


Analysis = tuple[list[list[Mention]], list[Parse | None]]


def analyse(pairs: Sequence[tuple[str, str | None]]) -> Analysis:
    """The per-document model work of a batch: entity mentions and quote-attribution parses of ``(text,
    language)`` pairs. Each document's result depends on its own text only."""
    return extract_mentions(pairs), parse_documents(pairs)


@contextmanager
def sharing_cores(processes: int) -> Iterator[None]:
    """While it is open, this process's BLAS library (numpy's OpenBLAS, which natasha's models multiply with)
    keeps to one of ``processes`` equal shares of the cores; the previous setting comes back on exit.

    Left alone, every process starts one BLAS thread per core, and on two cores two processes ran each half of a
    batch about 1.6 times slower than either alone (bench/README.md, "Extraction on two cores").
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=max(1, available_cores() // processes), user_api="blas"):
        yield


def analyse_sharing_cores(pairs: Sequence[tuple[str, str | None]], processes: int) -> Analysis:
    """:func:`analyse` in one of ``processes`` processes working on a batch at once (see :func:`sharing_cores`)."""
    with sharing_cores(processes):
        return analyse(pairs)


def _analyse_on_processes(pairs: Sequence[tuple[str, str | None]], processes: int) -> Analysis:
    """:func:`analyse` of ``pairs``, the batch cut into ``processes`` parts of about equal text: this process
    runs the first part while worker processes run the others. The result is the same as one call over the
    whole batch."""
    if processes <= 1 or len(pairs) < 2:
        return analyse(pairs)
    parts = [list(pairs[s]) for s in _balanced_slices(pairs, processes)]
    pool = _worker_pool(len(parts) - 1)
    futures: list[Future[Analysis] | None] = []
    for part in parts[1:]:
        try:
            futures.append(pool.submit(analyse_sharing_cores, part, len(parts)))
        except BrokenProcessPool:
            futures.append(None)
    mentions, parses = analyse_sharing_cores(parts[0], len(parts))
    for part, future in zip(parts[1:], futures, strict=True):
        found = _worker_result(future)
        if found is None:  # a worker died (killed, out of memory): this process does its part
            _forget_pool(pool)
            found = analyse(part)
        mentions.extend(found[0])
        parses.extend(found[1])
    return mentions, parses


def _worker_result(future: Future[Analysis] | None) -> Analysis | None:
    """A worker's analysis, or None when its pool broke."""
    if future is None:
        return None
    try:
        return future.result()
    except BrokenProcessPool:
        return None


def _forget_pool(pool: ProcessPoolExecutor) -> None:
    """Drop a broken pool, so that the next big batch starts a new one."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None and _POOL[1] is pool:
            _POOL = None
    pool.shutdown(wait=False)


def extract_batch(
    documents: Sequence[ExtractInput],
    known_channels: Mapping[str, Sequence[str]] | None = None,
    known_entities: Sequence[tuple[str, str]] = (),
    processes: int | None = None,
) -> BatchExtraction:
    """Extract entities, quotes, attributions, links and Telegram references from a batch of documents.

    Args:
        documents: the batch (a few hundred documents is a good size; all go through one model pipe).
        known_channels: Telegram channel username -> names it goes by (for references by name).
        known_entities: (name, label) of canonical entities already stored (the corpus beyond this batch).
        processes: processes that share the batch's NER and parses (None: :func:`mention_processes`, every core for a
            batch of at least ``MIN_DOCUMENTS_PER_PROCESS`` documents per core). The rows are the same.
    """
    languages = [_language(d.text, d.language) for d in documents]
    pairs = [(d.text, lang) for d, lang in zip(documents, languages, strict=True)]
    mentions, parses = _analyse_on_processes(pairs, mention_processes(len(pairs)) if processes is None else processes)
    all_links = [extract_links(d.text) for d in documents]
    for doc_mentions, links in zip(mentions, all_links, strict=True):  # no entities inside URLs or @names
        spans = [(link.start, link.end) for link in links if link.kind != "hashtag"]
        doc_mentions[:] = [m for m in doc_mentions if not any(s < m.end and m.start < e for s, e in spans)]
    entities = canonicalise(mentions, known_entities)
    out = []
    for doc, lang, doc_mentions, links, parse in zip(documents, languages, mentions, all_links, parses, strict=True):
        hidden_links, hidden_refs = metadata_links(doc.text, doc.metadata, known_channels, links)
        refs = telegram_refs(doc.text, links, known_channels)
        out.append(
            DocumentExtraction(
                document_id=doc.document_id,
                language=lang,
                text=doc.text,
                version_hash=doc.version_hash,
                mentions=doc_mentions,
                quotes=extract_quotes(doc.text, doc_mentions, lang or "en", parse),
                attributions=extract_attributions(doc.text, doc_mentions),
                links=sorted([*links, *hidden_links], key=lambda link: link.start),
                telegram_refs=sorted([*refs, *hidden_refs], key=lambda ref: ref.start),
            )
        )
    return BatchExtraction(out, entities)


def batch_rows(batch: BatchExtraction) -> dict[str, list[dict[str, Any]]]:
    """Rows for every extraction table (``mentions``, ``quotes``, ``attributions``, ``links``,
    ``telegram_refs``, ``canonical_entities``, ``extracted_documents``), each tagged with the extractor version."""
    version = batch.extractor_version
    rows: dict[str, list[dict[str, Any]]] = {
        "mentions": [],
        "quotes": [],
        "attributions": [],
        "links": [],
        "telegram_refs": [],
        "canonical_entities": [],
        "extracted_documents": [],
    }
    for doc in batch.documents:
        base = {"document_id": doc.document_id, "extractor_version": version}
        for i, m in enumerate(doc.mentions):
            rows["mentions"].append(
                {
                    **base,
                    "mention_index": i,
                    "text": m.text,
                    "label": m.label,
                    "start_char": m.start,
                    "end_char": m.end,
                    "lemma": m.lemma,
                    "language": m.language,
                    "canonical_id": m.canonical_id,
                    "canonical_name": m.canonical,
                }
            )
        for i, q in enumerate(doc.quotes):
            rows["quotes"].append(
                {
                    **base,
                    "quote_index": i,
                    "text": q.text,
                    "kind": q.kind,
                    "start_char": q.start,
                    "end_char": q.end,
                    "speaker": q.speaker,
                    "speaker_canonical_id": q.speaker_canonical_id,
                    "speaker_canonical": q.speaker_canonical,
                    "verb": q.verb,
                    "speaker_start": q.speaker_start,
                    "speaker_end": q.speaker_end,
                    "attribution": q.attribution,
                }
            )
        for a in doc.attributions:
            rows["attributions"].append(
                {
                    **base,
                    "outlet": a.outlet,
                    "outlet_canonical": a.outlet_canonical,
                    "cue": a.cue,
                    "start_char": a.start,
                    "end_char": a.end,
                }
            )
        for link in doc.links:
            rows["links"].append(
                {
                    **base,
                    "kind": link.kind,
                    "value": link.value,
                    "target": link.target,
                    "start_char": link.start,
                    "end_char": link.end,
                }
            )
        for r in doc.telegram_refs:
            rows["telegram_refs"].append(
                {
                    **base,
                    "channel": r.channel,
                    "post_id": r.post_id,
                    "via": r.via,
                    "value": r.value,
                    "start_char": r.start,
                    "end_char": r.end,
                }
            )
        rows["extracted_documents"].append(
            {
                **base,
                "language": doc.language,
                "mentions": len(doc.mentions),
                "quotes": len(doc.quotes),
                "version_hash": doc.version_hash or "",
            }
        )
    for entity in batch.canonical_entities.values():
        rows["canonical_entities"].append(
            {
                "canonical_id": entity.canonical_id,
                "name": entity.name,
                "label": entity.label,
                "aliases": sorted(entity.aliases),
                "latitude": entity.latitude,
                "longitude": entity.longitude,
                "country_code": entity.country_code,
                "extractor_version": version,
            }
        )
    return rows
