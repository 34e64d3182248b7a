#!/bin/bash
# mailinabox: Mail-in-a-Box writes no main.cf of its own. Debian 12 postinst 'Internet Site'
# main.cf/master.cf (debian-internet-site.sh, myhostname box.example.com; MIAB itself runs on
# Ubuntu 22.04's Postfix 3.6), then every statement of setup/mail-postfix.sh, mail-users.sh and
# dkim.sh (in setup/start.sh's order) that writes /etc/postfix: tools/editconf.py calls (MIAB's
# own editconf.py), the heredoc'd sqlite .cf files, and conf/postfix_outgoing_mail_header_filters
# with its sed edits; PRIMARY_HOSTNAME=box.example.com PUBLIC_IP=203.0.113.10 PRIVATE_IP=10.0.0.5
# PRIVATE_IPV6 empty STORAGE_ROOT=/home/user-data.
set -euo pipefail
G=$1 C=$2 O=$3
H=$(cd "$(dirname "$0")" && pwd)
bash "$H/debian-internet-site.sh" "$O" box.example.com
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
mkdir -p "$T/tools" "$T/conf"
git -C "$G" show "$C:tools/editconf.py" > "$T/tools/editconf.py"
git -C "$G" show "$C:conf/postfix_outgoing_mail_header_filters" > "$T/conf/postfix_outgoing_mail_header_filters"
for s in mail-postfix mail-users dkim; do git -C "$G" show "$C:setup/$s.sh"; done | python3 -c '
import re, sys
lines = sys.stdin.read().split("\n")
start = re.compile(r"^\s*(tools/editconf\.py /etc/postfix/|cat > /etc/postfix/|cp conf/\S+ /etc/postfix/|sed -i .* /etc/postfix/)")
out, i = [], 0
while i < len(lines):
    l = lines[i]
    if not start.match(l):
        i += 1; continue
    stmt = [l]
    m = re.search(r"<< ?(\w+);?\s*$", l)
    if m:
        i += 1
        while lines[i].strip() != m.group(1): stmt.append(lines[i]); i += 1
        stmt.append(lines[i])
    else:
        def open_quote(text):
            q = None; k = 0
            while k < len(text):
                ch = text[k]
                if ch == "\\" and q != "\x27": k += 2; continue
                if q is None and ch in "\"\x27": q = ch
                elif ch == q: q = None
                k += 1
            return q is not None
        while stmt[-1].endswith("\\") or open_quote("\n".join(stmt)):
            i += 1; stmt.append(lines[i])
    text = "\n".join(stmt)
    text = re.sub(r"^(\s*tools/editconf\.py |\s*cat > |\s*cp conf/\S+ )/etc/postfix/", "\\1\"$DIR\"/", text)
    text = re.sub(r"^(\s*sed -i .*) /etc/postfix/", "\\1 \"$DIR\"/", text)
    text = text.replace("tools/editconf.py", "python3 tools/editconf.py", 1)
    out.append(text); i += 1
print("\n".join(out))
' > "$T/steps.sh"
(cd "$T" && DIR=$O PRIMARY_HOSTNAME=box.example.com PUBLIC_IP=203.0.113.10 PRIVATE_IP=10.0.0.5 PRIVATE_IPV6= \
  STORAGE_ROOT=/home/user-data bash -e steps.sh)
