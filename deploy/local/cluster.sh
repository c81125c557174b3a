#!/usr/bin/env bash
# A local OnePass cluster on loopback, from Debian packages: PostgreSQL, Redis (append-only), two
# identity-provider nodes sharing them, and HAProxy in front (round-robin, health-checked).
#
#   deploy/local/cluster.sh start    install what is missing, build, start everything, wait until ready
#   deploy/local/cluster.sh status   what runs where, and whether each part answers
#   deploy/local/cluster.sh stop     stop everything it started and delete the data folder
#
# Settings (environment variables):
#   ONEPASS_CLUSTER_DIR     throwaway data folder           /tmp/onepass-cluster
#   ONEPASS_PROXY_PORT      HAProxy (the public issuer)     8080
#   ONEPASS_NODE1_PORT      identity-provider node 1        8081
#   ONEPASS_NODE2_PORT      identity-provider node 2        8082
#   ONEPASS_REDIS_PORT      Redis                           6390
#   ONEPASS_POSTGRES_PORT   PostgreSQL                      5440
#   ONEPASS_SEED_FILE       seed applied by every node      deploy/local/seed.json
# The issuer is http://127.0.0.1:$ONEPASS_PROXY_PORT/ (plain HTTP: OnePass__RequireHttps=false).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=${ONEPASS_CLUSTER_DIR:-/tmp/onepass-cluster}
PROXY_PORT=${ONEPASS_PROXY_PORT:-8080}
NODE1_PORT=${ONEPASS_NODE1_PORT:-8081}
NODE2_PORT=${ONEPASS_NODE2_PORT:-8082}
REDIS_PORT=${ONEPASS_REDIS_PORT:-6390}
PG_PORT=${ONEPASS_POSTGRES_PORT:-5440}
SEED_FILE=${ONEPASS_SEED_FILE:-$ROOT/deploy/local/seed.json}
ISSUER="http://127.0.0.1:$PROXY_PORT/"
DLL="$DIR/app/OnePass.IdentityProvider.dll"
READY_TIMEOUT=${ONEPASS_READY_TIMEOUT:-120}

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DEBIAN_FRONTEND=noninteractive

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

postgres_bin() {
  # Debian keeps server binaries per major version; take the newest (as test.sh does).
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$dir" && -x "$dir/postgres" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
    printf '%s\n' "$dir"
  fi
}

# Run from $DIR: the postgres user may not be allowed into the checkout's folder.
as_postgres() {
  if [[ $EUID -eq 0 ]]; then (cd "$DIR" && runuser -u postgres -- "$@"); else (cd "$DIR" && "$@"); fi
}

install_missing() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
  [[ -n "$(postgres_bin)" ]] || missing+=(postgresql)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if ((${#missing[@]} > 0)); then
    [[ $EUID -eq 0 ]] || die "missing Debian packages (run as root to install them): ${missing[*]}"
    log "installing: ${missing[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [[ -f "$DIR/$1.pid" ]] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

# Starts "$@" in its own session, detached from this shell, output to $DIR/NAME.log, pid to $DIR/NAME.pid.
launch() {
  local name=$1
  shift
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$DIR/$name.pid" "$@" </dev/null >"$DIR/$name.log" 2>&1 &
  for _ in $(seq 1 50); do
    [[ -s "$DIR/$name.pid" ]] && return 0
    sleep 0.1
  done
  die "$name did not start (see $DIR/$name.log)"
}

# Environment shared by both nodes and the one-off commands (CONTRACT §2), as NAME=value words for env(1).
node_env() {
  NODE_ENV=(
    ASPNETCORE_ENVIRONMENT=Production
    OnePass__RequireHttps=false
    "OnePass__Issuer=$ISSUER"
    OnePass__DatabaseProvider=PostgreSQL
    "ConnectionStrings__Database=Host=127.0.0.1;Port=$PG_PORT;Database=onepass;Username=postgres;Password=$(cat "$DIR/pgpass")"
    "ConnectionStrings__Redis=127.0.0.1:$REDIS_PORT"
    OnePass__KnownProxies__0=127.0.0.1
    "OnePass__SeedFile=$SEED_FILE"
  )
}

PROXY_ENV=(ONEPASS_PROXY_PORT="$PROXY_PORT" ONEPASS_NODE1_PORT="$NODE1_PORT" ONEPASS_NODE2_PORT="$NODE2_PORT")

wait_for() {
  local what=$1 url=$2 deadline=$((SECONDS + READY_TIMEOUT))
  until curl -fs -o /dev/null --max-time 3 "$url"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
  log "$what ready"
}

print_layout() {
  cat <<EOF
OnePass local cluster (data: $DIR)
  issuer / proxy   $ISSUER  (HAProxy, round-robin; header X-OnePass-Node names the node)
  discovery        ${ISSUER}.well-known/openid-configuration
  node idp1        http://127.0.0.1:$NODE1_PORT/   log $DIR/idp1.log
  node idp2        http://127.0.0.1:$NODE2_PORT/   log $DIR/idp2.log
  PostgreSQL       127.0.0.1:$PG_PORT database onepass, user postgres, password in $DIR/pgpass
  Redis            127.0.0.1:$REDIS_PORT (appendonly yes)
  seed             $SEED_FILE  (user citizen1, agencies agency-tax on :7001, agency-health on :7002)
Stop with: $0 stop
EOF
}

cmd_start() {
  if [[ -d "$DIR" ]] && compgen -G "$DIR/*.pid" >/dev/null; then
    die "a cluster seems to run already in $DIR ($0 status; $0 stop)"
  fi
  local port
  for port in "$PROXY_PORT" "$NODE1_PORT" "$NODE2_PORT" "$REDIS_PORT" "$PG_PORT"; do
    if port_in_use "$port"; then die "port $port on 127.0.0.1 is in use; choose others (see the top of $0)"; fi
  done
  [[ -f "$SEED_FILE" ]] || die "seed file not found: $SEED_FILE"
  install_missing
  local pgbin
  pgbin=$(postgres_bin)
  [[ -n "$pgbin" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"

  mkdir -p "$DIR"
  chmod 755 "$DIR"
  touch "$DIR/.onepass-cluster" # stop deletes only a folder that carries this mark
  trap 'start_failed' EXIT

  log "building the identity provider into $DIR/app"
  dotnet publish "$ROOT/src/IdentityProvider" -c Release -o "$DIR/app" --artifacts-path "$DIR/build" \
    -p:UseAppHost=false >"$DIR/build.log" 2>&1 || { tail -n 40 "$DIR/build.log" >&2; false; }
  [[ -f "$DLL" ]] || die "the build did not produce $DLL"

  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p "$DIR/redis"
  launch redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DIR/redis" \
    --appendonly yes --daemonize no --protected-mode yes

  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  mkdir -p "$DIR/pg" "$DIR/pgsock"
  (umask 077 && printf 'onepass-%s%s%s\n' "$RANDOM" "$RANDOM" "$RANDOM" >"$DIR/pgpass")
  if [[ $EUID -eq 0 ]]; then chown postgres:postgres "$DIR/pg" "$DIR/pgsock" "$DIR/pgpass"; fi
  chmod 700 "$DIR/pg"
  as_postgres "$pgbin/initdb" -D "$DIR/pg" -U postgres --pwfile="$DIR/pgpass" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; false; }
  touch "$DIR/postgres.pid" # marks PostgreSQL as started for stop (pg_ctl keeps its own pid file)
  as_postgres "$pgbin/pg_ctl" -D "$DIR/pg" -l "$DIR/pg/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $DIR/pgsock -c listen_addresses=127.0.0.1" start >/dev/null \
    || { cat "$DIR/pg/postgres.log" >&2; false; }
  PGPASSWORD=$(cat "$DIR/pgpass") psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtAc 'create database onepass' >/dev/null

  local tries=0
  until [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; do
    ((++tries < 100)) || die "Redis does not answer (see $DIR/redis.log)"
    sleep 0.1
  done

  # Once, before the nodes start, so that two nodes never race to create tables, keys or seed rows.
  log "migrating the database and applying the seed"
  node_env
  (cd "$DIR/app" && env "${NODE_ENV[@]}" dotnet "$DLL" migrate) >"$DIR/migrate.log" 2>&1 \
    || { cat "$DIR/migrate.log" >&2; false; }
  (cd "$DIR/app" && env "${NODE_ENV[@]}" dotnet "$DLL" seed "$SEED_FILE") >"$DIR/seed.log" 2>&1 \
    || { cat "$DIR/seed.log" >&2; false; }

  log "starting nodes idp1 (127.0.0.1:$NODE1_PORT) and idp2 (127.0.0.1:$NODE2_PORT)"
  (cd "$DIR/app" && launch idp1 env "${NODE_ENV[@]}" "ASPNETCORE_URLS=http://127.0.0.1:$NODE1_PORT" dotnet "$DLL")
  (cd "$DIR/app" && launch idp2 env "${NODE_ENV[@]}" "ASPNETCORE_URLS=http://127.0.0.1:$NODE2_PORT" dotnet "$DLL")

  log "starting HAProxy on 127.0.0.1:$PROXY_PORT"
  env "${PROXY_ENV[@]}" haproxy -c -q -f "$ROOT/deploy/local/haproxy.cfg" \
    || die "HAProxy refuses deploy/local/haproxy.cfg"
  launch haproxy env "${PROXY_ENV[@]}" haproxy -db -f "$ROOT/deploy/local/haproxy.cfg"

  wait_for "idp1" "http://127.0.0.1:$NODE1_PORT/health/ready" || { tail -n 40 "$DIR/idp1.log" >&2; false; }
  wait_for "idp2" "http://127.0.0.1:$NODE2_PORT/health/ready" || { tail -n 40 "$DIR/idp2.log" >&2; false; }
  wait_for "proxy" "${ISSUER}health/ready" || { tail -n 40 "$DIR/haproxy.log" >&2; false; }
  trap - EXIT
  print_layout
}

# Any failure after the data folder exists (set -e, die): stop what was started, delete the folder.
start_failed() {
  local status=$?
  trap - EXIT
  set +e
  log "start failed; stopping what was started (logs above)"
  cmd_stop
  exit $((status == 0 ? 1 : status))
}

# Ends the process in $DIR/NAME.pid: TERM, up to 10 s, then KILL.
stop_process() {
  local name=$1 pid
  [[ -f "$DIR/$name.pid" ]] || return 0
  pid=$(cat "$DIR/$name.pid")
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) did not stop; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$DIR/$name.pid"
}

cmd_stop() {
  if [[ ! -d "$DIR" ]]; then
    log "nothing to stop ($DIR does not exist)"
    return 0
  fi
  stop_process haproxy
  stop_process idp1
  stop_process idp2
  stop_process redis
  if [[ -f "$DIR/postgres.pid" ]]; then
    local pgbin
    pgbin=$(postgres_bin)
    if [[ -n "$pgbin" && -f "$DIR/pg/postmaster.pid" ]]; then
      as_postgres "$pgbin/pg_ctl" -D "$DIR/pg" -m fast -w -t 30 stop >/dev/null 2>&1 \
        || as_postgres "$pgbin/pg_ctl" -D "$DIR/pg" -m immediate -w stop >/dev/null 2>&1 || true
      log "stopped PostgreSQL"
    fi
    rm -f "$DIR/postgres.pid"
  fi
  if [[ -f "$DIR/.onepass-cluster" ]]; then
    rm -rf "$DIR"
    log "deleted $DIR"
  else
    log "not deleting $DIR: it was not made by $0"
  fi
}

cmd_status() {
  if [[ ! -d "$DIR" ]]; then
    echo "not running ($DIR does not exist)"
    return 3
  fi
  print_layout
  local status=0 name url
  echo "Status:"
  for name in redis idp1 idp2 haproxy; do
    if pid_alive "$name"; then
      printf '  %-10s running (pid %s)\n' "$name" "$(cat "$DIR/$name.pid")"
    else
      printf '  %-10s NOT running\n' "$name"
      status=1
    fi
  done
  if [[ -f "$DIR/pg/postmaster.pid" ]] && kill -0 "$(head -n 1 "$DIR/pg/postmaster.pid")" 2>/dev/null; then
    printf '  %-10s running (pid %s)\n' postgres "$(head -n 1 "$DIR/pg/postmaster.pid")"
  else
    printf '  %-10s NOT running\n' postgres
    status=1
  fi
  for url in "http://127.0.0.1:$NODE1_PORT/health/ready" "http://127.0.0.1:$NODE2_PORT/health/ready" "${ISSUER}health/ready"; do
    printf '  %-48s %s\n' "$url" "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$url" || true)"
  done
  return "$status"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
