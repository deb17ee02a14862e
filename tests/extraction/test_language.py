"""Language identification: Russian, Ukrainian and English told apart on ~10-word posts."""

from __future__ import annotations

import pytest

from extraction.language import assign_language, detect_language
from telefeed.models import Document

POSTS = {
    "ru": [
        "Сегодня утром в Харькове снова прозвучали взрывы, сообщил мэр города.",
        "Минобороны заявило о сбитых беспилотниках над Белгородской областью этой ночью.",
        "В Москве задержали двух человек по делу о поджоге военкомата.",
        "Цены на бензин выросли уже третью неделю подряд, сообщает Росстат.",
        "Силы обороны уничтожили вражескую технику под Бахмутом вчера вечером, сообщают.",
        "Лукашенко заявил, что Беларусь не будет участвовать в войне против Украины.",
    ],
    "uk": [
        "Сьогодні вранці в Харкові знову пролунали вибухи, повідомив мер міста.",
        "Сили оборони збили вночі двадцять шість дронів над центральними областями.",
        "Зеленський провів нараду зі Ставкою щодо ситуації на фронті.",
        "У Києві через атаку дронів пошкоджено кілька житлових будинків.",
        "Тривога! Ракетна небезпека по всій країні, прямуйте в укриття негайно.",
        "Сили оборони знищили ворожу техніку біля Бахмута вчора ввечері, повідомляють.",
    ],
    "en": [
        "Explosions were heard again in Kharkiv this morning, the mayor said.",
        "Air defence shot down twenty six drones over central regions overnight.",
        "Zelensky held a meeting with top commanders about the front line.",
        "Several residential buildings were damaged in Kyiv after the drone attack.",
        "Ukrenergo warns of scheduled power outages across several regions on Monday.",
        "Prigozhin says Wagner fighters will leave Bakhmut because ammunition never came.",
    ],
}
CASES = [(lang, post) for lang, posts in POSTS.items() for post in posts]


@pytest.mark.parametrize(("expected", "post"), CASES)
def test_short_posts_are_identified(expected: str, post: str) -> None:
    assert 8 <= len(post.split()) <= 13
    assert detect_language(post) == expected


def test_links_mentions_and_hashtags_do_not_sway_the_answer() -> None:
    post = "Вибухи у Харкові, подробиці згодом #новини @kharkiv_news https://t.me/kharkiv_news/123 www.example.com"
    assert detect_language(post) == "uk"


@pytest.mark.parametrize("text", [None, "", "👍🔥🔥", "https://t.me/channel/1", "ок", "12:30 23.11.2026"])
def test_too_little_text_gives_none(text: str | None) -> None:
    assert detect_language(text) is None


def test_assign_language_overrides_a_wrong_declared_language_and_keeps_it_in_metadata() -> None:
    docs = [
        Document(source="s", kind="article", external_id="1", text=POSTS["uk"][0], language="ru"),
        Document(source="s", kind="post", external_id="2", text=POSTS["en"][0]),
        Document(source="s", kind="post", external_id="3", text="👍", language="ru"),
    ]
    assign_language(docs)
    assert [d.language for d in docs] == ["uk", "en", "ru"]
    assert docs[0].metadata == {"declared_language": "ru"}
    assert docs[1].metadata == {} and docs[2].metadata == {}


def test_assign_language_in_a_batch_matches_one_by_one() -> None:
    docs = [Document(source="tg", kind="post", external_id=str(i), text=post) for i, (_, post) in enumerate(CASES)]
    assign_language(docs)
    assert [d.language for d in docs] == [expected for expected, _ in CASES]


def test_only_close_cyrillic_languages_reach_the_precise_second_pass() -> None:
    from extraction.language import PRECISE_LANGUAGES, SUPPORTED_LANGUAGES, precise_candidates, ranked_candidates

    allowed = frozenset(SUPPORTED_LANGUAGES)
    latin = [*POSTS["en"], "Der Präsident traf sich mit dem Militär", "Prezydent spotkał się z dowództwem"]
    assert all(not precise_candidates(ranked_candidates(text, allowed)) for text in latin)
    cyrillic = [*POSTS["ru"], *POSTS["uk"], "Сили оборони знищили", "Силы обороны уничтожили", "Сёння ўвечары"]
    for text in cyrillic:
        assert precise_candidates(ranked_candidates(text, allowed)) <= PRECISE_LANGUAGES


def test_an_unclear_first_answer_between_close_languages_goes_to_the_second_pass() -> None:
    from extraction.language import precise_candidates

    assert precise_candidates([("ru", 0.6), ("uk", 0.35), ("bg", 0.03)]) == {"ru", "uk", "bg"}
    assert precise_candidates([("ru", 0.95), ("uk", 0.04)]) == frozenset()
    assert precise_candidates([("en", 0.6), ("nl", 0.3)]) == frozenset()
    assert precise_candidates([("en", 0.6), ("ru", 0.3), ("uk", 0.05)]) == frozenset()


def test_the_languages_setting_restricts_the_answers() -> None:
    text = "Der Präsident traf sich am Montag mit dem Militär in Berlin"
    assert detect_language(text) == "de"
    assert detect_language(text, languages=("en", "ru", "uk")) in {"en", None}


def test_the_labelled_language_set_is_large_and_covers_the_hard_pair() -> None:
    from collections import Counter

    from bench.language_eval import MIN_TEXTS, labelled_set

    items = labelled_set()
    assert len(items) >= MIN_TEXTS
    languages = Counter(item["language"] for item in items)
    assert {"en", "ru", "uk", "be", "pl", "de", "fr", "ar"} <= set(languages)
    kinds = Counter(item["kind"] for item in items)
    assert kinds["mixed"] >= 100 and kinds["fragment"] >= 500
