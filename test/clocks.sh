#!/usr/bin/env bash
# The date-sensitive tests under moved clocks (Debian's faketime): time is an input, so the suite must
# pass whatever the date. Each clock runs the checkpoint, incremental, state-store, fault-suite,
# many-tenant, moved-clock and demo tests with every process (the CLI, Azurite, openssl) on that clock.
# Usage: npm run test:clocks [-- <clock> ...]; a clock is a faketime spec ("+30d", "@2028-02-29 12:00:00").
set -uo pipefail
cd "$(dirname "$0")/.."
command -v faketime >/dev/null || { echo "test:clocks: faketime is not installed. Install Debian's faketime package (apt-get install faketime)" >&2; exit 2; }
FILES=(
  test/unit/checkpoint.test.ts test/unit/unattended-input.test.ts test/unit/profile-read-budget.test.ts
  test/e2e/incremental.test.ts test/e2e/state-stores.test.ts test/e2e/unattended-state.test.ts
  test/e2e/fault-suite.test.ts test/e2e/many-tenants.test.ts test/e2e/moved-clock.test.ts
  test/e2e/demo.test.ts test/e2e/oversized-records.test.ts
)
if [ $# -gt 0 ]; then CLOCKS=("$@"); else
  # +30/+89/+91 days straddle a 30-day backfill and Graph's 90 days; +400 a year on; a leap day; and a
  # New Year's Eve two minutes before midnight, so runs cross the date line mid-suite.
  CLOCKS=("+30d" "+89d" "+91d" "+400d" "@2028-02-29 12:00:00" "@2026-12-31 23:58:00")
fi
status=0
for clock in "${CLOCKS[@]}"; do
  started=$(date +%s)
  log=$(mktemp)
  FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "$clock" npx vitest run "${FILES[@]}" --reporter=dot >"$log" 2>&1
  code=$?
  summary=$(grep -E "^ +Tests " "$log" | tail -1 | sed 's/^ *//')
  echo "clock ${clock}: exit ${code}, ${summary:-no summary}, $(($(date +%s) - started)) s"
  if [ "$code" -ne 0 ]; then
    status=1
    grep -E "FAIL|AssertionError|Error:" "$log" | head -20
  fi
  rm -f "$log"
done
exit "$status"
