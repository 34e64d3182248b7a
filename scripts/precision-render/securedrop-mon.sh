#!/bin/bash
# securedrop-mon: Ansible role install_files/ansible-base/roles/postfix (Monitor Server alert
# relay) rendered with jinja2 (its defaults: no trim_blocks, as the corpus was first rendered; Ansible itself trims, which only moves lines) as its tasks install it.
set -euo pipefail
G=$1 C=$2 O=$3 H=$(dirname "$0")
R=install_files/ansible-base/roles/postfix
V='{"smtp_relay":"smtp.gmail.com","smtp_relay_port":587,"postfix_hostname":"securedrop-monitor-server-alert",
"sasl_username":"alerts","sasl_domain":"example.org","sasl_password":"app-password","postfix_from_address":"alerts@example.org",
"smtp_relay_cert_dir":"/etc/ssl/certs","smtp_relay_cert_override_dir":"/etc/ssl/certs_local","smtp_relay_cert_override_file":""}'
git -C "$G" show "$C:$R/templates/main.cf" | python3 "$H/jinja-render.py" "$V" --strict > "$O/main.cf"
git -C "$G" show "$C:$R/templates/sasl_passwd" | python3 "$H/jinja-render.py" "$V" --strict > "$O/sasl_passwd"
git -C "$G" show "$C:$R/files/header_checks" > "$O/header_checks"
git -C "$G" show "$C:$R/files/aliases" > "$O/aliases"
printf 'ossec@securedrop-monitor-server-alert alerts@example.org\n' > "$O/generic"
