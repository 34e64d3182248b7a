// SMTP reply codes and enhanced status codes (RFC 3463 `class.subject.detail`,
// plus a few later entries of the IANA registry that mail admins meet in
// access tables). The code numbers are facts; the explanations are ours.

const CLASSES: Record<string, string> = {
  '2': 'success: the request was carried out',
  '4': 'temporary failure: the request may succeed if the client tries again later',
  '5': 'permanent failure: sending the same request again will fail the same way',
};

const SUBJECTS: Record<string, string> = {
  '0': 'other or undefined',
  '1': 'addressing (a sender or recipient address)',
  '2': 'mailbox (the recipient mailbox itself)',
  '3': 'mail system (the receiving host as a whole)',
  '4': 'network and routing',
  '5': 'mail delivery protocol (the SMTP dialogue)',
  '6': 'message content or media',
  '7': 'security or policy',
};

const DETAILS: Record<string, string> = {
  '0.0': 'no further detail',
  '1.0': 'some problem with an address, not further specified',
  '1.1': 'the recipient mailbox does not exist',
  '1.2': 'the recipient domain or host does not exist or does not accept mail',
  '1.3': 'the recipient address is syntactically wrong',
  '1.4': 'the recipient address is ambiguous (matches several mailboxes)',
  '1.5': 'the recipient address is valid (used in success replies)',
  '1.6': 'the mailbox has moved and there is no forwarding address',
  '1.7': "the sender's address is syntactically wrong",
  '1.8': "the sender's domain or host does not exist or cannot receive replies",
  '1.9': 'the message was relayed to a system that does not speak SMTP',
  '1.10': 'the recipient domain publishes a null MX: it accepts no mail',
  '2.0': 'some problem with the mailbox, not further specified',
  '2.1': 'the mailbox exists but is disabled or not accepting mail',
  '2.2': 'the mailbox is full (over quota)',
  '2.3': 'the message is larger than the mailbox accepts',
  '2.4': 'a problem expanding a mailing list',
  '3.0': 'some problem with the receiving system, not further specified',
  '3.1': 'the receiving system is out of storage',
  '3.2': 'the system is not accepting network mail right now (e.g. shutting down)',
  '3.3': 'the system lacks a feature the message needs',
  '3.4': 'the message is larger than the system accepts',
  '3.5': 'the system is misconfigured',
  '3.6': 'the requested priority was changed',
  '4.0': 'some network or routing problem, not further specified',
  '4.1': 'the next host did not answer',
  '4.2': 'the connection to the next host broke',
  '4.3': 'a directory service (e.g. DNS or LDAP) failed',
  '4.4': 'no route to the destination could be found',
  '4.5': 'the mail system is congested',
  '4.6': 'a mail loop was detected',
  '4.7': 'the message was in the queue too long',
  '5.0': 'some protocol problem, not further specified',
  '5.1': 'the command is unknown or not allowed now',
  '5.2': 'the command has a syntax error',
  '5.3': 'too many recipients',
  '5.4': 'a command argument is invalid',
  '5.5': 'the protocol version is wrong',
  '5.6': 'the client did not obey the message size announced to it',
  '6.0': 'some problem with the content, not further specified',
  '6.1': 'the content type is not supported',
  '6.2': 'a conversion is needed but not allowed',
  '6.3': 'a conversion is needed but not possible',
  '6.4': 'a conversion lost information',
  '6.5': 'a conversion failed',
  '6.6': 'the message content is no longer available',
  '6.7': 'non-ASCII addresses are not allowed without SMTPUTF8',
  '7.0': 'some security or policy reason, not further specified',
  '7.1': 'delivery is not authorized: the message is refused by policy',
  '7.2': 'expanding this mailing list is not allowed',
  '7.3': 'a required security conversion is not possible',
  '7.4': 'a requested security feature is not supported',
  '7.5': 'a cryptographic operation failed',
  '7.6': 'a cryptographic algorithm is not supported',
  '7.7': 'the message failed an integrity check',
  '7.8': 'authentication failed: wrong credentials',
  '7.9': 'the authentication mechanism is too weak',
  '7.10': 'encryption is needed first',
  '7.11': 'this authentication mechanism needs an encrypted session',
  '7.12': 'the password must be changed first',
  '7.13': 'the user account is disabled',
  '7.14': 'a trust relationship is needed',
  '7.15': 'authentication succeeded but the priority is not allowed',
  '7.16': 'the message is too big for the priority it asks for',
  '7.17': 'the mailbox owner has changed',
  '7.18': 'the domain owner has changed',
  '7.19': 'the RRVS check could not be done',
  '7.20': 'no passing DKIM signature was found',
  '7.21': 'no acceptable DKIM signature was found',
  '7.22': 'no DKIM signature matching the author was found',
  '7.23': 'the SPF check failed',
  '7.24': 'the SPF check had an error',
  '7.25': 'the reverse DNS check of the client failed',
  '7.26': 'several authentication checks failed',
  '7.27': 'the sender address has a null MX',
  '7.28': 'the message looks like mail flooding',
  '7.29': 'the ARC check failed',
  '7.30': 'REQUIRETLS support is needed',
};

export interface EnhancedStatus {
  code: string;
  klass: string;
  subject: string;
  detail: string;
  /** Class meaning, subject meaning, detail meaning (undefined when the detail is not registered). */
  classText: string;
  subjectText: string;
  detailText?: string;
}

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})$/;

/** Parses and explains `X.Y.Z`; undefined when the text is not an enhanced status code. */
export function explainEnhancedStatus(code: string): EnhancedStatus | undefined {
  const m = ENHANCED.exec(code);
  if (!m) return undefined;
  const [, klass, subject, detail] = m;
  const subjectText = SUBJECTS[subject];
  if (!subjectText) return undefined;
  return {
    code,
    klass,
    subject,
    detail,
    classText: CLASSES[klass],
    subjectText,
    detailText: DETAILS[`${subject}.${detail}`],
  };
}

export function isEnhancedStatus(s: string): boolean {
  return explainEnhancedStatus(s) !== undefined;
}

const REPLY_CODES: Record<string, string> = {
  '421': 'service not available: the server closes the connection',
  '450': 'mailbox unavailable for now (e.g. a temporary policy decision)',
  '451': 'aborted because of a local error; try again later',
  '452': 'insufficient storage or too many recipients for now',
  '454': 'TLS or authentication temporarily unavailable',
  '521': 'this host does not accept mail at all; the server closes the connection',
  '550': 'mailbox unavailable or request refused by policy',
  '551': 'user not local; the client should try another path',
  '552': 'message exceeds a storage allocation',
  '553': 'mailbox name not allowed (e.g. bad address syntax)',
  '554': 'transaction failed (a general permanent refusal)',
  '556': 'the domain does not accept mail (null MX)',
};

/** A three-digit SMTP reply code's meaning. */
export function explainReplyCode(code: string): string | undefined {
  if (!/^[2-5]\d\d$/.test(code)) return undefined;
  const specific = REPLY_CODES[code];
  const klass = code[0] === '4' ? 'temporary refusal' : code[0] === '5' ? 'permanent refusal' : code[0] === '2' ? 'success' : 'intermediate reply';
  return specific ? `${klass}: ${specific}` : klass;
}

/** Markdown for `550 5.7.1`-style text: the reply code, the enhanced code, and whether their classes agree. */
export function statusMarkdown(reply: string | undefined, enhanced: string | undefined): string {
  const out: string[] = [];
  if (reply) {
    const r = explainReplyCode(reply);
    if (r) out.push(`**${reply.replace(/[^0-9]/g, '')}** — ${r}.`);
  }
  if (enhanced) {
    const e = explainEnhancedStatus(enhanced);
    if (e) {
      out.push(
        `**${e.code}** (RFC 3463 enhanced status) — class ${e.klass}: ${e.classText}; subject ${e.subject}: ${e.subjectText}; ` +
          (e.detailText ? `detail ${e.detail}: ${e.detailText}.` : `detail ${e.detail} is not a registered code.`),
      );
      if (reply && reply[0] !== e.klass) {
        // smtpd_check_reject(): "enforce consistency between the SMTP code and DSN code".
        out.push(`The class digit (${e.klass}) disagrees with the reply code (${reply[0]}xx): smtpd sends ${reply[0]}.${e.subject}.${e.detail} instead, so write that.`);
      }
    }
  }
  return out.join('\n\n');
}
