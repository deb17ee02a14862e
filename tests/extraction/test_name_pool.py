"""The name pool short mentions and Cyrillic names resolve against (extraction.canonical.NamePool)."""

from __future__ import annotations

from extraction.canonical import Mention, NamePool, canonicalise
from extraction.gazetteer import LOC, PER


def test_a_surname_or_given_name_resolves_to_the_one_full_name_of_its_label() -> None:
    pool = NamePool()
    pool.add("Ольга Стефанишина", PER)
    pool.add("Olha Stefanishyna", PER)
    pool.add("Ivan Petrov", PER)
    pool.add("Ivan Petrov", PER)  # counted twice, indexed once
    pool.add("Petrov Square", LOC)
    assert pool.full_name("Petrov", PER) == "Ivan Petrov"
    assert pool.full_name("Petrov", LOC) == "Petrov Square"
    assert pool.full_name("Ivan", PER) == "Ivan Petrov"
    # one person in two scripts: the Latin spelling
    assert pool.full_name("Stefanishyna", PER) == "Olha Stefanishyna"
    assert pool.full_name("Ольга", PER) == "Olha Stefanishyna"


def test_two_different_full_names_leave_a_short_mention_unresolved() -> None:
    pool = NamePool()
    pool.add("Ivan Petrov", PER)
    pool.add("Oleg Petrov", PER)
    assert pool.full_name("Petrov", PER) is None
    assert pool.full_name("Sidorov", PER) is None


def test_a_run_on_span_with_a_place_in_it_is_no_full_name() -> None:
    pool = NamePool()
    pool.add("Кипр Ирина", PER)
    assert pool.full_name("Ирина", PER) is None


def test_latin_for_gives_the_first_latin_name_with_the_same_spelling_key() -> None:
    pool = NamePool()
    pool.add("Зеленский", PER)
    assert pool.latin_for("Зеленский") is None
    pool.add("Zelenskyy", PER)
    pool.add("Zelensky", PER)
    assert pool.latin_for("Зеленский") == "Zelensky"


def test_a_name_the_vote_makes_a_place_gets_its_place_name() -> None:
    # an invented hamlet: twice a place, once read as a person; the vote makes all three the romanised place
    mentions = [
        Mention("Гуркотан", label, start, start + 8, lemma="Гуркотан", language="uk")
        for label, start in (("LOC", 0), ("PER", 20), ("LOC", 40))
    ]
    canonicalise([mentions])
    assert [(m.label, m.canonical) for m in mentions] == [("LOC", "Hurkotan")] * 3
