"""bench/quotes_eval.py: telefeed against textacy on a tiny annotated set written here (scores can fail)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.quotes_eval import Prediction, has_textacy, load, main, same_speaker, score, textacy_quotes

ENGLISH = (
    "Olaf Scholz spoke in Berlin on Monday.\n\n"
    '"We will not send troops," Scholz said. "That is final."\n\n'
    'Kaja Kallas disagreed. "Europe must be ready," she said.'
)
RUSSIAN = "«Мы не отступим», — заявил Пригожин."


def write_set(folder: Path, speaker: str = "@S") -> Path:
    """A data folder with one English and one Russian document (the English one opens with a legend line)."""
    documents: list[dict[str, Any]] = [
        {
            "id": "q-en-001",
            "language": "en",
            "genre": "wire",
            "text": "@S=Olaf Scholz\n" + ENGLISH,
            "quotes": [
                {
                    "text": "We will not send troops,",
                    "kind": "statement",
                    "speaker": speaker,
                    "speaker_mention": "Scholz",
                    "attribution": "subject",
                },
                {
                    "text": "That is final.",
                    "kind": "statement",
                    "speaker": speaker,
                    "speaker_mention": None,
                    "attribution": "continuation",
                },
                {
                    "text": "Europe must be ready,",
                    "kind": "statement",
                    "speaker": "Kaja Kallas",
                    "speaker_mention": "she",
                    "attribution": "pronoun",
                },
            ],
        },
        {
            "id": "q-ru-001",
            "language": "ru",
            "genre": "telegram",
            "text": RUSSIAN,
            "quotes": [
                {
                    "text": "Мы не отступим",
                    "kind": "statement",
                    "speaker": "Yevgeny Prigozhin",
                    "speaker_mention": "Пригожин",
                    "attribution": "subject",
                }
            ],
        },
    ]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mixed.json").write_text(json.dumps({"documents": documents}, ensure_ascii=False), encoding="utf-8")
    return folder


def run_json(folder: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """The script's ``--json`` output for ``folder``."""
    assert main(["--data", str(folder), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_both_systems_are_scored_side_by_side(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = run_json(write_set(tmp_path / "set"), capsys)
    ours, theirs = results["telefeed"], results.get("textacy", {})
    assert ours["en"]["gold"] == 3 and ours["ru"]["gold"] == 1 and ours["total"]["gold"] == 4
    assert ours["en"]["quote_f1"] == 1.0 and ours["en"]["speaker_acc"] == 1.0
    assert ours["ru"]["found_right_speaker"] == 1.0
    if not has_textacy():
        assert "textacy" not in results
        pytest.skip("textacy (the bench extra) is not installed")
    assert "ru" not in theirs and theirs["en"]["gold"] == 3  # textacy reads English only
    assert theirs["en"]["quote_p"] == 1.0 and theirs["en"]["found_right_speaker"] > 0


def test_a_wrong_gold_speaker_lowers_the_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = run_json(write_set(tmp_path / "set", speaker="Emmanuel Macron"), capsys)
    assert results["telefeed"]["en"]["speaker_acc"] == pytest.approx(1 / 3)
    assert any("Emmanuel Macron" in line for line in results["telefeed"]["en"]["errors"])


def test_textacy_reads_paragraph_by_paragraph_when_a_mark_is_unpaired() -> None:
    pytest.importorskip("textacy")  # the bench extra
    text = 'The "reform began in May.\n\n"We will not send troops," Olaf Scholz said.'
    assert [(p.text, p.speaker) for p in textacy_quotes(text, [])] == [('"We will not send troops,"', "Olaf Scholz")]


def test_the_legend_names_speakers_and_leaves_the_text(tmp_path: Path) -> None:
    (document, _) = load(write_set(tmp_path / "set") / "mixed.json")
    assert document["text"] == ENGLISH
    assert document["quotes"][0]["speaker"] == "Olaf Scholz"


def test_matching_ignores_edge_punctuation_and_counts_extras() -> None:
    documents = [{"id": "d", "quotes": [{"text": "A b c.", "kind": "statement", "speaker": "Olaf Scholz"}]}]
    tally = score(documents, [[Prediction("a b c", "Scholz"), Prediction("extra words here", None)]])
    assert (tally.matched, tally.predicted, tally.speaker_right) == (1, 2, 1)


def test_speakers_compare_by_canonical_name() -> None:
    assert same_speaker("Scholz", "Olaf Scholz")  # a surname alone
    assert same_speaker("Lt. Gen. Douglas R. Kemper", "Douglas R. Kemper")  # titles dropped
    assert same_speaker("Russian Defense Ministry", "Ministry of Defence of Russia")  # canonical rules
    assert same_speaker("Пригожин", "Prigozhin")  # scripts
    assert same_speaker(None, None)
    assert not same_speaker("Olaf Scholz", "Kaja Kallas")
    assert not same_speaker(None, "Kaja Kallas") and not same_speaker("Kaja Kallas", None)


def test_yo_and_e_spell_one_russian_letter_unless_names_are_strict() -> None:
    assert same_speaker("Павел Журавлёв", "Pavel Zhuravlyov")
    assert same_speaker("Pavel Zhuravlev", "Pavel Zhuravlyov")
    assert not same_speaker("Pavel Zhuravlev", "Pavel Zhuravlyov", yo_as_e=False)
    assert not same_speaker("Pavel Zhuravlev", "Pavel Zhuravsky")
    assert same_speaker("Yolanda Ruiz", "Yolanda Ruiz")  # a word-initial "Yo" is kept


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--data", str(tmp_path)])
