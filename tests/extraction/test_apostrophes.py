"""One apostrophe fold (``extraction.normalise.fold_apostrophes``) for the place index, canonical names and raion
centres: ``'``, ``’``, ``ʼ``, a backtick and ``‘`` are read alike wherever a name is compared."""

from __future__ import annotations

import pytest

from extraction.canonical import strip_descriptors
from extraction.gazetteer import LOC, Place, lookup_place, place_key
from extraction.normalise import fold_apostrophes
from extraction.pipeline import ExtractInput, extract_batch
from extraction.regions import district_name

APOSTROPHES = ("'", "’", "ʼ", "`", "‘")


def test_every_apostrophe_folds_to_one_and_the_length_stays() -> None:
    folded = {fold_apostrophes(f"Куп{a}янськ") for a in APOSTROPHES}
    assert folded == {"Куп'янськ"}
    assert fold_apostrophes("“quoted” «text» - ok") == "“quoted” «text» - ok"  # quotation marks are not apostrophes


@pytest.mark.parametrize("apostrophe", APOSTROPHES)
def test_a_place_spelt_with_any_apostrophe_is_found(apostrophe: str) -> None:
    assert place_key(f"Кам{apostrophe}янське") == "кам'янське"
    place = lookup_place(f"Кам{apostrophe}янське")
    assert place is not None and (place.name, place.country_code) == ("Kamianske", "UA")


@pytest.mark.parametrize("apostrophe", APOSTROPHES)
def test_a_possessive_with_any_apostrophe_is_stripped(apostrophe: str) -> None:
    assert strip_descriptors(f"the Kremlin{apostrophe}s") == "Kremlin"


@pytest.mark.parametrize("apostrophe", APOSTROPHES)
def test_a_raion_adjective_with_any_apostrophe_finds_its_centre(apostrophe: str) -> None:
    centres = {"куп'янськ": [Place("Kupiansk", 49.7, 37.6, "UA", 27_000)]}
    assert district_name(f"Куп{apostrophe}янського", "raion", lambda name: centres.get(name.lower(), [])) == (
        "Kupiansk Raion"
    )


def test_a_span_ends_at_an_emoji_and_the_next_sentences_first_word_is_no_name() -> None:
    """Telegram ends sentences with emoji, which the model reads through: the span is cut there, a lone common word
    after it is dropped, and no canonical holds an emoji."""
    text = "Вода пришла в Каменск-Шахтинский 😉 Жители уехали. ⚡️ Росавиация: рейсы задержаны в Казани 👍🏽 Всё."
    mentions = extract_batch([ExtractInput("emoji", text, "ru")]).documents[0].mentions
    found = {(m.text, m.label, m.canonical) for m in mentions}
    assert ("Каменск-Шахтинский", LOC, "Kamensk-Shakhtinsky") in found
    assert not any(m.text.startswith("Жител") for m in mentions)
    assert not any(ch in m.text + m.canonical for m in mentions for ch in "😉⚡👍")
