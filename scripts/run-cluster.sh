#!/usr/bin/env bash
# The docker-compose topology without Docker: one redis-server and N CallServer nodes on loopback ports.
#   ./scripts/run-cluster.sh [NODES=3] [FIRST_PORT=5101]
# Node i listens on http://127.0.0.1:$((FIRST_PORT+i-1)); Redis on 127.0.0.1:6399 (REDIS_PORT to change).
# Ctrl-C stops everything. Development environment: demo users are seeded (into Redis, once).
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-3}
first_port=${2:-5101}
redis_port=${REDIS_PORT:-6399}
work=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server" >&2; exit 1; }
dotnet build src/CallServer -c Debug -nologo -v quiet
dll=src/CallServer/bin/Debug/net10.0/CallServer.dll

redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --appendonly yes --save '' >"$work/redis.log" 2>&1 &
pids+=($!)

for i in $(seq 1 "$nodes"); do
  port=$((first_port + i - 1))
  ASPNETCORE_ENVIRONMENT=Development Redis__Configuration="127.0.0.1:$redis_port" \
    AnonymousCalls__AllowPublicTokens=true Pstn__GatewayUser=pstn-gateway \
    dotnet "$dll" --urls "http://127.0.0.1:$port" >"$work/node$i.log" 2>&1 &
  pids+=($!)
done

for i in $(seq 1 "$nodes"); do
  port=$((first_port + i - 1))
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  echo "node $i: http://127.0.0.1:$port (log $work/node$i.log)"
done
echo "redis: 127.0.0.1:$redis_port. Ctrl-C stops the cluster."
wait
