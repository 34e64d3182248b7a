// package.json as VS Code reads it: which files each language claims (the
// globs matched the way VS Code does: a pattern with a `/` against the whole
// path, otherwise against the file name), and the Restricted Mode and virtual
// workspace capabilities.

import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { repoDir } from '../helpers/env';

interface Language {
  id: string;
  extensions?: string[];
  filenames?: string[];
  filenamePatterns?: string[];
}

const manifest = JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8'));
const languages: Language[] = manifest.contributes.languages;

/** A VS Code glob (`**`, `*`, `?`, `{a,b}`) as a regular expression. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',' && re.includes('(?:')) re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The language ids that claim `path`. */
function claims(path: string): string[] {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return languages
    .filter(
      (l) =>
        l.filenames?.includes(base) ||
        l.extensions?.some((e) => base.endsWith(e)) ||
        l.filenamePatterns?.some((p) => globToRegExp(p).test(p.includes('/') ? path : base)),
    )
    .map((l) => l.id);
}

describe('file associations', () => {
  test('the glob matcher behaves like VS Code for the forms we use', () => {
    assert.ok(globToRegExp('**/postfix/**/access').test('/etc/postfix/access'));
    assert.ok(globToRegExp('**/postfix/**/access').test('/repo/roles/postfix/files/access'));
    assert.ok(!globToRegExp('**/postfix/**/access').test('/srv/www/access'));
    assert.ok(!globToRegExp('**/postfix/**/*_access').test('/etc/postfix/sender_access.db'));
  });

  const expected: [string, string | undefined][] = [
    ['/etc/postfix/main.cf', 'postfix-main'],
    ['/repo/main.cf.proto', 'postfix-main'],
    ['/etc/postfix/master.cf', 'postfix-master'],
    ['/etc/postfix/access', 'postfix-map'],
    ['/etc/postfix/generic', 'postfix-map'],
    ['/etc/postfix/transport', 'postfix-map'],
    ['/etc/postfix/canonical', 'postfix-map'],
    ['/etc/postfix/virtual', 'postfix-map'],
    ['/repo/ansible/roles/postfix/files/virtual', 'postfix-map'],
    ['/etc/postfix/vmailbox', 'postfix-map'],
    ['/etc/postfix/sender_bcc', 'postfix-map'],
    ['/etc/postfix/recipient_bcc', 'postfix-map'],
    ['/etc/postfix/relay_clientcerts', 'postfix-map'],
    ['/etc/postfix/smtp_tls_policy', 'postfix-map'],
    ['/etc/postfix/check_client_access', 'postfix-map'],
    ['/etc/postfix/check_recipient_access', 'postfix-map'],
    ['/etc/postfix/maps/helo_checks', 'postfix-map'],
    ['/etc/postfix/postscreen_access.cidr', 'postfix-map'],
    ['/home/u/project/sender_access', 'postfix-map'],
    ['/etc/aliases', 'postfix-aliases'],
    ['/etc/postfix/aliases', 'postfix-aliases'],
    ['/etc/aliases.db', undefined],
    ['/home/u/.config/shell/aliases', undefined],
    // bare generic names outside a postfix directory are someone else's
    ['/srv/www/access', undefined],
    ['/home/u/notes/transport', undefined],
    ['/home/u/src/virtual', undefined],
    ['/home/u/src/generic', undefined],
    ['/home/u/src/canonical', undefined],
    // compiled (binary) tables
    ['/etc/postfix/access.db', undefined],
    ['/etc/postfix/transport.db', undefined],
    ['/etc/postfix/virtual.lmdb', undefined],
    ['/etc/postfix/sender_access.cdb', undefined],
    ['/etc/postfix/sasl_passwd.db', undefined],
    ['/etc/postfix/virtual_alias_maps.db', undefined],
    // templates are not the file they render to
    ['/repo/templates/main.cf.j2', undefined],
    ['/repo/roles/postfix/templates/main.cf.j2', undefined],
    ['/repo/roles/postfix/templates/master.cf.j2', undefined],
    ['/repo/roles/postfix/templates/transport.j2', undefined],
    ['/repo/roles/postfix/templates/sender_access.j2', undefined],
  ];
  for (const [path, id] of expected) {
    test(`${path} → ${id ?? 'not claimed'}`, () => {
      assert.deepEqual(claims(path), id ? [id] : []);
    });
  }

  test('no pattern can match a compiled table', () => {
    for (const l of languages)
      for (const p of l.filenamePatterns ?? []) assert.ok(!/\*$/.test(p) && !/[.*]db$|lmdb$|cdb$/.test(p), `${l.id}: ${p}`);
  });
});

/** The client's modules, relative to client/src (subdirectories included). */
function clientModules(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
}

describe('workspace trust', () => {
  test('Restricted Mode is limited, not unsupported, and restricts the mode setting', () => {
    const t = manifest.capabilities?.untrustedWorkspaces;
    assert.equal(t?.supported, 'limited');
    assert.ok(t.description.length > 20);
    for (const key of t.restrictedConfigurations) assert.ok(manifest.contributes.configuration.properties[key], key);
    assert.ok(t.restrictedConfigurations.includes('postfix.mode'));
    assert.equal(manifest.capabilities?.virtualWorkspaces?.supported, 'limited');
  });

  test('every client module that runs a program checks workspace trust first', () => {
    const dir = join(repoDir, 'client/src');
    // git-revision.ts runs git for the module that imports it.
    const runners = clientModules(dir).filter((f) => /child_process|disk\/git-revision/.test(readFileSync(join(dir, f), 'utf8')));
    assert.ok(runners.includes('version.ts'), `expected version.ts to run postconf, found ${runners}`);
    assert.ok(runners.includes('compare.ts'), `expected compare.ts to run git, found ${runners}`);
    for (const f of runners) assert.match(readFileSync(join(dir, f), 'utf8'), /if \(!workspace\.isTrusted\)/, f);
    const detect = manifest.contributes.commands.find((c: { command: string }) => c.command === 'postfix.detectVersion');
    assert.equal(detect.enablement, 'isWorkspaceTrusted');
  });

  test('every command a program-running module registers is disabled in Restricted Mode', () => {
    const dir = join(repoDir, 'client/src');
    const runners = clientModules(dir).filter((f) => /child_process/.test(readFileSync(join(dir, f), 'utf8')));
    assert.ok(runners.includes('postfix-programs.ts'), `expected postfix-programs.ts to run programs, found ${runners}`);
    for (const f of runners) {
      const text = readFileSync(join(dir, f), 'utf8');
      const ids = [...text.matchAll(/export const \w+_COMMAND = '([^']+)'/g)].map((m) => m[1]);
      assert.ok(ids.length > 0, `${f} names no command`);
      for (const id of ids) {
        const c = manifest.contributes.commands.find((x: { command: string }) => x.command === id);
        assert.equal(c?.enablement, 'isWorkspaceTrusted', `${f}: ${id}`);
      }
    }
  });
});

describe('commands', () => {
  test('every command the client registers is contributed, and every contributed command is registered', () => {
    const dir = join(repoDir, 'client/src');
    const registered = new Set<string>();
    for (const f of clientModules(dir)) {
      const text = readFileSync(join(dir, f), 'utf8');
      const constants = new Map([...text.matchAll(/export const (\w+_COMMAND) = '([^']+)'/g)].map((m) => [m[1], m[2]]));
      for (const m of text.matchAll(/registerCommand\((\w+|'[^']+')/g)) {
        const arg = m[1];
        const id = arg.startsWith("'") ? arg.slice(1, -1) : constants.get(arg);
        assert.ok(id, `${f}: registerCommand(${arg}) names no constant of this module`);
        registered.add(id);
      }
    }
    const contributed = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));
    assert.deepEqual([...registered].filter((id) => !contributed.has(id)), [], 'registered but not in package.json');
    assert.deepEqual([...contributed].filter((id) => !registered.has(id)), [], 'in package.json but never registered');
  });
});

describe('package', () => {
  test('the icon is a 128×128 PNG the .vsix carries', () => {
    const png = readFileSync(join(repoDir, manifest.icon));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
    assert.match(readFileSync(join(repoDir, '.vscodeignore'), 'utf8'), new RegExp(`^!${manifest.icon.replace('.', '\\.')}$`, 'm'));
  });

  test('every walkthrough step has its page, and every command it links to exists', () => {
    const [walkthrough] = manifest.contributes.walkthroughs;
    const ours = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));
    assert.ok(walkthrough.steps.length >= 5);
    for (const step of walkthrough.steps) {
      assert.ok(readFileSync(join(repoDir, step.media.markdown), 'utf8').length > 200, step.id);
      const linked = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m: RegExpMatchArray) => m[1]);
      assert.ok(linked.length > 0, `${step.id} links no command`);
      for (const id of [...linked, ...step.completionEvents.filter((e: string) => e.startsWith('onCommand:')).map((e: string) => e.slice(10))])
        assert.ok(!id.startsWith('postfix.') || ours.has(id), `${step.id}: ${id} is not a contributed command`);
    }
    assert.match(readFileSync(join(repoDir, '.vscodeignore'), 'utf8'), /^!media\/walkthrough\/\*\*$/m);
  });
});
