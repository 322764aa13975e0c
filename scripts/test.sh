#!/usr/bin/env bash
# Runs every test of CallServer: build (warnings are errors), domain and host tests, end-to-end tests.
# Installs what is missing on a fresh Debian machine: redis-server, chromium (apt-get), npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log_dir=$(mktemp -d)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v docker-compose >/dev/null 2>&1 || need_apt+=(docker-compose)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]} (apt-get)"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium || true)}"

echo "== build"
dotnet build CallServer.sln -c Debug -nologo -v quiet

echo "== .NET tests"
dotnet_status=0
dotnet test CallServer.sln -c Debug --no-build -nologo 2>&1 | tee "$log_dir/dotnet.log" || dotnet_status=$?

echo "== JavaScript SDK unit tests and typecheck"
sdk_status=0
(
  cd clients/js
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
  status=0
  npm run --silent test:unit || status=$?     # node --test: its "# pass N" / "# fail N" lines are counted below
  echo "== JavaScript SDK typecheck (index.d.ts against src, tsc --noEmit)"
  if npm run --silent typecheck; then echo "typecheck: no errors"; else status=1; fi
  exit "$status"
) 2>&1 | tee "$log_dir/sdk.log" || sdk_status=$?

echo "== end-to-end tests"
e2e_status=0
(
  cd tests/e2e
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
  CALLSERVER_DLL="$root/src/CallServer/bin/Debug/net10.0/CallServer.dll" npm test --silent
) 2>&1 | tee "$log_dir/e2e.log" || e2e_status=$?

passed=0
failed=0
while read -r p f; do
  passed=$((passed + p)); failed=$((failed + f))
done < <(grep -hoE 'Failed: +[0-9]+, Passed: +[0-9]+' "$log_dir/dotnet.log" | sed -E 's/Failed: +([0-9]+), Passed: +([0-9]+)/\2 \1/')
node_pass=$(cat "$log_dir/e2e.log" "$log_dir/sdk.log" | grep -hoE '^# pass [0-9]+' | awk '{s+=$3} END {print s+0}')
node_fail=$(cat "$log_dir/e2e.log" "$log_dir/sdk.log" | grep -hoE '^# fail [0-9]+' | awk '{s+=$3} END {print s+0}')
passed=$((passed + node_pass)); failed=$((failed + node_fail))
if [ "$dotnet_status" -ne 0 ] || [ "$e2e_status" -ne 0 ] || [ "$sdk_status" -ne 0 ]; then
  [ "$failed" -gt 0 ] || failed=1
fi
if [ "$failed" -gt 0 ]; then
  echo "== failed tests"
  grep -hE '^\s*Failed [A-Za-z_]' "$log_dir/dotnet.log" || true
  grep -hE '^\s*not ok ' "$log_dir/sdk.log" "$log_dir/e2e.log" || true
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
