#!/bin/bash
# mailu: core/postfix/start.py renders /conf/*.cf into /etc/postfix with jinja2 (defaults)
# from the environment: tests/compose/core/mailu.env plus DOMAIN=mailu.io
# HOSTNAMES=mail.mailu.io,mx.mailu.io SUBNET=192.168.203.0/24 RELAYHOST=[smtp.relay.example]:587
# RELAYUSER=mailu-relay RELAYPASSWORD=secret DEFER_ON_TLS_ERROR=True FRONT_ADDRESS=192.168.203.2
# ANTISPAM_ADDRESS=192.168.203.3; sasl_passwd rendered the same way (start.py writes it when
# RELAYUSER is set).
set -euo pipefail
G=$1 C=$2 O=$3 H=$(dirname "$0")
V=$(git -C "$G" show "$C:tests/compose/core/mailu.env" | python3 -c '
import json, sys
env = {}
for l in sys.stdin:
    l = l.rstrip("\n")
    if l and not l.startswith("#") and "=" in l:
        k, v = l.split("=", 1); env[k] = v
env.update(DOMAIN="mailu.io", HOSTNAMES="mail.mailu.io,mx.mailu.io", SUBNET="192.168.203.0/24",
  RELAYHOST="[smtp.relay.example]:587", RELAYUSER="mailu-relay", RELAYPASSWORD="secret", DEFER_ON_TLS_ERROR="True",
  FRONT_ADDRESS="192.168.203.2", ANTISPAM_ADDRESS="192.168.203.3")
print(json.dumps(env))')
for f in main.cf master.cf outclean_header_filter.cf sasl_passwd; do
  git -C "$G" show "$C:core/postfix/conf/$f" | python3 -c '
import json, sys, jinja2
sys.stdout.write(jinja2.Template(sys.stdin.read()).render(json.loads(sys.argv[1])))' "$V" > "$O/$f"
done
