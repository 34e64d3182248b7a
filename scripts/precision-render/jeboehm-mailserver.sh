#!/bin/bash
# jeboehm-mailserver: target/mta emulated. Base = Postfix's stock conf/main.cf (vdukhovni/postfix
# 17830e5c13c160d51c95cb971d137a46de84e48c, postfix-3.12 snapshot, as Alpine installs it) with the
# install parameters post-install records set by postconf -e (Alpine paths); then the
# Dockerfile's RUN postconf chain and rootfs/usr/local/lib/init.sh with the image ENV defaults
# (DB_DRIVER=mysql, FILTER_MIME=false, RELAYHOST=false; DB_PASSWORD=changeme), run with the real
# postconf -c DIR (its 'postconf local_recipient_maps =' and 'postconf local_transport = ...'
# only query, as in the image); rootfs/etc/postfix copied (COPY rootfs/ /) and sql/*.cf built
# by init.sh's envsubst.
set -euo pipefail
G=$1 C=$2 O=$3 M=$4
git -C "$M/vdukhovni+postfix/repo" show 17830e5c13c160d51c95cb971d137a46de84e48c:postfix/conf/main.cf > "$O/main.cf"
pc() { command postconf -c "$O" "$@"; }
for kv in command_directory=/usr/sbin daemon_directory=/usr/libexec/postfix data_directory=/var/lib/postfix \
  html_directory=no mail_owner=postfix mailq_path=/usr/bin/mailq manpage_directory=/usr/share/man \
  meta_directory=/etc/postfix newaliases_path=/usr/bin/newaliases queue_directory=/var/spool/postfix \
  readme_directory=no sample_directory=/etc/postfix sendmail_path=/usr/sbin/sendmail setgid_group=postdrop \
  shlib_directory=/usr/lib/postfix; do pc -e "$kv"; done
R=target/mta/rootfs/etc/postfix
for f in $(git -C "$G" ls-tree -r --name-only "$C" "$R"); do
  d="$O/${f#$R/}"; mkdir -p "$(dirname "$d")"; git -C "$G" show "$C:$f" > "$d"
done
export MAILNAME=mail.example.com MYNETWORKS=127.0.0.0/8 DB_DRIVER=mysql DB_HOST=db DB_PORT=3306 DB_USER=root \
  DB_NAME=mailserver DB_TLS_VERIFY_CERT=no MDA_LMTP_ADDRESS=mda:2003 MDA_AUTH_ADDRESS=mda:2004 \
  FILTER_MILTER_ADDRESS=filter:11332 FILTER_MIME=false RELAYHOST=false RELAY_PASSWD_FILE=false \
  WAITSTART_TIMEOUT=1m RECIPIENT_DELIMITER=- DB_PASSWORD=changeme DIR=$O
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
{ echo 'postconf() { command postconf -c "$DIR" "$@" > /dev/null 2>&1 || true; }'
  git -C "$G" show "$C:target/mta/Dockerfile" | sed -n '/^\s*postconf /,/newaliases/p' | grep '^\s*postconf ' | sed -e 's/ && \\$//'
} > "$T/dockerfile.sh"
bash "$T/dockerfile.sh"
{ echo 'postconf() { command postconf -c "$DIR" "$@"; }'
  git -C "$G" show "$C:target/mta/rootfs/usr/local/lib/init.sh" | sed -e 's#"/etc/postfix/sql/#"$DIR/sql/#g' -e 's#>"/etc/postfix/#>"$DIR/#g' \
    | sed -n '1,/^postconf smtpd_recipient_restrictions/p'
} > "$T/init.sh"
bash "$T/init.sh" > /dev/null
