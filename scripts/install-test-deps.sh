#!/bin/bash
# Installs what the test suite drives for real: Postfix with its map plug-ins,
# swaks, Neovim. Non-interactive; does nothing when everything is present.
set -euo pipefail
need=()
for c in postconf postmap swaks nvim; do command -v "$c" >/dev/null 2>&1 || need+=("$c"); done
for p in /usr/lib/postfix/postfix-pcre.so /usr/lib/postfix/postfix-lmdb.so /usr/lib/postfix/postfix-cdb.so; do
  [ -e "$p" ] || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "# NOTICE: not root; cannot install ${need[*]} (tests that need them will be skipped)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "postfix postfix/mailname string oracle.test" | debconf-set-selections
# The map plug-ins' install scripts complain that /etc/postfix/main.cf is missing; harmless.
apt-get install -y -qq --no-install-recommends postfix postfix-pcre postfix-lmdb postfix-cdb swaks neovim >/dev/null
