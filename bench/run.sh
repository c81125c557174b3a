#!/usr/bin/env bash
# OnePass benchmark (issue 7): machine limits, then OnePass against node oidc-provider, A B A B.
#   bench/run.sh                 10 s per round, 3 rounds, 16 connections
#   BENCH_QUICK=1 bench/run.sh   3 s per round (a smoke run)
# Settings: BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_SCENARIOS (default
# "cc refresh sso login cc+login passkey disco"; passkey only when scenarios/passkey.mjs exists, and after
# every scenario that signs in with a password: once the user has a passkey, a password asks for a second factor),
# BENCH_SQLITE (1; 0 skips the SQLite phase), BENCH_SQLITE_SCENARIOS (default "cc refresh sso login"),
# BENCH_SERVER_CPU (0), BENCH_LOAD_CPU (1), BENCH_PG_OPTS.
# Writes bench/results/<UTC timestamp>.json, .md and .svg; see bench/README.md.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
BENCH=$(pwd)
ROOT=$(cd .. && pwd)

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DEBIAN_FRONTEND=noninteractive

if [[ -n "${BENCH_QUICK:-}" ]]; then : "${BENCH_SECONDS:=3}"; fi
export BENCH_SECONDS=${BENCH_SECONDS:-10}
export BENCH_ROUNDS=${BENCH_ROUNDS:-3}
export BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-16}
# passkey (OnePass only) joins the defaults when its scenario module is there, after the password sign-ins.
DEFAULT_SCENARIOS="cc refresh sso login cc+login"
if [[ -f "$BENCH/scenarios/passkey.mjs" ]]; then DEFAULT_SCENARIOS+=" passkey"; fi
DEFAULT_SCENARIOS+=" disco"
SCENARIOS=${BENCH_SCENARIOS:-$DEFAULT_SCENARIOS}
SQLITE=${BENCH_SQLITE:-1}
SQLITE_SCENARIOS=${BENCH_SQLITE_SCENARIOS:-cc refresh sso login}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
LOAD_CPU=${BENCH_LOAD_CPU:-1}
# The data is thrown away; commits are still written, but not waited for (a token store's usual setting).
PG_OPTS=${BENCH_PG_OPTS:--c synchronous_commit=off -c max_connections=200}

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# --- 1. What the benchmark needs ---------------------------------------------------------------
postgres_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$dir" && -x "$dir/postgres" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then printf '%s\n' "$dir"; fi
}
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
[[ -n "$(postgres_bin)" ]] || missing+=(postgresql)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if ((${#missing[@]} > 0)); then
  [[ $EUID -eq 0 ]] || die "missing Debian packages (run as root to install them): ${missing[*]}"
  log "installing: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH"
PGBIN=$(postgres_bin)
[[ -n "$PGBIN" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
(($(nproc) >= 2)) || log "warning: fewer than 2 cores; the servers and the load generator will share one"

log "npm packages (bench/package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error >/dev/null

# --- 2. Work folder, and stopping everything on exit -------------------------------------------
WORK=$(mktemp -d /tmp/onepass-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=()
PG_STARTED=""
as_postgres() {
  if [[ $EUID -eq 0 ]]; then (cd "$WORK" && runuser -u postgres -- "$@"); else (cd "$WORK" && "$@"); fi
}
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  set +e
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ -n "$PG_STARTED" ]]; then as_postgres "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate -w stop >/dev/null 2>&1; fi
  if ((status != 0)); then log "failed; logs kept in $WORK"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 40000))
}
wait_http() {
  local url=$1 log_file=$2
  for _ in $(seq 1 240); do
    curl -fs -o /dev/null --max-time 2 "$url" && return 0
    sleep 0.5
  done
  tail -n 40 "$log_file" >&2
  die "$url did not answer"
}
# Starts "$@" pinned to the server core in the background; its pid (taskset and env exec) in LAST_PID.
start_pinned() {
  local log_file=$1
  shift
  taskset -c "$SERVER_CPU" "$@" </dev/null >"$log_file" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}
drop_pid() {
  local pid=$1 kept=()
  stop_pid "$pid"
  for p in "${PIDS[@]}"; do [[ "$p" == "$pid" ]] || kept+=("$p"); done
  PIDS=("${kept[@]}")
}
load() { taskset -c "$LOAD_CPU" node "$BENCH/scenarios/run.mjs" "$@"; }

# --- 3. Builds ---------------------------------------------------------------------------------
log "building OnePass (Release) and bench/Limits"
dotnet publish "$ROOT/src/IdentityProvider" -c Release -o "$WORK/app" --artifacts-path "$WORK/build" \
  -p:UseAppHost=false >"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log" >&2; die "OnePass build failed"; }
dotnet publish "$BENCH/Limits" -c Release -o "$WORK/limits" --artifacts-path "$WORK/build" \
  -p:UseAppHost=false >"$WORK/build-limits.log" 2>&1 || { tail -n 40 "$WORK/build-limits.log" >&2; die "Limits build failed"; }

# --- 4. Machine limits on one core (not in a profile run) -------------------------------------
if [[ -z "${BENCH_PROFILE:-}" ]]; then
  log "limits: RS256 / ES256 signatures, PBKDF2-SHA512 100k (core $SERVER_CPU)"
  taskset -c "$SERVER_CPU" dotnet "$WORK/limits/OnePass.Bench.Limits.dll" crypto "$BENCH_SECONDS" >"$WORK/crypto.json"
  log "limits: $(cat "$WORK/crypto.json")"
  KPORT=$(free_port)
  start_pinned "$WORK/kestrel.log" dotnet "$WORK/limits/OnePass.Bench.Limits.dll" kestrel "$KPORT"
  KPID=$LAST_PID
  wait_http "http://127.0.0.1:$KPORT/" "$WORK/kestrel.log"
  BENCH_SECONDS=1 load limit "$WORK/kestrel-warm.json" "http://127.0.0.1:$KPORT/" 2>/dev/null
  load limit "$WORK/kestrel.json" "http://127.0.0.1:$KPORT/"
  drop_pid "$KPID"
fi

# --- 5. PostgreSQL and Redis for OnePass (on the server core too: OnePass's whole stack gets one core)
REDIS_PORT=$(free_port)
PG_PORT=$(free_port)
mkdir -p "$WORK/redis"
start_pinned "$WORK/redis.log" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" \
  --appendonly yes --save '' --daemonize no
if [[ $EUID -eq 0 ]]; then chown postgres:postgres "$WORK"; fi
(umask 077 && printf 'bench-%s%s\n' "$RANDOM" "$RANDOM" >"$WORK/pgpass")
if [[ $EUID -eq 0 ]]; then chown postgres:postgres "$WORK/pgpass"; fi
as_postgres "$PGBIN/initdb" -D "$WORK/pg" -U postgres --pwfile="$WORK/pgpass" --auth-local=trust \
  --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; exit 1; }
PG_STARTED=1
as_postgres taskset -c "$SERVER_CPU" "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/postgres.log" -w -t 60 \
  -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 $PG_OPTS" start >/dev/null \
  || { cat "$WORK/postgres.log" >&2; exit 1; }
for _ in $(seq 1 100); do
  [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]] && break
  sleep 0.1
done
PG_PASSWORD=$(cat "$WORK/pgpass")

# --- 6. One phase: OnePass and the peer with one signing algorithm, then the scenarios ----------
# Starts OnePass (pinned) for one signing algorithm on a fresh database (a PostgreSQL database, or a
# new SQLite file under $WORK with provider Sqlite); sets OP_PID and OP_PORT. Logs are named after tag.
start_onepass() {
  local tag=$1 alg=$2 provider=${3:-PostgreSQL}
  local db="onepass_${tag//-/_}" connection
  OP_PORT=$(free_port)
  if [[ "$provider" == Sqlite ]]; then
    mkdir -p "$WORK/sqlite-$tag"
    connection="Data Source=$WORK/sqlite-$tag/onepass.db"
  else
    PGPASSWORD="$PG_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtAc "create database $db" >/dev/null
    connection="Host=127.0.0.1;Port=$PG_PORT;Database=$db;Username=postgres;Password=$PG_PASSWORD"
  fi
  # Each phase is a new cluster (a new database); OnePass marks Redis with the database it belongs to.
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" flushall >/dev/null
  local env_vars=(
    ASPNETCORE_ENVIRONMENT=Production
    "ASPNETCORE_URLS=http://127.0.0.1:$OP_PORT"
    "OnePass__Issuer=http://127.0.0.1:$OP_PORT/"
    OnePass__RequireHttps=false
    "OnePass__DatabaseProvider=$provider"
    "ConnectionStrings__Database=$connection"
    "ConnectionStrings__Redis=127.0.0.1:$REDIS_PORT"
    "OnePass__SeedFile=$BENCH/seed.json"
    "OnePass__Keys__Algorithm=$alg"
    # The defaults (the issuer's host and origin), spelled out: the passkey scenario's authenticator uses them.
    OnePass__Passkeys__RpId=127.0.0.1
    "OnePass__Passkeys__Origins__0=http://127.0.0.1:$OP_PORT"
    # Every request comes from 127.0.0.1: the per-IP limits would measure the limiter, not the server.
    OnePass__RateLimits__SignInPerIpPerMinute=1000000
    OnePass__RateLimits__AuthorizationRequestsPerIpPerMinute=1000000
  )
  # BENCH_PERF=1 (profile runs): the runtime writes /tmp/perf-PID.map so perf can name JIT-compiled methods.
  # (W^X off: perf reads that map only for anonymous code, not for the runtime's double-mapped code.)
  if [[ -n "${BENCH_PERF:-}" ]]; then env_vars+=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0); fi
  # BENCH_ONEPASS_ENV="NAME=value ...": extra environment for OnePass (experiments with runtime settings).
  if [[ -n "${BENCH_ONEPASS_ENV:-}" ]]; then read -r -a extra_env <<<"$BENCH_ONEPASS_ENV"; env_vars+=("${extra_env[@]}"); fi
  log "phase $tag: migrating ($provider)"
  (cd "$WORK/app" && env "${env_vars[@]}" dotnet OnePass.IdentityProvider.dll migrate) >"$WORK/migrate-$tag.log" 2>&1 \
    || { cat "$WORK/migrate-$tag.log" >&2; die "migrate failed"; }
  (cd "$WORK/app" && exec taskset -c "$SERVER_CPU" env "${env_vars[@]}" dotnet OnePass.IdentityProvider.dll) \
    </dev/null >"$WORK/onepass-$tag.log" 2>&1 &
  OP_PID=$!
  PIDS+=("$OP_PID")
  wait_http "http://127.0.0.1:$OP_PORT/health/ready" "$WORK/onepass-$tag.log"
}

# run_phase TAG ALG PROVIDER OUT SCENARIO...: OnePass (PROVIDER) and the peer, both with ALG.
run_phase() {
  local tag=$1 alg=$2 provider=$3 out=$4
  shift 4
  local peer_port
  start_onepass "$tag" "$alg" "$provider"
  peer_port=$(free_port)
  log "phase $tag: OnePass ($provider) on 127.0.0.1:$OP_PORT, peer on 127.0.0.1:$peer_port (core $SERVER_CPU)"
  start_pinned "$WORK/peer-$tag.log" env PEER_PORT="$peer_port" PEER_ALG="$alg" BENCH_SEED="$BENCH/seed.json" \
    node "$BENCH/peer/server.mjs"
  local peer_pid=$LAST_PID
  wait_http "http://127.0.0.1:$peer_port/.well-known/openid-configuration" "$WORK/peer-$tag.log"
  ONEPASS_URL="http://127.0.0.1:$OP_PORT/" ONEPASS_PID=$OP_PID PEER_URL="http://127.0.0.1:$peer_port/" PEER_PID=$peer_pid \
    load servers "$out" "$@"
  drop_pid "$OP_PID"
  drop_pid "$peer_pid"
}

# BENCH_PROFILE="cc sso": no comparison; each named scenario against OnePass (RS256) alone, with a CPU
# sample profile (dotnet-trace) and runtime/ASP.NET Core/Npgsql counters (dotnet-counters) over one
# BENCH_SECONDS run. Writes bench/results/<stamp>-profile/<scenario>.{top.txt,counters.csv,nettrace}; top.txt
# leaves out samples of waiting threads (bench/profile-report.mjs), so it shows where CPU time went.
# utime+stime clock ticks of OnePass, of every PostgreSQL process and of Redis: "onepass postgres redis".
stack_cpu_ticks() {
  local pids pg=0 op redis=0 p
  ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
  op=$(ticks "$(pgrep -P "$OP_PID" -f OnePass.IdentityProvider.dll | head -n 1 || echo "$OP_PID")")
  for p in $(pgrep -f "postgres.*$WORK/pg" ; pgrep -u postgres -f "postgres: " 2>/dev/null); do pg=$((pg + $(ticks "$p"))); done
  for p in $(pgrep -f "redis-server 127.0.0.1:$REDIS_PORT"); do redis=$((redis + $(ticks "$p"))); done
  echo "$op $pg $redis"
}

profile_phase() {
  local dir=$1
  shift
  export PATH="$PATH:$HOME/.dotnet/tools"
  command -v dotnet-trace >/dev/null 2>&1 || dotnet tool install -g dotnet-trace >/dev/null
  command -v dotnet-counters >/dev/null 2>&1 || dotnet tool install -g dotnet-counters >/dev/null
  mkdir -p "$dir"
  start_onepass profile RS256
  local name duration
  duration=$(printf '00:00:00:%02d' "$BENCH_SECONDS")
  for name in "$@"; do
    rm -f "$WORK/profile-$name.json.ready"
    ONEPASS_URL="http://127.0.0.1:$OP_PORT/" load profile "$WORK/profile-$name.json" "$name" &
    local driver=$!
    until [[ -e "$WORK/profile-$name.json.ready" ]]; do sleep 0.1; done
    dotnet-counters collect -p "$OP_PID" --duration "$duration" --format csv -o "$dir/$name.counters.csv" \
      --counters System.Runtime,Microsoft.AspNetCore.Hosting,Microsoft.AspNetCore.Server.Kestrel,Npgsql,Microsoft.EntityFrameworkCore,System.Net.Http \
      >"$WORK/counters-$name.log" 2>&1 &
    local counters=$!
    local cpu_before t_before
    cpu_before=$(stack_cpu_ticks)
    t_before=$(date +%s.%N)
    if [[ -n "${BENCH_PERF:-}" ]]; then
      # On-CPU samples of OnePass's threads (perf, not the runtime's thread-time sampler), JIT methods named by the map.
      command -v perf >/dev/null 2>&1 || apt-get install -y -q linux-perf >/dev/null
      local op_proc
      op_proc=$(pgrep -P "$OP_PID" -f OnePass.IdentityProvider.dll | head -n 1 || echo "$OP_PID")
      perf record -F 199 -g -p "$op_proc" -o "$WORK/perf-$name.data" -- sleep "$BENCH_SECONDS" >"$WORK/perf-$name.log" 2>&1 \
        || { cat "$WORK/perf-$name.log" >&2; die "perf record failed"; }
      { perf report -i "$WORK/perf-$name.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null || true; } \
        | grep -v '^$' | sed -n '1,300p' >"$dir/$name.perf.txt"
      { perf report -i "$WORK/perf-$name.data" --children --sort symbol --stdio -g none 2>/dev/null || true; } \
        | grep -v '^$' | sed -n '1,300p' >"$dir/$name.perf-inclusive.txt"
    else
      dotnet-trace collect -p "$OP_PID" --profile dotnet-sampled-thread-time --duration "$duration" \
        -o "$dir/$name.nettrace" >"$WORK/trace-$name.log" 2>&1 || { cat "$WORK/trace-$name.log" >&2; die "dotnet-trace failed"; }
    fi
    local cpu_after t_after
    cpu_after=$(stack_cpu_ticks)
    t_after=$(date +%s.%N)
    wait "$driver"
    wait "$counters" || true
    {
      echo "# $name: OnePass alone, RS256, $BENCH_SECONDS s, $BENCH_CONNECTIONS connections, while profiled"
      # CPU of the server core's processes between the two snapshots (the trace session), in percent of one core.
      node -e 'const [b,a,s]=[process.argv[1],process.argv[2],Number(process.argv[3])].map((x,i)=>i<2?x.split(" ").map(Number):x);
        const names=["OnePass","PostgreSQL","Redis"]; const hz=100;
        console.log("core " + process.argv[4] + " CPU while profiled: " + names.map((n,i)=>`${n} ${(100*(a[i]-b[i])/hz/s).toFixed(0)}%`).join(", "));' \
        "$cpu_before" "$cpu_after" "$(awk -v a="$t_after" -v b="$t_before" 'BEGIN { print a - b }')" "$SERVER_CPU"
      node -e 'const r=require(process.argv[1]); console.log(`${r.perSec.toFixed(1)}/s p50 ${r.p50?.toFixed(1)} ms p99 ${r.p99?.toFixed(1)} ms errors ${r.errors}`)' \
        "$WORK/profile-$name.json"
      dotnet-trace convert "$dir/$name.nettrace" --format speedscope -o "$WORK/$name" >/dev/null 2>&1 \
        && node "$BENCH/profile-report.mjs" "$WORK/$name.speedscope.json"
    } >"$dir/$name.top.txt" 2>&1
    rm -f "$dir/$name.nettrace.etlx"
    log "profile $name: $dir/$name.top.txt"
  done
  drop_pid "$OP_PID"
}

if [[ -n "${BENCH_PROFILE:-}" ]]; then
  read -r -a profile_list <<<"$BENCH_PROFILE"
  profile_phase "$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)-profile" "${profile_list[@]}"
  exit 0
fi

read -r -a scenario_list <<<"$SCENARIOS"
run_phase rs256 RS256 PostgreSQL "$WORK/rs256.json" "${scenario_list[@]}"
if [[ " $SCENARIOS " == *" cc "* ]]; then
  run_phase es256 ES256 PostgreSQL "$WORK/es256.json" cc
else
  echo '{}' >"$WORK/es256.json"
fi
# The issue's second variant: OnePass on a SQLite file (Redis as before), RS256, against the peer.
if [[ "$SQLITE" != 0 ]]; then
  read -r -a sqlite_list <<<"$SQLITE_SCENARIOS"
  run_phase sqlite RS256 Sqlite "$WORK/sqlite.json" "${sqlite_list[@]}"
fi

# --- 7. Report ---------------------------------------------------------------------------------
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BENCH/results"
node "$BENCH/report.mjs" "$WORK" "$BENCH/results/$STAMP" \
  "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
log "wrote bench/results/$STAMP.json, .md and .svg"
cat "$BENCH/results/$STAMP.md"
