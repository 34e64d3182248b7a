#!/bin/bash
# ffho-node: Salt Jinja (postfix/init.sls: main.cf and aliases are templates) rendered
# with grains id=node01.in.ffho.net and root_mail_address=ops@ffho.net; master.cf as is.
set -euo pipefail
G=$1 C=$2 O=$3
render() { python3 -c '
import sys, jinja2
sys.stdout.write(jinja2.Template(sys.stdin.read(), keep_trailing_newline=True).render(grains={"id": "node01.in.ffho.net"}, root_mail_address="ops@ffho.net"))
'; }
git -C "$G" show "$C:postfix/main.cf" | render > "$O/main.cf"
git -C "$G" show "$C:postfix/master.cf" > "$O/master.cf"
git -C "$G" show "$C:postfix/aliases" | render > "$O/aliases"
