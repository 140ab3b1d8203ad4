#!/usr/bin/env bash
# npm test: every suite runs even when an earlier one fails, then one summary line for all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/prerequisites.sh || exit 1
bash scripts/hf-client.sh || exit 1
out=tmp/test-reports
rm -rf "$out" && mkdir -p "$out"
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
status=0
python=${HOUNSFIELD_PYTHON:-/usr/bin/python3}

echo "== unit + integration (vitest, embedded PostgreSQL)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$out/vitest.json" || status=1

if [ -d workers/trainer/tests ]; then
  echo "== trainer (pytest, PyTorch on CPU)"
  (cd workers/trainer && OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$python" -m pytest -q -p no:cacheprovider --junitxml="../../$out/pytest.xml" tests) || status=1
fi

echo "== browser journeys (Playwright, Debian chromium, built app)"
PLAYWRIGHT_JSON_OUTPUT_NAME="$out/playwright.json" npx playwright test --reporter=list,json || status=1

node scripts/test-summary.mjs "$out" || status=1
exit $status
