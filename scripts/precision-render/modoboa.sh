#!/bin/bash
# modoboa: installer templates rendered as utils.copy_from_template does (string.Template with
# the '%' delimiter, after its "automatically installed" header line) with the installer
# defaults: amavis and opendkim enabled, rspamd disabled, postgres (db_driver pgsql),
# hostname mail.example.com, message_size_limit 11534336, dhe_group 4096, self-signed cert
# paths, opendkim port 12345, dovecot mailboxes_owner vmail.
set -euo pipefail
G=$1 C=$2 O=$3
P=modoboa_installer/scripts/files/postfix
for f in main.cf master.cf anonymize_headers.pcre; do
  git -C "$G" show "$C:$P/$f.tpl" | python3 -c '
import string, sys
class T(string.Template):
    delimiter = "%"
ctx = dict(amavis_enabled="", opendkim_enabled="", dovecot_enabled="", rspamd_enabled="#", rspamd_disabled="",
  db_driver="pgsql", hostname="mail.example.com", message_size_limit="11534336", dhe_group="4096",
  tls_cert_file="/etc/ssl/certs/mail.example.com.cert", tls_key_file="/etc/ssl/private/mail.example.com.key",
  opendkim_port="12345", dovecot_mailboxes_owner="vmail")
sys.stdout.write("# This file was automatically installed on 2026-01-01T00:00:00\n" + T(sys.stdin.read()).substitute(ctx))
' > "$O/$f"
done
