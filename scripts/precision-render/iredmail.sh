#!/bin/bash
# iredmail: the installer emulated for Debian 12 + MySQL backend (functions/postfix.sh,
# dovecot.sh, mlmmj.sh, amavisd.sh; values from conf/*): samples/postfix/main.cf, then
# main.cf.mysql, main.cf.postscreen, main.cf.dovecot, main.cf.mlmmj, main.cf.amavisd appended
# in installer order; PH_ placeholders replaced with the installer's Debian values (an unknown
# one fails); compatibility_level=3.6 and the master.cf pickup/chroot edits done with real
# postconf -c DIR -e/-M/-P/-F; master.cf = Debian 3.7 master.cf.dist (../shared/corpus) +
# samples/postfix/master.cf with the postscreen edits; mysql/*.cf with SQL placeholders filled;
# empty header_checks/body_checks.pcre/sender_access.pcre/postscreen_dnsbl_reply as the
# installer touches them; aliases = Debian's /etc/aliases + the installer's add_postfix_alias lines.
set -euo pipefail
G=$1 C=$2 O=$3
H=$(cd "$(dirname "$0")" && pwd)
SHARED=$(cd "$H/../../.." && pwd)/shared/corpus/debian-postfix-3.7
S=samples/postfix
show() { git -C "$G" show "$C:$S/$1"; }
ph() { python3 -c '
import re, sys
V = dict(QUEUE_DIRECTORY="/var/spool/postfix", COMMAND_DIRECTORY="/usr/sbin", DAEMON_DIRECTORY="/usr/lib/postfix/sbin",
  DATA_DIRECTORY="/var/lib/postfix", SENDMAIL_PATH="/usr/sbin/sendmail", NEWALIASES_PATH="/usr/bin/newaliases",
  MAILQ_PATH="/usr/bin/mailq", MAIL_OWNER="postfix", SETGID_GROUP="postdrop", HOSTNAME="mx.example.com",
  MESSAGE_SIZE_LIMIT_BYTES="15728640", STORAGE_BASE_DIR="/var/vmail", SYS_USER_VMAIL="vmail", SYS_GROUP_VMAIL="vmail",
  SYS_USER_VMAIL_UID="2000", SYS_GROUP_VMAIL_GID="2000", SSL_DH512_PARAM_FILE="/etc/ssl/dh512_param.pem",
  SSL_DH1024_PARAM_FILE="/etc/ssl/dh2048_param.pem", SSL_CERT_DIR="/etc/ssl/certs", SSL_CERT_FILE="/etc/ssl/certs/iRedMail.crt",
  SSL_KEY_FILE="/etc/ssl/private/iRedMail.key", SSL_CA_FILE="/etc/ssl/certs/iRedMail.crt",
  POSTFIX_FILE_ALIASES="/etc/postfix/aliases", POSTFIX_FILE_HELO_ACCESS="/etc/postfix/helo_access.pcre",
  POSTFIX_FILE_SMTPD_COMMAND_FILTER="/etc/postfix/command_filter.pcre", POSTFIX_FILE_HEADER_CHECKS="/etc/postfix/header_checks",
  POSTFIX_FILE_BODY_CHECKS="/etc/postfix/body_checks.pcre", POSTFIX_FILE_SENDER_ACCESS="/etc/postfix/sender_access.pcre",
  POSTFIX_DEFAULT_DB_TYPE="hash", IREDAPD_SERVER_ADDRESS="127.0.0.1", IREDAPD_LISTEN_PORT="7777",
  IREDAPD_SRS_FORWARD_PORT="7778", IREDAPD_SRS_REVERSE_PORT="7779", DOVECOT_SERVICE_QUOTA_STATUS_PORT="12340",
  SMTP_SERVER="127.0.0.1", AMAVISD_CONTENT_FILTER_ORIGINATING="smtp-amavis:[127.0.0.1]:10026", LOCAL_ADDRESS="127.0.0.1",
  AMAVISD_MAX_SERVERS="2", AMAVISD_MYNETWORKS="127.0.0.0/8", AMAVISD_ORIGINATING_PORT="10026",
  POSTFIX_MAIL_REINJECT_PORT="10025", POSTFIX_MLMMJ_REINJECT_PORT="10028", DOVECOT_DELIVER_BIN="/usr/lib/dovecot/deliver",
  SYS_USER_MLMMJ="mlmmj", SYS_GROUP_MLMMJ="mlmmj", CMD_MLMMJ_AMIME_RECEIVE="/usr/bin/mlmmj-amime-receive",
  MLMMJ_SPOOL_DIR="/var/vmail/mlmmj", POSTFIX_LOOKUP_DIR="/etc/postfix/mysql", SQL_SERVER_ADDRESS="127.0.0.1",
  SQL_SERVER_PORT="3306", VMAIL_DB_BIND_USER="vmail", VMAIL_DB_BIND_PASSWD="secret", VMAIL_DB_NAME="vmail",
  POSTSCREEN_FILE_DNSBL_REPLY="/etc/postfix/postscreen_dnsbl_reply", POSTSCREEN_FILE_ACCESS_CIDR="/etc/postfix/postscreen_access.cidr",
  DOVECOT_SASL_AUTH_SOCKET="private/dovecot-auth", DOVECOT_SASL_AUTH_PATH="private/dovecot-auth", TRANSPORT="dovecot")
def sub(m):
    k = m.group(0)[3:]
    if k not in V: sys.exit("no value for PH_" + k)
    return V[k]
sys.stdout.write(re.sub(r"PH_[A-Z0-9_]+", sub, sys.stdin.read()))'; }
pc() { postconf -c "$O" "$@"; }
# postfix_config_basic
cp "$SHARED/master.cf.dist" "$O/master.cf"
show main.cf > "$O/main.cf"
show master.cf >> "$O/master.cf"
perl -pi -e 's#^(mynetworks.*)#${1} [::1]#g' "$O/main.cf"    # IREDMAIL_HAS_IPV6=YES
ph < "$O/main.cf" > "$O/main.cf.new" && mv "$O/main.cf.new" "$O/main.cf"
ph < "$O/master.cf" > "$O/master.cf.new" && mv "$O/master.cf.new" "$O/master.cf"
: > "$O/header_checks"; : > "$O/body_checks.pcre"; : > "$O/sender_access.pcre"
pc -e compatibility_level=3.6
pc -M "pickup/unix=$(pc -M pickup/unix)"
pc -P "pickup/unix/content_filter=smtp-amavis:[127.0.0.1]:10026"
for i in $(pc -Mf | grep '^[0-9a-zA-Z]' | awk '{print $1"/"$2"/chroot=n"}'); do pc -F "$i"; done
show helo_access.pcre > "$O/helo_access.pcre"
show command_filter.pcre > "$O/command_filter.pcre"
printf '# See man 5 aliases for format\npostmaster:    root\n' > "$O/aliases"
printf 'nobody: root\nvmail: root\nroot: postmaster@example.com\n' >> "$O/aliases"
# postfix_config_vhost (MySQL)
show main.cf.mysql >> "$O/main.cf"
mkdir -p "$O/mysql"
for f in $(git -C "$G" ls-tree --name-only "$C" "$S/mysql/"); do git -C "$G" show "$C:$f" | ph > "$O/mysql/$(basename "$f")"; done
# postfix_config_postscreen
perl -pi -e 's/^(smtp .*inet.*smtpd)$/#${1}/g; s/^#(smtpd.*pass.*smtpd)$/${1}/g; s/^#(smtp *.*inet.*postscreen)$/${1}/g; s/^#(tlsproxy.*unix.*tlsproxy)$/${1}/g; s/^#(dnsblog.*unix.*dnsblog)$/${1}/g' "$O/master.cf"
show main.cf.postscreen >> "$O/main.cf"
: > "$O/postscreen_dnsbl_reply"
show postscreen_access.cidr > "$O/postscreen_access.cidr"
perl -pi -e 's/^#(postscreen_dnsbl_whitelist_threshold.*)/${1}/g' "$O/main.cf"
# dovecot_config, mlmmj_config, amavisd_config
show main.cf.dovecot >> "$O/main.cf"
show main.cf.mlmmj >> "$O/main.cf"
show main.cf.amavisd >> "$O/main.cf"
echo 'amavis: root' >> "$O/aliases"
ph < "$O/main.cf" > "$O/main.cf.new" && mv "$O/main.cf.new" "$O/main.cf"
