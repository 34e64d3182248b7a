#!/bin/bash
# froxlor-mail: src/start.sh emulated: /etc/aliases and every /etc/postfix/*.cf passed through
# envsubst with no variable list and the Dockerfile's ENV defaults, exactly as the container
# does (this also blanks Postfix's own $myhostname/$mydomain/${recipient} references, as in
# the running image). Other files as is.
set -euo pipefail
G=$1 C=$2 O=$3
ENVS=(TZ=Europe/Berlin FRX_MAIL_DIR=/var/customers/mail FRX_DB_HOST=localhost FRX_DB_NAME=froxlor FRX_DB_USER=froxlor
  FRX_DB_PASSWORD= MAIL_DOMAIN=example.com MESSAGE_SIZE_LIMIT=52428800 MY_NETWORKS=127.0.0.0/8
  POSTMASTER_MAIL=postmaster@example.com ROOT_MAIL=root@example.com CLEANUP_TRASH=7 CLEANUP_SPAM=14)
sub() { env -i "${ENVS[@]}" "$(command -v envsubst)"; }
for f in main.cf master.cf mysql-virtual_alias_maps.cf mysql-virtual_gid_maps.cf mysql-virtual_mailbox_domains.cf \
         mysql-virtual_mailbox_maps.cf mysql-virtual_sender_permissions.cf mysql-virtual_uid_maps.cf; do
  git -C "$G" show "$C:src/etc/postfix/$f" | sub > "$O/$f"
done
git -C "$G" show "$C:src/etc/postfix/header_checks" > "$O/header_checks"
git -C "$G" show "$C:src/etc/aliases" | sub > "$O/aliases"
