#!/bin/bash
# emailwiz: emailwiz.sh writes no main.cf of its own. Debian 12 postinst 'Internet Site'
# main.cf/master.cf (debian-internet-site.sh, hostname example.org), then the script's
# postfix steps (emailwiz.sh lines 120-208 and 369-382) run against this directory:
# postconf as postconf -c DIR, files under /etc/postfix written here; its defaults
# selfsigned=no allow_suboptimal_ciphers=yes, domain=example.org subdom=mail.
set -euo pipefail
G=$1 C=$2 O=$3
H=$(cd "$(dirname "$0")" && pwd)
bash "$H/debian-internet-site.sh" "$O" example.org
S=$(mktemp); trap 'rm -f "$S"' EXIT
{ echo 'domain=example.org subdom=mail maildomain=mail.example.org certdir=/etc/letsencrypt/live/mail.example.org'
  echo 'selfsigned=no allow_suboptimal_ciphers=yes'
  echo 'postconf() { command postconf -c "$DIR" "$@"; }'
  git -C "$G" show "$C:emailwiz.sh" | sed -n '120,208p;369,382p' \
    | sed -e 's#\(>>\?\) */etc/postfix/#\1 "$DIR"/#g' -e "s#' /etc/postfix/master.cf#' \"\$DIR\"/master.cf#"
} > "$S"
DIR=$O bash "$S" > /dev/null
