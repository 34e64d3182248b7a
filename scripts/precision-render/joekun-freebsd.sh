#!/bin/bash
# joekun-freebsd: main.cf and ldap/*.cf as is (usr/local/etc/postfix/); master.cf = the repo's
# patches/postfix/postfix-master.cf.diff applied to Postfix's stock conf/master.cf of
# postfix-3.5-20200105 (vdukhovni/postfix 5f3bcc11efef9baf2516eff3a4001f927c27d934).
set -euo pipefail
G=$1 C=$2 O=$3 M=$4
P=usr/local/etc/postfix
git -C "$G" show "$C:$P/main.cf" > "$O/main.cf"
for f in $(git -C "$G" ls-tree -r --name-only "$C" "$P/ldap/"); do
  mkdir -p "$O/$(dirname "${f#$P/}")"; git -C "$G" show "$C:$f" > "$O/${f#$P/}"
done
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
git -C "$M/vdukhovni+postfix/repo" show 5f3bcc11efef9baf2516eff3a4001f927c27d934:postfix/conf/master.cf > "$T/master.cf"
git -C "$G" show "$C:patches/postfix/postfix-master.cf.diff" | (cd "$T" && patch -s -p1)
cp "$T/master.cf" "$O/master.cf"
