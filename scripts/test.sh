#!/usr/bin/env bash
# `make test`: lint, then the whole suite on SQLite, then again on PostgreSQL.
#
# PostgreSQL comes from TEST_DATABASE_URL, else DATABASE_URL when it names PostgreSQL,
# else the local default. When it cannot be reached, the pass is skipped with the
# reason printed, unless REQUIRE_SERVICES=1 (CI), where that is a failure. Redis and
# Chromium are gated inside the suite the same way (tests/support/services.py).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
status=0

run_pytest() {
  local label=$1; shift
  echo
  echo "=== pytest on $label ==="
  "$BIN/python" -m pytest "$@"
  local code=$?
  if [ "$code" -eq 5 ]; then
    echo "pytest collected no tests on $label: the suite is broken, not green." >&2
    return 1
  fi
  return "$code"
}

echo "=== ruff ==="
"$BIN/ruff" check . && "$BIN/ruff" format --check . || status=1

# Pass 1: SQLite (the default database). Tests that only mean something on
# PostgreSQL (row locks under real concurrency) are left to pass 2.
(unset DATABASE_URL; run_pytest SQLite -m "not postgres" "$@") || status=1

# Pass 2: PostgreSQL.
pg_url=${TEST_DATABASE_URL:-}
if [ -z "$pg_url" ] && [[ "${DATABASE_URL:-}" == postgres* ]]; then pg_url=$DATABASE_URL; fi
pg_url=${pg_url:-postgres://postgres@127.0.0.1:5432/postgres}
if reason=$("$BIN/python" - "$pg_url" <<'PY' 2>&1
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as exc:
    print(f"cannot connect to {sys.argv[1]}: {exc}".strip())
    sys.exit(1)
PY
); then
  DATABASE_URL=$pg_url run_pytest PostgreSQL "$@" || status=1
elif [ "${REQUIRE_SERVICES:-0}" = "1" ]; then
  echo "REQUIRE_SERVICES=1 and PostgreSQL is not available: $reason" >&2
  status=1
else
  echo
  echo "=== SKIPPED the PostgreSQL pass: $reason ==="
fi

exit $status
