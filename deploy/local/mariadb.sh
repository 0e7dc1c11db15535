#!/usr/bin/env bash
# Finds or starts a MySQL-compatible server for local runs and tests, and prints its server
# DSN without a database name (e.g. "root@tcp(127.0.0.1:3307)/"); callers append one.
#
#   1. ERP_MYSQL_DSN set            -> print its server part (user, address) and stop.
#   2. 127.0.0.1:3306 accepts root  -> use it (some machines run a MariaDB there).
#   3. otherwise a private MariaDB under .data/mariadb on 127.0.0.1:${ERP_LOCAL_DB_PORT:-3307},
#      installed from Debian's packages when mariadbd is missing, started detached so that
#      it outlives this script, and reused by later runs.
#
# "mariadb.sh test" does the same for tests (ERP_TEST_MYSQL_DSN first), except that the
# private server keeps its data in memory (/dev/shm) on port ${ERP_TEST_DB_PORT:-3308}:
# every test creates and drops its own database, and on disk each CREATE TABLE costs an
# fsync (20 tables: ~2 s on disk, ~0.1 s in memory). It is a real MariaDB all the same.
# Benchmarks use the durable server.
#
# "mariadb.sh stop" stops the private servers.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="${ERP_DATA_DIR:-$root/.data}"
mode="${1:-run}"
port="${ERP_LOCAL_DB_PORT:-3307}"
dir="$data/mariadb"
tuning=(--innodb-buffer-pool-size=1G --innodb-log-file-size=512M)
if [[ "$mode" == "test" ]]; then
  port="${ERP_TEST_DB_PORT:-3308}"
  shm=/dev/shm
  [[ -d "$shm" && -w "$shm" ]] || shm="$data"
  dir="$shm/erphub-test-$(id -u)-$(printf '%s' "$root" | cksum | cut -d' ' -f1)/mariadb"
  tuning=(--innodb-buffer-pool-size=512M --innodb-log-file-size=128M
    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0)
  if [[ -n "${ERP_TEST_MYSQL_DSN:-}" ]]; then
    printf '%s/\n' "${ERP_TEST_MYSQL_DSN%%/*}"
    exit 0
  fi
fi

log() { echo "mariadb.sh: $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1; }

# can_login checks that root without a password works on a port, with whichever client is
# installed; without a client an open port is taken on trust.
can_login() {
  local client
  client="$(command -v mariadb || command -v mysql || true)"
  if [[ -z "$client" ]]; then return 0; fi
  "$client" --protocol=tcp -h127.0.0.1 -P"$1" -uroot -e 'SELECT 1' >/dev/null 2>&1
}

stop_private() {
  local pidfile pid
  for pidfile in "$data/mariadb.pid" /dev/shm/erphub-test-"$(id -u)"-*/mariadb.pid "$data"/erphub-test-*/mariadb.pid; do
    [[ -f "$pidfile" ]] || continue
    pid="$(cat "$pidfile")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    log "stopped private MariaDB (pid $pid)"
  done
}

if [[ "$mode" == "stop" ]]; then stop_private; exit 0; fi

if [[ -n "${ERP_MYSQL_DSN:-}" ]]; then
  # keep user:password@protocol(address)/ and drop the database name and parameters
  printf '%s/\n' "${ERP_MYSQL_DSN%%/*}"
  exit 0
fi

if port_open 3306 && can_login 3306; then
  echo "root@tcp(127.0.0.1:3306)/"
  exit 0
fi

if port_open "$port"; then
  if can_login "$port"; then echo "root@tcp(127.0.0.1:$port)/"; exit 0; fi
  log "port $port is taken by something that refuses root; set ERP_LOCAL_DB_PORT or ERP_MYSQL_DSN"
  exit 1
fi

if ! command -v mariadbd >/dev/null 2>&1 && [[ ! -x /usr/sbin/mariadbd ]]; then
  log "installing mariadb-server from Debian's packages"
  sudo=""
  if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y -q mariadb-server >&2; then
    $sudo apt-get update -q >&2
    $sudo apt-get install -y -q mariadb-server >&2
  fi
fi
PATH="$PATH:/usr/sbin"

mkdir -p "$(dirname "$dir")"
if [[ ! -d "$dir/mysql" ]]; then
  log "initialising $dir"
  rm -rf "$dir"
  mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir" --skip-test-db \
    --auth-root-authentication-method=normal >"$dir.install.log" 2>&1 || {
    cat "$dir.install.log" >&2
    exit 1
  }
fi

log "starting private MariaDB on 127.0.0.1:$port (data in $dir)"
# setsid + nohup: the server must outlive make; output goes to the error log.
setsid nohup mariadbd --no-defaults --user="$(id -un)" --datadir="$dir" \
  --socket="$dir.sock" --pid-file="$dir.pid" --port="$port" --bind-address=127.0.0.1 \
  --log-error="$dir.err" --skip-name-resolve --max-connections=1000 \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
  "${tuning[@]}" --max-allowed-packet=64M </dev/null >/dev/null 2>&1 &

for _ in $(seq 1 300); do
  if port_open "$port"; then echo "root@tcp(127.0.0.1:$port)/"; exit 0; fi
  sleep 0.1
done
log "MariaDB did not start within 30 s; its log says:"
tail -n 30 "$dir.err" >&2 || true
exit 1
