"""A throw-away PostgreSQL server on 127.0.0.1 for tests (Debian's package; see scripts/ensure_postgres.sh).

The server runs from a temporary data folder, on a free port, with trust authentication for one role, and is
stopped and deleted afterwards. PostgreSQL refuses to run as root, so under root it runs as the ``postgres``
system user (created by the Debian package).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROLE = "telefeed"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries (or no way to run them) on this machine."""


@dataclass(frozen=True, slots=True)
class PostgresServer:
    """A running server: where it listens and how to reach a database on it."""

    host: str
    port: int
    user: str
    bin_dir: Path
    run_as: str | None
    data_dir: Path

    def createdb(self, name: str) -> str:
        """Create database ``name``; return a libpq connection string for it."""
        self._run([str(self.bin_dir / "createdb"), "-h", self.host, "-p", str(self.port), "-U", self.user, name])
        return self.dsn(name)

    def dsn(self, name: str) -> str:
        """libpq key/value connection string for database ``name``."""
        return f"dbname={name} host={self.host} port={self.port} user={self.user}"

    def stored_bytes(self, name: str) -> bytes:
        """Everything the server keeps of database ``name``: a plain-text dump of its rows (values as written,
        none compressed) and the raw bytes of the cluster's files and write-ahead log (rows since updated or
        deleted too)."""
        connect = ["-h", self.host, "-p", str(self.port), "-U", self.user, "-d", name]
        stored = [_run([str(self.bin_dir / "pg_dump"), *connect], self.run_as)]
        oid_query = [
            str(self.bin_dir / "psql"),
            *connect,
            "-Atc",
            "select oid from pg_database where datname = current_database()",
        ]
        oid = _run(oid_query, self.run_as).decode().strip()
        for folder in (self.data_dir / "base" / oid, self.data_dir / "pg_wal"):
            stored += [p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()]
        return b"".join(stored)

    def _run(self, args: list[str]) -> None:
        _run(args, self.run_as)


def find_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<v>/bin`` (or the PATH's) holding initdb, pg_ctl and postgres."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) for x in Path(p).parent.name.split(".") if x.isdigit()],
        reverse=True,
    )
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(str(Path(found).resolve().parent))
    for folder in candidates:
        if all(os.access(Path(folder) / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres", "createdb")):
            return Path(folder)
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(args: list[str], run_as: str | None, timeout: float = 60) -> bytes:
    """Run a server program (as ``run_as``); its standard output."""
    result = subprocess.run(args, user=run_as, capture_output=True, timeout=timeout, cwd="/", check=False)
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise RuntimeError(f"{' '.join(args[:2])} failed ({result.returncode}): {stderr}")
    return result.stdout


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a PostgreSQL server on 127.0.0.1 in a temp folder; stop and remove it on exit.

    Raises:
        PostgresUnavailable: no server binaries, or running as root without a ``postgres`` user.
    """
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable(
            "PostgreSQL server binaries not found (initdb/pg_ctl under /usr/lib/postgresql/*/bin); "
            "run `bash scripts/ensure_postgres.sh`"
        )
    run_as: str | None = None
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PostgresUnavailable("running as root and there is no 'postgres' user to run the server") from exc
        run_as = account.pw_name
    root = Path(tempfile.mkdtemp(prefix="telefeed-pg-"))
    if run_as is not None:
        os.chown(root, account.pw_uid, account.pw_gid)
    data = root / "data"
    port = free_port()
    pg_ctl = str(bin_dir / "pg_ctl")
    started = False
    try:
        _run(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", ROLE, "-A", "trust", "-E", "UTF8", "--no-sync"],
            run_as,
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        log_file = str(root / "server.log")
        _run([pg_ctl, "-D", str(data), "-o", options, "-l", log_file, "-w", "-t", "60", "start"], run_as)
        started = True
        yield PostgresServer(host="127.0.0.1", port=port, user=ROLE, bin_dir=bin_dir, run_as=run_as, data_dir=data)
    finally:
        if started:
            with suppress(RuntimeError, subprocess.TimeoutExpired):
                _run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], run_as)
        shutil.rmtree(root, ignore_errors=True)
