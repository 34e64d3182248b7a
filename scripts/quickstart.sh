#!/bin/bash
# Quick start: install, build, package the VS Code extension, then show the
# product's main job on the bundled examples: lint them, and ask the policy
# simulator what happens to a relay attempt.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
npm run build
npx vsce package --no-dependencies --out dist/postfix-config-tools.vsix 2>&1 | grep -v '^ WARNING' | tail -2
node scripts/check-vsix.mjs dist/postfix-config-tools.vsix
echo
echo "== postfix-lint examples/hardened"
node dist/cli.js examples/hardened || true
echo
echo "== postfix-lint examples/mistakes"
node dist/cli.js examples/mistakes || true
echo
echo "== What happens to mail from 203.0.113.5 for someone@elsewhere.example on port 25?"
node dist/cli.js simulate -c examples/mistakes --client 203.0.113.5 --from a@outside.example --to someone@elsewhere.example || true
