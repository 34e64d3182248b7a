#!/bin/bash
# ffho-ticket: host-specific main.cf/master.cf installed as main.cf/master.cf by
# postfix/init.sls; aliases (Salt Jinja) rendered with root_mail_address=ops@ffho.net.
set -euo pipefail
G=$1 C=$2 O=$3
git -C "$G" show "$C:postfix/main.cf.H_ticket.in.ffho.net" > "$O/main.cf"
git -C "$G" show "$C:postfix/master.cf.H_ticket.in.ffho.net" > "$O/master.cf"
git -C "$G" show "$C:postfix/aliases" | python3 -c '
import sys, jinja2
sys.stdout.write(jinja2.Template(sys.stdin.read(), keep_trailing_newline=True).render(root_mail_address="ops@ffho.net"))
' > "$O/aliases"
