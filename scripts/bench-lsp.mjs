// Completion and hover latency through the real server over stdio: starts
// `node dist/server.js --stdio`, opens Debian's stock main.cf/master.cf
// (/usr/share/postfix/*.dist) and the corpus configurations
// (/work/shared/corpus) as files in a temporary directory, then sends a few
// hundred textDocument/completion, completionItem/resolve and
// textDocument/hover requests at positions taken from the files themselves,
// one at a time, and prints the round-trip times (median, p95, max) as JSON.
//
//   node scripts/bench-lsp.mjs [--requests 300] [--corpus DIR] [--open DIR]...
//
// Each --open DIR (a configuration directory, such as the scaling bench's
// largest inputs) is opened too: its main.cf, master.cf and table files. The
// time from opening to its diagnostics is recorded, with hovers on it asked one
// after another until then (perDocument "hover while <dir>/<file> is analysed"),
// then hovers are timed on it (perDocument "hover open:<dir>/<file>", and
// "hover with large inputs open"); then its semantic tokens are asked, with
// hovers until they come ("hover while semantic tokens of <dir>/<file> are
// made"), the delta after them (semanticTokensDelta: ms and numbers sent), and for a main.cf the parameter names on a new last line (items,
// isIncomplete).
//
// Round trips include JSON-RPC framing and JSON parsing on both sides, so the
// numbers are what an editor sees, minus its own rendering. Target: < 5 ms.

import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFrames, writeFrame } from './lsp-frames.mjs';

const repo = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const REQUESTS = Number(opt('requests', '300'));
const CORPUS = opt('corpus', '/work/shared/corpus');
const OPEN = args.flatMap((a, i) => (a === '--open' && args[i + 1] ? [args[i + 1]] : []));
const DEBIAN = '/usr/share/postfix';

if (!existsSync(join(repo, 'dist/server.js'))) execFileSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: 'inherit' });

// ---- a minimal JSON-RPC client ----------------------------------------------------

const child = spawn(process.execPath, [join(repo, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
let nextId = 1;
const pending = new Map();
const diagnosticsWaiters = new Map();
readFrames(child.stdout, (msg) => {
  if (msg.id !== undefined && msg.method === undefined) {
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    p?.(msg);
  } else if (msg.method === 'textDocument/publishDiagnostics') {
    const waiter = diagnosticsWaiters.get(msg.params.uri);
    // A waiter may want the diagnostics of one version (after an edit), not an earlier one's.
    if (waiter && (waiter.version === undefined || msg.params.version === waiter.version)) {
      diagnosticsWaiters.delete(msg.params.uri);
      waiter(msg.params.diagnostics.length);
    }
  } else if (msg.id !== undefined) {
    // Server-to-client requests (workspace/configuration, registrations): answer with defaults.
    const result = msg.method === 'workspace/configuration' ? msg.params.items.map(() => ({})) : null;
    send({ jsonrpc: '2.0', id: msg.id, result });
  }
});
const send = (message) => writeFrame(child.stdin, message);
function request(method, params) {
  const id = nextId++;
  return new Promise((res, rej) => {
    pending.set(id, (msg) => (msg.error ? rej(new Error(`${method}: ${msg.error.message}`)) : res(msg.result)));
    send({ jsonrpc: '2.0', id, method, params });
  });
}
const notify = (method, params) => send({ jsonrpc: '2.0', method, params });

// ---- files and positions --------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'pf-bench-'));
const configs = [];
function addConfig(name, mainSrc, masterSrc, extraDir) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  if (extraDir) cpSync(extraDir, dir, { recursive: true });
  if (mainSrc) cpSync(mainSrc, join(dir, 'main.cf'));
  if (masterSrc) cpSync(masterSrc, join(dir, 'master.cf'));
  configs.push({ name, dir, main: mainSrc ? join(dir, 'main.cf') : undefined, master: masterSrc ? join(dir, 'master.cf') : undefined });
}
addConfig('debian-stock', join(DEBIAN, 'main.cf.dist'), join(DEBIAN, 'master.cf.dist'));
for (const [name, main, master] of [
  ['docker-mailserver', 'main.cf', 'master.cf'],
  ['iredmail', 'main.cf', 'master.cf'],
  ['mailu', 'main.cf', 'master.cf'],
  ['postfix-upstream', 'main.cf', 'master.cf'],
  ['mailcow', undefined, 'master.cf'],
]) {
  const src = join(CORPUS, name);
  if (!existsSync(src)) continue;
  addConfig(name, main && join(src, main), master && join(src, master), src);
}

/** Positions inside a main.cf: parameter names, value starts, value ends, `$` references, a fresh line. */
function mainPositions(text) {
  const lines = text.split('\n');
  const hover = [];
  const complete = [];
  lines.forEach((line, n) => {
    const m = /^([A-Za-z0-9_]+)\s*=\s*/.exec(line);
    if (m) {
      hover.push({ line: n, character: 1 });
      complete.push({ line: n, character: line.length });
      if (line.length > m[0].length) hover.push({ line: n, character: m[0].length + 1 });
    }
    for (const r of line.matchAll(/\$\{?([A-Za-z0-9_]+)/g)) {
      if (line.trimStart().startsWith('#')) break;
      hover.push({ line: n, character: r.index + 2 });
      complete.push({ line: n, character: r.index + 2 });
    }
  });
  complete.push({ line: lines.length, character: 0 }); // a new line: every parameter name
  return { hover, complete };
}

/** Positions inside a master.cf: each field of each service and each -o. */
function masterPositions(text) {
  const lines = text.split('\n');
  const hover = [];
  const complete = [];
  lines.forEach((line, n) => {
    if (/^\s*#/.test(line) || line.trim() === '') return;
    for (const w of line.matchAll(/\S+/g)) {
      hover.push({ line: n, character: w.index });
      complete.push({ line: n, character: w.index + w[0].length });
    }
  });
  return { hover, complete };
}

/**
 * Types a comment on a new last line, a keystroke every TYPING_MS (sent as
 * incremental changes, as editors do), with a hover
 * right after each ("hover right after a keystroke in <doc>": the configuration of
 * the edited text is not loaded yet), then hovers until the diagnostics of the last
 * version come ("hover while <doc> is analysed after typing"). Returns the ms from
 * the last keystroke to those diagnostics. Versions start at 100, past the others'.
 */
const TYPING_MS = 120;
async function typeInto(uri, text, doc, position) {
  const typed = '# typed';
  // As editors send keystrokes (the server syncs incrementally): a newline after the last line, then one character at a time.
  const lastLine = text.split('\n').length - 1;
  const end = { line: lastLine, character: text.length - text.lastIndexOf('\n') - 1 };
  const at = (character) => ({ start: { line: lastLine + 1, character }, end: { line: lastLine + 1, character } });
  let version = 100;
  let t0 = 0n;
  let diagnosed;
  for (let n = 1; n <= typed.length; n++) {
    version++;
    if (n === typed.length) diagnosed = new Promise((res) => diagnosticsWaiters.set(uri, Object.assign(res, { version })));
    const change = n === 1 ? { range: { start: end, end }, text: `\n${typed[0]}` } : { range: at(n - 1), text: typed[n - 1] };
    notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    t0 = process.hrtime.bigint();
    const { ms } = await timed(() => request('textDocument/hover', { textDocument: { uri }, position }));
    record(`hover right after a keystroke in ${doc}`, ms);
    if (n < typed.length) await new Promise((res) => setTimeout(res, TYPING_MS));
  }
  let analysed = false;
  void diagnosed.then(() => (analysed = true));
  while (!analysed) {
    const { ms } = await timed(() => request('textDocument/hover', { textDocument: { uri }, position }));
    if (!analysed) record(`hover while ${doc} is analysed after typing`, ms);
  }
  return Math.round(Number(process.hrtime.bigint() - t0) / 1e6);
}

/** Round trips in ms by what was asked, and when. */
const results = {};
const record = (key, ms) => (results[key] ??= []).push(ms);

function quantiles(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const round = (x) => Math.round(x * 1000) / 1000;
  return { n: s.length, median: round(q(0.5)), p95: round(q(0.95)), max: round(s[s.length - 1]), mean: round(s.reduce((a, b) => a + b, 0) / s.length) };
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, r };
}

async function run() {
  await request('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(work).href,
    capabilities: {
      workspace: { configuration: true },
      // As VS Code declares it: the shared edit range travels once per list.
      textDocument: { completion: { completionItem: { snippetSupport: true }, completionList: { itemDefaults: ['commitCharacters', 'editRange', 'insertTextFormat', 'insertTextMode', 'data'] } } },
    },
  });
  notify('initialized', {});
  const docs = [];
  for (const cfg of configs) {
    for (const [path, languageId, positions] of [
      [cfg.main, 'postfix-main', mainPositions],
      [cfg.master, 'postfix-master', masterPositions],
    ]) {
      if (!path) continue;
      const text = readFileSync(path, 'utf8');
      const uri = pathToFileURL(path).href;
      notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
      docs.push({ config: cfg.name, file: path.endsWith('main.cf') ? 'main.cf' : 'master.cf', uri, lines: text.split('\n').length, ...positions(text) });
    }
  }

  // Warm up: JIT, the configuration cache, the per-version name list.
  for (const d of docs) {
    for (const p of d.hover.slice(0, 5)) await request('textDocument/hover', { textDocument: { uri: d.uri }, position: p });
    for (const p of d.complete.slice(0, 5)) await request('textDocument/completion', { textDocument: { uri: d.uri }, position: p });
  }

  // Large inputs: open, wait for their diagnostics, then time hovers on them.
  const openResults = [];
  for (const dir of OPEN) {
    const name = dir.replace(/\/+$/, '').split('/').pop();
    // Asked once every file of the directory is open and analysed (an edit before would make the next one's analysis start over).
    const atEnd = [];
    for (const file of readdirSync(dir)) {
      const path = resolve(dir, file);
      const languageId = file === 'main.cf' ? 'postfix-main' : file === 'master.cf' ? 'postfix-master' : 'postfix-map';
      const text = readFileSync(path, 'latin1');
      const uri = pathToFileURL(path).href;
      const diagnosed = new Promise((res) => diagnosticsWaiters.set(uri, res));
      const t0 = process.hrtime.bigint();
      notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
      // Until its diagnostics come, hovers on it one after another: what a user waits while it is analysed.
      let analysed = false;
      void diagnosed.then(() => (analysed = true));
      const firstLine = Math.max(0, text.split('\n', 50).findIndex((l) => /^\w/.test(l)));
      for (let i = 0; !analysed && i < 100_000; i++) {
        const { ms } = await timed(() => request('textDocument/hover', { textDocument: { uri }, position: { line: firstLine, character: 1 } }));
        if (!analysed) record(`hover while ${name}/${file} is analysed`, ms);
      }
      // The timer is cleared once the diagnostics came: a pending one kept the script alive 5 minutes after printing.
      let timer;
      const count = await Promise.race([diagnosed, new Promise((res) => (timer = setTimeout(() => res('timeout'), 300_000)))]);
      clearTimeout(timer);
      const diagnosticsMs = Number(process.hrtime.bigint() - t0) / 1e6;
      // Hover positions spread over the whole file: names, values, fields, table keys.
      const lines = text.split('\n');
      const positions = [];
      const stride = Math.max(1, Math.floor(lines.length / 100));
      for (let n = 0; n < lines.length && positions.length < 100; n += stride) {
        const line = lines[n];
        const w = /\S/.exec(line);
        if (w) positions.push({ line: n, character: w.index + 1 });
      }
      if (positions.length === 0) continue;
      for (let i = 0; i < Math.min(REQUESTS, 100); i++) {
        const { ms } = await timed(() => request('textDocument/hover', { textDocument: { uri }, position: positions[i % positions.length] }));
        record(`hover open:${name}/${file}`, ms);
        record('hover with large inputs open', ms);
      }
      // Semantic tokens, with hovers asked one after another until they come (what a user waits meanwhile).
      const extra = {};
      if (languageId !== 'postfix-map') {
        let tokensDone = false;
        const t1 = process.hrtime.bigint();
        const tokens = request('textDocument/semanticTokens/full', { textDocument: { uri } }).then((r) => ((tokensDone = true), r));
        for (let i = 0; !tokensDone && i < 100_000; i++) {
          const { ms } = await timed(() => request('textDocument/hover', { textDocument: { uri }, position: positions[0] }));
          // Recorded even when the tokens came meanwhile: a hover that waited behind them counts.
          record(`hover while semantic tokens of ${name}/${file} are made`, ms);
        }
        const full = await tokens;
        extra.semanticTokens = full.data.length / 5;
        extra.msToSemanticTokens = Math.round(Number(process.hrtime.bigint() - t1) / 1e6);
        // Asked again as an editor asks after an edit: the change since that result (none here).
        const { ms: deltaMs, r: delta } = await timed(() => request('textDocument/semanticTokens/full/delta', { textDocument: { uri }, previousResultId: full.resultId }));
        extra.semanticTokensDelta = { ms: Math.round(deltaMs), numbers: delta.edits ? delta.edits.reduce((n, e) => n + (e.data?.length ?? 0), 0) : delta.data.length };
      }
      const entry = { doc: `${name}/${file}`, lines: lines.length, bytes: text.length, diagnostics: count, msToDiagnostics: Math.round(diagnosticsMs), ...extra };
      openResults.push(entry);
      if (languageId !== 'postfix-map') entry.msToDiagnosticsAfterTyping = await typeInto(uri, text, `${name}/${file}`, positions[0]);
      // Parameter names on a new last line of main.cf: how many items, and whether the list is cut to what is typed (filled in later, printed at the end).
      const complete = async () => {
        for (const typed of ['', 'smtpd_']) {
          const edited = `${text.endsWith('\n') ? text : `${text}\n`}${typed}`;
          notify('textDocument/didChange', { textDocument: { uri, version: 2 + typed.length }, contentChanges: [{ text: edited }] });
          const { ms, r } = await timed(() => request('textDocument/completion', { textDocument: { uri }, position: { line: edited.split('\n').length - 1, character: typed.length } }));
          entry[`completion '${typed}'`] = { items: r.items.length, isIncomplete: r.isIncomplete, ms: Math.round(ms) };
        }
        notify('textDocument/didClose', { textDocument: { uri } });
      };
      if (file === 'main.cf') atEnd.push(complete);
      else notify('textDocument/didClose', { textDocument: { uri } });
    }
    for (const f of atEnd) await f();
  }

  let itemsSeen = 0;
  let biggestList = 0;
  for (const d of docs) {
    const label = `${d.config}/${d.file}`;
    for (let i = 0; i < REQUESTS; i++) {
      const p = d.hover[i % d.hover.length];
      const { ms } = await timed(() => request('textDocument/hover', { textDocument: { uri: d.uri }, position: p }));
      record(`hover ${label}`, ms);
      record('hover (all)', ms);
    }
    for (let i = 0; i < REQUESTS; i++) {
      const p = d.complete[i % d.complete.length];
      const { ms, r } = await timed(() => request('textDocument/completion', { textDocument: { uri: d.uri }, position: p }));
      const items = r ? (Array.isArray(r) ? r : r.items) : [];
      itemsSeen += items.length;
      biggestList = Math.max(biggestList, items.length);
      record(`completion ${label}`, ms);
      record('completion (all)', ms);
      if (items.length > 900) record('completion, all parameter names (~950 items)', ms);
      if (items.length && i % 3 === 0) {
        const { ms: rms } = await timed(() => request('completionItem/resolve', items[i % items.length]));
        record('completionItem/resolve (all)', rms);
      }
    }
  }

  const summary = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, quantiles(v)]));
  const all = ['hover (all)', 'completion (all)', 'completionItem/resolve (all)'];
  console.log(
    JSON.stringify(
      {
        server: 'dist/server.js --stdio',
        node: process.version,
        requestsPerDocumentAndKind: REQUESTS,
        documents: docs.map((d) => ({ doc: `${d.config}/${d.file}`, lines: d.lines, hoverPositions: d.hover.length, completionPositions: d.complete.length })),
        completionItemsReturned: itemsSeen,
        biggestCompletionList: biggestList,
        targetMs: 5,
        withinTarget: all.every((k) => !summary[k] || summary[k].p95 < 5),
        overall: Object.fromEntries(all.filter((k) => summary[k]).map((k) => [k, summary[k]])),
        namesList: summary['completion, all parameter names (~950 items)'],
        largeInputs: OPEN.length ? { opened: openResults, hover: summary['hover with large inputs open'], targetMsP95: 50, withinTarget: (summary['hover with large inputs open']?.p95 ?? Infinity) < 50 } : undefined,
        perDocument: Object.fromEntries(Object.entries(summary).filter(([k]) => !all.includes(k) && !k.startsWith('completion, all') && k !== 'hover with large inputs open')),
      },
      null,
      2,
    ),
  );
  await request('shutdown');
  notify('exit');
  // Done when the server is gone; one that does not leave on `exit` is killed rather than waited for.
  const exited = new Promise((res) => (child.exitCode !== null || child.signalCode !== null ? res() : child.once('exit', res)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}

run()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
    child.kill('SIGKILL');
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
