"""Article extraction and cleaning: main text kept, navigation/footers/promos/related headlines gone.

Fixture pages in tests/fixtures/pages/ state their expectations in expected.json (the article's own
paragraphs, and the promo / related-headline lines planted in it).
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extraction.article import (
    ExtractionError,
    clean_text,
    decode_html,
    extract_article,
    extract_article_bytes,
    is_promo_line,
    is_standalone_headline,
    repair_text,
)
from telefeed.cli import app
from tests.conftest import REPO_ROOT
from tests.support.http_server import FixtureServer
from tests.support.pages import EXPECTED, PAGES

SAMPLE_GOLD = json.loads((PAGES / "samples_gold.json").read_text(encoding="utf-8"))
BOILERPLATE = ("Home", "Privacy", "All rights reserved", "Most read", "Share on Facebook", "Log in to comment")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_page_keeps_article_paragraphs_and_drops_the_rest(name: str) -> None:
    expected = EXPECTED[name]
    article = extract_article_bytes(
        (PAGES / name).read_bytes(), {"content-type": "text/html"}, f"https://x.test/{name}"
    )
    lines = article.text.split("\n")
    assert lines == expected["main"], "exactly the article's paragraphs, in order"
    for planted in expected["removed"]:
        assert planted not in article.text
    assert set(article.removed_lines) <= set(expected["removed"])
    assert article.title == expected["title"]
    assert not any(word in article.text for word in BOILERPLATE)


def test_promo_lines_and_related_headlines_inside_the_body_are_recorded_as_removed() -> None:
    article = extract_article_bytes((PAGES / "capitals.html").read_bytes())
    assert article.removed_lines[:2] == [
        "CLICK HERE TO GET THE FRONTLINE WIRE APP",
        "RUSSIA SAYS IT SHOT DOWN 40 DRONES OVER BELGOROD REGION",
    ]


def test_real_paragraphs_with_capitals_or_quotes_stay() -> None:
    article = extract_article_bytes((PAGES / "capitals.html").read_bytes())
    kept = article.text.split("\n")
    assert any(line.startswith("NATO defence ministers agreed") and "HIMARS and ATACMS" in line for line in kept)
    assert any(line.startswith('"WE WILL NOT LET UKRAINE RUN OUT OF SHELLS,"') for line in kept)
    assert any(line.startswith("The U.S. Department of Defense") for line in kept)
    assert any(line.startswith('"This is not charity') for line in kept)
    assert "UPDATE: This story has been updated with comments from the Lithuanian defence minister." in kept
    assert any(line.startswith("Read more about how HIMARS") for line in kept)


LINES_BY_KIND = {
    "promo": [
        "CLICK HERE TO GET THE FOX NEWS APP",
        "Click here to get the Kyiv Post app",
        "Download the Daily Ledger app for breaking news alerts",
        "SIGN UP FOR THE NORTHERN HERALD NEWSLETTER",
        "Read more: Russia says it shot down 40 drones",
        "RELATED: Zelensky meets EU leaders",
        "Читайте также: В Киеве объявлена воздушная тревога",
        "Подписывайтесь на наш канал в Telegram",
        "Читайте також: У Києві оголошено тривогу",
    ],
    "headline": [
        "ZELENSKY MEETS EU LEADERS IN BRUSSELS TO DISCUSS NEW SANCTIONS",
        "В МОСКВЕ ПРОШЛО ЗАСЕДАНИЕ СОВБЕЗА",
        "ENERGY GRID UNDER STRAIN AS FROSTS ARRIVE",
    ],
    "ordinary": [
        "NATO and the EU said HIMARS deliveries to the AFU would continue.",
        '"WE ARE LEAVING," Prigozhin shouted, before the video cut off.',
        "UPDATE:",
        "NATO",
        "The subscription model is changing, he said: click here was once a joke.",
        "Read more about how HIMARS changed the war in our explainer.",
    ],
}


@pytest.mark.parametrize(("kind", "line"), [(kind, line) for kind, lines in LINES_BY_KIND.items() for line in lines])
def test_promo_lines_and_all_caps_headlines_are_recognised_and_ordinary_lines_are_neither(kind: str, line: str) -> None:
    found = "promo" if is_promo_line(line) else "headline" if is_standalone_headline(line) else "ordinary"
    assert found == kind


def test_clean_text_keeps_removed_lines_in_order() -> None:
    text, removed = clean_text(
        "First paragraph here.\nCLICK HERE TO GET THE X APP\nSecond one.\nOIL PRICES SLIDE AGAIN"
    )
    assert text == "First paragraph here.\nSecond one."
    assert removed == ["CLICK HERE TO GET THE X APP", "OIL PRICES SLIDE AGAIN"]


def test_windows_1251_page_is_decoded_from_its_meta_charset() -> None:
    body = (PAGES / "cp1251.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    html, encoding = decode_html(body, {"content-type": "text/html"})
    assert encoding == "cp1251"
    assert "Энергетики восстановили электроснабжение" in html


def test_windows_1251_without_any_declaration_is_detected() -> None:
    body = (PAGES / "cp1251.html").read_bytes().replace(b'<meta charset="windows-1251">', b"")
    html, encoding = decode_html(body, {})
    assert encoding == "cp1251"
    assert "электроснабжение в большинстве районов Харькова" in html


def test_a_default_latin1_header_loses_to_the_pages_own_meta_charset() -> None:
    body = (PAGES / "cp1251.html").read_bytes()
    html, encoding = decode_html(body, {"Content-Type": "text/html; charset=ISO-8859-1"})
    assert encoding == "cp1251" and "Харькова" in html


@pytest.mark.parametrize("codec", ["cp1251", "koi8_r"])
def test_a_western_charset_that_gives_mojibake_loses_to_detection(codec: str) -> None:
    text = "Война: новости из Киева. Энергетики восстановили электроснабжение в большинстве районов."
    body = f"<html><head><title>Новости</title></head><body><p>{text}</p></body></html>".encode(codec)
    assert "Âîéíà" in body.decode("latin-1") or codec != "cp1251"  # what trusting the header would give
    html, encoding = decode_html(body, {"Content-Type": "text/html; charset=ISO-8859-1"})
    assert encoding == codecs.lookup(codec).name and text in html


def test_a_western_page_keeps_its_declared_charset() -> None:
    body = "<html><body><p>Café crème à Genève : résultats définitifs à 20 h.</p></body></html>".encode("latin-1")
    html, encoding = decode_html(body, {"Content-Type": "text/html; charset=ISO-8859-1"})
    assert encoding == "iso8859-1" and "Café crème à Genève" in html
    assert decode_html(body, {})[0] == html  # undeclared (not UTF-8): detected as a Western charset


def test_header_charset_wins_when_it_decodes() -> None:
    body = "<html><head><meta charset='windows-1251'></head><body>Привіт</body></html>".encode()
    html, encoding = decode_html(body, {"content-type": "text/html; charset=utf-8"})
    assert encoding == "utf-8" and "Привіт" in html


def test_mojibake_is_repaired_and_typographic_quotes_kept() -> None:
    original = "Зеленський провів нараду — «важливо», “so it goes”"
    broken = original.encode("utf-8").decode("latin-1")
    assert broken != original
    assert repair_text(broken) == original


def test_page_without_main_text_raises() -> None:
    with pytest.raises(ExtractionError):
        extract_article("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    with pytest.raises(ExtractionError):
        extract_article("   ")


def test_metadata_comes_from_the_page() -> None:
    name = "vesti-prigozhin.html"
    article = extract_article_bytes((REPO_ROOT / "samples" / "pages" / name).read_bytes())
    assert article.author == "Ирина Соколова"
    assert article.site_name == "Вести Севера"
    assert article.language == "ru"
    assert article.encoding == "cp1251"
    assert article.published_at is not None and article.published_at.isoformat() == "2026-11-20T08:20:00+00:00"
    assert article.canonical_url == SAMPLE_GOLD[name]["url"]


@pytest.mark.parametrize("name", sorted(SAMPLE_GOLD))
def test_bundled_sample_pages_extract_cleanly(name: str) -> None:
    gold = SAMPLE_GOLD[name]
    article = extract_article_bytes((REPO_ROOT / "samples" / "pages" / name).read_bytes(), url=gold["url"])
    assert article.text.split("\n") == gold["main"]
    assert article.removed_lines and set(article.removed_lines) <= set(gold["removed"])


def test_extract_text_cli_prints_json_for_a_file() -> None:
    result = CliRunner().invoke(app, ["extract-text", str(PAGES / "cp1251.html")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["language"] == "ru"
    assert data["title"] == EXPECTED["cp1251.html"]["title"]
    assert data["text"].split("\n") == EXPECTED["cp1251.html"]["main"]
    assert data["removed_lines"] == ["Подписывайтесь на наш канал в Telegram", EXPECTED["cp1251.html"]["removed"][1]]
    assert data["metadata"]["encoding"] == "cp1251"


def test_extract_text_cli_fetches_a_url(http_server: FixtureServer) -> None:
    url = http_server.add("/a", body=(PAGES / "syndicated_a.html").read_bytes(), content_type="text/html")
    result = CliRunner().invoke(app, ["extract-text", url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["url"] == url and data["http_status"] == 200 and data["language"] == "en"
    assert "CLICK HERE TO GET THE KYIV COURIER APP" in data["removed_lines"]
    assert "user-agent" in http_server.requests_to("/a")[0].headers


def test_extract_text_cli_reports_a_missing_file_and_a_404(tmp_path: Path, http_server: FixtureServer) -> None:
    missing = CliRunner().invoke(app, ["extract-text", str(tmp_path / "nope.html")])
    assert missing.exit_code == 2 and "nope.html" in missing.output
    gone = CliRunner().invoke(app, ["extract-text", http_server.url("/gone")])
    assert gone.exit_code == 2 and "HTTP 404" in gone.output
