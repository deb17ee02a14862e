"""bench/extraction_eval.py: the scorer is right on hand-made cases, and scores the labelled data sanely."""

from __future__ import annotations

from typing import Any

from bench.extraction_eval import (
    DATA_DIR,
    evaluate,
    figures,
    format_table,
    gold_spans,
    load_data,
    score_document,
    score_spans,
    span_figures,
)

GOLD: dict[str, Any] = {
    "id": "t-1",
    "text": "unused by the scorer",
    "entities": [
        {"text": "Putin", "label": "PER", "canonical": "Vladimir Putin"},
        {"text": "Бахмута", "label": "LOC", "canonical": "Bakhmut"},
        {"text": "Putin", "label": "PER", "canonical": "Vladimir Putin"},
    ],
    "quotes": [
        {"text": "We will respond,", "kind": "statement", "speaker": "Vladimir Putin"},
        {"text": "provocation", "kind": "scare", "speaker": None},
    ],
}


def as_prediction(gold: dict[str, Any]) -> dict[str, Any]:
    """What a perfect extractor would print for ``gold`` (``telefeed extract --json`` shape)."""
    return {
        "entities": [dict(e) for e in gold["entities"]],
        "quotes": [{"text": q["text"], "kind": q["kind"], "speaker_canonical": q["speaker"]} for q in gold["quotes"]],
    }


def test_perfect_prediction_scores_one() -> None:
    f = figures(score_document(GOLD, as_prediction(GOLD)))
    for key in ("entity_p", "entity_r", "entity_f1", "canonical_f1", "canonical_acc", "quote_p", "quote_r"):
        assert f[key] == 1.0, key
    assert f["quote_kind_acc"] == 1.0 and f["speaker_acc"] == 1.0


def test_empty_prediction_has_zero_recall() -> None:
    f = figures(score_document(GOLD, {"entities": [], "quotes": []}))
    assert f["entity_r"] == 0.0 and f["quote_r"] == 0.0 and f["canonical_r"] == 0.0
    assert f["entity_p"] == 0.0 and f["speaker_acc"] == 0.0


def test_partial_prediction_counts_each_error_once() -> None:
    pred = as_prediction(GOLD)
    pred["entities"] = [
        {"text": "Putin", "label": "PER", "canonical": "Vladimir Putin"},
        {"text": "Бахмута", "label": "LOC", "canonical": "Бахмута"},  # found, wrong canonical
        {"text": "Kremlin", "label": "ORG", "canonical": "Kremlin"},  # not in the gold
    ]
    pred["quotes"][0]["speaker_canonical"] = "Владимир Путин"  # same entity, other script: counts
    pred["quotes"][1]["kind"] = "statement"
    f = figures(score_document(GOLD, pred))
    assert f["entity_p"] == 2 / 3 and f["entity_r"] == 2 / 3
    assert f["canonical_acc"] == 1 / 2 and f["canonical_p"] == 1 / 3
    assert f["quote_p"] == 1.0 and f["quote_kind_acc"] == 0.5 and f["speaker_acc"] == 1.0


def test_scores_on_the_labelled_data_add_up() -> None:
    files = load_data(DATA_DIR)
    assert {path.stem.split("_")[0] for path, _ in files} >= {"en", "ru", "uk"}
    assert sum(len(docs) for _, docs in files) >= 30
    tallies = evaluate(DATA_DIR)
    assert set(tallies) >= {"en", "ru", "uk", "all"}
    languages = [tally for language, tally in tallies.items() if language != "all"]
    for field in ("entities", "quotes"):  # "all" is the sum of the languages, not a copy of one
        assert getattr(tallies["all"], field).gold == sum(getattr(tally, field).gold for tally in languages), field
    everything = figures(tallies["all"])
    assert everything["entity_f1"] > 0.5 and everything["quote_r"] > 0.5  # the extractor finds most of the gold
    assert tallies["all"].entities.gold > 150 and tallies["all"].quotes.gold > 30
    assert "| all |" in format_table(tallies)


SPAN_GOLD: dict[str, Any] = {
    "id": "s-1",
    "text": "Удар по Харківській області. Олег Синєгубов у Харкові. #Харків",
    "entities": [
        {"text": "Харківській області", "start": 8, "end": 27, "label": "LOC", "canonical": "Kharkiv Oblast"},
        {"text": "Олег Синєгубов", "start": 29, "end": 43, "label": "PER", "canonical": "Oleh Syniehubov"},
        {"text": "Харкові", "start": 46, "end": 53, "label": "LOC", "canonical": "Kharkiv"},
    ],
}


def test_span_scoring_overlap_exact_and_place_canonicals() -> None:
    predicted = [
        {"text": "Харківській", "start": 8, "end": 19, "label": "LOC", "canonical": "Kharkiv Oblast"},  # overlap
        {"text": "Олег Синєгубов", "start": 29, "end": 43, "label": "PER"},  # exact
        {"text": "Харкові", "start": 46, "end": 53, "label": "ORG", "canonical": "Kharkiv"},  # wrong label
        {"text": "Харків", "start": 56, "end": 62, "label": "LOC"},  # inside a hashtag: not scored
    ]
    f = span_figures(score_spans(SPAN_GOLD, predicted))
    assert f["overlap_p"] == 2 / 3 and f["overlap_r"] == 2 / 3
    assert f["exact_f1_PER"] == 1.0 and f["exact_f1_LOC"] == 0.0
    assert f["place_acc"] == 1.0 and f["region_acc"] == 1.0  # a place's canonical counts on any overlapping span
    f = span_figures(score_spans(SPAN_GOLD, []))
    assert f["overlap_r"] == 0.0 and f["place_acc"] == 0.0


def test_gold_without_offsets_is_located_in_order() -> None:
    spans = gold_spans({"text": "Putin met Putin", "entities": [{"text": "Putin"}, {"text": "Putin"}]})
    assert [(s["start"], s["end"]) for s in spans] == [(0, 5), (10, 15)]
