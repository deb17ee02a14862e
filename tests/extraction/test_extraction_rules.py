"""Extraction rules (issue 5): canonicalisation merge rules, gazetteer, quote styles, speakers, attributions, links.

Each test states one rule of the issue and runs the real models (spaCy English, natasha, pymorphy3; loaded
once per process). Rules that the curated gazetteer would satisfy on its own are also checked on names it does
not know, so the rule itself is exercised.
"""

from __future__ import annotations

import pytest

from extraction.canonical import Mention, canonical_id, canonicalise, strip_descriptors
from extraction.gazetteer import LOC, MIL_UNIT, PER, lookup_known, lookup_place
from extraction.pipeline import DocumentExtraction, ExtractInput, extract_batch
from extraction.quotes import Quote


def run(*texts: str, language: str | None = None) -> list[DocumentExtraction]:
    """Extract a batch of texts (one batch, so the batch is the corpus)."""
    batch = extract_batch([ExtractInput(f"d{i}", t, language) for i, t in enumerate(texts)])
    return batch.documents


def canon(doc: DocumentExtraction, surface: str) -> str:
    """Canonical id of the mention written ``surface`` (fails when there is none)."""
    ids = [m.canonical_id for m in doc.mentions if m.text == surface]
    assert ids, f"no mention {surface!r} in {[(m.text, m.label) for m in doc.mentions]}"
    return ids[0]


def name_of(doc: DocumentExtraction, surface: str) -> str:
    """Canonical name of the mention written ``surface``."""
    names = [m.canonical for m in doc.mentions if m.text == surface]
    assert names, f"no mention {surface!r} in {[(m.text, m.label) for m in doc.mentions]}"
    return names[0]


def mentions(*docs: list[tuple[str, str]]) -> list[list[Mention]]:
    """Mention objects (text, label) per document, as the NER step would produce them, for ``canonicalise``."""
    out = []
    for doc in docs:
        offset = 0
        row = []
        for text, label in doc:
            row.append(Mention(text, label, offset, offset + len(text), lemma=text))
            offset += len(text) + 1
        out.append(row)
    return out


def said(doc: DocumentExtraction) -> list[tuple[str | None, str | None]]:
    """(speaker, speech verb) of each quote of the document, in order."""
    return [(q.speaker_canonical, q.verb) for q in doc.quotes]


def only_quote(doc: DocumentExtraction) -> Quote:
    """The document's single quote."""
    assert len(doc.quotes) == 1, doc.quotes
    return doc.quotes[0]


# -- canonicalisation merge rules -------------------------------------------------------------------------------


def test_short_and_full_names_merge() -> None:
    (doc,) = run("Vladimir Putin met his generals on Friday. Later Putin said the offensive would go on.")
    assert canon(doc, "Putin") == canon(doc, "Vladimir Putin")
    assert name_of(doc, "Putin") == "Vladimir Putin"


def test_short_name_merges_with_a_full_name_the_gazetteer_does_not_know() -> None:
    (doc,) = run(
        "General Oleksandr Tarnavskyi visited the front near Avdiivka on Monday. "
        "Tarnavskyi told reporters that the line was holding.",
        language="en",
    )
    assert lookup_known("Oleksandr Tarnavskyi") is None
    assert name_of(doc, "Tarnavskyi") == "Oleksandr Tarnavskyi"
    assert canon(doc, "Tarnavskyi") == canon(doc, "Oleksandr Tarnavskyi")
    # the rule itself, on mentions: a surname resolves to the only longer name of the document that ends with it
    docs = mentions([("Mark Rutte", PER), ("Rutte", PER), ("Mark Carney", PER)])
    canonicalise(docs)
    assert [m.canonical for m in docs[0]] == ["Mark Rutte", "Mark Rutte", "Mark Carney"]


def test_two_full_names_sharing_a_surname_keep_the_short_form_apart() -> None:
    docs = mentions([("Anna Kovalenko", PER), ("Ihor Kovalenko", PER), ("Kovalenko", PER)])
    canonicalise(docs)
    assert docs[0][2].canonical == "Kovalenko"
    assert len({m.canonical_id for m in docs[0]}) == 3


def test_possessive_and_descriptor_forms_merge() -> None:
    (doc,) = run(
        "Russia's defense ministry said its troops advanced. The Russian defense ministry later published a video. "
        "The Russian Ministry of Defence did not say where it was filmed."
    )
    ids = {m.canonical_id for m in doc.mentions if "inistr" in m.text}
    names = {m.canonical for m in doc.mentions if "inistr" in m.text}
    assert len([m for m in doc.mentions if "inistr" in m.text]) == 3
    assert len(ids) == 1 and names == {"Russian Defense Ministry"}
    # the rule on a ministry the gazetteer does not list
    assert strip_descriptors("Poland's defence ministry") == strip_descriptors("the Polish Defense Ministry")
    assert strip_descriptors("the Polish Ministry of Defence") == "Polish Defense Ministry"
    assert strip_descriptors("Ukrenergo's") == "Ukrenergo"


def test_derived_and_plural_forms_merge_with_their_stem() -> None:
    (doc,) = run("Wagnerites were seen leaving the city. Wagner had held it for months.")
    assert canon(doc, "Wagnerites") == canon(doc, "Wagner")
    assert name_of(doc, "Wagnerites") == "Wagner"
    # on a stem that only the document knows
    docs = mentions([("Kraken", MIL_UNIT), ("Krakenites", MIL_UNIT)])
    canonicalise(docs)
    assert docs[0][1].canonical == "Kraken"


def test_single_transposition_typo_merges_when_the_right_form_is_in_the_document() -> None:
    (doc,) = run(
        "Priogzhin, who founded Wagner, had accused the army of betrayal. "
        '"Where is the ammunition?" Prigozhin shouted in a video filmed near Bakhmut.'
    )
    assert name_of(doc, "Priogzhin") == "Yevgeny Prigozhin"
    assert canon(doc, "Priogzhin") == canon(doc, "Prigozhin")
    docs = mentions([("Oleksandr Tarnavskyi", PER), ("Tarnavksyi", PER)])
    canonicalise(docs)
    assert docs[0][1].canonical == "Oleksandr Tarnavskyi"


def test_transposition_typo_merges_with_the_corpus_and_not_when_the_right_form_is_absent() -> None:
    corpus = mentions([("Oleksandr Tarnavskyi", PER)], [("Tarnavksyi", PER)])
    canonicalise(corpus)
    assert corpus[1][0].canonical == "Oleksandr Tarnavskyi"  # another document of the batch has it
    stored = mentions([("Tarnavksyi", PER)])
    canonicalise(stored, known=[("Oleksandr Tarnavskyi", PER)])  # an entity already in the warehouse
    assert stored[0][0].canonical == "Oleksandr Tarnavskyi"
    alone = mentions([("Tarnavksyi", PER), ("Kharkiv", LOC)])
    canonicalise(alone)
    assert alone[0][0].canonical == "Tarnavksyi"  # nothing to correct it against: kept as written
    # two letters swapped that are not adjacent is not a transposition
    far = mentions([("Oleksandr Tarnavskyi", PER), ("Tarsavknyi", PER)])
    canonicalise(far)
    assert far[0][1].canonical == "Tarsavknyi"


def test_scripts_merge_cyrillic_and_latin_names() -> None:
    en, ru, uk = run(
        "Prigozhin said his fighters would leave Bakhmut.",
        "Пригожин заявил, что его бойцы покинут Бахмут.",
        "Пригожин заявив, що його бійці залишать Бахмут.",
    )
    assert canon(en, "Prigozhin") == canon(ru, "Пригожин") == canon(uk, "Пригожин")
    assert canon(en, "Bakhmut") == canon(ru, "Бахмут") == canon(uk, "Бахмут")
    assert name_of(ru, "Бахмут") == "Bakhmut"
    assert name_of(uk, "Пригожин") == "Yevgeny Prigozhin"


def test_scripts_merge_a_name_the_gazetteer_does_not_know() -> None:
    en, uk = run(
        "General Oleksandr Tarnavskyi visited the front on Monday.",
        "Генерал Олександр Тарнавський відвідав позиції бригади в понеділок.",
    )
    assert canon(uk, "Олександр Тарнавський") == canon(en, "Oleksandr Tarnavskyi")
    assert name_of(uk, "Олександр Тарнавський") == "Oleksandr Tarnavskyi"
    # usual spelling variants share one id: Alexander / Александр, Kots / Коц, Khinshtein / Хинштейн
    assert canonical_id(PER, "Alexander Khinshtein") == canonical_id(PER, "Александр Хинштейн")
    assert canonical_id(PER, "Alexander Kots") == canonical_id(PER, "Александр Коц")
    assert canonical_id(PER, "Alexander Kots") != canonical_id(PER, "Alexander Kotov")


def test_russian_and_ukrainian_inflected_forms_resolve_to_one_lemma() -> None:
    ru, uk = run(
        "Бои в Бахмуте продолжаются. Штурмовые группы вошли в центр Бахмута с севера.",
        "Бої в Бахмуті тривають. Біля Бахмута ворог втратив два танки.",
    )
    ids = {canon(ru, "Бахмуте"), canon(ru, "Бахмута"), canon(uk, "Бахмуті"), canon(uk, "Бахмута")}
    assert ids == {"LOC:bahmut"}
    lemmas = {m.lemma for d in (ru, uk) for m in d.mentions if m.text.startswith("Бахмут")}
    assert lemmas == {"Бахмут"}


def test_inflected_forms_of_a_place_the_gazetteer_does_not_curate() -> None:
    ru, uk = run(
        "Российские войска атакуют Торецк. В Торецке остаются мирные жители.",
        "Окупанти штурмують Торецьк. У Торецьку залишаються цивільні.",
    )
    assert lookup_known("Торецк") is None
    forms = {m.canonical_id for d in (ru, uk) for m in d.mentions if m.text.startswith("Торец")}
    assert len(forms) == 1, [(m.text, m.canonical_id) for d in (ru, uk) for m in d.mentions]
    assert {m.lemma for d in (ru, uk) for m in d.mentions if m.text.startswith("Торец")} <= {"Торецк", "Торецьк"}


# -- gazetteer ---------------------------------------------------------------------------------------------------


def test_gazetteer_gives_coordinates_and_country_for_a_known_place() -> None:
    place = lookup_place("Kharkiv")
    assert place is not None and place.country_code == "UA"
    assert place.latitude == pytest.approx(50.0, abs=0.2) and place.longitude == pytest.approx(36.25, abs=0.3)
    batch = extract_batch([ExtractInput("d", "Ракеты снова ударили по Харькову ночью.", "ru")])
    (mention,) = [m for m in batch.documents[0].mentions if m.text == "Харькову"]
    entity = batch.canonical_entities[mention.canonical_id]
    assert entity.name == "Kharkiv" and entity.country_code == "UA"
    assert entity.latitude == pytest.approx(place.latitude) and entity.longitude == pytest.approx(place.longitude)
    assert "Харькову" in entity.aliases
    vienna = lookup_place("Vienna")
    assert vienna is not None and vienna.country_code == "AT"
    assert lookup_place("Notaplaceville") is None


# -- quotes ------------------------------------------------------------------------------------------------------


def test_straight_quotes() -> None:
    (doc,) = run('"We are leaving because the ammunition never came," Prigozhin said in a video.')
    q = only_quote(doc)
    assert q.text == "We are leaving because the ammunition never came,"
    assert (q.kind, q.speaker_canonical, q.verb) == ("statement", "Yevgeny Prigozhin", "say")


def test_typographic_quotes() -> None:
    (doc,) = run("\u201cEvery metre we hold is a life saved,\u201d Zelensky told soldiers near Zaporizhzhia.")
    q = only_quote(doc)
    assert q.text == "Every metre we hold is a life saved,"
    assert (q.speaker_canonical, q.verb) == ("Volodymyr Zelensky", "tell")


def test_guillemets_in_russian_with_zayavil() -> None:
    (doc,) = run("«Мы не уйдём из Бахмута без приказа», — заявил Евгений Пригожин в субботу.")
    q = only_quote(doc)
    assert q.text == "Мы не уйдём из Бахмута без приказа"
    assert (q.kind, q.speaker_canonical, q.verb) == ("statement", "Yevgeny Prigozhin", "заявить")
    assert doc.language == "ru"


def test_low_high_quotes_in_ukrainian() -> None:
    (doc,) = run("„Ми тримаємо оборону і не відступимо“, — заявив Олександр Сирський журналістам.")
    q = only_quote(doc)
    assert q.text == "Ми тримаємо оборону і не відступимо"
    assert q.speaker_canonical == "Oleksandr Syrskyi"
    assert q.verb == "заявити"


def test_quote_spanning_a_sentence_break() -> None:
    (doc,) = run(
        "\u201cWe cannot continue like this. Something must change,\u201d Rafael Grossi said in Vienna. "
        '"This is the seventh blackout. It must stop," he added.'
    )
    assert [q.text for q in doc.quotes] == [
        "We cannot continue like this. Something must change,",
        "This is the seventh blackout. It must stop,",
    ]
    assert said(doc) == [("Rafael Grossi", "say"), ("Rafael Grossi", "add")]


def test_scare_quotes_of_one_or_two_words_are_not_statements() -> None:
    (doc,) = run(
        'Analysts called the sanctions "economic terrorism" and the strikes a "provocation". '
        '"Nothing has changed in our position," Peskov told reporters. Peskov called the talks "useful".'
    )
    scare = [q for q in doc.quotes if q.kind == "scare"]
    assert [q.text for q in scare] == ["economic terrorism", "provocation"]  # terms a group uses
    assert all(q.speaker is None and q.speaker_canonical is None for q in scare)
    statements = [q for q in doc.quotes if q.kind == "statement"]
    assert [q.speaker_canonical for q in statements] == ["Dmitry Peskov", "Dmitry Peskov"]  # a named person's term


# -- speakers ----------------------------------------------------------------------------------------------------


# A text -> the (speaker, speech verb) of each of its quotes, in order.
SPEAKER_CASES = {
    "x-said-and-said-x": (
        '"The city is surrounded," said Ramzan Kadyrov. "We will take it," Shoigu said.',
        [("Ramzan Kadyrov", "say"), ("Sergei Shoigu", "say")],
    ),
    "he-added-resolves-to-the-last-named-speaker": (
        'Vladimir Putin met Sergei Shoigu on Friday. "We will respond to any threat," Putin said. '
        "Shoigu nodded. \u201cOur answer will be swift,\u201d he added.",
        [("Vladimir Putin", "say"), ("Vladimir Putin", "add")],
    ),
    "according-to-a-person": (
        'According to Oleksandr Syrskyi, "the enemy has lost two battalions in a week."',
        [("Oleksandr Syrskyi", "according to")],
    ),
    "the-brigade-said-in-a-message": (
        "Soldiers of the 65th Separate Mechanized Brigade repelled four assaults near Robotyne. "
        "The brigade said in a message on Tuesday: \u201cOur positions held overnight despite the shelling.\u201d",
        [("65th Mechanized Brigade", "say")],
    ),
    "russian-speaker-before-the-quote-and-pronoun": (
        "Дмитрий Песков заявил журналистам: «Позиция Кремля не изменилась». "
        "«Переговоры возможны только на наших условиях», — добавил он.",
        [("Dmitry Peskov", "заявить"), ("Dmitry Peskov", "добавить")],
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(SPEAKER_CASES.values()), ids=list(SPEAKER_CASES))
def test_speaker_and_speech_verb(text: str, expected: list[tuple[str, str]]) -> None:
    (doc,) = run(text)
    assert said(doc) == expected


def test_unattributed_quote_has_no_speaker() -> None:
    (doc,) = run('Residents lined up for water. "There has been no electricity for a week, nobody helps us here."')
    q = only_quote(doc)
    assert q.kind == "statement" and q.speaker is None and q.speaker_canonical is None


# -- attributions and links --------------------------------------------------------------------------------------


def test_attributions_according_to_and_reported() -> None:
    (doc,) = run(
        "Russia's defense ministry did not comment, according to Reuters. "
        "The Moscow Times reported that the speech had been postponed. The Kremlin said nothing."
    )
    got = [(a.outlet_canonical, a.cue) for a in doc.attributions]
    assert got == [("Reuters", "according to"), ("The Moscow Times", "reported")]
    assert doc.text[doc.attributions[0].start : doc.attributions[0].end] == "Reuters"


def test_attributions_in_russian_and_ukrainian() -> None:
    ru, uk = run(
        "Об этом сообщает ТАСС со ссылкой на источник. По данным Медузы, колонна вышла ночью.",
        "Як повідомляє Суспільне, вибухи пролунали вранці.",
    )
    assert [a.outlet_canonical for a in ru.attributions] == ["TASS", "Meduza"]
    assert [a.outlet_canonical for a in uk.attributions] == ["Suspilne"]


def test_links_urls_tme_mentions_and_hashtags() -> None:
    (doc,) = run(
        "Full video: https://t.me/rybar/51234 (mirror at https://www.example.org/news/1?id=5). "
        "Follow @DeepStateUA for maps. #Bakhmut #Україна"
    )
    got = [(link.kind, link.target) for link in doc.links]
    assert got == [
        ("telegram", "rybar/51234"),
        ("url", "https://www.example.org/news/1?id=5"),
        ("mention", "deepstateua"),
        ("hashtag", "bakhmut"),
        ("hashtag", "україна"),
    ]
    refs = [(r.channel, r.post_id, r.via) for r in doc.telegram_refs]
    assert refs == [("rybar", 51234, "link"), ("deepstateua", None, "mention")]
    assert not [m for m in doc.mentions if m.start >= doc.links[0].start and m.end <= doc.links[1].end]


def test_telegram_refs_by_channel_name_only_for_known_channels() -> None:
    text = "The Rybar channel claimed the bridge was hit. Some blogger disagreed."
    known = {"rybar": ["Rybar", "Рыбарь"]}
    with_known = extract_batch([ExtractInput("d", text, "en")], known_channels=known).documents[0]
    assert [(r.channel, r.via, r.value) for r in with_known.telegram_refs] == [("rybar", "name", "Rybar")]
    without = extract_batch([ExtractInput("d", text, "en")]).documents[0]
    assert without.telegram_refs == []


# -- mixed-language post -----------------------------------------------------------------------------------------


def test_mixed_language_post() -> None:
    (doc,) = run(
        "Пригожин заявил, что вагнеровцы покидают Бахмут. "
        "English summary: Prigozhin said Wagner fighters are leaving Bakhmut. "
        "«Мы уходим», — сказал Пригожин. Source: https://t.me/grey_zone/1234"
    )
    cyr = [m for m in doc.mentions if m.text in ("Пригожин", "вагнеровцы", "Бахмут")]
    lat = [m for m in doc.mentions if m.text in ("Prigozhin", "Wagner", "Bakhmut")]
    assert {m.language for m in cyr} == {"ru"} and {m.language for m in lat} == {"en"}
    assert {m.canonical for m in cyr} == {m.canonical for m in lat} == {"Yevgeny Prigozhin", "Wagner", "Bakhmut"}
    assert {m.label for m in doc.mentions if m.canonical == "Wagner"} == {MIL_UNIT}
    q = only_quote(doc)
    assert (q.text, q.speaker_canonical, q.verb) == ("Мы уходим", "Yevgeny Prigozhin", "сказать")
    assert [(r.channel, r.post_id) for r in doc.telegram_refs] == [("grey_zone", 1234)]
