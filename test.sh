#!/usr/bin/env bash
# Runs every OnePass test on a fresh Debian machine (root, .NET SDK and Node present):
#   1. installs what is missing (Debian: redis-server, postgresql, chromium, fonts-nanum, oathtool; npm: tests/interop),
#   2. starts a throwaway Redis and PostgreSQL on free loopback ports,
#   3. runs `dotnet test OnePass.sln` with ONEPASS_TEST_REDIS / ONEPASS_TEST_POSTGRES set,
#   4. stops both services and deletes their data, even on failure,
#   5. ends with one line `N passed, N failed[, N skipped]` and the tests' exit status.
# Extra arguments go to `dotnet test` (e.g. --filter, --artifacts-path).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$(pwd)

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Test hosts watch no files through inotify: each host's configuration reload and wwwroot file provider
# (asp-append-version) would take inotify instances, and a full run of hosts reaches the default limit
# of 128 per user (then pages answer 500). Configuration is not reloaded; files are polled instead.
export DOTNET_hostBuilder__reloadConfigOnChange=false DOTNET_USE_POLLING_FILE_WATCHER=1
export DEBIAN_FRONTEND=noninteractive

log() { printf '[test.sh] %s\n' "$*" >&2; }

# --- 1. Debian packages -------------------------------------------------------------------------
postgres_bin() {
  # Debian keeps server binaries per major version; take the newest.
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$dir" && -x "$dir/postgres" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
    printf '%s\n' "$dir"
  fi
}

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
[[ -n "$(postgres_bin)" ]] || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
[[ -x /usr/bin/chromium ]] || missing+=(chromium fonts-liberation)
command -v oathtool >/dev/null 2>&1 || missing+=(oathtool) # an independent TOTP implementation for the tests
# Korean glyphs for the browser tests' screenshots (without them Hangul renders as empty boxes).
[[ -d /usr/share/fonts/truetype/nanum ]] || missing+=(fonts-nanum)
if ((${#missing[@]} > 0)); then
  log "installing: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
PGBIN=$(postgres_bin)
[[ -n "$PGBIN" ]] || { log "PostgreSQL server binaries not found under /usr/lib/postgresql"; exit 1; }

# --- 2. npm packages for the interop tests ------------------------------------------------------
if [[ -f tests/interop/package.json ]]; then
  log "npm packages for tests/interop"
  if [[ -f tests/interop/package-lock.json ]]; then
    (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
  else
    (cd tests/interop && npm install --no-audit --no-fund --loglevel=error)
  fi
fi

# --- 3. Throwaway services ----------------------------------------------------------------------
WORK=$(mktemp -d /tmp/onepass-test.XXXXXX)
chmod 755 "$WORK"
REDIS_PID=""
PG_DATA="$WORK/pg"
PG_STARTED=""

# Run from $WORK: the postgres user may not be allowed into the checkout's folder.
as_postgres() {
  if [[ $EUID -eq 0 ]]; then (cd "$WORK" && runuser -u postgres -- "$@"); else (cd "$WORK" && "$@"); fi
}

cleanup() {
  local status=$?
  set +e
  if [[ -n "$PG_STARTED" ]]; then
    as_postgres "$PGBIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1
  fi
  if [[ -n "$REDIS_PID" ]]; then
    kill "$REDIS_PID" 2>/dev/null
    wait "$REDIS_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nothing listens on, chosen by the kernel (bind to port 0), other than the ones given.
free_port() {
  local port
  for _ in $(seq 1 50); do
    if command -v python3 >/dev/null 2>&1; then
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    else
      port=$((20000 + RANDOM % 40000))
    fi
    if [[ " $* " != *" $port "* ]] && ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  log "no free loopback port found"
  return 1
}

REDIS_PORT=$(free_port)
PG_PORT=$(free_port "$REDIS_PORT")

mkdir -p "$WORK/redis"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" \
  --appendonly yes --save '' --daemonize no --logfile "$WORK/redis/redis.log" &
REDIS_PID=$!

if [[ $EUID -eq 0 ]]; then chown postgres:postgres "$WORK"; fi
PG_PASSWORD="onepass-test-$RANDOM$RANDOM"
printf '%s\n' "$PG_PASSWORD" >"$WORK/pgpass"
chmod 600 "$WORK/pgpass"
if [[ $EUID -eq 0 ]]; then chown postgres:postgres "$WORK/pgpass"; fi
as_postgres "$PGBIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$WORK/pgpass" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; exit 1; }
# fsync off: the data is thrown away, and the tests create many databases.
as_postgres "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$WORK/postgres.log" -w -t 60 \
  -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$WORK/postgres.log" >&2; exit 1; }
PG_STARTED=1

for _ in $(seq 1 100); do
  if [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; then break; fi
  sleep 0.1
done
[[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]] \
  || { log "Redis did not start"; cat "$WORK/redis/redis.log" >&2; exit 1; }
PGPASSWORD="$PG_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc 'select 1' >/dev/null \
  || { log "PostgreSQL does not answer"; exit 1; }

export ONEPASS_TEST_REDIS="127.0.0.1:$REDIS_PORT"
export ONEPASS_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=$PG_PASSWORD;Database=postgres"
log "Redis on 127.0.0.1:$REDIS_PORT, PostgreSQL on 127.0.0.1:$PG_PORT"

# --- 4. Tests -----------------------------------------------------------------------------------
RESULTS="$WORK/results"
set +e
dotnet test "$ROOT/OnePass.sln" -c Release --logger trx --results-directory "$RESULTS" "$@"
TEST_STATUS=$?
set -e

# --- 5. Summary from the TRX files (one per test project) ---------------------------------------
trx_counter() {
  local value
  value=$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$2")
  printf '%s\n' "${value:-0}"
}
passed=0 failed=0 skipped=0
shopt -s nullglob
for trx in "$RESULTS"/*.trx "$RESULTS"/*/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)
  passed=$((passed + $(trx_counter passed "$counters")))
  failed=$((failed + $(trx_counter failed "$counters") + $(trx_counter error "$counters") + $(trx_counter timeout "$counters") + $(trx_counter aborted "$counters")))
  skipped=$((skipped + $(trx_counter notExecuted "$counters")))
done
if ((TEST_STATUS != 0 && failed == 0)); then
  log "dotnet test exited with $TEST_STATUS (build error or crashed test host)"
fi
summary="$passed passed, $failed failed"
if ((skipped > 0)); then summary="$summary, $skipped skipped"; fi
echo "$summary"
exit "$TEST_STATUS"
