#!/bin/bash
# oxl-relay: the Dockerfile's build steps: sed of the _MAIL_*_ placeholders in main.cf
# (MAIL_HOSTNAME=relay.example.com, MAIL_ALLOWED_NETS=10.20.0.0/24, relay host/port at the
# Dockerfile's ARG defaults), transport written by its python3 one-liner for
# MAIL_ALLOWED_DST=example.com,example.org plus '* discard:' (postmapped at build time, so no .db here).
set -euo pipefail
G=$1 C=$2 O=$3
git -C "$G" show "$C:main.cf" | sed -e 's|_MAIL_HOSTNAME_|relay.example.com|g' -e 's|_MAIL_ALLOWED_NETS_|10.20.0.0/24|g' \
  -e 's|_MAIL_RELAY_HOST_|smtp-relay.gmail.com|g' -e 's|_MAIL_RELAY_PORT_|25|g' > "$O/main.cf"
git -C "$G" show "$C:master.cf" > "$O/master.cf"
python3 -c "for d in 'example.com,example.org'.split(','): print(f'.{d} :\n{d} :')" > "$O/transport"
echo '* discard:' >> "$O/transport"
