#!/usr/bin/env bash
# redis-benchmark SET/INCR against `aofsim serve` and against redis-server with the same AOF
# settings, side by side, on 127.0.0.1. Needs Debian's redis-server and redis-tools.
# Usage: bench/serve-vs-redis.sh [requests=100000] [clients=50] [fsync policies="everysec always"]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}; c=${2:-50}; policies=${3:-"everysec always"}
dotnet build src/Aofsim -c Release -v q -nologo >/dev/null
aofsim=(dotnet src/Aofsim/bin/Release/net10.0/aofsim.dll)
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

wait_ping() { for _ in $(seq 1 300); do redis-cli -p "$1" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.1; done; echo "no PONG on $1" >&2; exit 1; }

for policy in $policies; do
  for server in redis-server aofsim; do
    dir="$work/$server-$policy"; mkdir -p "$dir"; port=$((7400 + RANDOM % 500))
    if [ "$server" = redis-server ]; then
      redis-server --port "$port" --bind 127.0.0.1 --daemonize no --save '' --dir "$dir" \
        --appendonly yes --appendfsync "$policy" --aof-use-rdb-preamble no --logfile "$dir/log" &
    else
      "${aofsim[@]}" serve --port "$port" --dir "$dir" --appendfsync "$policy" > "$dir/log" 2>&1 &
    fi
    wait_ping "$port"
    for t in set incr; do
      printf '%-12s %-9s %-5s ' "$server" "$policy" "$t"
      redis-benchmark -p "$port" -n "$n" -c "$c" -t "$t" -q 2>/dev/null | tr '\r' '\n' | grep -E 'requests per second' | tail -1
    done
    redis-cli -p "$port" shutdown >/dev/null 2>&1 || true
    wait
  done
done
