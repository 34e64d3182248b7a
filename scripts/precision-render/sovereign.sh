#!/bin/bash
# sovereign: Ansible role roles/mailserver rendered with jinja2 as its tasks/postfix.yml
# installs it: domain=example.com, mail_server_hostname=mail.example.com (role default
# mail.{{ domain }}), friendly_networks=[], mail_header_privacy=1 (role default),
# mail_db_username=mailuser mail_db_password=mailpass mail_db_database=mailserver;
# smtp_header_checks.pcre placed under maps/ as the role copies it to /etc/postfix/maps/.
set -euo pipefail
G=$1 C=$2 O=$3 H=$(dirname "$0")
P=roles/mailserver
V='{"domain":"example.com","mail_server_hostname":"mail.example.com","friendly_networks":[],"mail_header_privacy":1,
"mail_db_username":"mailuser","mail_db_password":"mailpass","mail_db_database":"mailserver"}'
r() { git -C "$G" show "$C:$P/templates/$1" | python3 "$H/jinja-render.py" "$V" --strict > "$O/$2"; }
r etc_postfix_main.cf.j2 main.cf
r etc_postfix_pgsql-virtual-alias-maps.cf.j2 pgsql-virtual-alias-maps.cf
r etc_postfix_pgsql-virtual-mailbox-domains.cf.j2 pgsql-virtual-mailbox-domains.cf
r etc_postfix_pgsql-virtual-mailbox-maps.cf.j2 pgsql-virtual-mailbox-maps.cf
git -C "$G" show "$C:$P/files/etc_postfix_master.cf" > "$O/master.cf"
mkdir -p "$O/maps"
git -C "$G" show "$C:$P/files/etc_postfix_maps_smtp_header_checks.pcre" > "$O/maps/smtp_header_checks.pcre"
