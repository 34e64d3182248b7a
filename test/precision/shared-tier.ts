// The shared tier of the precision suite: configurations staged from the
// shared material in ../shared/corpus (present on CI beside the checkout; its
// own SOURCES.tsv names repository, path and commit of every file). Unlike the
// full corpus (configs/<name>/ fetched by scripts/precision-corpus.mjs), this
// tier needs nothing but the shared directory, so CI always checks precision.
//
// Staging copies or renders the files into a temporary directory, laid out as
// each project installs them into /etc/postfix; nothing is written into
// ../shared. The findings are recorded in the same findings.tsv under the
// config names below (prefix "shared-").

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sharedDir } from '../helpers/env';
import { renderJinja, type JinjaValues } from './jinja-subset';
import { type Finding, lintConfig, pinnedReader, sortFindings } from './precision-lib';

export const SHARED_CORPUS = join(sharedDir, 'corpus');
export const SHARED_PREFIX = 'shared-';

export interface StagedFile {
  /** Path in the staged configuration directory. */
  to: string;
  /** Files of the shared corpus (relative to it), concatenated in this order. */
  from: string[];
  /** Turns the concatenated text into the installed file. */
  render?: (text: string) => string;
}

export interface SharedConfig {
  name: string;
  /** How the files were staged, for the README and for reviewers. */
  how: string;
  files: StagedFile[];
}

/** Replaces every PH_NAME placeholder (iRedMail's installer does this with perl -pi); an unknown one throws. */
function placeholders(values: Record<string, string>): (text: string) => string {
  return (text) =>
    text.replace(/PH_[A-Z0-9_]+/g, (ph) => {
      const v = values[ph.slice(3)];
      if (v === undefined) throw new Error(`no value for placeholder ${ph}`);
      return v;
    });
}

const jinja = (v: JinjaValues) => (text: string) => renderJinja(text, v);

// iRedMail's installer values on Debian 12 (conf/global, conf/postfix,
// functions/postfix.sh; postconf -d for the directories), hostname mx.example.com.
const IREDMAIL: Record<string, string> = {
  QUEUE_DIRECTORY: '/var/spool/postfix',
  COMMAND_DIRECTORY: '/usr/sbin',
  DAEMON_DIRECTORY: '/usr/lib/postfix/sbin',
  DATA_DIRECTORY: '/var/lib/postfix',
  SENDMAIL_PATH: '/usr/sbin/sendmail',
  NEWALIASES_PATH: '/usr/bin/newaliases',
  MAILQ_PATH: '/usr/bin/mailq',
  MAIL_OWNER: 'postfix',
  SETGID_GROUP: 'postdrop',
  HOSTNAME: 'mx.example.com',
  MESSAGE_SIZE_LIMIT_BYTES: '15728640',
  STORAGE_BASE_DIR: '/var/vmail',
  SYS_USER_VMAIL: 'vmail',
  SYS_GROUP_VMAIL: 'vmail',
  SYS_USER_VMAIL_UID: '2000',
  SYS_GROUP_VMAIL_GID: '2000',
  SSL_DH512_PARAM_FILE: '/etc/ssl/dh512_param.pem',
  SSL_DH1024_PARAM_FILE: '/etc/ssl/dh2048_param.pem',
  SSL_CERT_DIR: '/etc/ssl/certs',
  SSL_CERT_FILE: '/etc/ssl/certs/iRedMail.crt',
  SSL_KEY_FILE: '/etc/ssl/private/iRedMail.key',
  POSTFIX_FILE_ALIASES: '/etc/postfix/aliases',
  POSTFIX_FILE_HELO_ACCESS: '/etc/postfix/helo_access.pcre',
  POSTFIX_FILE_SMTPD_COMMAND_FILTER: '/etc/postfix/command_filter.pcre',
  POSTFIX_FILE_HEADER_CHECKS: '/etc/postfix/header_checks',
  POSTFIX_FILE_BODY_CHECKS: '/etc/postfix/body_checks.pcre',
  POSTFIX_FILE_SENDER_ACCESS: '/etc/postfix/sender_access.pcre',
  IREDAPD_SERVER_ADDRESS: '127.0.0.1',
  IREDAPD_LISTEN_PORT: '7777',
  IREDAPD_SRS_FORWARD_PORT: '7778',
  IREDAPD_SRS_REVERSE_PORT: '7779',
  DOVECOT_SERVICE_QUOTA_STATUS_PORT: '12340',
  AMAVISD_CONTENT_FILTER_ORIGINATING: 'smtp-amavis:[127.0.0.1]:10026',
  LOCAL_ADDRESS: '127.0.0.1',
  AMAVISD_MAX_SERVERS: '2',
  AMAVISD_MYNETWORKS: '127.0.0.0/8',
  POSTFIX_MAIL_REINJECT_PORT: '10025',
  POSTFIX_MLMMJ_REINJECT_PORT: '10028',
  DOVECOT_DELIVER_BIN: '/usr/lib/dovecot/deliver',
  SYS_USER_MLMMJ: 'mlmmj',
  SYS_GROUP_MLMMJ: 'mlmmj',
  CMD_MLMMJ_AMIME_RECEIVE: '/usr/bin/mlmmj-amime-receive',
  MLMMJ_SPOOL_DIR: '/var/vmail/mlmmj',
};

// Mailu: core/postfix/start.py renders /conf/*.cf with jinja2 (no trim_blocks)
// from the environment: tests/compose/core/mailu.env values where it has them,
// start.py's derived addresses, no relay user.
const MAILU: JinjaValues = {
  values: {
    DOMAIN: 'mailu.io',
    'HOSTNAMES.split(",")[0]': 'mail.mailu.io',
    MESSAGE_SIZE_LIMIT: '50000000',
    SUBNET: '192.168.203.0/24',
    RELAYNETS: '',
    RELAYHOST: '',
    RECIPIENT_DELIMITER: '+',
    'POD_ADDRESS_RANGE or SUBNET': '192.168.203.0/24',
    "OUTBOUND_TLS_LEVEL|default('may')": 'may',
    LMTP_ADDRESS: '192.168.203.4:2525',
    ANTISPAM_MILTER_ADDRESS: '192.168.203.3:11332',
    OUTCLEAN: 'mail.mailu.io',
    OUTCLEAN_ADDRESS: '192.168.203.10',
  },
  conditions: { RELAYUSER: false, REJECT_UNLISTED_RECIPIENT: false },
};

// YunoHost: hooks/conf_regen/19-postfix renders main.cf with these settings
// (no relay, no backup MX, intermediate TLS, block lists on).
const YUNOHOST: JinjaValues = {
  values: { main_domain: 'yunohost.example.org', relay_host: '', relay_port: '' },
  conditions: {
    'relay_enabled != "True"': true,
    'relay_enabled == "True"': false,
    'compatibility == "intermediate"': true,
    'relay_port == "465"': false,
    "enable_blocklists == 'True'": true,
    'backup_mx_domains != ""': false,
  },
};

// Oefenweb/ansible-postfix at the shared commit: the role's defaults
// (defaults/main.yml, vars/main.yml) on a host host01.example.com; Ansible
// renders with trim_blocks.
const ANSIBLE_OEFENWEB: JinjaValues = {
  trimBlocks: true,
  values: {
    ansible_managed: 'Ansible managed',
    postfix_mailname_file: '/etc/mailname',
    postfix_smtpd_banner: '$myhostname ESMTP $mail_name (Ubuntu)',
    postfix_smtpd_tls_cert_file: '/etc/ssl/certs/ssl-cert-snakeoil.pem',
    postfix_smtpd_tls_key_file: '/etc/ssl/private/ssl-cert-snakeoil.key',
    postfix_hostname: 'host01.example.com',
    postfix_default_database_type: 'hash',
    postfix_aliases_file: '/etc/aliases',
    "postfix_mydestination | join(', ')": 'host01.example.com, localdomain, localhost, localhost.localdomain',
    "postfix_mynetworks | join(' ')": '127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128',
    postfix_inet_interfaces: 'all',
    postfix_inet_protocols: 'all',
    postfix_message_size_limit: '10240000',
    "postfix_disable_vrfy_command | bool | ternary('yes', 'no')": 'yes',
  },
  conditions: {
    'postfix_compatibility_level is defined': false,
    postfix_virtual_aliases: false,
    postfix_sender_canonical_maps: false,
    postfix_recipient_canonical_maps: false,
    postfix_transport_maps: false,
    postfix_sender_dependent_relayhost_maps: false,
    postfix_generic: false,
    postfix_header_checks: false,
    'postfix_inet_interfaces is string': true,
    'postfix_inet_protocols is string': true,
    postfix_relayhost: false,
    'postfix_smtpd_client_restrictions is defined': false,
    'postfix_smtpd_helo_restrictions is defined': false,
    'postfix_smtpd_sender_restrictions is defined': false,
    'postfix_smtpd_recipient_restrictions is defined': false,
    'postfix_smtpd_relay_restrictions is defined': false,
    'postfix_smtpd_data_restrictions is defined': false,
  },
  lists: { 'postfix_raw_options | default([])': [] },
};

export const SHARED_CONFIGS: SharedConfig[] = [
  {
    name: 'shared-debian-postfix-3.7',
    how: "main.cf.debian -> main.cf, master.cf.dist -> master.cf, as Debian's postinst installs them",
    files: [
      { to: 'main.cf', from: ['debian-postfix-3.7/main.cf.debian'] },
      { to: 'master.cf', from: ['debian-postfix-3.7/master.cf.dist'] },
    ],
  },
  {
    name: 'shared-debian-postfix-3.7-dist',
    how: 'main.cf.dist -> main.cf (the fully commented sample Debian ships), master.cf.dist -> master.cf',
    files: [
      { to: 'main.cf', from: ['debian-postfix-3.7/main.cf.dist'] },
      { to: 'master.cf', from: ['debian-postfix-3.7/master.cf.dist'] },
    ],
  },
  {
    name: 'shared-postfix-upstream',
    how: 'as is (Postfix conf/main.cf and conf/master.cf)',
    files: [
      { to: 'main.cf', from: ['postfix-upstream/main.cf'] },
      { to: 'master.cf', from: ['postfix-upstream/master.cf'] },
    ],
  },
  {
    name: 'shared-docker-mailserver',
    how: 'as is; sender_header_filter.pcre under maps/ as the image installs it (main.cf names /etc/postfix/maps/)',
    files: [
      { to: 'main.cf', from: ['docker-mailserver/main.cf'] },
      { to: 'master.cf', from: ['docker-mailserver/master.cf'] },
      { to: 'maps/sender_header_filter.pcre', from: ['docker-mailserver/sender_header_filter.pcre'] },
      { to: 'esmtp_access', from: ['docker-mailserver/esmtp_access'] },
    ],
  },
  {
    name: 'shared-iredmail',
    how:
      "iRedMail's installer emulated for Debian 12 in part: PH_ placeholders of samples/postfix/main.cf and master.cf replaced with the installer's Debian values (IREDMAIL in shared-tier.ts); master.cf = Debian's master.cf.dist + the sample, which the installer appends; the installer's further main.cf.* fragments are not in the shared corpus",
    files: [
      { to: 'main.cf', from: ['iredmail/main.cf'], render: placeholders(IREDMAIL) },
      { to: 'master.cf', from: ['debian-postfix-3.7/master.cf.dist', 'iredmail/master.cf'], render: placeholders(IREDMAIL) },
      { to: 'postscreen_access.cidr', from: ['iredmail/postscreen_access.cidr'] },
      { to: 'command_filter.pcre', from: ['iredmail/command_filter.pcre'] },
    ],
  },
  {
    name: 'shared-mailu',
    how: 'Jinja templates rendered as start.py does (jinja2 defaults) with fixed values (MAILU in shared-tier.ts): domain mailu.io, no relay user',
    files: [
      { to: 'main.cf', from: ['mailu/main.cf'], render: jinja(MAILU) },
      { to: 'master.cf', from: ['mailu/master.cf'], render: jinja(MAILU) },
      { to: 'outclean_header_filter.cf', from: ['mailu/outclean_header_filter.cf'], render: jinja(MAILU) },
    ],
  },
  {
    name: 'shared-mailcow',
    how: 'master.cf and tables only, as is (the shared corpus has no mailcow main.cf)',
    files: [
      { to: 'master.cf', from: ['mailcow/master.cf'] },
      { to: 'mailcow_anonymize_headers.pcre', from: ['mailcow/mailcow_anonymize_headers.pcre'] },
      { to: 'smtp_dsn_filter', from: ['mailcow/smtp_dsn_filter'] },
    ],
  },
  {
    name: 'shared-yunohost',
    how: 'main.cf.j2 rendered with fixed values (YUNOHOST in shared-tier.ts); header_checks and smtp_reply_filter as is; no master.cf in the shared corpus',
    files: [
      { to: 'main.cf', from: ['yunohost/main.cf.j2'], render: jinja(YUNOHOST) },
      { to: 'header_checks', from: ['yunohost/header_checks'] },
      { to: 'smtp_reply_filter', from: ['yunohost/smtp_reply_filter'] },
    ],
  },
  {
    name: 'shared-ansible-postfix-oefenweb',
    how: "main.cf.j2 rendered with the role's defaults (ANSIBLE_OEFENWEB in shared-tier.ts), trim_blocks as Ansible does; main.cf only",
    files: [{ to: 'main.cf', from: ['ansible-postfix-oefenweb/main.cf.j2'], render: jinja(ANSIBLE_OEFENWEB) }],
  },
];

export function sharedCorpusPresent(src = SHARED_CORPUS): boolean {
  return existsSync(join(src, 'SOURCES.tsv'));
}

/** Directories of the shared corpus that no staged configuration reads from. */
export function unstagedSharedDirs(src = SHARED_CORPUS): string[] {
  const used = new Set(SHARED_CONFIGS.flatMap((c) => c.files.flatMap((f) => f.from.map((p) => p.split('/')[0]))));
  return readdirSync(src)
    .filter((n) => statSync(join(src, n)).isDirectory() && !used.has(n))
    .sort();
}

/** Writes configs/<name>/ for every shared configuration under `out`. */
export function stageShared(out: string, src = SHARED_CORPUS): void {
  for (const c of SHARED_CONFIGS) {
    for (const f of c.files) {
      const text = f.from.map((p) => readFileSync(join(src, p), 'utf8')).join('');
      const dest = join(out, 'configs', c.name, f.to);
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, f.render ? f.render(text) : text);
    }
  }
}

/** Stages the shared configurations in a temporary directory and lints each as `postfix-lint DIR` does. */
export function lintShared(src = SHARED_CORPUS): Finding[] {
  const tmp = mkdtempSync(join(tmpdir(), 'precision-shared-'));
  try {
    stageShared(tmp, src);
    const reader = pinnedReader(tmp);
    return sortFindings(SHARED_CONFIGS.flatMap((c) => lintConfig(tmp, c.name, reader)));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export const isSharedConfig = (name: string) => name.startsWith(SHARED_PREFIX);
