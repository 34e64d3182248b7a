#!/bin/bash
# puppet-postfix-satellite: voxpupuli/puppet-postfix as
#   class { postfix: satellite => true, relayhost => "[smtp.example.com]:587", myorigin => "host01.example.com" }
# leaves it on Debian: files/main.cf (one comment line) + the postfix::config settings of
# files.pp, then mta.pp (via satellite.pp), appended in that order as augeas adds them;
# master.cf = templates/master.cf.debian.erb + master.cf.common.erb rendered with ruby erb
# (trim mode '-', as Puppet's template()) for the class defaults (smtp_listen 127.0.0.1,
# chroot undef -> n, no extra services); virtual holds the '@host01.example.com root' entry
# postfix::satellite adds; transport empty (postfix::hash ensure present).
set -euo pipefail
G=$1 C=$2 O=$3
{ git -C "$G" show "$C:files/main.cf"
  cat <<'CF'
alias_maps = hash:/etc/aliases
inet_interfaces = all
inet_protocols = all
myorigin = host01.example.com
relayhost = [smtp.example.com]:587
mydestination = $myhostname, localhost.$mydomain, localhost
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
virtual_alias_maps = hash:/etc/postfix/virtual
transport_maps = hash:/etc/postfix/transport
CF
} > "$O/main.cf"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
git -C "$G" show "$C:templates/master.cf.debian.erb" > "$T/debian.erb"
git -C "$G" show "$C:templates/master.cf.common.erb" > "$T/common.erb"
ruby -rerb -e '
@master_smtp = nil; @smtp_listen = "127.0.0.1"; @jail = "n"; @master_submission = nil; @master_smtps = nil
@master_bounce_command = "bounce"; @master_defer_command = "bounce"; @use_amavisd = false; @amavis_procs = 2
@use_dovecot_lda = false; @mail_user = "vmail"; @use_schleuder = false; @use_sympa = false; @master_entries = []
ARGV.each { |f| print ERB.new(File.read(f), trim_mode: "-").result(binding) }' "$T/debian.erb" "$T/common.erb" > "$O/master.cf"
printf '@host01.example.com root\n' > "$O/virtual"
: > "$O/transport"
