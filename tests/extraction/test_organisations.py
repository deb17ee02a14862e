"""Organisations found by their form (issue 26, Ukrainian ORG): quoted names, adjective + institution noun or
acronym, an institution's noun with its complements, compound sector words. Sentences are made up."""

from __future__ import annotations

from extraction.entities import _place_of, extract_mentions, morph
from extraction.gazetteer import LOC, ORG
from extraction.organisations import compound_organisations, institution_phrases, quoted_organisations


def _spans(found: list[tuple[int, int]], text: str) -> list[str]:
    return [text[s:e] for s, e in found]


def _quoted(text: str) -> list[str]:
    return _spans(quoted_organisations(text, 0, len(text), morph("uk").parse), text)


def _institutions(text: str, language: str = "uk") -> list[str]:
    return _spans(institution_phrases(text, 0, len(text), morph(language).parse), text)


def _compounds(text: str) -> list[str]:
    found = compound_organisations(text, 0, len(text), morph("uk").parse, lambda w: _place_of(w, "uk") is not None)
    return _spans(found, text)


def test_a_short_quoted_name_is_an_organisation_unless_a_noun_makes_it_a_work_event_or_place() -> None:
    text = "Вчора «Десна» обіграла «Буревісник», а ТОВ «Сонячний лан» оплатило квитки."
    assert _quoted(text) == ["«Десна»", "«Буревісник»", "ТОВ «Сонячний лан»"]
    # a title, a festival, a stadium, a border crossing, a remark after a colon: not organisations
    assert _quoted("Театр покаже оперу «Запорожець за Дунаєм» і фестиваль «Літні ночі».") == []
    assert _quoted("Матч пройде на стадіоні «Колос», вантажівки стоять на пункті пропуску «Дякове».") == []
    assert _quoted("Він сказав: «Ситуація складна».") == []
    assert _quoted("Фани прийшли на «Полтава-Арену».") == []


def test_an_adjective_with_an_institution_noun_or_acronym_is_an_organisation() -> None:
    assert _institutions("Рішення ухвалила Чернігівська обласна рада у вівторок.") == ["Чернігівська обласна рада"]
    assert _institutions("Дані надала Вінницька ОВА вранці.") == ["Вінницька ОВА"]
    assert _institutions("Зведення від Івано-Франківської ОВА.") == ["Івано-Франківської ОВА"]
    assert _institutions("Кошти дав Північний інвестиційний банк розвитку.") == [
        "Північний інвестиційний банк розвитку"
    ]
    assert _institutions("Лекцію читали в Одеському національному університеті імені Мечникова.") == [
        "Одеському національному університеті імені Мечникова"
    ]
    # an institution's noun first, with its lower-case complements; a place after them is a mention of its own
    assert _institutions("Міністерство охорони здоров'я Молдови відповіло.") == ["Міністерство охорони здоров'я"]
    # a description of the quoted name after it, a common adjective opening a sentence, a noun that is no
    # institution: none
    assert _institutions("Київська компанія «Ранок» виграла тендер.") == []
    assert _institutions("Крупнейшие компании региона выросли.", "ru") == []
    assert _institutions("Мешканці Сумського району отримали воду.") == []


def test_a_capitalised_compound_of_a_sector_stem_is_an_organisation() -> None:
    text = "Графіки оголосили Полтаваобленерго та Укрводшлях, а Мінсоцполітики мовчить."
    assert _compounds(text) == ["Полтаваобленерго", "Укрводшлях", "Мінсоцполітики"]
    # a place that contains such letters, a foreign town: none
    assert _compounds("Делегація поїхала до Мінська, потім до Будапешта.") == []
    assert _compounds("Дорогу біля Ніредьгази ремонтують.") == []


def test_organisations_replace_place_readings_inside_them_in_the_pipeline() -> None:
    text = (
        "Поліцію викликали до Житомира. Про обстріл повідомила Житомирська ОВА, а «Полісся» перенесло матч. "
        "Світло відновлює Житомиробленерго."
    )
    (mentions,) = extract_mentions([(text, "uk")])
    found = {(m.text, m.label) for m in mentions}
    assert ("Житомирська ОВА", ORG) in found
    assert ("Полісся", ORG) in found
    assert ("Житомиробленерго", ORG) in found
    assert ("Житомира", LOC) in found


def test_a_quoted_name_after_a_formation_joins_it_and_one_before_its_author_is_a_work() -> None:
    text = "Штурм вела 93-тя бригада «Холодний Яр». У неділю — «Катерина» Тараса Шевченка в театрі."
    (mentions,) = extract_mentions([(text, "uk")])
    texts = [m.text for m in mentions]
    assert "Холодний Яр" not in texts and any(t.endswith("«Холодний Яр»") for t in texts)
    assert "Катерина" not in texts


def test_a_quoted_sentence_is_no_organisation() -> None:
    # a verb inside, or a dash and its speaker after: a quote
    assert _quoted("«Наступна партія буде в грудні», — зазначила вона.") == []
    assert _quoted("Депутати з «Народного фронту» прийшли.") == ["«Народного фронту»"]
    assert _quoted("Рахунок матчу «Десна» — «Колос» 2:1.") == ["«Десна»", "«Колос»"]


def test_a_sentence_opens_with_a_compound_only_when_it_surely_is_one() -> None:
    text = "Укрводшлях заявив про ремонт. Держава платить. Мінсоцполітики мовчить."
    assert _compounds(text) == ["Укрводшлях"]


def test_a_person_or_place_run_into_an_organisation_is_cut_at_its_edge() -> None:
    text = "Начальник Рівненської ОВА Олег Петренко заявив, що у Вознесенську Миколаївський ГЗК працює."
    (mentions,) = extract_mentions([(text, "uk")])
    found = {(m.text, m.label) for m in mentions}
    assert ("Рівненської ОВА", ORG) in found
    assert ("Олег Петренко", "PER") in found
    assert not any(m.text.startswith("Рівненської ОВА ") for m in mentions)
