// Parameters that the proto still documents but that no release since knows
// (issue 7): real postconf 3.7.11 warns "unused parameter: X=Y" for each.
// The linter, under the default target version (the newest) and under 3.7,
// reports exactly the names real postconf reports, once each, saying which
// release dropped the parameter; names postconf still knows get no PF103.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireTools } from '../helpers/env';
import { ConfigDir, run } from '../helpers/postfix-tools';
import { fsReader } from '../helpers/simulate-compare';
import { lintDirectory } from '../../server/src/engine/lint';
import notes from '../../server/src/engine/catalog/generated/parameterNotes';

const OBSOLETE = notes.filter((n) => n.kind === 'obsolete_per_proto' || n.kind === 'renamed').map((n) => n.name);

test('obsolete parameters: PF103 for exactly the names real postconf -n calls unused', (t) => {
  if (!requireTools(t, { commands: ['postconf'] })) return;
  assert.ok(OBSOLETE.includes('smtp_skip_4xx_greeting') && OBSOLETE.includes('tls_dane_digest_agility'));
  const d = new ConfigDir();
  try {
    const main = `compatibility_level = 3.6\n${OBSOLETE.map((n) => `${n} = x`).join('\n')}\n`;
    d.write('main.cf', main);
    d.write('master.cf', '');
    const real = run('postconf', ['-c', d.dir, '-n']);
    const unused = [...real.stderr.matchAll(/unused parameter: ([a-z0-9_]+)=/g)].map((m) => m[1]).sort();
    // The six of the issue are among them; the renamed ones (still accepted by 3.7) are not.
    for (const n of ['smtp_skip_4xx_greeting', 'smtpd_tls_cipherlist', 'lmtp_cache_connection', 'enable_errors_to', 'smtpd_sasl_application_name', 'tls_dane_digest_agility']) assert.ok(unused.includes(n), `real postconf: ${n}`);
    for (const version of [undefined, '3.7']) {
      const problems = lintDirectory(d.dir, fsReader, { version });
      const pf103 = problems.filter((p) => p.code === 'PF103');
      const names = pf103.map((p) => /unused parameter: ([a-z0-9_]+)=/.exec(p.message)?.[1] ?? '?').sort();
      assert.deepEqual(names, unused, `target ${version ?? 'default'}`);
      for (const p of pf103) assert.match(p.message, /Postfix \d+\.\d+ and later no longer have this parameter, so the setting does nothing\./);
      assert.match(pf103.find((p) => p.message.includes('smtpd_sasl_application_name'))!.message, /Use smtpd_sasl_path instead\./);
      // One finding per mistake: no "removed" warning beside the unused one.
      const lines = problems.filter((p) => p.code.startsWith('PF1')).map((p) => p.range.start.line);
      assert.equal(new Set(lines).size, lines.length, JSON.stringify(problems.map((p) => `${p.code} ${p.message}`)));
    }
  } finally {
    d.dispose();
  }
});
