"""bench/extraction_eval.py: the scorer is right on hand-made cases, and scores the labelled data sanely."""

from __future__ import annotations

from typing import Any

from bench.extraction_eval import DATA_DIR, evaluate, figures, format_table, load_data, score_document

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
    for field in ("ent_gold", "quote_gold"):  # "all" is the sum of the languages, not a copy of one
        assert getattr(tallies["all"], field) == sum(getattr(tally, field) for tally in languages), field
    everything = figures(tallies["all"])
    assert everything["entity_f1"] > 0.5 and everything["quote_r"] > 0.5  # the extractor finds most of the gold
    assert tallies["all"].ent_gold > 150 and tallies["all"].quote_gold > 30
    assert "| all |" in format_table(tallies)
