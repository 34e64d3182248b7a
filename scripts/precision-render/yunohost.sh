#!/bin/bash
# yunohost: hooks/conf_regen/19-postfix emulated: conf/postfix/plain/* copied as is; main.cf
# and sni rendered with jinja2 as ynh_render_template does (environment strings:
# main_domain=yunohost.example.org, compatibility=intermediate, relay_enabled=False,
# enable_blocklists=True, backup_mx_domains empty, domain_list=yunohost.example.org);
# virtual-mailbox-domains and an empty relay_recipients written as the hook writes them.
set -euo pipefail
G=$1 C=$2 O=$3 H=$(dirname "$0")
P=conf/postfix
for f in $(git -C "$G" ls-tree --name-only "$C" "$P/plain/"); do git -C "$G" show "$C:$f" > "$O/$(basename "$f")"; done
V='{"main_domain":"yunohost.example.org","compatibility":"intermediate","relay_enabled":"False","relay_host":"","relay_port":"","relay_user":"",
"enable_blocklists":"True","backup_mx_domains":"","backup_mx_emails":"","domain_list":"yunohost.example.org"}'
git -C "$G" show "$C:$P/main.cf" | python3 "$H/jinja-render.py" "$V" --strict > "$O/main.cf"
git -C "$G" show "$C:$P/sni" | python3 "$H/jinja-render.py" "$V" --strict > "$O/sni"
: > "$O/relay_recipients"
{ echo "# This file is regenerated automatically"; echo "# Please DO NOT edit manually ... changes will be overwritten!"; echo yunohost.example.org; } > "$O/virtual-mailbox-domains"
