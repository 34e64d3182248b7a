// A small JSON-RPC-over-stdio client for protocol tests: it starts the real
// bundled server (`node dist/server.js --stdio`), frames messages by hand (so
// tests can also send garbage), records every notification, and lets tests
// wait on events instead of sleeping.
//
//   const c = await LspClient.start();
//   await c.initialize();
//   const since = c.mark();
//   c.didOpen(uri, 'postfix-main', text);
//   const diags = await c.waitForDiagnostics(uri, { since });
//   const { position, text } = withCursor('smtpd_relay_restrictions = permit_my|networks');

import { ChildProcess, spawn } from 'node:child_process';
import { after, before } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  Diagnostic,
  DocumentDiagnosticReport,
  InitializeResult,
  Position,
  PublishDiagnosticsParams,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';
import { repoDir } from './env';

import { ensureBuilt, serverPath } from './build';

export { ensureBuilt, serverPath };

/** Servers started by this process and not yet exited. */
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

export interface Notification {
  method: string;
  params: any;
  /** Set for requests from the server (client/registerCapability, …), which are recorded too. */
  request?: true;
}

export interface ResponseError {
  code: number;
  message: string;
  data?: unknown;
}

export class LspRequestError extends Error {
  constructor(
    readonly method: string,
    readonly error: ResponseError,
  ) {
    super(`${method} failed: ${error.code} ${error.message}`);
  }
}

interface Pending {
  method: string;
  resolve: (v: any) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  /** Note where the answer came (requestInOrder). */
  inOrder?: boolean;
}

interface Waiter {
  match: (n: Notification) => boolean;
  resolve: (n: Notification) => void;
}

export interface StartOptions {
  /** Defaults to dist/server.js. */
  serverPath?: string;
  args?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Answers server-to-client requests (workspace/configuration, …); default null. */
  onServerRequest?: (method: string, params: any) => unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function fileUri(path: string): string {
  return pathToFileURL(resolve(path)).href;
}

/** Splits `text` at the `|` marker: the text without it and the marker's position. */
export function withCursor(marked: string, marker = '|'): { text: string; position: Position } {
  const at = marked.indexOf(marker);
  if (at < 0) throw new Error(`no cursor marker ${marker} in ${JSON.stringify(marked)}`);
  const before = marked.slice(0, at);
  const lines = before.split('\n');
  return {
    text: before + marked.slice(at + marker.length),
    position: { line: lines.length - 1, character: lines[lines.length - 1].length },
  };
}

/**
 * How long a request or notification may take before the test reports a
 * timeout: long enough for a server started on a loaded two-core machine
 * (10 s was not: initialize alone took longer at load 40), short enough to
 * name a hang. Tests that expect nothing pass their own, shorter limit.
 */
export const HANG_MS = 60_000;

/**
 * What a client that pulls diagnostics declares (LSP 3.17, as VS Code's does):
 * textDocument/diagnostic, workspace/diagnostic/refresh, and dynamic file
 * watchers. A client without `textDocument.diagnostic` gets them pushed.
 */
export const PULL_DIAGNOSTICS_CAPABILITIES = {
  textDocument: { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } },
  workspace: { diagnostics: { refreshSupport: true }, didChangeWatchedFiles: { dynamicRegistration: true } },
};

export class LspClient {
  readonly notifications: Notification[] = [];
  /** Everything the server wrote to stderr. */
  stderr = '';
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number | string, Pending>();
  private waiters: Waiter[] = [];
  /** For requestInOrder: the notification count when each answer was read. */
  private answeredAt = new Map<number | string, number>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly onServerRequest: (method: string, params: any) => unknown,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => this.receive(chunk));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    child.stdin!.on('error', () => {}); // writing to a dead server is reported by `exited`
    this.exited = new Promise((done) =>
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new Error(`server exited (code ${code}, signal ${signal}) before answering ${p.method}`));
        }
        this.pending.clear();
        done(this.exit);
      }),
    );
  }

  static start(options: StartOptions = {}): LspClient {
    const child = spawn(process.execPath, [options.serverPath ?? serverPath, ...(options.args ?? ['--stdio'])], {
      cwd: options.cwd ?? repoDir,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // A test that fails before dispose() must not leave a server holding the
    // test process open forever (a hang instead of a failure): the child and
    // its pipes do not keep the event loop alive, and whatever is left is
    // killed when the test process exits.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
    started.add(child);
    child.once('exit', () => started.delete(child));
    return new LspClient(child, options.onServerRequest ?? (() => null));
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  // ---- framing ----

  sendRaw(data: string | Buffer): void {
    this.child.stdin!.write(data);
  }

  private send(message: object): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.sendRaw(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const m = /Content-Length:\s*(\d+)/i.exec(header);
      if (!m) throw new Error(`bad header from server: ${header}`);
      const length = Number(m[1]);
      const start = headerEnd + 4;
      if (this.buffer.length < start + length) return;
      const body = this.buffer.subarray(start, start + length).toString('utf8');
      this.buffer = this.buffer.subarray(start + length);
      this.dispatch(JSON.parse(body));
    }
  }

  private dispatch(msg: any): void {
    if (msg.id !== undefined && msg.method === undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (p.inOrder) this.answeredAt.set(msg.id, this.notifications.length);
      if (msg.error) p.reject(new LspRequestError(p.method, msg.error));
      else p.resolve(msg.result);
    } else if (msg.id !== undefined) {
      this.record({ method: msg.method, params: msg.params, request: true });
      let result: unknown = null;
      try {
        result = this.onServerRequest(msg.method, msg.params);
      } catch {
        result = null;
      }
      this.send({ jsonrpc: '2.0', id: msg.id, result: result ?? null });
    } else if (msg.method) {
      this.record({ method: msg.method, params: msg.params });
    }
  }

  private record(n: Notification): void {
    this.notifications.push(n);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(n)) return true;
      w.resolve(n);
      return false;
    });
  }

  // ---- JSON-RPC ----

  request<R = any>(method: string, params?: unknown, timeoutMs = HANG_MS): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolvePromise, reject) => {
      if (!this.alive) return reject(new Error(`server is not running; cannot send ${method}`));
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs} ms (timed out)`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolvePromise, reject, timer });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  /**
   * A request, with where its answer came among the notifications (the mark()
   * when it was read): exact even when notifications that followed it came in
   * the same read, which a mark() taken after `await request()` would count
   * as before it.
   */
  async requestInOrder<R = any>(method: string, params?: unknown, timeoutMs = HANG_MS): Promise<{ result: R; at: number }> {
    const id = this.nextId;
    const answer = this.request<R>(method, params, timeoutMs);
    const p = this.pending.get(id);
    if (p) p.inOrder = true;
    const result = await answer;
    const at = this.answeredAt.get(id)!;
    this.answeredAt.delete(id);
    return { result, at };
  }

  notify(method: string, params?: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Position in the notification history; pass to the wait functions to ignore older ones. */
  mark(): number {
    return this.notifications.length;
  }

  /**
   * The first notification or server request (at or after `since`) for which
   * `match` holds, already received or future.
   */
  waitForNotification(
    method: string,
    match: (params: any) => boolean = () => true,
    { since = 0, timeoutMs = HANG_MS }: { since?: number; timeoutMs?: number } = {},
  ): Promise<any> {
    const test = (n: Notification) => n.method === method && match(n.params);
    const seen = this.notifications.slice(since).find(test);
    if (seen) return Promise.resolve(seen.params);
    return new Promise((resolvePromise, reject) => {
      const waiter: Waiter = {
        match: test,
        resolve: (n) => {
          clearTimeout(timer);
          resolvePromise(n.params);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${method} within ${timeoutMs} ms (${this.alive ? 'timed out' : 'server exited'}); stderr: ${this.stderr}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Diagnostics published for `uri` (at or after `since`, for `version` when given). */
  async waitForDiagnostics(
    uri: string,
    options: { since?: number; version?: number; match?: (d: Diagnostic[]) => boolean; timeoutMs?: number } = {},
  ): Promise<Diagnostic[]> {
    const p: PublishDiagnosticsParams = await this.waitForNotification(
      'textDocument/publishDiagnostics',
      (x: PublishDiagnosticsParams) =>
        x.uri === uri &&
        (options.version === undefined || x.version === options.version) &&
        (options.match ?? (() => true))(x.diagnostics),
      options,
    );
    return p.diagnostics;
  }

  // ---- LSP conveniences ----

  /** textDocument/diagnostic for `uri` (a pulling client's way to get findings). */
  pullDiagnostics(uri: string, previousResultId?: string, timeoutMs = HANG_MS): Promise<DocumentDiagnosticReport> {
    return this.request<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri }, ...(previousResultId ? { previousResultId } : {}) }, timeoutMs);
  }

  /** The number of publishDiagnostics received (at or after `since`). */
  pushedCount(since = 0): number {
    return this.notifications.slice(since).filter((n) => n.method === 'textDocument/publishDiagnostics').length;
  }

  /** Starting node and loading the bundle takes seconds on a loaded machine: the first answer gets a minute. */
  async initialize(rootUri: string | null = null, capabilities: object = {}, timeoutMs = 60_000): Promise<InitializeResult> {
    const result = await this.request<InitializeResult>(
      'initialize',
      {
        processId: process.pid,
        rootUri,
        capabilities,
        workspaceFolders: rootUri ? [{ uri: rootUri, name: 'root' }] : null,
      },
      timeoutMs,
    );
    this.notify('initialized', {});
    return result;
  }

  didOpen(uri: string, languageId: string, text: string, version = 1): void {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  didChange(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): void {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  didClose(uri: string): void {
    this.notify('textDocument/didClose', { textDocument: { uri } });
  }

  /** shutdown + exit; resolves with the server's exit status. */
  async shutdown(): Promise<Exit> {
    if (this.alive) {
      await this.request('shutdown');
      this.child.ref(); // wait for it to exit (see start)
      this.notify('exit');
    }
    return this.exited;
  }

  /** Kills the server if it is still running (for `after` hooks). */
  async dispose(): Promise<void> {
    if (this.alive) {
      this.child.ref(); // wait for it to exit (see start)
      this.child.kill();
      await this.exited;
    }
  }
}

export interface OpenConfig {
  client: LspClient;
  init: InitializeResult;
  /** The temporary configuration directory (the workspace root). */
  dir: string;
  mainUri: string;
  masterUri: string;
  /** Stops the server and removes the directory. */
  dispose(): Promise<void>;
}

/**
 * The usual start of a protocol test: main.cf and master.cf (plus any other
 * files, written but not opened) in a temporary directory, a built server
 * started and initialized on it (with the client `capabilities`, then the
 * `settings` as workspace/didChangeConfiguration), and main.cf and master.cf
 * opened with the texts written.
 */
export async function openConfig(
  files: { main: string; master: string; others?: Record<string, string> },
  options: { prefix?: string; capabilities?: object; settings?: object } = {},
): Promise<OpenConfig> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), options.prefix ?? 'pf-lsp-'));
  const client = LspClient.start();
  const dispose = async () => {
    await client.dispose();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    writeFileSync(join(dir, 'main.cf'), files.main);
    writeFileSync(join(dir, 'master.cf'), files.master);
    for (const [name, text] of Object.entries(files.others ?? {})) writeFileSync(join(dir, name), text);
    const mainUri = fileUri(join(dir, 'main.cf'));
    const masterUri = fileUri(join(dir, 'master.cf'));
    const init = await client.initialize(fileUri(dir), options.capabilities ?? {});
    if (options.settings) client.notify('workspace/didChangeConfiguration', { settings: options.settings });
    client.didOpen(mainUri, 'postfix-main', files.main);
    client.didOpen(masterUri, 'postfix-master', files.master);
    return { client, init, dir, mainUri, masterUri, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/**
 * openConfig for the suite (or file) it is called in: started in a before
 * hook (then `ready` awaited), disposed in an after hook. The fields are set
 * once that hook has run, so the tests read them, not the suite's body.
 */
export function openConfigForSuite(files: Parameters<typeof openConfig>[0], options: Parameters<typeof openConfig>[1] = {}, ready?: (cfg: OpenConfig) => unknown): OpenConfig {
  const cfg = {} as OpenConfig;
  // `ready` in the same hook: a second hook of a file's top level may run before this one is done.
  before(async () => {
    Object.assign(cfg, await openConfig(files, options));
    await ready?.(cfg);
  });
  after(() => cfg.dispose?.());
  return cfg;
}

/** A server of a suite (serverForSuite); the fields are set once its before hook has run. */
export interface SuiteServer {
  client: LspClient;
  init: InitializeResult;
  /** The workspace root: a new temporary directory (removed after the suite). */
  dir: string;
}

/**
 * A built server for the suite (or file) it is called in, on a new temporary
 * workspace root that `setup` fills before the server starts: started and
 * initialized (with the client `capabilities`) in a before hook, stopped and
 * the directory removed in an after hook. For tests that need no main.cf and
 * master.cf opened (else openConfigForSuite).
 */
export function serverForSuite(prefix: string, options: { setup?: (dir: string) => void; start?: StartOptions; capabilities?: object } = {}): SuiteServer {
  const s = {} as SuiteServer;
  before(async () => {
    ensureBuilt();
    s.dir = mkdtempSync(join(tmpdir(), prefix));
    options.setup?.(s.dir);
    s.client = LspClient.start(options.start);
    s.init = await s.client.initialize(fileUri(s.dir), options.capabilities ?? {});
  });
  after(async () => {
    await s.client?.dispose();
    if (s.dir) rmSync(s.dir, { recursive: true, force: true });
  });
  return s;
}
