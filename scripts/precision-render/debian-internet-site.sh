#!/bin/bash
# Shared by the emailwiz and mailinabox recipes (not a configuration itself):
#   debian-internet-site.sh DIR MAILNAME
# leaves DIR/main.cf and DIR/master.cf as Debian 12's postfix 3.7.11 postinst does on a new
# install answered 'Internet Site' with debconf defaults and hostname --fqdn = MAILNAME:
# main.cf.debian + main.cf.tls (the snakeoil key exists), smtpd_relay_restrictions, then
# every set_postconf of a new configuration (fset_all_changed), run with the real postconf -c.
# main.cf.debian and master.cf.dist come from ../shared/corpus/debian-postfix-3.7;
# main.cf.tls (not in the shared corpus) from this machine's postfix 3.7.11-0+deb12u1 package.
set -euo pipefail
O=$1 NAME=$2
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=$(cd "$HERE/../../.." && pwd)/shared/corpus/debian-postfix-3.7
DOMAIN=${NAME#*.}
cp "$SHARED/main.cf.debian" "$O/main.cf"
cat /usr/share/postfix/main.cf.tls >> "$O/main.cf"
cp "$SHARED/master.cf.dist" "$O/master.cf"
pc() { postconf -c "$O" -e "$@"; }
pc "smtpd_relay_restrictions=permit_mynetworks permit_sasl_authenticated defer_unauth_destination"
pc "myhostname=$NAME"
pc "alias_maps=hash:/etc/aliases"
pc "alias_database=hash:/etc/aliases"
pc "myorigin=/etc/mailname"
pc "mydestination=\$myhostname, $NAME, localhost.$DOMAIN, , localhost"
pc "relayhost="
pc "mynetworks=127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128"
pc "mailbox_size_limit=0"
pc "recipient_delimiter=+"
pc "inet_interfaces=all"
pc "inet_protocols=all"
