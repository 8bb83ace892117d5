#!/usr/bin/env bash
# End-to-end smoke test of a running usersvc: scripts/smoke.sh URL [API_KEY]
# Exercises every endpoint against a deployed instance, cleans up what it created, exits non-zero on the first failure.
set -euo pipefail

BASE="${1:?usage: scripts/smoke.sh URL [API_KEY]}"
BASE="${BASE%/}"
KEY="${2:-${API_KEY:-}}"
RUN="smoke$(date +%s)$RANDOM"
PASSED=0
CREATED_ID=""

cleanup() {
  if [ -n "$CREATED_ID" ]; then
    curl -s -o /dev/null -X DELETE "${AUTH[@]}" "$BASE/api/v1/users/id/$CREATED_ID" || true
  fi
}
trap cleanup EXIT

AUTH=()
[ -n "$KEY" ] && AUTH=(-H "X-API-Key: $KEY")

# request METHOD PATH [BODY] -> sets STATUS and BODY
request() {
  local method="$1" path="$2" data="${3:-}" out
  local args=(-s -w '\n%{http_code}' -X "$method" "${AUTH[@]}" -H "X-Request-ID: $RUN")
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data "$data")
  out=$(curl "${args[@]}" "$BASE$path")
  STATUS="${out##*$'\n'}"
  BODY="${out%$'\n'*}"
}

expect() {
  local what="$1" want="$2"
  if [ "$STATUS" != "$want" ]; then
    echo "FAIL $what: expected $want, got $STATUS: $BODY" >&2
    exit 1
  fi
  PASSED=$((PASSED + 1))
  echo "ok   $what ($STATUS)"
}

field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<<"$BODY"; }

request GET /health;                          expect 'liveness' 200
request GET /ready;                           expect 'readiness' 200
request GET '/api/v1/users?limit=2';          expect 'list users' 200
request POST /api/v1/users "{\"username\":\"$RUN\",\"email\":\"$RUN@example.com\",\"full_name\":\"Smoke Test\"}"
expect 'create user' 201
CREATED_ID=$(field id)
[ -n "$CREATED_ID" ] || { echo "FAIL create user: no id in $BODY" >&2; exit 1; }
request GET "/api/v1/users/id/$CREATED_ID";   expect 'get by id' 200
request GET "/api/v1/users/username/$RUN";    expect 'get by username' 200
request PATCH "/api/v1/users/id/$CREATED_ID" '{"full_name":"Smoke Test Patched"}'
expect 'patch user' 200
[ "$(field full_name)" = "Smoke Test Patched" ] || { echo "FAIL patch did not apply: $BODY" >&2; exit 1; }
request POST /api/v1/users "{\"username\":\"$RUN\",\"email\":\"other$RUN@example.com\",\"full_name\":\"Smoke Test\"}"
expect 'duplicate username' 409
request POST /api/v1/users '{"username":"test_user!","email":"x@example.com","full_name":"Bad Name"}'
expect 'invalid username' 400
request GET /api/v1/users/id/not-a-uuid;      expect 'invalid id' 400
request DELETE "/api/v1/users/id/$CREATED_ID"; expect 'delete user' 204
request GET "/api/v1/users/id/$CREATED_ID";   expect 'deleted user is gone' 404
request DELETE "/api/v1/users/id/$CREATED_ID"; expect 'delete is idempotent' 204
CREATED_ID=""

echo "smoke: $PASSED passed, 0 failed against $BASE"
