// The user's settings that change analysis: `postfix.version`, the Postfix
// release completion, hover and diagnostics target (default: the newest in the
// catalog), and `postfix.mode`, whether a directory is judged as the live
// configuration or as a repository copy (default: by where it is). Pulled with workspace/configuration after `initialized` and on
// every didChangeConfiguration; clients that push settings in the
// notification (`settings.postfix`) are honoured too.

import { dirname } from 'node:path';
import { DidChangeConfigurationNotification } from './lsp';
import { diskReader } from '../disk/read-file';
import { emptyRuleSettings, findRuleSettings, mergeRuleSettings, parseRuleSettings, type RuleSettings } from '../engine/rule-settings';
import { NEWEST_VERSION } from '../engine/catalog/parameters';
import type { ConfigMode } from '../engine/config-files';
import { describeError, Feature, ServerContext } from './context';

export interface PostfixSettings {
  /** Target Postfix version, `major.minor` or `major.minor.patch`. */
  version: string;
  /** `auto`: /etc/postfix is live, anything else a repository copy (engine/config-files.ts). */
  mode: 'auto' | ConfigMode;
  /** `postfix.inlayHints.expandedValues`: `= value` after each $reference. */
  expandedValues: boolean;
  /** `postfix.rules` and `postfix.categories`: severity or "off" per rule code and per category. */
  rules: RuleSettings;
  /** Analyse every configuration directory of the workspace, not only those of open files (workspaceDiagnostics.ts). */
  workspaceDiagnostics: boolean;
  /** The configuration directory logs are explained against (logExplain.ts); empty: the one found in the workspace. */
  logConfigDirectory: string;
}

const DEFAULTS: PostfixSettings = { version: NEWEST_VERSION, mode: 'auto', expandedValues: true, rules: emptyRuleSettings(), workspaceDiagnostics: true, logConfigDirectory: '' };

/** The engine's options for the current settings. */
export function analysisOptions(): { version: string; mode?: ConfigMode } {
  return { version: current.version, mode: current.mode === 'auto' ? undefined : current.mode };
}

let current: PostfixSettings = { ...DEFAULTS };
/** Bumped on every change of the settings (published diagnostics are stale then). */
let generation = 0;

export function settingsGeneration(): number {
  return generation;
}

const disk = diskReader('utf8');
/** `.postfix-lint.json` lookups by directory, for a second: every diagnostics push and code action asks. */
const found = new Map<string, { at: number; rules: RuleSettings; errors: string[] }>();
const loggedErrors = new Set<string>();

/**
 * The rule settings for a file: the nearest `.postfix-lint.json` above it (the
 * one the CLI reads), with the editor's postfix.rules/postfix.categories on top.
 */
export function ruleSettingsFor(path: string, log?: { error(m: string): void }): RuleSettings {
  const dir = dirname(path);
  let f = found.get(dir);
  if (!f || Date.now() - f.at > 1000) {
    const r = path.startsWith('/') ? findRuleSettings(dir, disk) : { settings: emptyRuleSettings(), errors: [] };
    f = { at: Date.now(), rules: r.settings, errors: r.errors };
    if (found.size > 1000) found.clear();
    found.set(dir, f);
  }
  for (const e of f.errors) {
    if (!loggedErrors.has(e)) log?.error(e);
    loggedErrors.add(e);
  }
  return mergeRuleSettings(f.rules, current.rules);
}

/**
 * A `.postfix-lint.json` was created, changed or deleted (the watcher said
 * so): read them all again, and tell the listeners, since what each file shows
 * may change although no analysis did.
 */
export function ruleSettingsFilesChanged(): void {
  found.clear();
  loggedErrors.clear();
  generation++;
  for (const l of listeners) l(current);
}
let canPull = false;
let settle: () => void = () => undefined;
/** Resolves once the client's settings were read after `initialized` (or could not be). */
export const settingsSettled: Promise<void> = new Promise((r) => (settle = r));
const listeners: ((s: PostfixSettings) => void)[] = [];

export function currentSettings(): PostfixSettings {
  return current;
}

/** Called after the settings changed (diagnostics re-lint, for one). */
export function onSettingsChanged(listener: (s: PostfixSettings) => void): void {
  listeners.push(listener);
}

/** `3.7`, `3.7.11`, ` 3.10 ` → trimmed; anything else (empty, `latest`, `3`) → undefined. */
export function normalizeVersion(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return /^\d+\.\d+(\.\d+)?$/.test(t) ? t : undefined;
}

/** Applies a `postfix` settings object; returns true when something changed. */
export function applySettings(raw: unknown, ctx?: Pick<ServerContext, 'log'>): boolean {
  const obj = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const given = obj.version;
  let version = normalizeVersion(given);
  if (version === undefined) {
    if (given !== undefined && given !== null && given !== '') ctx?.log.error(`postfix.version: "${String(given)}" is not a version like 3.7 or 3.7.11; using ${DEFAULTS.version}`);
    version = DEFAULTS.version;
  }
  const mode = obj.mode === 'live' || obj.mode === 'repository' ? obj.mode : 'auto';
  if (obj.mode !== undefined && obj.mode !== null && obj.mode !== mode) ctx?.log.error(`postfix.mode: "${String(obj.mode)}" is not auto, live or repository; using auto`);
  const hints = obj.inlayHints && typeof obj.inlayHints === 'object' ? (obj.inlayHints as Record<string, unknown>) : {};
  const parsed = parseRuleSettings({ rules: obj.rules, categories: obj.categories }, 'postfix.rules/postfix.categories');
  for (const e of parsed.errors) ctx?.log.error(e);
  const next: PostfixSettings = { version, mode, expandedValues: hints.expandedValues !== false, rules: parsed.settings, workspaceDiagnostics: obj.workspaceDiagnostics !== false, logConfigDirectory: typeof obj.logConfigDirectory === 'string' ? obj.logConfigDirectory.trim() : '' };
  if (next.version === current.version && next.mode === current.mode && next.expandedValues === current.expandedValues && next.workspaceDiagnostics === current.workspaceDiagnostics && next.logConfigDirectory === current.logConfigDirectory && JSON.stringify(next.rules) === JSON.stringify(current.rules)) return false;
  current = next;
  generation++;
  for (const l of listeners) l(current);
  return true;
}

function describeSettings(): string {
  return `target Postfix version: ${current.version}; mode: ${current.mode}; workspace diagnostics: ${current.workspaceDiagnostics ? 'on' : 'off'}`;
}

async function pull(ctx: ServerContext): Promise<void> {
  try {
    const [postfix] = await ctx.connection.workspace.getConfiguration([{ section: 'postfix' }]);
    if (applySettings(postfix, ctx)) ctx.log.info(describeSettings());
  } catch (e) {
    ctx.log.error(`reading the postfix settings failed: ${describeError(e)}`);
  }
  settle();
}

export const settings: Feature = {
  name: 'settings',
  capabilities: {},
  initialized(ctx, client) {
    canPull = client.workspace?.configuration === true;
    if (client.workspace?.didChangeConfiguration?.dynamicRegistration) {
      void ctx.connection.client.register(DidChangeConfigurationNotification.type, { section: 'postfix' });
    }
    if (canPull) void pull(ctx);
    else settle();
  },
  register(ctx) {
    ctx.connection.onDidChangeConfiguration((params) => {
      const pushed = (params?.settings as Record<string, unknown> | null | undefined)?.postfix;
      if (pushed && typeof pushed === 'object') {
        if (applySettings(pushed, ctx)) ctx.log.info(describeSettings());
      } else if (canPull) void pull(ctx);
    });
  },
};
