#!/bin/bash
# hardware-mailserver: rootfs/usr/local/bin/setup.sh emulated: the Go templates (gucci) of
# main.cf, header_checks, virtual and sql/*.cf rendered by a small evaluator ({{ .VAR }},
# if eq/ne, else, end) with the script defaults (DBDRIVER=mysql, RECIPIENT_DELIMITER=+,
# RELAY_NETWORKS empty, FULLCHAIN=/ssl/fullchain.pem KEYFILE=/ssl/privkey.pem, VMAILUID/GID=1024)
# and FQDN=mail.domain.tld DOMAIN=domain.tld DBHOST=mariadb DBPORT=3306 DBUSER=postfix
# DBPASS=secret DBNAME=postfix; then its sed edits for ENABLE_ENCRYPTION=false (content_filter
# commented) and no sender_access file (check_sender_access commented). master.cf as is.
set -euo pipefail
G=$1 C=$2 O=$3
P=rootfs/etc/postfix
gotpl() { python3 -c '
import re, sys
E = dict(DBDRIVER="mysql", RECIPIENT_DELIMITER="+", RELAY_NETWORKS="", FULLCHAIN="/ssl/fullchain.pem", KEYFILE="/ssl/privkey.pem",
  VMAILUID="1024", VMAILGID="1024", FQDN="mail.domain.tld", DOMAIN="domain.tld", DBHOST="mariadb", DBPORT="3306",
  DBUSER="postfix", DBPASS="secret", DBNAME="postfix")
toks = re.split(r"(\{\{.*?\}\})", sys.stdin.read(), flags=re.S)
out, stack = [], [True]
for i, t in enumerate(toks):
    if i % 2 == 0:
        if all(stack): out.append(t)
        continue
    d = t[2:-2].strip()
    m = re.fullmatch(r"if (eq|ne) \.(\w+) \"(.*)\"", d)
    if m:
        v = E.get(m.group(2), "")  # gucci: unset environment variables are empty
        stack.append((v == m.group(3)) == (m.group(1) == "eq"))
    elif d == "else": stack[-1] = not stack[-1]
    elif d == "end": stack.pop()
    elif re.fullmatch(r"\.\w+", d):
        if all(stack):
            if d[1:] not in E: raise SystemExit("no value for " + d)
            out.append(E[d[1:]])
    else: raise SystemExit("unsupported {{" + d + "}}")
sys.stdout.write("".join(out))'; }
git -C "$G" show "$C:$P/main.cf" | gotpl | sed -e '/content_filter/ s/^/#/' -e '/check_sender_access/ s/^/#/' > "$O/main.cf"
git -C "$G" show "$C:$P/master.cf" > "$O/master.cf"
git -C "$G" show "$C:$P/header_checks" | gotpl > "$O/header_checks"
git -C "$G" show "$C:$P/virtual" | gotpl > "$O/virtual"
mkdir -p "$O/sql"
for f in sender-login-maps virtual-alias-domain-catchall-maps virtual-alias-domain-mailbox-maps virtual-alias-domain-maps \
         virtual-alias-maps virtual-mailbox-domains virtual-mailbox-maps; do
  git -C "$G" show "$C:$P/sql/$f.cf" | gotpl > "$O/sql/$f.cf"
done
