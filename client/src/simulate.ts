// VS Code commands for the policy simulator. "Postfix: Simulate SMTP
// transaction…" opens one reusable panel with a form (service, client, HELO,
// login, sender, recipients, and the assumptions the CLI takes as --assume-*)
// and shows smtpd's verdict and the restriction trace below it; "Copy as swaks
// command" puts the command that checks the prediction on the real server on
// the clipboard. "Postfix: Show relay matrix" shows who may send where. Both
// panels re-run when a file of the configuration is saved. Every trace step
// links to the line that decided it. The analysis runs in the language server.

import { dirname } from 'node:path';
import { commands, env, ExtensionContext, Position, Range, Selection, Uri, ViewColumn, window, workspace, type WebviewPanel } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { pickConfig } from './pick-config';
import type { RelayMatrixResponse, SimulateResponse, SmtpdServicesResponse, SwaksResponse } from '../../server/src/features/simulate';
import { DEFAULT_FORM, escapeHtml, formHtml, fromMessage, toRequest, type FormValues } from './simulator/form';
import type { Transaction, TraceStep } from '../../server/src/engine/simulate/types';
import { serverRunning } from './server-state';

export const SIMULATE_COMMAND = 'postfix.simulate';
export const RELAY_MATRIX_COMMAND = 'postfix.relayMatrix';

const LAST_INPUT = 'postfix.simulate.form';

/** The configuration to simulate: a saved Postfix document (the server reads its directory). */
const pickSavedConfig = () => pickConfig({ fileOnly: true });

function link(src: { uri?: string; file: string; range: { start: { line: number; character: number } } } | undefined, label?: string): string {
  if (!src?.uri) return '';
  const text = label ?? `${src.file.split('/').pop()}:${src.range.start.line + 1}`;
  return `<a href="#" data-uri="${escapeHtml(src.uri)}" data-line="${src.range.start.line}" data-character="${src.range.start.character}">${escapeHtml(text)}</a>`;
}

const STAGES: Record<string, string> = { startup: 'smtpd startup', connect: 'connect', helo: 'HELO', mail: 'MAIL FROM', rcpt: 'RCPT TO', data: 'DATA', 'end-of-data': 'end of data' };

function page(title: string, body: string, nonce: string, cspSource: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); }
code, .mono { font-family: var(--vscode-editor-font-family); }
table { border-collapse: collapse; margin: .5em 0; }
td, th { border: 1px solid var(--vscode-panel-border); padding: 2px 6px; vertical-align: top; text-align: left; }
.accept { color: var(--vscode-testing-iconPassed); } .reject, .fatal { color: var(--vscode-errorForeground); } .defer { color: var(--vscode-editorWarning-foreground); }
.open { font-weight: bold; color: var(--vscode-errorForeground); }
.assumed { font-style: italic; }
fieldset { border: 1px solid var(--vscode-panel-border); margin: .5em 0; }
label { display: inline-block; margin: 2px 12px 2px 0; }
input, select { font-family: var(--vscode-editor-font-family); color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); }
button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 12px; cursor: pointer; }
</style></head><body>${body}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-uri]');
  if (!a) return;
  e.preventDefault();
  vscode.postMessage({ command: 'open', uri: a.dataset.uri, line: Number(a.dataset.line), character: Number(a.dataset.character) });
});
const form = document.getElementById('tx');
const values = () => {
  const v = {};
  for (const el of form.elements) if (el.name) v[el.name] = el.type === 'checkbox' ? el.checked : el.value;
  return v;
};
if (form) {
  form.addEventListener('submit', (e) => { e.preventDefault(); vscode.postMessage({ command: 'simulate', values: values() }); });
  document.getElementById('swaks').addEventListener('click', () => vscode.postMessage({ command: 'swaks', values: values() }));
}
window.addEventListener('message', (e) => {
  const m = e.data;
  if (m.command === 'result') document.getElementById('result').innerHTML = m.html;
  if (m.command === 'note') document.getElementById('note').textContent = m.text;
});
</script></body></html>`;
}

export function simulationHtml(r: SimulateResponse, tx: Transaction): string {
  if ('error' in r) return `<h2>Simulation failed</h2><p>${escapeHtml(r.error)}</p>`;
  const parts: string[] = [];
  const verdict = r.verdict.toUpperCase();
  parts.push(`<h2>Verdict: <span class="${r.verdict}">${verdict}</span> at ${escapeHtml(STAGES[r.stage] ?? r.stage)}${r.list ? ` (smtpd_${r.list}_restrictions)` : ''}</h2>`);
  if (r.reply) parts.push(`<p>smtpd replies: <code>${escapeHtml(r.reply.line || r.reply.text)}</code></p>`);
  if (r.fatal) parts.push(`<p class="fatal">smtpd exits at startup: <code>fatal: ${escapeHtml(r.fatal)}</code>; clients get no greeting.</p>`);
  parts.push(
    `<p>Service <code>${escapeHtml(r.service)}</code> · client <code>${escapeHtml(`${tx.client.hostname ?? 'unknown'}[${tx.client.address}]`)}</code>${tx.helo ? ` · HELO <code>${escapeHtml(tx.helo)}</code>` : ''}${tx.saslUser ? ` · login <code>${escapeHtml(tx.saslUser)}</code>` : ''} · MAIL FROM <code>&lt;${escapeHtml(tx.sender)}&gt;</code></p>`,
  );
  if (r.recipients.length) {
    parts.push('<table><tr><th>RCPT TO</th><th>reply</th></tr>');
    for (const o of r.recipients) parts.push(`<tr><td><code>&lt;${escapeHtml(o.address)}&gt;</code></td><td class="${o.verdict}"><code>${escapeHtml(o.reply.line)}</code></td></tr>`);
    parts.push('</table>');
  }
  const a = r.actions;
  const acts = [a.discard && `discarded (${a.discard})`, a.hold && `held (${a.hold})`, a.filter && `content filter ${a.filter}`, a.redirect && `redirected to ${a.redirect}`, ...a.bcc.map((b) => `BCC ${b}`), ...a.prepend.map((p) => `header added: ${p}`), ...a.warnings.map((w) => `logged ${w}`)].filter(Boolean) as string[];
  if (acts.length) parts.push(`<h3>Actions</h3><ul>${acts.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`);
  parts.push('<h3>Trace</h3><table><tr><th>stage</th><th>list</th><th>restriction</th><th>result</th><th>why</th><th>where</th></tr>');
  for (const t of r.trace as (TraceStep & { source?: { uri?: string; file: string; range: { start: { line: number; character: number } } } })[]) {
    const tsrc = t.tableSource as (TraceStep['tableSource'] & { uri?: string }) | undefined;
    parts.push(
      `<tr><td>${escapeHtml(STAGES[t.stage] ?? t.stage)}${t.recipient !== undefined ? `<br><code>&lt;${escapeHtml(t.recipient)}&gt;</code>` : ''}</td><td>${escapeHtml(t.list ?? '')}</td>` +
        `<td style="padding-left:${6 + 14 * t.depth}px"><code>${escapeHtml(t.restriction)}</code></td>` +
        `<td class="${t.result === 'permit' ? 'accept' : t.result}">${escapeHtml(t.result)}</td>` +
        `<td class="${t.assumed ? 'assumed' : ''}">${escapeHtml(t.why)}${t.assumed ? ' (assumed)' : ''}</td>` +
        `<td>${link(t.source)}${tsrc?.uri ? `<br>${link(tsrc, `table line ${tsrc.range.start.line + 1}`)}` : ''}</td></tr>`,
    );
  }
  parts.push('</table>');
  if (r.assumptions.length) {
    parts.push(`<h3>Assumptions</h3><ul>${r.assumptions.map((x) => `<li>${escapeHtml(x.what)}: <b>${escapeHtml(x.value)}</b> <span class="mono">(${escapeHtml(x.option)})</span></li>`).join('')}</ul>`);
  }
  if (r.logWarnings.length) parts.push(`<h3>smtpd would log</h3><ul>${r.logWarnings.map((w) => `<li><code>warning: ${escapeHtml(w)}</code></li>`).join('')}</ul>`);
  return parts.join('\n');
}

export function matrixHtml(m: RelayMatrixResponse): string {
  if ('error' in m) return `<h2>Relay matrix failed</h2><p>${escapeHtml(m.error)}</p>`;
  const parts: string[] = [];
  parts.push(`<h2>Relay matrix</h2><p>${m.openRelay ? '<span class="open">OPEN RELAY: an outside client without authentication can send to outside domains.</span>' : 'No open relay: outside clients without authentication cannot send to outside domains.'}</p>`);
  parts.push(`<p>Sender <code>&lt;${escapeHtml(m.sender)}&gt;</code>, HELO <code>${escapeHtml(m.helo)}</code>.</p>`);
  parts.push(`<p>Clients: ${m.clients.map((c) => `<b>${escapeHtml(c.label)}</b> = ${escapeHtml(c.note)}`).join('; ')}.<br>Recipients: ${m.recipients.map((r) => `<b>${escapeHtml(r.label)}</b> = <code>${escapeHtml(r.address)}</code>`).join('; ')}.</p>`);
  for (const service of m.services) {
    parts.push(`<h3><code>${escapeHtml(service)}</code></h3><table><tr><th>client</th>${m.recipients.map((r) => `<th>${escapeHtml(r.label)}</th>`).join('')}</tr>`);
    for (const c of m.clients) {
      parts.push(`<tr><td>${escapeHtml(c.label)}</td>`);
      for (const r of m.recipients) {
        const cell = m.cells.find((x) => x.service === service && x.client === c.label && x.recipient === r.label);
        const title = cell?.reply?.line ?? cell?.fatal ?? '';
        parts.push(`<td class="${cell?.openRelay ? 'open' : (cell?.verdict ?? '')}" title="${escapeHtml(title)}">${escapeHtml(cell ? cell.verdict.toUpperCase() : '')}${cell?.reply && cell.verdict !== 'accept' ? ` <code>${cell.reply.code} ${escapeHtml(cell.reply.enhanced)}</code>` : ''}${cell?.openRelay ? ' (open relay)' : ''}</td>`);
      }
      parts.push('</tr>');
    }
    parts.push('</table>');
  }
  if (m.assumptions.length) parts.push(`<h3>Assumptions</h3><ul>${m.assumptions.map((x) => `<li>${escapeHtml(x.what)}: <b>${escapeHtml(x.value)}</b></li>`).join('')}</ul>`);
  return parts.join('\n');
}

function nonce(): string {
  let s = '';
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

type Message = { command?: string; uri?: string; line?: number; character?: number; values?: unknown };

/** Opens a trace link in the editor beside the panel. */
async function openSource(msg: Message): Promise<void> {
  if (!msg.uri) return;
  const pos = new Position(msg.line ?? 0, msg.character ?? 0);
  const editor = await window.showTextDocument(Uri.parse(msg.uri), { viewColumn: ViewColumn.One, selection: new Range(pos, pos) });
  editor.selection = new Selection(pos, pos);
}

/**
 * One panel of a kind (simulation or relay matrix), reused by later commands,
 * that re-runs its last request when a file of its configuration is saved.
 */
class ReusablePanel {
  private panel: WebviewPanel | undefined;
  private uri: Uri | undefined;
  private rerun: (() => Promise<void>) | undefined;

  constructor(
    private readonly context: ExtensionContext,
    private readonly kind: string,
    private readonly onMessage: (msg: Message, panel: ReusablePanel) => Promise<void>,
  ) {
    context.subscriptions.push(
      workspace.onDidSaveTextDocument((doc) => {
        if (this.panel && this.uri && this.rerun && doc.uri.scheme === 'file' && dirname(doc.uri.fsPath) === dirname(this.uri.fsPath)) void this.rerun();
      }),
    );
  }

  get config(): Uri | undefined {
    return this.uri;
  }

  /** Shows the panel for `uri` with `body`; `rerun` is what a save of the configuration repeats. */
  open(uri: Uri, title: string, body: string, rerun?: () => Promise<void>): void {
    this.uri = uri;
    this.rerun = rerun;
    if (!this.panel) {
      this.panel = window.createWebviewPanel(this.kind, title, ViewColumn.Beside, { enableScripts: true, enableFindWidget: true, retainContextWhenHidden: true });
      this.panel.onDidDispose(() => (this.panel = undefined), undefined, this.context.subscriptions);
      this.panel.webview.onDidReceiveMessage((msg: Message) => (msg.command === 'open' ? openSource(msg) : this.onMessage(msg, this)), undefined, this.context.subscriptions);
    } else this.panel.reveal(undefined, true);
    this.panel.title = title;
    this.panel.webview.html = page(title, body, nonce(), this.panel.webview.cspSource);
  }

  setRerun(rerun: () => Promise<void>): void {
    this.rerun = rerun;
  }

  post(message: { command: 'result'; html: string } | { command: 'note'; text: string }): void {
    void this.panel?.webview.postMessage(message);
  }

  retitle(title: string): void {
    if (this.panel) this.panel.title = title;
  }
}


/** Adds "Postfix: Simulate SMTP transaction…" and "Postfix: Show relay matrix". */
export function registerSimulateCommands(context: ExtensionContext, client: LanguageClient): void {
  const simulate = async (panel: ReusablePanel, values: FormValues): Promise<void> => {
    const uri = panel.config;
    if (!uri) return;
    const req = toRequest(values);
    if ('error' in req) {
      panel.post({ command: 'note', text: req.error });
      return;
    }
    await context.workspaceState.update(LAST_INPUT, values);
    panel.post({ command: 'note', text: '' });
    const r = await client.sendRequest<SimulateResponse>('postfix/simulate', { uri: uri.toString(), ...req });
    panel.retitle('error' in r ? 'Postfix simulation' : `Postfix: ${r.verdict.toUpperCase()} ${req.transaction.recipients.join(', ')}`);
    panel.post({ command: 'result', html: simulationHtml(r, req.transaction) });
    panel.setRerun(() => simulate(panel, values));
  };
  const simulator = new ReusablePanel(context, 'postfixSimulation', async (msg, panel) => {
    const values = fromMessage(msg.values);
    if (msg.command === 'simulate') await simulate(panel, values);
    if (msg.command === 'swaks' && panel.config) {
      const req = toRequest(values);
      if ('error' in req) return panel.post({ command: 'note', text: req.error });
      const r = await client.sendRequest<SwaksResponse>('postfix/swaks', { uri: panel.config.toString(), transaction: req.transaction });
      if ('error' in r) return panel.post({ command: 'note', text: r.error });
      await env.clipboard.writeText(r.command);
      panel.post({ command: 'note', text: `Copied: ${r.command}${r.notes.length ? ` (${r.notes.join(' ')})` : ''}` });
    }
  });
  const matrix = new ReusablePanel(context, 'postfixRelayMatrix', async () => {});
  const showMatrix = async (uri: Uri): Promise<void> => {
    const m = await client.sendRequest<RelayMatrixResponse>('postfix/relayMatrix', { uri: uri.toString() });
    matrix.open(uri, 'Postfix relay matrix', matrixHtml(m), () => showMatrix(uri));
  };
  context.subscriptions.push(
    // From a code lens (server/src/features/codeLens.ts): the document's URI and the service to simulate through.
    commands.registerCommand(SIMULATE_COMMAND, async (lensUri?: unknown, preset?: { service?: unknown }) => {
      if (!serverRunning(client)) return;
      const uri = typeof lensUri === 'string' ? Uri.parse(lensUri) : await pickSavedConfig();
      if (!uri) return;
      const services = await client.sendRequest<SmtpdServicesResponse>('postfix/smtpdServices', { uri: uri.toString() });
      const names = 'error' in services ? [] : services.services.map((s) => s.name);
      const values = { ...DEFAULT_FORM, ...context.workspaceState.get<FormValues>(LAST_INPUT) };
      // A code lens on a master.cf service names it; a remembered service that is gone is dropped.
      if (typeof preset?.service === 'string') values.service = preset.service;
      if (values.service && !names.includes(values.service)) values.service = '';
      simulator.open(uri, 'Postfix simulation', `${formHtml(values, names)}<div id="result" aria-live="polite"></div>`);
    }),
    commands.registerCommand(RELAY_MATRIX_COMMAND, async (lensUri?: unknown) => {
      if (!serverRunning(client)) return;
      const uri = typeof lensUri === 'string' ? Uri.parse(lensUri) : await pickSavedConfig();
      if (uri) await showMatrix(uri);
    }),
  );
}
