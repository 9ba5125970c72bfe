#!/usr/bin/env bash
# Mutation testing of src/Engine with Stryker.NET (docs/mutation.md).
#   tests/Mutation/run.sh                      the six files of the AOF path (stryker-config.json)
#   tests/Mutation/run.sh Aof/AofFeed.cs ...   only these files (paths under src/Engine)
#   tests/Mutation/run.sh --all                the whole engine
#   tests/Mutation/run.sh --sample SHARE       a seeded sample of the engine outside the six files:
#                                              blocks of 5 lines, each kept with probability SHARE
#                                              (tests/Mutation/sample.py, seed 13; docs/mutation.md)
# Extra Stryker options go after "--", e.g. -- --concurrency 2.
# The report lands in src/Engine/StrykerOutput/<timestamp>/reports (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet tool restore >/dev/null
mutate=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  if [ "$1" = "--all" ]; then
    mutate+=(-m "**/*.cs")
  elif [ "$1" = "--sample" ]; then
    # The six files the configuration measures in full, as it names them.
    mapfile -t six < <(python3 -c 'import json; print("\n".join(p.removeprefix("**/") for p in json.load(open("tests/Mutation/stryker-config.json"))["stryker-config"]["mutate"]))')
    while IFS= read -r pattern; do
      mutate+=(-m "$pattern")
    done < <(python3 tests/Mutation/sample.py --share "$2" "${six[@]/#/--exclude=}")
    shift
  else
    mutate+=(-m "**/$1")
  fi
  shift
done
[ "${1:-}" = "--" ] && shift
cd src/Engine
exec dotnet stryker -f ../../tests/Mutation/stryker-config.json "${mutate[@]}" "$@"
