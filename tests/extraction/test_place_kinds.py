"""Kinds of places beyond towns and regions (issue 26): the feature-type model (a generic word gives the English
pattern of a feature's name), airports named without their designator, towns written in capitals, oblasts of
other countries and the words that give a river its context. Sentences are made up."""

from __future__ import annotations

from extraction.features import adjective_nominative, adjective_place, find_features, find_generic_features
from extraction.gazetteer import romanize
from extraction.regions import foreign_region_name


def _found(text: str, language: str | None = None) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.canonical) for f in find_features(text, language)]


def test_a_generic_word_after_an_adjective_names_the_feature_after_its_town_or_river() -> None:
    assert _found("Рыбаки вышли на Рыбинском водохранилище", "ru") == [("Рыбинском водохранилище", "Rybinsk Reservoir")]
    assert _found("Туристы отдыхали у Галичского озера", "ru") == [("Галичского озера", "Lake Galich")]
    assert _found("На Керченском полуострове идут дожди", "ru") == [("Керченском полуострове", "Kerch Peninsula")]
    # an adjective made from a river of the table (a fleeting vowel aside): Дністровський -> Дністер
    assert _found("Рятувальники чергують на Дніпровському лимані", "uk") == [
        ("Дніпровському лимані", "Dnieper Estuary")
    ]
    # no town or river behind the adjective: the adjective romanised in the generic word's gender
    assert _found("На Кривобережском водохранилище тихо", "ru") == [
        ("Кривобережском водохранилище", "Krivoberezhskoye Reservoir")
    ]
    # the table's own name wins over the model (Kakhovka Reservoir either way, Lake Ladoga not Ladozhskoye)
    assert _found("Вода в Ладожском озере холодная", "ru") == [("Ладожском озере", "Lake Ladoga")]


def test_a_name_after_a_generic_word_keeps_its_own_form() -> None:
    assert _found("Пограничники на острове Кунашир", "ru") == [("Кунашир", "Kunashir Island")]
    assert _found("Шторм у мыса Тарханкут", "ru") == [("Тарханкут", "Cape Tarkhankut")]
    assert _found("Курортники їдуть на озеро Світязь", "uk") == [("Світязь", "Lake Svitiaz")]
    # an adjective after the word agrees with it: its nominative in the word's gender
    assert _found("Мост на острове Каменном закрыт", "ru") == [("Каменном", "Kamenny Island")]
    assert adjective_nominative("Телецкого", "n", "ru") == "Телецкое"
    assert adjective_nominative("Ужоцькому", "m", "uk") == "Ужоцький"
    assert romanize("Ириклинское", "ru") == "Iriklinskoye"  # the neuter ending as English Wikipedia writes it


def test_a_town_adjective_before_the_airport_word_is_the_towns_airport() -> None:
    hits = find_generic_features("Одеський аеропорт досі закритий", "uk")
    assert [(h.start, h.end) for h in hits] == [(0, len("Одеський аеропорт"))]
    assert "Airport" in hits[0].canonical and "Odesa" in hits[0].canonical
    assert adjective_place("Одеського") == "Odesa"
    assert adjective_place("Кривобережского") is None


def test_an_airports_own_name_without_its_designator_is_the_airport() -> None:
    assert _found("В Пулково и Толмачёво задержаны рейсы", "ru") == [
        ("Пулково", "Pulkovo Airport"),
        ("Толмачёво", "Tolmachevo Airport"),
    ]
    assert _found("Самолёт третий час стоит в Толмачёве", "ru") == [("Толмачёве", "Tolmachevo Airport")]
    # a town an airport is named after, and a big town that shares an airport's name, stay towns
    assert _found("В Иваново и Кемерово похолодало", "ru") == []
    assert _found("В Домодедово открыли школу", "ru") == []


def test_words_that_give_a_river_its_context() -> None:
    assert _found("Паром через Десну не ходит", "ru") == [("Десну", "Desna")]
    assert _found("Каневская ГЭС на Днепре работает", "ru") == [("Днепре", "Dnieper")]
    assert _found("Гуляли набережною Дніпра", "uk") == [("Дніпра", "Dnieper")]
    assert _found("Вантаж везуть баржами по Десні", "uk") == [("Десні", "Desna")]
    assert _found("В Днепре открыли кафе", "ru") == []  # the city
    # на: a river, not the town of its name (у Дніпрі), a region (на Урале) or a given name (на Лене)
    assert _found("Біля Канева на Дніпрі тривають роботи", "uk") == [("Дніпрі", "Dnieper")]
    assert _found("На Урале похолодало", "ru") == []
    assert _found("На Лене было красное платье", "ru") == []


def test_oblasts_of_other_countries_are_named_after_their_centre() -> None:
    assert foreign_region_name("Павлодарской") == "Pavlodar Region"
    assert foreign_region_name("Брестська") == "Brest Region"
    assert foreign_region_name("Северо-Казахстанская") == "North Kazakhstan Region"
    assert foreign_region_name("Східно-Казахстанській") == "East Kazakhstan Region"
    assert foreign_region_name("Кривобережской") is None


def test_a_town_far_from_the_airport_of_its_name_stays_a_town() -> None:
    # Koltsovo the science town near Novosibirsk (10,000 people) is no Koltsovo Airport of Yekaterinburg
    assert _found("Учёные из Кольцово получили грант", "ru") == []
    assert _found("Рейс приземлился во Внуково", "ru") == [("Внуково", "Vnukovo International Airport")]  # beside it


def test_hromada_adjectives_find_their_centre_through_vowel_and_consonant_alternations() -> None:
    from extraction.regions import centre_candidates

    # і for е in a closed syllable (Мукачівська -> Мукачево), a ш the suffix absorbs (Золотоніська -> Золотоноша)
    assert "Мукачево" in centre_candidates("Мукачівська", hromada=True)
    assert "Золотоноша" in centre_candidates("Золотоніській", hromada=True)
    assert "Вербилія" in centre_candidates("Вербилійського")  # a name in -ія (invented)
    assert "Гуляйполе" in centre_candidates("Гуляйпільська", hromada=True)


def test_districts_with_a_plural_designator_and_coordinated_adjectives() -> None:
    from extraction.entities import extract_mentions

    russian = "Воду подвезли в сёла Чемальского и Майминского районов."
    ukrainian = "Допомогу отримали в Смілянській та Золотоніській громадах."
    mentions = [m for found in extract_mentions([(russian, "ru"), (ukrainian, "uk")]) for m in found]
    found = {(m.text, m.lemma) for m in mentions}
    assert ("Майминского районов", "Mayminsky District") in found
    assert ("Чемальского", "Chemalsky District") in found
    assert ("Золотоніській громадах", "Zolotonosha Hromada") in found
    assert ("Смілянській", "Smila Hromada") in found


def test_an_arena_named_by_its_own_words_and_a_stadium_romanised_unless_it_names_its_town() -> None:
    text = "Фінал зіграють на «Арені Київ», півфінал на «Ворскла-Арені» і на стадіоні «Колос»."
    assert _found(text, "uk") == [
        ("Арені Київ", "Arena Kyiv"),
        ("Ворскла-Арені", "Vorskla-Arena"),
        ("Колос", "Kolos Stadium"),
    ]
    # a country's name on a stadium is the stadium's own word, romanised; a town's stays the town's English name
    assert _found("Матч на стадіоні «Україна»", "uk") == [("Україна", "Ukraina Stadium")]
    assert _found("Матч прошёл на стадионе «Краснодар»", "ru") == [("Краснодар", "Krasnodar Stadium")]


def test_a_place_span_ends_before_a_function_word_or_a_disagreeing_participle() -> None:
    from extraction.entities import _cut_lower_tail

    for text, name in (
        ("Автобус їде через Заболоттячку або Луцьк", "Заболоттячку"),
        ("Дорога до Вербичанки вздовж річки", "Вербичанки"),
        ("Міст біля Нового Бурлука пошкоджений вночі", "Нового Бурлука"),
    ):
        start = text.index(name)
        run_on_end = text.index(" ", start + len(name) + 1)  # the name and the next word, as the model runs them
        assert text[start : _cut_lower_tail(text, start, run_on_end, "LOC", "uk")] == name
    # a lower-case word that agrees with the name continues it (an organisation keeps its words)
    text = "Працює Харківський метрополітен цілодобово"
    start = text.index("Харківський")
    end = text.index(" цілодобово")
    assert _cut_lower_tail(text, start, end, "ORG", "uk") == end


def test_a_genitive_plural_without_an_ending_finds_its_town() -> None:
    from extraction.entities import best_place_lemma

    for surface, english in (("Печеніг", "Pechenihy"), ("Ромен", "Romny"), ("Жовтих Вод", "Zhovti Vody")):
        hit = best_place_lemma(surface, "uk")
        assert hit is not None and hit[1].name == english
    # the Russian spelling of a Ukrainian word finds only towns of the region, not a city further away (Віктор)
    assert best_place_lemma("Віктор", "uk") is None


def test_two_coordinated_words_that_are_given_names_and_towns_are_the_towns() -> None:
    from extraction.entities import extract_mentions

    (mentions,) = extract_mentions([("Уночі дрони атакували Ізмаїл і Рені, загинула людина.", "uk")])
    assert {(m.text, m.label) for m in mentions} >= {("Ізмаїл", "LOC"), ("Рені", "LOC")}


def test_seas_gulfs_and_straits_of_the_region_in_any_case() -> None:
    text = "Суда шли по Карскому морю к Берингову проливу, а затем Тихим океаном мимо Обской губы."
    assert _found(text, "ru") == [
        ("Карскому морю", "Kara Sea"),
        ("Берингову проливу", "Bering Strait"),
        ("Тихим океаном", "Pacific Ocean"),
        ("Обской губы", "Gulf of Ob"),
    ]
    assert _found("Лід у Фінській затоці тане", "uk") == [("Фінській затоці", "Gulf of Finland")]


def test_bridges_valleys_and_voivodeships_named_by_an_adjective() -> None:
    # a bridge after a town of the region the adjective is made from, else the adjective romanised
    assert _found("Пробка на Борском мосту и на Молитовском мосту", "ru") == [
        ("Борском мосту", "Bor Bridge"),
        ("Молитовском мосту", "Molitovsky Bridge"),
    ]
    # no town abroad (Ruse) names a bridge of the region; Крымский мост is the region table's (Crimean Bridge)
    assert _found("Русский мост закрыт, Крымский мост открыт", "ru") == [("Русский мост", "Russky Bridge")]
    assert _found("Жара в Ферганской долине", "ru") == [("Ферганской долине", "Fergana Valley")]
    assert _found("Кордон із Люблінським воєводством", "uk") == [("Люблінським воєводством", "Lublin Voivodeship")]
    assert _found("Багато українських міст без світла", "uk") == []  # міст, "of towns", after a plural adjective


def test_plural_lakes_and_islands_after_a_town_adjective() -> None:
    assert _found("Туристи відпочивають на Шацьких озерах", "uk") == [("Шацьких озерах", "Shatsk Lakes")]
    assert _found("Відпочинок зі Шацькими озерами", "uk") == [("Шацькими озерами", "Shatsk Lakes")]
    # no town behind the adjective: no feature from the plural rule
    assert _found("Шторм на Командорских островах", "ru") == []
    # a region name of the table wins over the plural rule (Kuril Islands, not Kurilsk Islands)
    assert _found("Туман на Курильских островах", "ru") == []


def test_a_town_in_a_with_a_soft_sign_stem_and_in_ivka() -> None:
    from extraction.regions import centre_candidates

    assert adjective_place("Кольском") == "Kola"  # Кольский -> Кола
    assert "Шепетівка" in centre_candidates("Шепетівському")  # a raion centre in -івка


def test_raions_after_their_centre_and_city_districts_by_their_adjective() -> None:
    from extraction.entities import extract_mentions

    texts = [
        ("Обстріляли села у Шепетівському районі.", "uk"),
        ("Вибухи чули в Салтівському районі та Шевченківському районі Харкова.", "uk"),
        ("Котельні у Франківському та Шевченківському районах Львова.", "uk"),
    ]
    found = {(m.text, m.lemma) for mentions in extract_mentions(texts) for m in mentions}
    assert ("Шепетівському районі", "Shepetivka Raion") in found
    assert ("Шевченківському районі", "Shevchenkivskyi District") in found  # the city after it: a city district
    assert ("Франківському", "Frankivskyi District") in found
    assert ("Шевченківському районах", "Shevchenkivskyi District") in found


def test_municipal_okrugs_in_the_dative_plural_and_ulus_are_districts() -> None:
    from extraction.entities import extract_mentions

    text = "Губернатор проехал по Ржевскому и Зубцовскому округам, затем побывал в Мегино-Кангаласском улусе."
    found = {(m.text, m.lemma) for m in extract_mentions([(text, "ru")])[0]}
    assert ("Зубцовскому округам", "Zubtsovsky District") in found
    assert ("Ржевскому", "Rzhevsky District") in found
    assert ("Мегино-Кангаласском улусе", "Megino-Kangalassky District") in found  # each part capitalised


def test_a_city_district_named_by_any_adjective_before_the_district_word() -> None:
    from extraction.entities import extract_mentions

    texts = [("Удар по Корабельному районі Миколаєва.", "uk"), ("Пожар в Центральном районе Новосибирска.", "ru")]
    found = {(m.text, m.lemma) for mentions in extract_mentions(texts) for m in mentions}
    assert ("Корабельному районі", "Korabelnyi District") in found
    assert ("Центральном районе", "Tsentralny District") in found
