#!/usr/bin/env bash
# Zorgt dat er een PostgreSQL-server op 127.0.0.1:5432 draait (trust-authenticatie, gebruiker postgres).
# Ensures a PostgreSQL server answers on 127.0.0.1:5432 (trust auth, user postgres).
#
#   1. already answering           -> done
#   2. a Debian cluster exists     -> pg_ctlcluster ... main start
#      (PG_PORT / PG_CLUSTER override 5432 / main; only for testing this script)
#   3. nothing installed           -> apt-get install postgresql, create + start a cluster
# Then waits (bounded) until the server accepts connections and makes sure the database
# `jeugdregie` exists. Non-interactive; needs root (or passwordless sudo) for steps 2 and 3.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
HOST=127.0.0.1
PORT="${PG_PORT:-5432}"
CLUSTER="${PG_CLUSTER:-main}"
DB_NAME="${PGDATABASE_NAME:-jeugdregie}"
WAIT_SECONDS="${PG_WAIT_SECONDS:-60}"

say() { printf 'postgres: %s\n' "$*"; }
die() { printf 'postgres: FOUT / ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [[ "$(id -u)" -ne 0 ]] && command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
fi

ready() {
    command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$HOST" -p "$PORT" -t 2
}

latest_version() {
    # Highest installed major version that has a cluster directory.
    [[ -d /etc/postgresql ]] || return 1
    local v
    v="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$v" ]] || return 1
    echo "$v"
}

wait_ready() {
    local i
    for ((i = 0; i < WAIT_SECONDS; i++)); do
        ready && return 0
        sleep 1
    done
    return 1
}

ensure_database() {
    if ! psql -h "$HOST" -p "$PORT" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
        say "creating database $DB_NAME"
        createdb -h "$HOST" -p "$PORT" -U postgres "$DB_NAME"
    fi
}

if ready; then
    say "already accepting connections on $HOST:$PORT"
    ensure_database
    exit 0
fi

if ! version="$(latest_version)" || [[ ! -d "/etc/postgresql/$version/$CLUSTER" ]]; then
    say "no PostgreSQL cluster installed: installing Debian package 'postgresql' ..."
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq postgresql >/dev/null
    version="$(latest_version)" || version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    if [[ ! -d "/etc/postgresql/$version/$CLUSTER" ]]; then
        say "creating cluster $version/$CLUSTER"
        $SUDO pg_createcluster "$version" "$CLUSTER" --port "$PORT" >/dev/null
    fi
    conf="/etc/postgresql/$version/$CLUSTER"
    # Listen on loopback only, fixed port, trust auth for local connections (development/CI only).
    $SUDO tee "$conf/conf.d/jeugdregie.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
EOF
    $SUDO tee "$conf/pg_hba.conf" >/dev/null <<'EOF'
# Written by scripts/ensure-postgres.sh: development/CI cluster, loopback only, trust auth.
local   all all                trust
host    all all 127.0.0.1/32   trust
host    all all ::1/128        trust
EOF
fi

say "starting cluster $version/$CLUSTER"
# `start` fails when the cluster is already running on another port or is half-started;
# the readiness check below is what decides.
$SUDO pg_ctlcluster --skip-systemctl-redirect "$version" "$CLUSTER" start || true

if ! wait_ready; then
    pg_lsclusters >&2 || true
    die "PostgreSQL did not accept connections on $HOST:$PORT within ${WAIT_SECONDS}s"
fi
say "accepting connections on $HOST:$PORT"
ensure_database
