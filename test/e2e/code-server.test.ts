// Real VS Code: our extension packaged as a .vsix, installed into code-server
// 4.100.3 and driven through Debian's Chromium with playwright-core. Asserts
// what a user sees: the language mode, the squiggle, the Problems entry and
// the status bar item (mode and target release; "server stopped" when it is).
// Needs `scripts/install-e2e.sh` (cache outside the repo); recipe in
// ../shared/real-editors.md section 1.

import { strict as assert } from 'node:assert';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoDir, requireTools } from '../helpers/env';
import { ensureBuilt } from '../helpers/lsp-client';

const cache = process.env.POSTFIX_E2E_CACHE ?? '/var/cache/postfix-lint-e2e';
const codeServer = join(cache, 'code-server-4.100.3/node_modules/.bin/code-server');
const playwrightCore = join(cache, 'playwright-core-1.65.1/node_modules/playwright-core');
const chromiumPath = '/usr/bin/chromium';
const extensionDirName = 'postfix-tools.postfix-config-tools-0.1.0';
const shots = resolve(repoDir, '.test-tmp');

function prerequisites(t: Parameters<typeof requireTools>[0]): boolean {
  return (
    requireTools(t, { path: codeServer }) && requireTools(t, { path: playwrightCore }) && requireTools(t, { path: chromiumPath })
  );
}

interface CodeServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts code-server on a free port in its own process group; resolves when it says it listens. */
function startCodeServer(run: string, env: NodeJS.ProcessEnv, workspace: string): Promise<CodeServer> {
  const child: ChildProcess = spawn(
    codeServer,
    [
      '--bind-addr', '127.0.0.1:0', '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override',
      '--user-data-dir', join(run, 'ud'), '--extensions-dir', join(run, 'ext'), workspace,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  // The file watcher lives in a child process; kill the whole group.
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    await exited;
  };
  let log = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`code-server did not listen within 300 s (timed out):\n${log}`)), 300_000);
    const onData = (b: Buffer) => {
      log += b;
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(log);
      if (m) {
        clearTimeout(timer);
        done({ url: m[1], stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => fail(new Error(`code-server exited ${code}:\n${log}`)));
  });
}

interface Seen {
  language: string;
  problem: string;
  /** The extension's status bar item, when `status` was asked for. */
  status?: string;
  /** What `then` saw. */
  more?: string;
  timings: string[];
}

interface Expect {
  file: string;
  code: string;
  severity: 'error' | 'warning';
  timeoutMs: number;
  shot: string;
  /** Wait (one minute at most) for our status bar item to read this, before the squiggle. */
  status?: RegExp;
  /** More steps in the same window, after the Problems entry; returns what they saw. */
  then?: (page: any, mark: (what: string) => void) => Promise<string>;
}

/** Generous limits (5 min) that catch a hang, not a slow machine. */
const HANG_MS = 300_000;

/** Opens `file` from the explorer and waits for a squiggle and the Problems row with `code`. */
async function openAndWaitForProblem(url: string, run: string, { file, code, severity, timeoutMs, shot, status, then }: Expect): Promise<Seen> {
  const { chromium } = createRequire(__filename)(playwrightCore);
  const started = Date.now();
  const timings: string[] = [];
  const mark = (what: string) => timings.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const profile = mkdtempSync(join(run, 'chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    env: { ...process.env, HOME: join(run, 'home') },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = browser.pages()[0];
  // Limits that only catch a hang: a loaded machine takes a minute or more to bring the workbench up.
  page.setDefaultTimeout(HANG_MS);
  page.setDefaultNavigationTimeout(HANG_MS);
  try {
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: HANG_MS });
    mark('workbench');
    await page.getByRole('treeitem', { name: file }).click();
    const language = page.locator('.statusbar-item', { hasText: 'Postfix main.cf' }).first();
    await language.waitFor({ timeout: HANG_MS });
    mark('language mode');
    let statusText: string | undefined;
    if (status) {
      const item = page.locator('.statusbar-item', { hasText: status }).first();
      await item.waitFor({ timeout: 60_000 });
      statusText = (await item.innerText()).replace(/\s+/g, ' ').trim();
      mark('status bar');
    }
    await page.locator(`.monaco-editor .squiggly-${severity}`).first().waitFor({ timeout: timeoutMs });
    mark('squiggle');
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: code }).first();
    await row.waitFor({ timeout: timeoutMs });
    mark('Problems entry');
    const problem = (await row.innerText()).replace(/\s+/g, ' ');
    // Read before `then`: the language item leaves the status bar while a webview has focus.
    const languageText = await language.innerText();
    const more = then ? await then(page, mark) : undefined;
    return { language: languageText, problem, status: statusText, more, timings };
  } catch (e) {
    await page.screenshot({ path: shot }).catch(() => {});
    throw new Error(`${(e as Error).message}\n(screenshot: ${shot}; timings: ${timings.join(', ')})`);
  } finally {
    await browser.close();
  }
}

/** Runs "Postfix: Simulate SMTP transaction…", submits the panel's form as it comes, then copies the swaks command. */
async function simulateInPanel(page: any, mark: (what: string) => void): Promise<string> {
  await page.keyboard.press('Escape');
  await page.locator('.monaco-editor').first().click();
  await page.keyboard.press('F1');
  await page.keyboard.type('Postfix: Simulate SMTP transaction');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Simulate SMTP transaction' }).first().click();
  // The webview's document sits two frames down.
  const view = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
  await view.locator('#run').click({ timeout: HANG_MS });
  mark('simulator form');
  const verdict = view.locator('h2', { hasText: 'Verdict:' });
  await verdict.waitFor({ timeout: HANG_MS });
  mark('verdict');
  await view.locator('#swaks').click();
  const note = view.locator('#note', { hasText: 'Copied:' });
  await note.waitFor({ timeout: 60_000 });
  mark('swaks copied');
  // Kept as a test artefact; docs/images/simulator.png in the README is one of these.
  await page.screenshot({ path: join(shots, 'code-server-simulator.png') });
  return `${await verdict.innerText()}\n${await note.innerText()}`;
}

describe('VS Code (code-server) with the packaged extension', () => {
  let work: string;
  let vsix: string;
  const stops: (() => Promise<void>)[] = [];

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'postfix-code-server-'));
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    for (const stop of stops) await stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** A fresh HOME, user data, extension dir and workspace with the extension installed. */
  function prepare(name: string): { run: string; env: NodeJS.ProcessEnv; workspace: string } {
    if (!vsix) {
      ensureBuilt();
      vsix = join(work, 'postfix.vsix');
      // README links are relative; vsce wants a base URL when the repository is not on GitHub/GitLab.
      const base = 'https://github.com/postfix-tools/postfix-config-tools/raw/main/';
      const args = ['vsce', 'package', '--no-dependencies', '--baseContentUrl', base, '--baseImagesUrl', base, '--out', vsix];
      execFileSync('npx', args, { cwd: repoDir, stdio: 'pipe', input: '' });
      // Under 700 KB, no source maps or screenshots: throws with the reason otherwise.
      execFileSync(process.execPath, ['scripts/check-vsix.mjs', vsix], { cwd: repoDir, stdio: 'pipe' });
    }
    const run = join(work, name);
    const env = { ...process.env, HOME: join(run, 'home'), XDG_CONFIG_HOME: join(run, 'home/.config'), XDG_DATA_HOME: join(run, 'home/.local/share') };
    mkdirSync(env.HOME!, { recursive: true });
    execFileSync(codeServer, ['--user-data-dir', join(run, 'ud'), '--extensions-dir', join(run, 'ext'), '--install-extension', vsix], { env, stdio: 'pipe' });
    const workspace = join(run, 'ws');
    cpSync(resolve(repoDir, 'examples/mistakes'), workspace, { recursive: true });
    return { run, env, workspace };
  }

  test('examples/mistakes/main.cf shows the PF112 error squiggle and Problems entry on line 6', async (t) => {
    if (!prerequisites(t)) return;
    const started = Date.now();
    const { run, env, workspace } = prepare('good');
    const server = await startCodeServer(run, env, workspace);
    stops.push(server.stop);
    const seen = await openAndWaitForProblem(`${server.url}/?folder=${workspace}`, run, {
      file: 'main.cf',
      code: 'PF112',
      severity: 'error',
      timeoutMs: HANG_MS,
      shot: join(shots, 'code-server-good.png'),
      status: /Postfix 3\.\d+ · repository/,
      then: simulateInPanel,
    });
    await server.stop();
    t.diagnostic(`${seen.timings.join(', ')}; whole test ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(seen.language, 'Postfix main.cf');
    assert.match(seen.problem, /This indented line does not set mydomain/);
    assert.match(seen.problem, /postfix\s*\(?PF112\)?/);
    assert.match(seen.problem, /\[Ln 6, Col 3\]/);
    // A copy outside /etc/postfix is judged as a repository copy, against the newest release.
    assert.match(seen.status ?? '', /^Postfix 3\.\d+ · repository$/);
    // mynetworks = 0.0.0.0/0 in the example: the panel's default outside client may relay.
    assert.match(seen.more ?? '', /Verdict: ACCEPT at RCPT TO/);
    assert.match(seen.more ?? '', /Copied: swaks --server localhost --port 25 --xclient-addr 203\.0\.113\.5 /);
  });

  test('negative control: with a broken server no squiggle appears and the check fails', async (t) => {
    if (!prerequisites(t)) return;
    const { run, env, workspace } = prepare('broken');
    writeFileSync(join(run, 'ext', extensionDirName, 'dist', 'server.js'), 'process.exit(3);\n');
    const server = await startCodeServer(run, env, workspace);
    stops.push(server.stop);
    await assert.rejects(
      openAndWaitForProblem(`${server.url}/?folder=${workspace}`, run, {
        file: 'main.cf',
        code: 'PF112',
        severity: 'error',
        timeoutMs: 10_000,
        shot: join(shots, 'code-server-broken.png'),
        // The failure is visible, not silent: the status bar says the server stopped.
        status: /Postfix: server stopped/,
      }),
      /squiggly-error/,
    );
    await server.stop();
  });
});
