// `postfix-lint --format html`: the built CLI writes one self-contained page;
// headless Chromium renders it with the network cut off (screenshot kept in
// .test-tmp/artifacts/), its tables have headers, its colours meet WCAG AA,
// and the Debian stock configuration's page stays under 1 MB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoDir, requireTools, sharedDir } from '../helpers/env';
import { THEME } from '../../server/src/report/html';

const cli = join(repoDir, 'dist/cli.js');
const chromium = '/usr/bin/chromium';
const artifacts = join(repoDir, '.test-tmp/artifacts');

function debianCopy(root: string, extraMain = ''): string {
  const dir = join(root, 'etc-postfix');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(sharedDir, 'corpus/debian-postfix-3.7/master.cf.dist'), join(dir, 'master.cf'));
  writeFileSync(join(dir, 'main.cf'), readFileSync(join(sharedDir, 'corpus/debian-postfix-3.7/main.cf.debian'), 'latin1') + extraMain, 'latin1');
  return dir;
}

function report(dir: string): { status: number | null; page: string } {
  const r = spawnSync('node', [cli, '--format', 'html', dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.stderr, '');
  return { status: r.status, page: r.stdout };
}

/** WCAG relative luminance contrast of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

test('the Debian stock report: self-contained, accessible tables, AA contrast, under 1 MB', () => {
  const root = mkdtempSync(join(tmpdir(), 'pf-html-'));
  try {
    const { page } = report(debianCopy(root));
    const bytes = Buffer.byteLength(page);
    assert.ok(bytes < 1024 * 1024, `${bytes} bytes`);
    assert.match(page, /^<!DOCTYPE html>/);
    assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/);
    // Nothing to fetch: no scripts, images, style sheets or fonts from anywhere.
    assert.doesNotMatch(page, /<script|<link|<img|<iframe|\bsrc=|url\(|@import/i);
    assert.match(page, /<h2>Relay matrix<\/h2>/);
    assert.match(page, /<caption>Service smtp\/inet<\/caption>/);
    // Every data table has a caption or a label, column headers and row headers.
    const tables = page.match(/<table[\s\S]*?<\/table>/g) ?? [];
    assert.ok(tables.length >= 3);
    for (const t of tables) {
      assert.ok(/<caption>/.test(t) || /<table[^>]*aria-label=/.test(t), t.slice(0, 200));
      if (/<thead>/.test(t)) {
        assert.ok(!/<th(?=[\s>])(?![^>]*scope=)/.test(t), `every th has a scope: ${t.slice(0, 300)}`);
      }
    }
    for (const [name, [fg, bg]] of Object.entries(THEME)) {
      assert.ok(contrast(fg, bg) >= 4.5, `${name}: ${fg} on ${bg} is ${contrast(fg, bg).toFixed(2)}:1`);
      assert.ok(page.includes(fg) && page.includes(bg), `${name}'s colours are the ones the page uses`);
    }
    // main.cf and master.cf in full, coloured by the grammars.
    assert.match(page, /<span class="t-comment"># See \/usr\/share\/postfix\/main\.cf\.dist/);
    assert.match(page, /master\.cf <span class="muted">\(\d+ lines/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('an open relay is shown red with words, findings under their line, hostile text escaped', () => {
  const root = mkdtempSync(join(tmpdir(), 'pf-html-'));
  try {
    const dir = debianCopy(root, 'mynetworks = 0.0.0.0/0\n# <script>alert(1)</script> \u001b[31m\nsmtpd_banner = $myhostname <b>x</b>\n');
    const { status, page } = report(dir);
    assert.equal(status, 1, 'errors found: exit 1 as for text output');
    assert.match(page, /<td class="open" title="250 2\.1\.5 Ok">ACCEPT: OPEN RELAY<\/td>/);
    assert.match(page, /<strong>Open relay:<\/strong>/);
    assert.match(page, /<tr class="finding sev-error"><td class="ln"><\/td><td class="msg"><span class="badge">error<\/span><a href="[^"]+PF500\.md">PF500<\/a>/);
    assert.doesNotMatch(page, /<script>|<b>x<\/b>/);
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(page, /<span class="ctl">\\x1b<\/span>/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('headless Chromium renders the page offline (screenshot kept as an artefact)', (t) => {
  if (!requireTools(t, { path: chromium })) return;
  const root = mkdtempSync(join(tmpdir(), 'pf-html-'));
  try {
    const dir = debianCopy(root, 'mynetworks = 0.0.0.0/0\n');
    const file = join(root, 'report.html');
    writeFileSync(file, report(dir).page);
    mkdirSync(artifacts, { recursive: true });
    const png = join(artifacts, 'html-report.png');
    rmSync(png, { force: true });
    const profile = join(root, 'profile');
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${profile}`, '--host-resolver-rules=MAP * ~NOTFOUND', '--window-size=1200,1600'];
    // The DOM as Chromium parsed it: the matrix table and the coloured code are there.
    const dom = execFileSync(chromium, [...flags, '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'] });
    assert.match(dom, /<td class="open"[^>]*>ACCEPT: OPEN RELAY<\/td>/);
    assert.match(dom, /<span class="t-name">mynetworks<\/span>/);
    execFileSync(chromium, [...flags, `--screenshot=${png}`, `file://${file}`], { timeout: 120_000, stdio: 'ignore' });
    const size = statSync(png).size;
    // A blank 1200x1600 PNG compresses to a few KB; the rendered report is far larger.
    assert.ok(size > 50_000, `screenshot is ${size} bytes`);
    t.diagnostic(`screenshot: ${png} (${size} bytes)`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
