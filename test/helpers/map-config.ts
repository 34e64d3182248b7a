// A configuration directory for in-process tests of the shared analysis
// (server/src/features/analysis.ts): an access map of `lines` entries on
// disk, a main.cf naming it (open, as the only document of a stand-in
// document store) and a one-service master.cf.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';

export interface MapConfig {
  dir: string;
  map: string;
  main: string;
  /** main.cf's URI. */
  uri: string;
  docs: Map<string, TextDocument>;
  /** The document store a Workspace is made with. */
  store: { all(): TextDocument[]; get(uri: string): TextDocument | undefined };
}

export function mapConfig(prefix: string, lines: number, entry: (i: number) => string): MapConfig {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let map = '';
  for (let i = 0; i < lines; i++) map += `${entry(i)}\n`;
  writeFileSync(join(dir, 'access'), map);
  const main = `compatibility_level = 3.6\nsmtpd_recipient_restrictions = check_recipient_access hash:${dir}/access, reject_unauth_destination\n`;
  writeFileSync(join(dir, 'main.cf'), main);
  writeFileSync(join(dir, 'master.cf'), 'smtp      inet  n       -       y       -       -       smtpd\n');
  const uri = pathToFileURL(join(dir, 'main.cf')).href;
  const docs = new Map([[uri, TextDocument.create(uri, 'postfix-main', 1, main)]]);
  return { dir, map, main, uri, docs, store: { all: () => [...docs.values()], get: (u: string) => docs.get(u) } };
}

/**
 * An access map of `lines` entries (distinct senders, REJECT), as the protocol
 * tests put on disk: a configuration that names it and never read it before
 * parses it in many analysis steps (engine/tables/access-parse.ts).
 */
export function accessMapText(lines = 200_000): string {
  let map = '';
  for (let i = 0; i < lines; i++) map += `user${i}@example${i % 1000}.test REJECT 5.7.1 blocked\n`;
  return map;
}

/** Access maps of 200,000 lines under these names, each a different text: a configuration naming one parses it cold. */
export function coldAccessMaps(...names: string[]): Record<string, string> {
  const map = accessMapText(200_000);
  return Object.fromEntries(names.map((name, i) => [name, i === 0 ? map : map.replace('user7@', `user${7 + i}@`)]));
}
