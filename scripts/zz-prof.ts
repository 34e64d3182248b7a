import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyses } from '../server/src/features/analysis';
import { Workspace } from '../server/src/features/workspace';
const dir = '/work/wt/incremental/.bench/incremental';
const docs = new Map<string, TextDocument>();
for (const [n, l] of [['main.cf', 'postfix-main'], ['access', 'postfix-map']]) { const uri = pathToFileURL(`${dir}/${n}`).href; docs.set(uri, TextDocument.create(uri, l, 1, readFileSync(`${dir}/${n}`, 'utf8'))); }
const store = { all: () => [...docs.values()], get: (u: string) => docs.get(u) };
const an = new Analyses(new Workspace(store as never));
const [mainUri, mapUri] = [...docs.keys()];
an.current(docs.get(mainUri)!);
const which = process.argv[2] === 'map' ? mapUri : mainUri;
for (let i = 0; i < 150; i++) {
  const d = docs.get(which)!;
  docs.set(which, TextDocument.update(d, [{ range: { start: { line: i, character: 2 }, end: { line: i, character: 2 } }, text: 'x' }], d.version + 1));
  an.current(docs.get(which)!);
}
