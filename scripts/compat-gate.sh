#!/usr/bin/env bash
# The compatibility gate (`npm run test:compat`, or this script with --base REV --migrations DIR): the API suite of
# the build that serves before this one runs against fresh PostgreSQL databases migrated to THIS build's schema. A
# migration that the serving (or rolled-back-to) revision cannot live with fails it. BASE defaults to the commit
# before the newest migration was added; point it at the revision that serves production with --base or
# COMPAT_BASE (docs/RUNBOOK.md, "Run a migration safely").
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
base="${COMPAT_BASE:-}"
migrations="$root/migrations"
# The base build's own API suite: every row of the API and error tables, and the races.
suite=(test/integration/users-api.test.ts test/integration/errors.test.ts test/integration/races.test.ts)

while [ $# -gt 0 ]; do
  case "$1" in
    --base) base="$2"; shift 2 ;;
    --migrations) migrations="$(cd "$2" && pwd)"; shift 2 ;;
    *) echo "usage: $0 [--base REV] [--migrations DIR]" >&2; exit 2 ;;
  esac
done
: "${DATABASE_URL:?the gate runs on PostgreSQL: set DATABASE_URL}"

# The previous build, by the rule scripts/previous-build.sh keeps for this gate and the mixed-revision run alike.
status=0
base_sha="$("$root/scripts/previous-build.sh" sha "$base")" || status=$?
if [ "$status" -eq 3 ]; then
  echo "compat: no earlier build to check against"
  exit 0
elif [ "$status" -ne 0 ]; then
  exit "$status"
fi

# `npm run test:compat` prepares that build once for every run in it (COMPAT_PREVIOUS_BUILD, test/compat/support/);
# any other base gets a worktree of its own.
if [ -n "${COMPAT_PREVIOUS_BUILD:-}" ] && [ "$(git -C "$COMPAT_PREVIOUS_BUILD" rev-parse HEAD 2>/dev/null)" = "$base_sha" ]; then
  worktree="$COMPAT_PREVIOUS_BUILD"
  echo "compat: reusing the previous build prepared for this run ($worktree)"
else
  worktree="$(mktemp -d "${TMPDIR:-/tmp}/usersvc-compat-XXXXXX")"
  cleanup() { "$root/scripts/previous-build.sh" remove "$worktree"; }
  trap cleanup EXIT
  "$root/scripts/previous-build.sh" checkout "$base_sha" "$worktree"
fi

if ! grep -q COMPAT_MIGRATIONS_DIR "$worktree/test/support/database.ts" 2>/dev/null; then
  echo "compat: $base_sha predates the gate (its tests cannot be pointed at another schema); pass --base" >&2
  exit 2
fi
# Test bugs fixed after a base build, as file:fixing-commit. When the base predates the fix, its suite runs with the
# file as that commit fixed it, so the gate judges the schema, not a test the base had wrong. races.test.ts: its writer
# was unbounded, and once the service got faster it outran the page walk, which then never ended (9421c98).
test_fixes=("test/integration/races.test.ts:9421c98")
for fix in "${test_fixes[@]}"; do
  file="${fix%%:*}"
  commit="${fix##*:}"
  if ! git -C "$root" merge-base --is-ancestor "$commit" "$base_sha"; then
    git -C "$root" show "$commit:$file" > "$worktree/$file"
    echo "compat: $file as fixed in $commit (the base's version had a test bug)"
  fi
done
echo "compat: the API suite of $(git log -1 --format='%h %s' "$base_sha")"
echo "compat: on PostgreSQL migrated with $migrations ($(find "$migrations" -name '*.sql' | wc -l) migrations)"
cd "$worktree"
COMPAT_MIGRATIONS_DIR="$migrations" TEST_BACKENDS=postgres npx jest --ci "${suite[@]}"
