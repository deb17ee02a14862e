"""The Prefect API server that the tests run flows against.

Prefect's ``prefect_test_harness`` keeps its temporary database in SQLite. Under concurrent API writes (two flows
at once, a task's state next to the warehouse write slot's lease) Prefect's SQLite transactions meet SQLite's
read-then-write deadlock: the server answers ``503`` to ``increment-with-lease`` and the client waits two seconds
before asking again, several times in a test. :func:`prefect_test_server` runs the same temporary server on a
PostgreSQL database instead (the one the DuckLake tests already start), where those writes just wait for their
row lock; without PostgreSQL it is Prefect's own harness, unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import prefect.context
import prefect.settings
from prefect.events.worker import EventsWorker
from prefect.logging.handlers import APILogWorker
from prefect.server.api.server import SubprocessASGIServer
from prefect.server.database.dependencies import temporary_database_interface
from prefect.testing.utilities import prefect_test_harness
from prefect.utilities.asyncutils import run_coro_as_sync

from tests.support.postgres import PostgresServer, free_port


@dataclass(frozen=True, slots=True)
class PrefectTestServer:
    """The running server's database: a database on ``postgres``, or Prefect's SQLite file when that is None."""

    postgres: PostgresServer | None = None
    database: str = "prefect"

    @property
    def url(self) -> str | None:
        """SQLAlchemy URL of the PostgreSQL database (None: SQLite)."""
        if self.postgres is None:
            return None
        return f"postgresql+asyncpg://{self.postgres.user}@{self.postgres.host}:{self.postgres.port}/{self.database}"

    def stored_bytes(self) -> bytes:
        """Everything the server stored: the database's rows and files (SQLite: the file, its WAL and journal)."""
        if self.postgres is not None:
            return self.postgres.stored_bytes(self.database)
        url = prefect.settings.PREFECT_SERVER_DATABASE_CONNECTION_URL.value()
        database = Path(url.split("///", 1)[1])
        return b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))


def start_server_process(postgres: PostgresServer, startup_timeout: int = 120) -> SubprocessASGIServer:
    """Create the server's database on ``postgres`` and start the API server's process on it, ready to answer.

    Safe in any thread (the settings the process is started with are this thread's), so a session can start it
    early, in the background; :func:`prefect_test_server` then points the tests at it.
    """
    handle = PrefectTestServer(postgres)
    postgres.createdb(handle.database)
    with prefect.settings.temporary_settings(
        updates={prefect.settings.PREFECT_SERVER_DATABASE_CONNECTION_URL: handle.url}
    ):
        server = SubprocessASGIServer(port=free_port())
        try:
            server.start(timeout=startup_timeout)
        except BaseException:
            server.stop()
            raise
    return server


@contextmanager
def prefect_test_server(
    postgres: PostgresServer | None, startup_timeout: int = 120, started: SubprocessASGIServer | None = None
) -> Iterator[PrefectTestServer]:
    """A temporary Prefect API server with its database on ``postgres``, or on SQLite when None; ``started`` is
    the server's process when :func:`start_server_process` already started it on ``postgres`` (else it starts
    here). The server stops on exit.

    Follows ``prefect.testing.utilities.prefect_test_harness`` step by step; only the database differs.
    """
    if postgres is None:
        with prefect_test_harness(server_startup_timeout=startup_timeout):
            yield PrefectTestServer()
        return
    handle = PrefectTestServer(postgres)
    with ExitStack() as stack:
        stack.enter_context(temporary_database_interface())
        stack.enter_context(
            prefect.settings.temporary_settings(
                updates={prefect.settings.PREFECT_SERVER_DATABASE_CONNECTION_URL: handle.url}
            )
        )
        server = started if started is not None else start_server_process(postgres, startup_timeout)
        # Code that asks for the default ephemeral server during a flow run must find this one.
        prior_default = SubprocessASGIServer._instances.get(None)
        SubprocessASGIServer._instances[None] = server
        try:
            stack.enter_context(
                prefect.settings.temporary_settings(updates={prefect.settings.PREFECT_API_URL: server.api_url})
            )
            # Threads started by tests copy no context: they read the process-global settings.
            stack.enter_context(
                prefect.context._temporary_global_settings_context(prefect.context.get_settings_context())
            )
            yield handle
            run_coro_as_sync(_drain_workers())
        finally:
            server.stop()
            if prior_default is not None:
                SubprocessASGIServer._instances[None] = prior_default
            else:
                SubprocessASGIServer._instances.pop(None, None)


async def _drain_workers() -> None:
    """Send the buffered logs and events before the server stops (as the harness does)."""
    try:
        result = APILogWorker.instance().drain()
        if inspect.isawaitable(result):
            await result
    except RuntimeError:  # the log worker was never started
        pass
    drained = EventsWorker.drain_all()
    if inspect.isawaitable(drained):
        await drained
