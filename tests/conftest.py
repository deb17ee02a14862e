"""Shared fixtures: Prefect test harness and PostgreSQL server (one each per session), a 127.0.0.1 HTTP server,
warehouse paths."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.background import RECORDS_VARIABLE, StartedRun, records_folder, stop_all
from tests.support.doc_commands import start_evaluations_in_background
from tests.support.http_server import FixtureServer, serve
from tests.support.postgres import PostgresServer
from tests.support.readme_demo import start_in_background as start_readme_demo
from tests.support.services import STARTUP_TIMEOUT, close_session_services, session_services
from warehouse.db import Warehouse

if TYPE_CHECKING:
    from tests.support.prefect_server import PrefectTestServer

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# No test talks to the internet: the temporary Prefect server must not send usage telemetry.
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"

# Configure Prefect's logging now, bound to the session's stderr. If it were first configured inside a
# CliRunner invocation, its console handler would keep writing to that invocation's closed stream.
from prefect.logging.configuration import setup_logging  # noqa: E402

setup_logging()

# Never let a test reach a real Telegram account or a Prefect Cloud workspace.
for _var in (
    "TELEGRAM_API_ID",
    "TELEGRAM_API_HASH",
    "TELEGRAM_SESSION",
    "TELEGRAM_SESSION_FILE",
    "PREFECT_API_URL",
    "PREFECT_API_KEY",
):
    os.environ.pop(_var, None)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | None]:
    """One PostgreSQL server on 127.0.0.1 for the whole session, or None when none can be started (started in
    the background when the session began, see tests/support/services.py)."""
    yield session_services().postgres()
    close_session_services()


@pytest.fixture(scope="session")
def pg(postgres: PostgresServer | None) -> PostgresServer:
    """The session's PostgreSQL server (DuckLake catalogs); each test creates its own database on it. Skips the
    test when no server can be started."""
    if postgres is None:
        pytest.skip("PostgreSQL unavailable: run `bash scripts/ensure_postgres.sh`")
    return postgres


_lake_numbers = itertools.count(1)


@pytest.fixture
def lake_url(pg: PostgresServer, tmp_path: Path) -> str:
    """A fresh DuckLake warehouse URL: its own catalog database on the session's PostgreSQL, its own data folder."""
    dsn = pg.createdb(f"lake_{next(_lake_numbers)}")
    return f"ducklake:postgres:{dsn};data_path={tmp_path / 'lake'}"


@pytest.fixture(scope="session")
def prefect_harness(postgres: PostgresServer | None) -> Iterator[PrefectTestServer]:
    """One temporary Prefect API server for the whole session, its database on the session's PostgreSQL when
    there is one (see tests/support/prefect_server.py; its process started in the background when the session
    began), else Prefect's SQLite test harness."""
    from tests.support.prefect_server import prefect_test_server

    started = session_services(with_prefect=True).prefect_server() if postgres is not None else None
    with prefect_test_server(postgres, startup_timeout=STARTUP_TIMEOUT, started=started) as server:
        yield server


# Tests that only check what slow commands print: their commands start in the background as the session starts
# (when the test is selected) and the tests run last, so that the commands overlap the rest of the suite instead of
# adding to it (tests/support/background.py). Each test's name -> the function that starts its commands.
BACKGROUND_TESTS: dict[str, Callable[[], StartedRun]] = {
    "tests/docs/test_readme.py::test_readme_demo_command_in_a_clean_venv": start_readme_demo,
    "tests/docs/test_readme.py::test_every_documented_evaluation_runs_as_written": start_evaluations_in_background,
}


class _StartBackgroundInTheController:
    """Under pytest-xdist: the controller starts the background commands (once, not once per worker) as soon as a
    worker's collection shows the tests that wait for them; their results reach the workers through files."""

    @staticmethod
    def pytest_xdist_node_collection_finished(node: object, ids: list[str]) -> None:
        for nodeid in ids:
            if nodeid in BACKGROUND_TESTS:
                BACKGROUND_TESTS[nodeid]()


def pytest_configure(config: pytest.Config) -> None:
    """In the controller of a pytest-xdist session: a folder for the background runs' results, named to the
    workers by an environment variable (they start after this), and the hook that starts those runs."""
    distributed = getattr(config.option, "dist", "no") != "no" and not hasattr(config, "workerinput")
    if distributed and not config.option.collectonly:
        os.environ[RECORDS_VARIABLE] = tempfile.mkdtemp(prefix="telefeed-background-")
        config.pluginmanager.register(_StartBackgroundInTheController(), "telefeed-background-controller")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Delete the controller's folder of background results."""
    folder = records_folder()
    if folder is not None and not hasattr(config, "workerinput"):
        shutil.rmtree(folder, ignore_errors=True)
        del os.environ[RECORDS_VARIABLE]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests that wait for background commands last (the sort is stable: the others keep their order)."""
    items.sort(key=lambda item: item.nodeid in BACKGROUND_TESTS)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the background commands of the selected tests that wait for them, and the session's PostgreSQL and
    Prefect servers when a selected test needs them."""
    if session.config.option.collectonly:
        return
    for item in session.items:
        if item.nodeid in BACKGROUND_TESTS:
            BACKGROUND_TESTS[item.nodeid]()
    needed = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    if needed & {"postgres", "prefect_harness"}:
        session_services(with_prefect="prefect_harness" in needed)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop the background commands that still run (a session cut short) and delete their folders; stop the
    session's servers if no fixture did."""
    stop_all()
    close_session_services()


@pytest.fixture
def readme_demo() -> StartedRun:
    """The README demo's run, started at the start of the session (or now, when the session did not)."""
    return start_readme_demo()


@pytest.fixture
def documented_evaluations() -> StartedRun:
    """The documented evaluation commands' run, started at the start of the session (or now)."""
    return start_evaluations_in_background()


@pytest.fixture
def http_server() -> Iterator[FixtureServer]:
    """A real HTTP server on 127.0.0.1 with scripted routes."""
    yield from serve()


@pytest.fixture
def warehouse_path(tmp_path: Path) -> str:
    """Path of a fresh DuckDB warehouse file in the test's temp folder."""
    return str(tmp_path / "warehouse.duckdb")


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    """A fresh, migrated DuckDB warehouse in the test's temp folder."""
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    warehouse.migrate()
    return warehouse


@pytest.fixture(scope="module")
def analyst_warehouse_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The analyst fixture warehouse (tests/support/analyst_fixture.py), one copy per test module: read it only."""
    from tests.support.analyst_fixture import build_fixture_warehouse

    path = str(tmp_path_factory.mktemp("analyst") / "w.duckdb")
    build_fixture_warehouse(path)
    return path


@pytest.fixture(scope="module")
def analyst_warehouse(analyst_warehouse_file: str) -> Warehouse:
    """:func:`analyst_warehouse_file` as a Warehouse."""
    return Warehouse(analyst_warehouse_file)


def write_sources(tmp_path: Path, body: str) -> str:
    """Write a sources TOML file and return its path."""
    path = tmp_path / "sources.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def write_rss_sources(tmp_path: Path, feeds: Mapping[str, str], options: str = "") -> str:
    """Write a sources file with one RSS source per ``name -> feed URL``, each with the TOML lines ``options``."""
    return write_sources(
        tmp_path,
        "".join(
            f'[[sources]]\nname = "{name}"\nkind = "rss"\nurl = "{url}"\n{options}\n\n' for name, url in feeds.items()
        ),
    )
