#!/usr/bin/env bash
# Make sure a PostgreSQL server (initdb, pg_ctl, postgres) is installed: the DuckLake tests start their own
# server on 127.0.0.1 in a temporary folder. Installs Debian's `postgresql` package when it is missing.
# Usage: bash scripts/ensure_postgres.sh   (prints the server's bin folder)
set -euo pipefail

find_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            echo "$dir"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v pg_ctl)")"
        return 0
    fi
    return 1
}

if bin_dir=$(find_bin); then
    echo "$bin_dir"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
    else
        echo "ensure_postgres: PostgreSQL is not installed and this user cannot install it (not root, no sudo)" >&2
        exit 1
    fi
else
    SUDO=
fi

echo "ensure_postgres: installing Debian's postgresql package" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends postgresql >&2

if bin_dir=$(find_bin); then
    echo "$bin_dir"
else
    echo "ensure_postgres: postgresql installed but initdb/pg_ctl not found under /usr/lib/postgresql/*/bin" >&2
    exit 1
fi
