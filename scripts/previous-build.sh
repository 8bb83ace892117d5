#!/usr/bin/env bash
# The previous build: the revision that serves while this build's newest migration runs. One rule, shared by the
# compatibility gate (scripts/compat-gate.sh) and the mixed-revision run (test/compat/), so both check the same build.
#
#   previous-build.sh sha [REV]             the previous build's commit: REV, else COMPAT_BASE, else the commit before
#                                           the newest migration was added (HEAD while that migration is uncommitted);
#                                           exits 3 when the newest migration came with the first commit
#   previous-build.sh checkout SHA DIR [--build]
#                                           a git worktree of SHA in DIR (an empty or absent folder) with its
#                                           node_modules, compiled with its own `npm run build` when --build is given
#   previous-build.sh remove DIR            removes that worktree
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

resolve_sha() {
  local base="${1:-${COMPAT_BASE:-}}"
  if [ -z "$base" ]; then
    local newest added
    newest="$(find "$root/migrations" -name '*.sql' | sort | tail -n 1)"
    added="$(git log --diff-filter=A --format=%H -1 -- "$newest")"
    if [ -z "$added" ]; then
      base=HEAD # the newest migration is not committed yet: HEAD is the build that serves before it
    elif git rev-parse -q --verify "$added^" >/dev/null; then
      base="$added^"
    else
      echo "previous build: $(basename "$newest") came with the first commit; there is no earlier build" >&2
      exit 3
    fi
  fi
  git rev-parse --verify "$base^{commit}"
}

checkout() {
  local sha="$1" dir="$2" build="${3:-}"
  git worktree add --quiet --detach "$dir" "$sha"
  # The same lockfile needs no second install.
  if cmp -s "$root/package-lock.json" "$dir/package-lock.json"; then
    ln -s "$root/node_modules" "$dir/node_modules"
  else
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
  if [ "$build" = --build ]; then
    (cd "$dir" && npm run build --silent >&2)
  fi
}

case "${1:-}" in
  sha) resolve_sha "${2:-}" ;;
  checkout) [ $# -ge 3 ] || { echo "usage: $0 checkout SHA DIR [--build]" >&2; exit 2; }; checkout "$2" "$3" "${4:-}" ;;
  remove) [ $# -eq 2 ] || { echo "usage: $0 remove DIR" >&2; exit 2; }
    git worktree remove --force "$2" >/dev/null 2>&1 || { rm -rf "$2" && git worktree prune; } ;;
  *) echo "usage: $0 sha [REV] | checkout SHA DIR [--build] | remove DIR" >&2; exit 2 ;;
esac
