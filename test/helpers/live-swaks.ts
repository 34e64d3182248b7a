// What a live smtpd answered: transactions, replies, and the reading of a
// swaks transcript (the built-in client writes the same notation).

export interface LiveTransaction {
  /** Logical service name. */
  service: string;
  clientAddress: string;
  clientName?: string;
  helo: string;
  saslUser?: string;
  sender: string;
  recipients: string[];
  through?: 'rcpt' | 'data';
}

export interface LiveReply {
  code: number;
  enhanced: string;
  text: string;
  line: string;
}

export type LiveStage = 'connect' | 'helo' | 'mail' | 'rcpt' | 'data' | 'end-of-data';

export interface LiveResult {
  /** `fatal`: smtpd died before the greeting (see `fatal`). */
  outcome: 'replied' | 'fatal' | 'error';
  /** The first non-success reply, or the last reply when everything was accepted. */
  reply?: LiveReply;
  stage?: LiveStage;
  /** Reply to each RCPT TO, in order. */
  rcpt: LiveReply[];
  fatal?: string;
  transcript: string;
}

function replyOf(line: string): LiveReply {
  const m = /^(\d{3})[ -](?:([245]\.\d{1,3}\.\d{1,3})(?: |$))?(.*)$/.exec(line);
  if (!m) return { code: 0, enhanced: '', text: line, line };
  return { code: Number(m[1]), enhanced: m[2] ?? '', text: m[3], line };
}

/** Splits a swaks transcript into (command, final reply line) pairs. Inside TLS swaks writes `~>`, `<~` and `<~*` for `->`, `<-` and `<**`. */
export function parseSwaks(out: string): { cmd: string; reply: string }[] {
  const pairs: { cmd: string; reply: string }[] = [];
  let cmd = '(connect)';
  let last: string | undefined;
  let inData = false;
  for (const raw of out.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^ [-~]> /.test(line) || line === ' -> ' || line === ' ~> ') {
      const c = line.slice(4);
      if (inData) {
        if (c === '.') {
          cmd = '.';
          inData = false;
        }
        continue;
      }
      cmd = c;
      continue;
    }
    const m = /^(<-|<\*\*|<~|<~\*) {1,2}(.*)$/.exec(line);
    if (!m) continue;
    last = m[2];
    // Only the last line of a multi-line reply ("250 x" after "250-...") completes it.
    if (/^\d{3}-/.test(last)) continue;
    pairs.push({ cmd, reply: last });
    if (/^DATA$/i.test(cmd) && last.startsWith('354')) inData = true;
    cmd = '(none)';
  }
  return pairs;
}

function stageOf(cmd: string, afterXclient: boolean): LiveStage {
  const c = cmd.toUpperCase();
  if (c.startsWith('EHLO') || c.startsWith('HELO')) return 'helo';
  if (c.startsWith('MAIL')) return 'mail';
  if (c.startsWith('RCPT')) return 'rcpt';
  if (c === 'DATA') return 'data';
  if (c === '.') return 'end-of-data';
  if (c.startsWith('XCLIENT') || afterXclient) return 'connect';
  return 'connect';
}

/** Interprets a transcript of one XCLIENT-impersonated transaction. */
export function interpretSwaks(out: string): LiveResult {
  const pairs = parseSwaks(out);
  const rcpt: LiveReply[] = [];
  let seenXclient = false;
  let firstBad: { reply: LiveReply; stage: LiveStage } | undefined;
  let lastGood: { reply: LiveReply; stage: LiveStage } | undefined;
  for (const p of pairs) {
    const c = p.cmd.toUpperCase();
    if (c.startsWith('XCLIENT')) {
      seenXclient = true;
      // The reply to XCLIENT is the greeting for the impersonated client.
      const r = replyOf(p.reply);
      if (r.code !== 220 && !firstBad) firstBad = { reply: r, stage: 'connect' };
      continue;
    }
    if (!seenXclient || c === 'QUIT' || c === '(NONE)' || c === '(CONNECT)') continue;
    const r = replyOf(p.reply);
    const stage = stageOf(p.cmd, seenXclient);
    if (stage === 'rcpt') rcpt.push(r);
    if (r.code >= 400) {
      if (!firstBad && stage !== 'rcpt') firstBad = { reply: r, stage };
    } else if (stage !== 'helo') lastGood = { reply: r, stage };
  }
  // Recipients: the message is decided at RCPT only if no recipient was accepted.
  if (!firstBad && rcpt.length && rcpt.every((r) => r.code >= 400)) {
    firstBad = { reply: rcpt.find((r) => r.code < 500) ?? rcpt[0], stage: 'rcpt' };
  }
  const decided = firstBad ?? lastGood;
  if (!decided) return { outcome: 'error', rcpt, transcript: out };
  return { outcome: 'replied', reply: decided.reply, stage: decided.stage, rcpt, transcript: out };
}
