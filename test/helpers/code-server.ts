// Real VS Code for the e2e tests: code-server 4.100.3 with our packaged
// .vsix, driven through Debian's Chromium with playwright-core (installed by
// scripts/install-e2e.sh into a cache outside the repository; recipe in
// ../shared/real-editors.md section 1). One code-server and one browser serve
// a whole test file; `Workbench` holds the few gestures a user makes (command
// palette, find, lightbulb menu, Problems filter) as waits on the DOM, never
// on the clock.

import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { repoDir, requireTools } from './env';
import { ensureBuilt } from './build';

const cache = process.env.POSTFIX_E2E_CACHE ?? '/var/cache/postfix-lint-e2e';
const codeServer = join(cache, 'code-server-4.100.3/node_modules/.bin/code-server');
const playwrightCore = join(cache, 'playwright-core-1.65.1/node_modules/playwright-core');
const chromiumPath = '/usr/bin/chromium';

/** Generous limits (5 min) that catch a hang, not a slow machine: a loaded two-core machine takes a minute to bring the workbench up. */
export const HANG_MS = 300_000;

export function codeServerPrerequisites(t: TestContext): boolean {
  return requireTools(t, { path: codeServer }) && requireTools(t, { path: playwrightCore }) && requireTools(t, { path: chromiumPath });
}

/** Packages the extension as a user gets it and checks the package (size, no maps or screenshots). */
export function packageVsix(dir: string): string {
  ensureBuilt();
  const vsix = join(dir, 'postfix.vsix');
  // README links are relative; vsce wants a base URL when the repository is not on GitHub/GitLab.
  const base = 'https://github.com/postfix-tools/postfix-config-tools/raw/main/';
  const args = ['vsce', 'package', '--no-dependencies', '--baseContentUrl', base, '--baseImagesUrl', base, '--out', vsix];
  execFileSync('npx', args, { cwd: repoDir, stdio: 'pipe', input: '' });
  // Under 700 KB, no source maps or screenshots: throws with the reason otherwise.
  execFileSync(process.execPath, ['scripts/check-vsix.mjs', vsix], { cwd: repoDir, stdio: 'pipe' });
  return vsix;
}

/** A fresh HOME, user data and extension dir under `run` with the .vsix installed; returns the environment for code-server. */
export function installExtension(run: string, vsix: string): NodeJS.ProcessEnv {
  const env = { ...process.env, HOME: join(run, 'home'), XDG_CONFIG_HOME: join(run, 'home/.config'), XDG_DATA_HOME: join(run, 'home/.local/share') };
  mkdirSync(env.HOME!, { recursive: true });
  execFileSync(codeServer, ['--user-data-dir', join(run, 'ud'), '--extensions-dir', join(run, 'ext'), '--install-extension', vsix], { env, stdio: 'pipe' });
  return env;
}

export interface CodeServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts code-server on a free port in its own process group; resolves when it says it listens.
 * With `trust`, workspace trust is on and VS Code asks whether to trust the folder (Restricted Mode test).
 */
export function startCodeServer(run: string, env: NodeJS.ProcessEnv, workspace: string, { trust = false } = {}): Promise<CodeServer> {
  const child: ChildProcess = spawn(
    codeServer,
    [
      '--bind-addr', '127.0.0.1:0', '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      ...(trust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override',
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
    const timer = setTimeout(() => fail(new Error(`code-server did not listen within ${HANG_MS / 1000} s (timed out):\n${log}`)), HANG_MS);
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

export interface Browser {
  /** A new tab with hang-only time limits. */
  newPage(): Promise<any>;
  close(): Promise<void>;
}

/** One headless Chromium (fresh profile under `run`) for every window of a test file. */
export async function launchBrowser(run: string): Promise<Browser> {
  const { chromium } = createRequire(__filename)(playwrightCore);
  const context = await chromium.launchPersistentContext(mkdtempSync(join(run, 'chromium-')), {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    env: { ...process.env, HOME: join(run, 'home') },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  let first: any = context.pages()[0];
  return {
    async newPage() {
      const page = first ?? (await context.newPage());
      first = undefined;
      page.setDefaultTimeout(HANG_MS);
      page.setDefaultNavigationTimeout(HANG_MS);
      return page;
    },
    close: () => context.close(),
  };
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** What a user does in the workbench, each step waiting for what it causes. */
export class Workbench {
  constructor(readonly page: any) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('.monaco-workbench').waitFor();
  }

  /** Runs a command from the F1 palette by its full title. */
  async command(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.page.keyboard.type(title);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click();
  }

  /** The titles the F1 palette offers for `prefix` (waits until `expected` is among them), then closes it. */
  async paletteTitles(prefix: string, expected: string): Promise<string[]> {
    await this.page.keyboard.press('F1');
    await this.page.keyboard.type(prefix);
    const rows = this.page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: expected }).first().waitFor();
    const titles = (await rows.allInnerTexts()).map(oneLine);
    await this.page.keyboard.press('Escape');
    return titles;
  }

  /** Quick Open (Ctrl+P) of a workspace-relative path; waits for its tab to be the active one. */
  async quickOpen(path: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    await this.page.keyboard.type(path);
    const name = path.split('/').pop()!;
    const dir = path.slice(0, -name.length - 1);
    // Wait for the focused row to be this file: before the search applies, a recently opened file of the same name is first.
    let row = this.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name });
    if (dir) row = row.filter({ hasText: dir });
    await row.first().waitFor();
    await this.page.keyboard.press('Enter');
    await this.activeTab(name).waitFor();
    if (dir) await this.page.locator('.editor-group-container.active .breadcrumbs-control', { hasText: dir.split('/').pop() }).first().waitFor();
  }

  /** The active editor tab whose file name is exactly `name`. */
  activeTab(name: string) {
    return this.page.locator('.editor-group-container.active .tab.active .label-name', { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}$`) });
  }

  /** Brings the tab of `name` (in directory `dir`, shown beside the name when two tabs share it) to the front. */
  async showTab(name: string, dir?: string): Promise<void> {
    const tab = this.page.locator('.tabs-container .tab', { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}\\s*${dir ?? ''}`) }).first();
    await tab.click();
    await this.activeTab(name).waitFor();
  }

  /** Puts the cursor at the end of the one occurrence of `needle` in the active editor (Find, Enter, Escape). */
  async cursorAfter(needle: string): Promise<void> {
    await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await this.page.keyboard.press('Control+F');
    await this.page.keyboard.type(needle);
    await this.page.locator('.find-widget .matchesCount', { hasText: /^1 of 1$/ }).waitFor();
    await this.page.keyboard.press('Enter');
    await this.page.keyboard.press('Escape');
  }

  /** Opens the lightbulb menu (Ctrl+.) at the cursor, walks to the action titled `text` and applies it. Returns every title offered. */
  async applyAction(text: string): Promise<string[]> {
    await this.page.keyboard.press('Control+.');
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    await rows.first().waitFor();
    const titles = (await rows.allInnerTexts()).map(oneLine);
    if (!titles.some((t: string) => t.includes(text))) throw new Error(`no code action "${text}"; offered: ${titles.join(' | ')}`);
    // The keyboard, as a user would: clicking a row of the menu waits for an animation that a headless window may never finish.
    for (let i = 0; i <= titles.length; i++) {
      if ((await this.page.locator('.action-widget .monaco-list-row.focused').innerText()).includes(text)) {
        await this.page.keyboard.press('Enter');
        return titles;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`could not focus the code action "${text}"`);
  }

  /**
   * "Developer: Inspect Editor Tokens and Scopes" at the cursor: the widget's text, one line per row.
   * The widget does not refresh when the server's semantic tokens arrive after it opened, so it is
   * reopened (each time waiting up to 10 s for the semantic row) until the hang limit.
   */
  async inspectTokens(): Promise<string> {
    const deadline = Date.now() + HANG_MS;
    for (;;) {
      await this.command('Developer: Inspect Editor Tokens and Scopes');
      const widget = this.page.locator('.token-inspect-widget');
      await widget.waitFor();
      const semantic = widget.locator('td', { hasText: 'semantic token type' });
      const found = await semantic.waitFor({ timeout: 10_000 }).then(() => true, () => false);
      const text = await widget.innerText();
      await this.page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden' });
      if (found) return text;
      if (Date.now() > deadline) throw new Error(`timed out after ${HANG_MS / 1000} s waiting for a semantic token; the widget shows:\n${text}`);
    }
  }

  /** Shows the Problems panel (Ctrl+Shift+M toggles it, so only when hidden) filtered by `text`. */
  async filterProblems(text: string): Promise<void> {
    const filter = this.page.locator('.markers-panel-action-filter input, .viewpane-filter input').first();
    if (!(await filter.isVisible())) await this.page.keyboard.press('Control+Shift+M');
    await filter.fill(text);
  }

  /** The Problems rows (files and findings) under the filter `text`, once a row matching `wait` is there. */
  async problems(text: string, wait: RegExp | string): Promise<string[]> {
    await this.filterProblems(text);
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    await rows.filter({ hasText: wait }).first().waitFor();
    // The rows seen before the filter applies match `wait` too: wait until every finding row matches the filter.
    if (text) {
      // A string, run in the page (the test code is compiled without the DOM types).
      const filter = JSON.stringify(text);
      await this.page.waitForFunction(
        `(() => { const found = [...document.querySelectorAll('.markers-panel .monaco-list-row')].map((r) => r.innerText).filter((t) => /PF\\d{3}/.test(t)); return found.length > 0 && found.every((t) => t.includes(${filter})); })()`,
      );
    }
    return (await rows.allInnerTexts()).map(oneLine);
  }

  /** Waits until no Problems row matches `gone` (call after seeing it there: an absent row passes at once). */
  async problemGone(gone: RegExp | string): Promise<void> {
    await this.page.locator('.markers-panel .monaco-list-row', { hasText: gone }).first().waitFor({ state: 'detached' });
  }
}
