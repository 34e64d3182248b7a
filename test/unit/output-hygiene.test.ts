// Text from a configuration is untrusted: it must not act on a terminal, turn
// into links or markup in hover, and bad option values are refused (issue 8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsReader, runLint } from '../../server/src/cli/main';
import { hoverAt } from '../../server/src/engine/assist';
import { code, mdText } from '../../server/src/engine/assist/markdown';
import { loadConfig } from '../../server/src/engine/config';
import { withCursor } from '../helpers/lsp-client';

function lint(main: string, args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'pf-hyg-'));
  try {
    writeFileSync(join(dir, 'main.cf'), main);
    let stdout = '';
    let stderr = '';
    const status = runLint([...args, dir], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), reader: fsReader }) as number;
    return { status, stdout, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('text output shows control characters from the configuration as \\xNN', () => {
  const r = lint('compatibility_level = 3.6\nbogus_\u001b[2Jx = 1\u0007\r\n', []);
  assert.match(r.stdout, /bogus_\\x1b\[2Jx=1\\x07/);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f]/);
});

test('--postfix-version takes a release number only', () => {
  for (const bad of ['abc', '3', '3.x', '']) {
    const r = lint('compatibility_level = 3.6\n', ['--postfix-version', bad]);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /--postfix-version needs a release such as 3\.7/);
  }
  assert.equal(lint('compatibility_level = 3.6\n', ['--postfix-version', '3.7.11']).status, 0);
});

test('SARIF informationUri is the project page, not a rule page', () => {
  const sarif = JSON.parse(lint('compatibility_level = 3.6\nbogus = 1\n', ['--format', 'sarif']).stdout);
  assert.equal(sarif.runs[0].tool.driver.informationUri, 'https://github.com/postfix-tools/postfix-config-tools');
});

test('hover: a table spec or a name with Markdown in it stays text', () => {
  const marked = 'virtual_alias_maps = hash:/etc/postfix/x[cl|ick](http://evil.example/)\nx_*bold*_ = 1\n';
  const { text, position } = withCursor(marked);
  const reader = { readText: (p: string) => (p === '/etc/postfix/main.cf' ? text : undefined) };
  const config = loadConfig('/etc/postfix', reader, { version: '3.12' });
  const h = hoverAt('main', '/etc/postfix/main.cf', text, position, { config, version: '3.12', reader });
  assert.ok(h, 'a hover for the table spec');
  // Inside code spans text is inert; outside them no `](` may be left unescaped.
  const outsideCode = h.markdown.replace(/(`+)[\s\S]*?\1/g, '');
  assert.doesNotMatch(outsideCode, /(^|[^\\])\]\(/);
  assert.match(h.markdown, /\\\[click\\\]\\\(http:\/\/evil\.example\/\\\)/);
  const name = hoverAt('main', '/etc/postfix/main.cf', text, { line: 1, character: 2 }, { config, version: '3.12', reader });
  assert.ok(name);
  assert.match(name.markdown, /^\*\*x\\_\\\*bold\\\*\\_\*\* · not a Postfix parameter/);
  assert.equal(mdText('<img src=x onerror=alert(1)>'), '\\<img src=x onerror=alert\\(1\\)\\>');
  // Inline code cannot be closed early by backticks in the text.
  assert.equal(code('a``b'), '```a``b```');
});
