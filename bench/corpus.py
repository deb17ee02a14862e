"""Seeded synthetic corpus: English and Russian documents, post-sized and article-sized.

The same seed and size always give the same documents, so runs of different benchmarks (and of different
machines) compare like with like. Generation is streaming: :func:`iter_documents` yields one at a time.

    python -m bench.corpus --size 10000 --seed 7 --out /tmp/corpus.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from telefeed.models import Document

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def corpus_size(label: str) -> int:
    """A corpus size given on a command line: ``10k``, ``100k``, ``1m`` or a number."""
    return SIZES.get(label.lower()) or int(label)


def corpus_parser(description: str, size_option: str = "--size", **size: Any) -> argparse.ArgumentParser:
    """A corpus benchmark's command line: its size option (``size``: the option's default, help, action), read by
    :func:`corpus_size`, and the corpus ``--seed``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(size_option, type=corpus_size, **size)
    parser.add_argument("--seed", type=int, default=7, help="the corpus seed (the same seed gives the same corpus)")
    return parser


BASE_DATE = datetime(2026, 1, 1, tzinfo=UTC)

_EN_TEXT = (
    "the city council said on monday that power had been restored to most districts after overnight strikes "
    "damaged a substation officials warned residents to expect scheduled outages while repairs continue "
    "the ministry of energy reported that engineers were working around the clock and that water supply "
    "would resume by evening according to a statement published on the regional administration website "
    "analysts said the attack was the largest this month and that air defence units intercepted most drones "
    "the mayor of kharkiv urged people to stay in shelters until the alert ends schools moved classes online"
)
_RU_TEXT = (
    "в городе восстановили электроснабжение после ночного обстрела повреждена подстанция власти предупредили "
    "жителей о графиках отключений ремонтные бригады работают круглосуточно водоснабжение возобновят к вечеру "
    "об этом сообщила областная администрация на своём сайте по словам аналитиков это крупнейшая атака за месяц "
    "силы противовоздушной обороны сбили большинство беспилотников мэр призвал оставаться в укрытиях школы "
    "перешли на дистанционное обучение министерство энергетики опубликовало заявление в понедельник"
)
_EN_WORDS = tuple(_EN_TEXT.split())
_RU_WORDS = tuple(_RU_TEXT.split())
_NAMES = ("Kyiv", "Kharkiv", "Odesa", "Zaporizhzhia", "Dnipro", "Lviv", "Москва", "Белгород", "Курск", "Севастополь")


@dataclass(frozen=True, slots=True)
class CorpusSpec:
    """What to generate: how many documents, with which seed, and the share of long articles."""

    size: int
    seed: int = 7
    article_share: float = 0.2  # the rest are Telegram-post sized
    russian_share: float = 0.5
    source_count: int = 20


def _sentence(rng: random.Random, words: tuple[str, ...] | list[str], length: int) -> str:
    picked = [rng.choice(words) for _ in range(length)]
    if rng.random() < 0.3:
        picked.insert(rng.randrange(len(picked)), rng.choice(_NAMES))
    return " ".join(picked).capitalize() + "."


def _text(rng: random.Random, russian: bool, article: bool) -> str:
    words = _RU_WORDS if russian else _EN_WORDS
    if article:  # ~600-1500 words in 6-14 paragraphs
        paragraphs = []
        for _ in range(rng.randint(6, 14)):
            paragraphs.append(" ".join(_sentence(rng, words, rng.randint(10, 25)) for _ in range(rng.randint(3, 6))))
        return "\n".join(paragraphs)
    return " ".join(_sentence(rng, words, rng.randint(6, 18)) for _ in range(rng.randint(1, 4)))


def iter_records(spec: CorpusSpec) -> Iterator[dict[str, object]]:
    """Yield plain records (JSON-friendly) for the corpus: source, kind, external_id, title, text, url, ..."""
    rng = random.Random(spec.seed)
    for index in range(spec.size):
        russian = rng.random() < spec.russian_share
        article = rng.random() < spec.article_share
        source = f"{'news' if article else 'channel'}_{index % spec.source_count:02d}"
        text = _text(rng, russian, article)
        title = _sentence(rng, _RU_WORDS if russian else _EN_WORDS, rng.randint(5, 11)) if article else None
        yield {
            "source": source,
            "kind": "article" if article else "post",
            "external_id": str(index + 1),
            "url": f"https://example.org/{source}/{index + 1}" if article else f"https://t.me/{source}/{index + 1}",
            "title": title,
            "text": text,
            "language": "ru" if russian else "en",
            "published_at": (BASE_DATE + timedelta(seconds=index * 37)).isoformat(),
        }


def post_text(seed: int, index: int) -> tuple[str, str]:
    """(text, language) of post ``index`` of a channel, computed on its own (random access, nothing held)."""
    rng = random.Random(seed * 1_000_003 + index)
    russian = rng.random() < 0.5
    return _text(rng, russian, article=False), "ru" if russian else "en"


def iter_documents(spec: CorpusSpec) -> Iterator[Document]:
    """Yield telefeed ``Document``s for the corpus (what the warehouse lands after normalisation)."""
    for rec in iter_records(spec):
        yield Document(
            source=str(rec["source"]),
            kind=str(rec["kind"]),
            external_id=str(rec["external_id"]),
            text=str(rec["text"]),
            url=str(rec["url"]),
            title=rec["title"] if isinstance(rec["title"], str) else None,
            published_at=datetime.fromisoformat(str(rec["published_at"])),
            language=str(rec["language"]),
            metadata={"bench": True},
        )


def rss_feed(records: list[dict[str, object]], title: str = "bench feed") -> bytes:
    """An RSS 2.0 document with one ``<item>`` per record (used by the end-to-end bench and reliability tests)."""
    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{escape(title)}</title>']
    for rec in records:
        published = datetime.fromisoformat(str(rec["published_at"]))
        parts.append(
            "<item>"
            f"<guid>{escape(str(rec['url']))}</guid><link>{escape(str(rec['url']))}</link>"
            f"<title>{escape(str(rec['title'] or rec['external_id']))}</title>"
            f"<pubDate>{published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
            f"<description>{escape(str(rec['text'])[:2000])}</description>"
            "</item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def main() -> None:
    """Write a corpus as JSON lines."""
    parser = corpus_parser(__doc__.splitlines()[0], default="10k", help="10k, 100k, 1m or a number")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    with args.out.open("w", encoding="utf-8") as handle:
        for rec in iter_records(CorpusSpec(size=args.size, seed=args.seed)):
            handle.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
