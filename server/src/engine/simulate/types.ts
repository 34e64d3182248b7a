// Public types of the SMTP policy simulator ("what happens to this mail?").

import type { Range } from '../types';

/** One SMTP transaction as a client would send it. */
export interface Transaction {
  /** master.cf service name as written (`smtp`, `submission`, `127.0.0.1:2525`); default: the smtpd on port 25. */
  service?: string;
  client: {
    /** IPv4 or IPv6 address (brackets and an `IPv6:` prefix are accepted). */
    address: string;
    /** Verified client hostname; absent means the reverse lookup failed (`unknown`). */
    hostname?: string;
  };
  /** HELO/EHLO argument; absent means the client sent none. */
  helo?: string;
  /** SASL login name, when the client authenticated. */
  saslUser?: string;
  /** Envelope sender; `''` is the null sender `<>`. */
  sender: string;
  recipients: string[];
  /**
   * How far to go: `rcpt` stops after the last RCPT TO; `data` also sends DATA
   * and an (empty) message. Default: `data` when smtpd_data_restrictions or
   * smtpd_end_of_data_restrictions are set for the service, else `rcpt`.
   */
  through?: 'rcpt' | 'data';
}

/** What the simulator cannot know and therefore assumes; every default is stated in the result. */
export interface Assumptions {
  /** DNS-based lists (reject_rbl_client, reject_rhsbl_*, permit_dnswl_client, ...): domains that list the queried name. Default: none (not listed). */
  dnsListed?: string[];
  /** DNS lookups of reject_unknown_*_domain / _hostname: the names that do not resolve. Default: every name resolves. */
  unresolvable?: string[];
  /** Result of check_policy_service. Default `DUNNO`. */
  policyServiceAction?: string;
  /** reject_unverified_sender/recipient: outcome of address verification. Default `deliverable`. */
  addressVerification?: 'deliverable' | 'undeliverable' | 'unknown';
  /**
   * Lookups in recipient-validation tables the engine cannot read
   * (unix:passwd.byname, ldap:, mysql:, ...): `found` (every recipient exists)
   * or `notfound`. Default `found`. Access tables the engine cannot read miss
   * unless `tableData` says otherwise.
   */
  unreadableTables?: 'found' | 'notfound';
  /** Contents of tables the engine cannot read, by table (`ldap:/etc/postfix/x.cf` or its name): key → value. */
  tableData?: Record<string, Record<string, string>>;
  /** The machine's hostname, used when myhostname is not set. Default `localhost.localdomain`. */
  hostname?: string;
  /** The machine's interface addresses with prefix lengths, used for inet_interfaces = all and the mynetworks default. Default `127.0.0.1/8`, `::1/128`. */
  interfaces?: string[];
  /** The session uses TLS (STARTTLS or wrapper mode). Default: yes when the service requires it (smtpd_tls_security_level = encrypt or smtpd_tls_wrappermode = yes), else no. */
  tls?: boolean;
  /** The client sent commands in an improper pipelined way (reject_unauth_pipelining). Default no. */
  improperPipelining?: boolean;
}

/** One assumption that was actually used to reach the result. */
export interface AssumptionUsed {
  what: string;
  value: string;
  /** Name of the Assumptions field that changes it. */
  option: keyof Assumptions;
}

/** `unknown`: the simulator cannot tell (a value it needs is past its expansion limit; see SimulationResult.unknown). */
export type Verdict = 'accept' | 'reject' | 'defer' | 'discard' | 'hold' | 'fatal' | 'unknown';

/** The SMTP command at which the reply is sent. */
export type SmtpStage = 'startup' | 'connect' | 'helo' | 'mail' | 'rcpt' | 'data' | 'end-of-data';

/** The restriction list (smtpd_<list>_restrictions) being evaluated. */
export type RestrictionList = 'client' | 'helo' | 'sender' | 'relay' | 'recipient' | 'data' | 'end_of_data';

export interface Reply {
  code: number;
  /** RFC 3463 enhanced status code, e.g. `5.7.1`; empty when the reply has none. */
  enhanced: string;
  /** Text after the codes. */
  text: string;
  /** The full line, e.g. `554 5.7.1 <v@external.example>: Relay access denied`. */
  line: string;
  /** smtpd disconnects after this reply (421/521). */
  disconnect?: boolean;
}

export interface SourceRef {
  file: string;
  range: Range;
}

export interface TraceStep {
  stage: SmtpStage;
  /** The RCPT TO being evaluated, at the RCPT stage. */
  recipient?: string;
  list?: RestrictionList;
  /** Parameter that holds the restriction (e.g. `smtpd_recipient_restrictions`, or a restriction class name). */
  parameter?: string;
  /** Restriction as written, with its argument (e.g. `check_sender_access hash:/etc/postfix/sender_access`). */
  restriction: string;
  source?: SourceRef;
  /** Table entry that matched, when known. */
  tableSource?: SourceRef;
  result: 'permit' | 'dunno' | 'reject' | 'defer' | 'warn' | 'info' | 'discard' | 'hold' | 'filter' | 'redirect' | 'bcc' | 'prepend' | 'defer_if_permit' | 'defer_if_reject' | 'error' | 'skip' | 'note';
  why: string;
  /** Nesting depth (restriction classes and access-table results that name restrictions). */
  depth: number;
  /** True when the result rests on an assumption. */
  assumed?: boolean;
}

export interface RecipientOutcome {
  address: string;
  verdict: 'accept' | 'reject' | 'defer';
  reply: Reply;
  stage: SmtpStage;
  list?: RestrictionList;
}

export interface Actions {
  discard?: string;
  hold?: string;
  filter?: string;
  redirect?: string;
  bcc: string[];
  prepend: string[];
  warnings: string[];
}

export interface SimulationResult {
  verdict: Verdict;
  /** The reply that decides the verdict (for an accepted message, the last one sent). */
  reply?: Reply;
  stage: SmtpStage;
  /** Restriction list that produced the deciding reply. */
  list?: RestrictionList;
  /** smtpd's startup fatal error, when verdict is `fatal`. */
  fatal?: string;
  /** Why there is no verdict, when verdict is `unknown`. */
  unknown?: string;
  recipients: RecipientOutcome[];
  actions: Actions;
  trace: TraceStep[];
  assumptions: AssumptionUsed[];
  /** The master.cf service whose settings applied (`name/type`), or `(default)` when master.cf has none. */
  service: string;
  /** Warnings smtpd would log (unknown restriction, ignored restriction, ...). */
  logWarnings: string[];
}
