"""One apostrophe fold (``extraction.normalise.fold_apostrophes``) for the place index, canonical names and raion
centres: ``'``, ``’``, ``ʼ``, a backtick and ``‘`` are read alike wherever a name is compared."""

from __future__ import annotations

import pytest

from extraction.canonical import strip_descriptors
from extraction.gazetteer import Place, lookup_place, place_key
from extraction.normalise import fold_apostrophes
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
