"""The session's PostgreSQL server and Prefect API server, started in the background as the session begins.

Starting them takes seconds (``initdb``, then the Prefect server's imports and database migrations), and the first
test that needs them comes after the tests that do not. ``tests/conftest.py`` starts them in a background thread as
soon as collection shows that a selected test needs them; the session fixtures ``postgres`` and ``prefect_harness``
take them from here (or start them then, when nothing started them earlier).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from typing import TYPE_CHECKING

from tests.support.postgres import PostgresServer, PostgresUnavailable, postgres_server

if TYPE_CHECKING:
    from prefect.server.api.server import SubprocessASGIServer

STARTUP_TIMEOUT = 120


class Services:
    """PostgreSQL (None when it cannot be started here) and, when asked for, a Prefect server's process on it."""

    def __init__(self, with_prefect: bool) -> None:
        self._stack = ExitStack()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="session-services")
        self._postgres: Future[PostgresServer | None] = self._pool.submit(self._start_postgres)
        self._prefect: Future[SubprocessASGIServer | None] | None = None
        if with_prefect:
            self.start_prefect()

    def _start_postgres(self) -> PostgresServer | None:
        try:
            return self._stack.enter_context(postgres_server())
        except PostgresUnavailable:
            return None

    def start_prefect(self) -> None:
        """Start the Prefect server's process (after PostgreSQL, in the background) unless it was started."""
        if self._prefect is not None:
            return
        # Imported here, not in the background thread: two threads importing Prefect's server modules at once
        # could each find the other's half-initialised modules.
        from tests.support.prefect_server import start_server_process

        def start() -> SubprocessASGIServer | None:
            postgres = self._postgres.result()
            return None if postgres is None else start_server_process(postgres, STARTUP_TIMEOUT)

        self._prefect = self._pool.submit(start)

    def postgres(self) -> PostgresServer | None:
        """The PostgreSQL server, once it answers (None: unavailable here)."""
        return self._postgres.result()

    def prefect_server(self) -> SubprocessASGIServer | None:
        """The Prefect server's process on PostgreSQL, once it answers (None without PostgreSQL)."""
        self.start_prefect()
        assert self._prefect is not None
        return self._prefect.result()

    def close(self) -> None:
        """Stop the Prefect server (if still running) and PostgreSQL."""
        self._pool.shutdown(wait=True)
        if self._prefect is not None and self._prefect.exception() is None:
            server = self._prefect.result()
            if server is not None:
                server.stop()
        self._stack.close()


_services: Services | None = None


def session_services(with_prefect: bool = False) -> Services:
    """The session's services, started now unless they already were (the Prefect server too with
    ``with_prefect``)."""
    global _services
    if _services is None:
        _services = Services(with_prefect)
    elif with_prefect:
        _services.start_prefect()
    return _services


def close_session_services() -> None:
    """Stop the session's services, if started."""
    global _services
    if _services is not None:
        _services.close()
        _services = None
