"""The ``telefeed`` command line (typer), grouped by noun.

- ``telefeed run | backfill | serve``: run the pipeline (telefeed/cli_run.py);
- ``telefeed sql | export | report``: read the warehouse (telefeed/cli_query.py);
- ``telefeed extract file | text | rerun | cluster``: extraction (telefeed/cli_extract.py);
- ``telefeed telegram login`` (telefeed/cli_telegram.py); ``telefeed warehouse info | maintain``
  (telefeed/cli_warehouse.py).

The commands' earlier names (``reextract``, ``extract-text``, ``cluster``, ``telegram-login``, ``warehouse-info``,
``lake-maintain``) still work, hidden from the help. Shared options and helpers: telefeed/cli_common.py.
"""

from __future__ import annotations

import os

import typer

from telefeed import cli_extract, cli_query, cli_run, cli_telegram, cli_warehouse

# telefeed runs offline by default: the temporary Prefect server it starts sends no usage telemetry unless asked.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# ... and a busy machine gets two minutes (Prefect's default: 20 s) to start it before a run gives up.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

app = typer.Typer(help="telefeed: Telegram channels and news feeds into a DuckDB warehouse.", no_args_is_help=True)

for _commands in (cli_run, cli_query, cli_extract, cli_telegram, cli_warehouse):
    _commands.register(app)


def main() -> None:  # pragma: no cover
    """Entry point for ``python -m telefeed``."""
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "telefeed")
    app()
