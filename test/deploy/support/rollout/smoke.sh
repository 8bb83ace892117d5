#!/usr/bin/env bash
# Stand-in for scripts/smoke.sh in the rollout tests: records its call, then checks URL/health over real HTTP.
set -euo pipefail
URL="${1:?usage: smoke.sh URL}"
printf '%s\n' "{\"url\":\"$URL\",\"apiKey\":\"${API_KEY:-}\"}" >>"${FAKE_SMOKE_LOG:?}"
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/health" || true)"
if [ "$code" != 200 ]; then
  echo "FAIL liveness: expected 200, got $code" >&2
  exit 1
fi
echo "ok   liveness (200)"
