#!/usr/bin/env bash
# Mutation testing of src/Engine with Stryker.NET (docs/mutation.md).
#   tests/Mutation/run.sh                      the six files of the AOF path (stryker-config.json)
#   tests/Mutation/run.sh Aof/AofFeed.cs ...   only these files (paths under src/Engine)
#   tests/Mutation/run.sh --all                the whole engine
# Extra Stryker options go after "--", e.g. -- --concurrency 2.
# The report lands in src/Engine/StrykerOutput/<timestamp>/reports (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet tool restore >/dev/null
mutate=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  if [ "$1" = "--all" ]; then
    mutate+=(-m "**/*.cs")
  else
    mutate+=(-m "**/$1")
  fi
  shift
done
[ "${1:-}" = "--" ] && shift
cd src/Engine
exec dotnet stryker -f ../../tests/Mutation/stryker-config.json "${mutate[@]}" "$@"
