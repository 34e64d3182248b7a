#!/bin/bash
# The one test command (npm test): installs what the tests need, builds,
# typechecks and runs every test. On CI (CI=true) a skipped test fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
if [ "$(id -u)" = 0 ]; then sh scripts/install-e2e.sh; else echo '# NOTICE: not root: the code-server end-to-end test will be skipped'; fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund
fi
npm run build
npx tsc -p . --noEmit
node scripts/run-tests.mjs test
