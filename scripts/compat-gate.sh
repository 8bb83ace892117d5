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

if [ -z "$base" ]; then
  newest="$(find "$root/migrations" -name '*.sql' | sort | tail -n 1)"
  added="$(git log --diff-filter=A --format=%H -1 -- "$newest")"
  if [ -z "$added" ]; then
    base=HEAD # the newest migration is not committed yet: HEAD is the build that serves before it
  elif git rev-parse -q --verify "$added^" >/dev/null; then
    base="$added^"
  else
    echo "compat: $(basename "$newest") came with the first commit; no earlier build to check against"
    exit 0
  fi
fi
base_sha="$(git rev-parse --verify "$base^{commit}")"

worktree="$(mktemp -d "${TMPDIR:-/tmp}/usersvc-compat-XXXXXX")"
cleanup() { git -C "$root" worktree remove --force "$worktree" >/dev/null 2>&1 || rm -rf "$worktree"; }
trap cleanup EXIT
git worktree add --quiet --detach "$worktree" "$base_sha"

if ! grep -q COMPAT_MIGRATIONS_DIR "$worktree/test/support/database.ts" 2>/dev/null; then
  echo "compat: $base_sha predates the gate (its tests cannot be pointed at another schema); pass --base" >&2
  exit 2
fi
# The same lockfile needs no second install.
if cmp -s "$root/package-lock.json" "$worktree/package-lock.json"; then
  ln -s "$root/node_modules" "$worktree/node_modules"
else
  (cd "$worktree" && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "compat: the API suite of $(git log -1 --format='%h %s' "$base_sha")"
echo "compat: on PostgreSQL migrated with $migrations ($(find "$migrations" -name '*.sql' | wc -l) migrations)"
cd "$worktree"
COMPAT_MIGRATIONS_DIR="$migrations" TEST_BACKENDS=postgres npx jest --ci "${suite[@]}"
