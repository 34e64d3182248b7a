// Hover logic of the engine (server/src/engine/assist/hover.ts) over an
// in-memory configuration directory with controllable file times.

import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { completeAt, explainEnhancedStatus, hoverAt, statusMarkdown } from '../../server/src/engine/assist';
import { loadConfig } from '../../server/src/engine/config';
import { withCursor } from '../helpers/lsp-client';
import fc from 'fast-check';
import { code, mdText } from '../../server/src/engine/assist/markdown';

const DIR = '/etc/postfix';
type Kind = 'main' | 'master' | 'map';

interface Fixture {
  files?: Record<string, string>;
  mtimes?: Record<string, number>;
  version?: string;
  path?: string;
}

/** Hover at the `|` in `marked`, which is the text of the file at `path` (default: main.cf/master.cf/access in /etc/postfix). */
function hover(kind: Kind, marked: string, fx: Fixture = {}) {
  const { text, position } = withCursor(marked);
  const path = fx.path ?? `${DIR}/${kind === 'main' ? 'main.cf' : kind === 'master' ? 'master.cf' : 'access'}`;
  const files: Record<string, string> = { ...fx.files, [path]: text };
  const reader = {
    readText: (p: string) => files[p],
    mtimeMs: (p: string) => (p in files || (fx.mtimes && p in fx.mtimes) ? (fx.mtimes?.[p] ?? 1000) : undefined),
  };
  const version = fx.version ?? '3.12';
  const config = loadConfig(DIR, reader, { version });
  return hoverAt(kind, path, text, position, { config, version, reader });
}

function md(kind: Kind, marked: string, fx: Fixture = {}): string {
  const h = hover(kind, marked, fx);
  assert.ok(h, `no hover at ${JSON.stringify(marked)}`);
  return h.markdown;
}

describe('main.cf parameters', () => {
  const main = 'mydomain = example.com\nmyorigin = $mydomain\n';

  test('name: description, type, effective value with its source, default, version, link', () => {
    const h = hover('main', main.replace('myorigin', 'myori|gin'))!;
    assert.match(h.markdown, /^\*\*myorigin\*\* · domain name/);
    assert.match(h.markdown, /Value here:\*\* `\$mydomain` → `example\.com` — set in \[main\.cf:2\]\(file:\/\/\/etc\/postfix\/main\.cf#L2\)/);
    assert.match(h.markdown, /Default:\*\* `\$myhostname`/);
    assert.match(h.markdown, /\[postconf\(5\): myorigin\]\(https:\/\/www\.postfix\.org\/postconf\.5\.html#myorigin\)/);
    const { position } = withCursor(main.replace('myorigin', 'myori|gin'));
    assert.equal(h.range.start.line, position.line);
    assert.equal(h.range.end.character - h.range.start.character, 'myorigin'.length);
  });

  test('the type in words; an empty value has no hover', () => {
    assert.match(md('main', 'mynetworks_style = host\nbi|ff = no\n'), /boolean \(`yes` or `no`\)[\s\S]*Value here:\*\* `no` — set in \[main\.cf:2\]/);
    assert.match(md('main', 'delay_warning_tim|e = 4h\n'), /time \(a number with unit s, m, h, d or w; no unit means hours\)/);
    assert.equal(hover('main', 'relay_domains = |\n'), undefined);
  });

  test('a default that is an expression shows what it expands to', () => {
    // compatibility_level is unset: postconf -d says 0, so the pre-3.6 choice applies.
    assert.match(md('main', 'x = $smtpd_relay_before_recipient_restri|ctions\n'), /→ `no`/);
    assert.match(md('main', 'compatibility_level = 3.6\nx = $smtpd_relay_before_recipient_restri|ctions\n'), /→ `yes`/);
  });

  test('per-service overrides from master.cf are listed with their lines', () => {
    const master = 'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n';
    const text = md('main', 'smtpd_tls_secu|rity_level = may\n', { files: { [`${DIR}/master.cf`]: master } });
    assert.match(text, /Value here:\*\* `may`/);
    assert.match(text, /In submission\/inet:\*\* `encrypt` — `-o` in \[master\.cf:2\]/);
  });

  test('deprecated and version-unknown names say so', () => {
    assert.match(md('main', 'smtpd_use_t|ls = yes\n'), /Deprecated\*\* since Postfix 3\.9; use `smtpd_tls_security_level` instead/);
    assert.match(md('main', 'smtp_tlsrpt_en|able = yes\n', { version: '3.7' }), /Not known to Postfix 3\.7\*\* \(added in Postfix 3\.10\)/);
  });

  test('unknown names: did you mean, or the places that use them as $name', () => {
    assert.match(md('main', 'smtpd_relay_restriction|s2 = x\n'), /not a Postfix parameter[\s\S]*Did you mean `smtpd_relay_restrictions`/);
    assert.match(md('main', 'my_re|lay = [mx.example]\nrelayhost = $my_relay\n'), /used as `\$my_relay` in \[main\.cf:2\]/);
  });

  test('restriction class names: the definition and the lists using it', () => {
    const main2 = 'smtpd_restriction_classes = inside\ninsi|de = permit_mynetworks, reject\nsmtpd_recipient_restrictions = inside\n';
    const text = md('main', main2);
    assert.match(text, /restriction class/);
    assert.match(text, /`inside = permit_mynetworks, reject`/);
    assert.match(text, /Used from `smtpd_recipient_restrictions`/);
  });
});

describe('main.cf values', () => {
  test('$reference: the expansion chain, each step with its source', () => {
    const main = 'mydomain = example.com\nmyhostname = mail.$mydomain\nmyorigin = $myhost|name\n';
    const text = md('main', main);
    assert.match(text, /^\*\*\$myhostname\*\* → `mail\.example\.com`/);
    assert.match(text, /- `\$myhostname` = `mail\.\$mydomain` — set in \[main\.cf:2\]/);
    assert.match(text, /  - `\$mydomain` = `example\.com` — set in \[main\.cf:1\]/);
  });

  test('$reference to a default, and to nothing', () => {
    assert.match(md('main', 'x = $mail_ow|ner\n'), /`\$mail_owner` = `postfix` — not set: the default applies/);
    assert.match(md('main', 'x = $nothing_he|re\n'), /\*undefined\*[\s\S]*expands to nothing/);
  });

  test('restriction after permit never runs; stage fit is stated', () => {
    const text = md('main', 'smtpd_relay_restrictions = permit_mynetworks, permit, reject_unauth_dest|ination\n');
    assert.match(text, /Never runs:\*\* `permit` on line 1 ends this list/);
    assert.match(text, /Has what it needs in `smtpd_relay_restrictions`/);
    const warned = md('main', 'smtpd_relay_restrictions = warn_if_reject reject, reject_unauth_dest|ination\n');
    assert.doesNotMatch(warned, /Never runs/);
  });

  test('a check that needs later data: works only with smtpd_delay_reject = yes', () => {
    assert.match(md('main', 'smtpd_client_restrictions = reject_non_fqdn_se|nder\n'), /only because `smtpd_delay_reject = yes`/);
    assert.match(md('main', 'smtpd_delay_reject = no\nsmtpd_client_restrictions = reject_non_fqdn_se|nder\n'), /With `smtpd_delay_reject = no` it has no data yet/);
    assert.match(md('main', 'smtpd_etrn_restrictions = reject_non_fqdn_se|nder\n'), /Has no data to check in `smtpd_etrn_restrictions`/);
  });

  test('a list included as $name is judged at the stages of the lists that include it', () => {
    const text = md('main', 'smtpd_etrn_restrictions = $mine\nmine = reject_non_fqdn_se|nder\n');
    assert.match(text, /Has no data to check in `smtpd_etrn_restrictions`/);
  });

  test('removed restrictions, missing arguments, arguments, unknown words', () => {
    assert.match(md('main', 'smtpd_recipient_restrictions = check_relay_dom|ains\n'), /Removed\*\* in Postfix 3\.9/);
    assert.doesNotMatch(md('main', 'smtpd_recipient_restrictions = check_relay_dom|ains\n', { version: '3.7' }), /Removed\*\* in Postfix 3\.9: smtpd/);
    assert.match(md('main', 'smtpd_recipient_restrictions = reject_rbl_cli|ent\n'), /Missing argument/);
    assert.match(md('main', 'smtpd_recipient_restrictions = reject_rbl_client zen.spam|haus.org\n'), /argument of `reject_rbl_client`[\s\S]*every answer counts as listed/);
    assert.match(md('main', 'smtpd_recipient_restrictions = reject_unauth_destinatoin|\n'), /not a restriction/);
  });

  test('table reference: files, and whether the index is older than its source', () => {
    const files = { [`${DIR}/access`]: 'x OK\n', [`${DIR}/access.db`]: '' };
    const marked = 'smtpd_client_restrictions = check_client_access hash:/etc/postfix/acc|ess\n';
    const stale = md('main', marked, { files, mtimes: { [`${DIR}/access`]: 2000, [`${DIR}/access.db`]: 1000 } });
    assert.match(stale, /^\*\*hash:\/etc\/postfix\/access\*\* · hash lookup table/);
    assert.match(stale, /Index:\*\* `\/etc\/postfix\/access\.db` — ⚠ older than its source: run `postmap hash:\/etc\/postfix\/access`/);
    assert.match(stale, /Used by `smtpd_client_restrictions`/);
    const fresh = md('main', marked, { files, mtimes: { [`${DIR}/access`]: 1000, [`${DIR}/access.db`]: 2000 } });
    assert.match(fresh, /access\.db` — up to date/);
    const missing = md('main', marked, { files: { [`${DIR}/access`]: 'x OK\n' } });
    assert.match(missing, /access\.db` — ⚠ missing: run `postmap/);
    assert.match(md('main', 'virtual_alias_maps = lmdb:/etc/postfix/vir|tual\n'), /install `postfix-lmdb`/);
  });
});

describe('master.cf', () => {
  const master = 'submission inet n - y - - smtpd\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n';

  test('-o name: the value for that service and what it overrides', () => {
    const text = md('master', master.replace('-o smtpd_tls_security', '-o smtpd_tls_secu|rity'), { files: { [`${DIR}/main.cf`]: 'smtpd_tls_security_level = may\n' } });
    assert.match(text, /Value for submission\/inet:\*\* `encrypt` — set by `-o` of `submission\/inet` in \[master\.cf:2\]/);
    assert.match(text, /Without this -o:\*\* `may` — set in \[main\.cf:1\]/);
  });

  test('-o value: restrictions in the service list', () => {
    const text = md('master', master.replace('sasl_authenticated,reject', 'sasl_authenticated,rej|ect'));
    assert.match(text, /\*\*reject\*\* · smtpd restriction/);
    assert.match(text, /Has what it needs in `smtpd_client_restrictions`/);
  });

  test('fields: what the column is and what the value means', () => {
    assert.match(md('master', 'submission in|et n - y - - smtpd\n'), /master\.cf column 2[\s\S]*A TCP listener/);
    assert.match(md('master', 'submission inet n |- y - - smtpd\n'), /column 4 \(unprivileged\)[\s\S]*`-` means the default: `y`/);
    assert.match(md('master', 'submission inet n - y - |- smtpd\n'), /`\$default_process_limit` = `100`/);
    assert.match(md('master', 'submission inet n - y - - smt|pd\n'), /The SMTP server/);
    assert.match(md('master', 'x unix - n n - - /usr/local/bin/fil|ter\n'), /Not one of Postfix's own daemons/);
    assert.match(md('master', 'submission inet n - y - - smtpd\nrelay unix - - n - - sm|tp\n'), /SMTP\/LMTP client/);
  });
});

describe('lookup tables and status codes', () => {
  const main = { [`${DIR}/main.cf`]: 'smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/access\n' };

  test('action with an enhanced status code', () => {
    const text = md('map', 'spam@example.com REJECT 5.7.|1 go away\n', { files: main });
    assert.match(text, /\*\*554\*\*/, 'access_map_reject_code');
    assert.match(text, /\*\*5\.7\.1\*\* \(RFC 3463 enhanced status\) — class 5: permanent failure[\s\S]*subject 7: security or policy[\s\S]*detail 1/);
    assert.match(md('map', 'spam@example.com REJ|ECT\n', { files: main }), /\*\*REJECT\*\* · access\(5\) action/);
  });

  test('numeric reply with a mismatched class: smtpd forces the reply code class', () => {
    const text = md('map', 'spam@example.com 55|0 4.7.1 no\n', { files: main });
    assert.match(text, /\*\*550\*\* — permanent refusal/);
    assert.match(text, /smtpd sends 5\.7\.1 instead/);
  });

  test('OK in a table of check_sender_mx_access is refused', () => {
    const files = { [`${DIR}/main.cf`]: 'smtpd_sender_restrictions = check_sender_mx_access hash:/etc/postfix/access\n' };
    assert.match(md('map', 'example.com O|K\n', { files }), /`OK` is refused for security reasons/);
  });

  test('no hover on keys or in non-access tables', () => {
    assert.equal(hover('map', 'spa|m@example.com REJECT\n', { files: main }), undefined);
    assert.equal(hover('map', 'example.com sm|tp:[relay]\n', { files: { [`${DIR}/main.cf`]: 'transport_maps = hash:/etc/postfix/transport\n' }, path: `${DIR}/transport` }), undefined);
  });

  test('enhanced status codes explained by class, subject and detail', () => {
    const e = explainEnhancedStatus('4.2.2')!;
    assert.match(e.classText, /temporary/);
    assert.match(e.subjectText, /mailbox/);
    assert.match(e.detailText!, /full/);
    assert.equal(explainEnhancedStatus('6.1.1'), undefined);
    assert.equal(explainEnhancedStatus('5.9.1'), undefined);
    assert.match(statusMarkdown('550', '5.1.99'), /not a registered code/);
  });
});

describe('robustness', () => {
  test('completion and hover answer at every word edge of every corpus file, CRLF and odd positions included, without throwing', () => {
    const corpus = '/work/shared/corpus';
    let positions = 0;
    for (const dir of readdirSync(corpus, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const f of readdirSync(`${corpus}/${dir.name}`)) {
        const kind: Kind = /^main\.cf/.test(f) ? 'main' : /^master\.cf/.test(f) ? 'master' : 'map';
        const raw = readFileSync(`${corpus}/${dir.name}/${f}`, 'utf8');
        for (const text of [raw, raw.replace(/\n/g, '\r\n')]) {
          const path = `${DIR}/${kind === 'main' ? 'main.cf' : kind === 'master' ? 'master.cf' : f}`;
          const files: Record<string, string> = { [path]: text };
          const reader = { readText: (p: string) => files[p], mtimeMs: () => 1 };
          const config = loadConfig(DIR, reader);
          const env = { config, version: '3.7', reader, listDir: () => [] };
          const lines = text.split('\n');
          lines.forEach((line, n) => {
            const cols = new Set([0, line.length, line.length + 5]);
            for (const m of line.matchAll(/[\s,=]+/g)) {
              cols.add(m.index);
              cols.add(m.index + m[0].length);
            }
            for (const character of cols) {
              completeAt(kind, path, text, { line: n, character }, env);
              hoverAt(kind, path, text, { line: n, character }, env);
              positions++;
            }
          });
          completeAt(kind, path, text, { line: lines.length + 3, character: 0 }, env);
        }
      }
    }
    assert.ok(positions > 5000, `${positions}`);
  });
});

test('a long value is shown flattened and shortened exactly as a flattening of the whole value would show it', () => {
  // Reference: flatten everything, then shorten (what code() did before it read only a prefix).
  const whole = (v: string, max: number) => {
    const flat = v.replace(/\s+/g, ' ');
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  };
  const valueArb = fc.array(fc.constantFrom('a', 'b', '`', ' ', '  ', '\t', '\n \n', ' '.repeat(300), 'x'.repeat(50)), { maxLength: 400 }).map((p) => p.join(''));
  fc.assert(
    fc.property(valueArb, fc.integer({ min: 2, max: 300 }), (v, max) => {
      const shown = whole(v, max);
      assert.equal(code(v, max), code(shown, Infinity));
      assert.equal(mdText(v, max), mdText(shown, Infinity));
    }),
    { numRuns: 500 },
  );
});

describe('hover on a configuration with many entries', () => {
  // Counts the walks over an array (for…of, spread, find, filter and the like all start one).
  function counted<T>(list: T[]): { walks: () => number } {
    let walks = 0;
    const own = list[Symbol.iterator].bind(list);
    Object.defineProperty(list, Symbol.iterator, { value: () => (walks++, own()) });
    for (const m of ['find', 'filter', 'some', 'map', 'forEach'] as const) {
      const f = (list[m] as (...a: unknown[]) => unknown).bind(list);
      Object.defineProperty(list, m, { value: (...a: unknown[]) => (walks++, f(...a)) });
    }
    return { walks: () => walks };
  }

  test('after the first hover, a hover walks neither the master.cf services nor the main.cf settings', () => {
    const services = Array.from({ length: 200 }, (_, i) => `svc${i} unix - n n - - smtp\n  -o syslog_name=postfix/svc${i}\n`).join('');
    const params = Array.from({ length: 200 }, (_, i) => `own_${i} = ${i ? `$own_${i - 1} ` : ''}v${i}\n`).join('');
    const mainText = `compatibility_level = 3.6\n${params}smtpd_banner = $myhostname $own_9\nsvc7_destination_concurrency_limit = 2\n`;
    const files: Record<string, string> = { [`${DIR}/main.cf`]: mainText, [`${DIR}/master.cf`]: `smtp inet n - y - - smtpd\n${services}` };
    const reader = { readText: (p: string) => files[p], mtimeMs: (p: string) => (p in files ? 1000 : undefined) };
    const config = loadConfig(DIR, reader, { version: '3.7' });
    const env = { config, version: '3.7', reader };
    // Hover on the name of the line that starts with `start` (the cursor after its first character).
    const at = (start: string) => {
      const line = mainText.split('\n').findIndex((l) => l.startsWith(start));
      return hoverAt('main', `${DIR}/main.cf`, mainText, { line, character: 1 }, env)?.markdown ?? '';
    };
    const own = () => at('own_4 =');
    // A per-service name of one of the 200 smtp services, set where the list ends.
    const perService = () => at('svc7_destination_concurrency_limit');
    // On master.cf: a service name, and the -o name under it.
    const masterText = files[`${DIR}/master.cf`];
    const inMaster = (start: string, character: number) => {
      const line = masterText.split('\n').findIndex((l) => l.startsWith(start));
      return hoverAt('master', `${DIR}/master.cf`, masterText, { line, character }, env)?.markdown ?? '';
    };
    const service = () => inMaster('svc150 ', 3);
    const option = () => inMaster('  -o syslog_name=postfix/svc150', '  -o sys'.length);
    const hovers = () => [own(), perService(), service(), option()];
    const first = hovers();
    assert.match(first[0], /used as `\$own_4` in \[main\.cf:7\]/);
    assert.match(first[1], /Per-service parameter of the master.cf service `svc7`/);
    assert.match(first[2], /Service `svc150\/unix`[^]*Per-service parameters it creates: `svc150_recipient_limit`/);
    assert.match(first[3], /Value for svc150\/unix:\*\* `postfix\/svc150`/);
    const servicesWalked = counted(config.master!.services);
    const entriesWalked = counted(config.main!.entries);
    assert.deepEqual(hovers(), first);
    assert.equal(servicesWalked.walks(), 0, 'master.cf services walked per hover');
    assert.equal(entriesWalked.walks(), 0, 'main.cf settings walked per hover');
  });
});
