// VS Code commands for the policy simulator: "Postfix: Simulate SMTP
// transaction…" asks for the service, client, HELO, login, sender and
// recipients, then shows smtpd's verdict and the restriction trace; "Postfix:
// Show relay matrix" shows who may send where. Every trace step links to the
// line that decided it. The analysis runs in the language server.

import { commands, ExtensionContext, Position, Range, Selection, Uri, ViewColumn, window, workspace, type QuickPickItem, type WebviewPanel } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { pickConfig } from './pick-config';
import type { RelayMatrixResponse, SimulateResponse, SmtpdServicesResponse } from '../../server/src/features/simulate';
import type { Transaction, TraceStep } from '../../server/src/engine/simulate/types';
import { serverRunning } from './server-state';

export const SIMULATE_COMMAND = 'postfix.simulate';
export const RELAY_MATRIX_COMMAND = 'postfix.relayMatrix';

const LAST_INPUT = 'postfix.simulate.lastInput';

interface LastInput {
  client: string;
  helo: string;
  saslUser: string;
  sender: string;
  recipients: string;
}

const DEFAULTS: LastInput = { client: '203.0.113.5', helo: 'mail.example.net', saslUser: '', sender: 'sender@example.net', recipients: 'someone@example.org' };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The configuration to simulate: a saved Postfix document (the server reads its directory). */
const pickSavedConfig = () => pickConfig({ fileOnly: true });

async function ask(prompt: string, value: string, validate?: (v: string) => string | undefined): Promise<string | undefined> {
  return window.showInputBox({ prompt, value, ignoreFocusOut: true, validateInput: validate });
}

const IP = /^(\d{1,3}(\.\d{1,3}){3}|\[?(ipv6:)?[0-9a-f:.]+\]?)$/i;

async function askTransaction(client: LanguageClient, uri: Uri, context: ExtensionContext, preset?: string): Promise<Transaction | undefined> {
  const last = { ...DEFAULTS, ...context.workspaceState.get<LastInput>(LAST_INPUT) };
  const services = await client.sendRequest<SmtpdServicesResponse>('postfix/smtpdServices', { uri: uri.toString() });
  let service: string | undefined;
  // A code lens on a master.cf service names it: no need to ask.
  if (preset && !('error' in services) && services.services.some((s) => s.name === preset)) service = preset;
  else if (!('error' in services) && services.services.length > 1) {
    const items: (QuickPickItem & { name?: string })[] = services.services.map((s) => ({ label: s.name, description: s.key, name: s.name }));
    const pick = await window.showQuickPick(items, { placeHolder: 'Which smtpd service (master.cf)?', ignoreFocusOut: true });
    if (!pick) return undefined;
    service = pick.name;
  } else if (!('error' in services) && services.services.length === 1) service = services.services[0].name;

  const clientText = await ask('Client IP address, optionally ",hostname" (a verified reverse name)', last.client, (v) => (IP.test(v.split(',')[0].trim()) ? undefined : 'an IPv4 or IPv6 address'));
  if (clientText === undefined) return undefined;
  const helo = await ask('HELO/EHLO name (empty: the client sends none)', last.helo);
  if (helo === undefined) return undefined;
  const saslUser = await ask('SASL login name (empty: not authenticated)', last.saslUser);
  if (saslUser === undefined) return undefined;
  const sender = await ask('Envelope sender (MAIL FROM); <> for the null sender', last.sender);
  if (sender === undefined) return undefined;
  const recipients = await ask('Recipients (RCPT TO), separated by commas', last.recipients, (v) => (v.trim() ? undefined : 'at least one recipient'));
  if (recipients === undefined) return undefined;
  await context.workspaceState.update(LAST_INPUT, { client: clientText, helo, saslUser, sender, recipients });

  const [address, hostname] = clientText.split(',').map((s) => s.trim());
  return {
    service,
    client: { address, hostname: hostname || undefined },
    helo: helo.trim() || undefined,
    saslUser: saslUser.trim() || undefined,
    sender: sender.trim() === '<>' ? '' : sender.trim().replace(/^<(.*)>$/, '$1'),
    recipients: recipients
      .split(',')
      .map((r) => r.trim().replace(/^<(.*)>$/, '$1'))
      .filter(Boolean),
  };
}

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
</style></head><body>${body}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-uri]');
  if (!a) return;
  e.preventDefault();
  vscode.postMessage({ command: 'open', uri: a.dataset.uri, line: Number(a.dataset.line), character: Number(a.dataset.character) });
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

function show(context: ExtensionContext, kind: string, title: string, body: string): WebviewPanel {
  const panel = window.createWebviewPanel(kind, title, ViewColumn.Beside, { enableScripts: true, enableFindWidget: true });
  panel.webview.html = page(title, body, nonce(), panel.webview.cspSource);
  panel.webview.onDidReceiveMessage(
    async (msg: { command?: string; uri?: string; line?: number; character?: number }) => {
      if (msg.command !== 'open' || !msg.uri) return;
      const pos = new Position(msg.line ?? 0, msg.character ?? 0);
      const editor = await window.showTextDocument(Uri.parse(msg.uri), { viewColumn: ViewColumn.One, selection: new Range(pos, pos) });
      editor.selection = new Selection(pos, pos);
    },
    undefined,
    context.subscriptions,
  );
  return panel;
}

/** Adds "Postfix: Simulate SMTP transaction…" and "Postfix: Show relay matrix". */
export function registerSimulateCommands(context: ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(
    // From a code lens (server/src/features/codeLens.ts): the document's URI and the service to simulate through.
    commands.registerCommand(SIMULATE_COMMAND, async (lensUri?: unknown, preset?: { service?: unknown }) => {
      if (!serverRunning(client)) return;
      const uri = typeof lensUri === 'string' ? Uri.parse(lensUri) : await pickSavedConfig();
      if (!uri) return;
      const tx = await askTransaction(client, uri, context, typeof preset?.service === 'string' ? preset.service : undefined);
      if (!tx) return;
      const r = await client.sendRequest<SimulateResponse>('postfix/simulate', { uri: uri.toString(), transaction: tx });
      const title = 'error' in r ? 'Postfix simulation' : `Postfix: ${r.verdict.toUpperCase()} ${tx.recipients.join(', ')}`;
      show(context, 'postfixSimulation', title, simulationHtml(r, tx));
    }),
    commands.registerCommand(RELAY_MATRIX_COMMAND, async (lensUri?: unknown) => {
      if (!serverRunning(client)) return;
      const uri = typeof lensUri === 'string' ? Uri.parse(lensUri) : await pickSavedConfig();
      if (!uri) return;
      const m = await client.sendRequest<RelayMatrixResponse>('postfix/relayMatrix', { uri: uri.toString() });
      show(context, 'postfixRelayMatrix', 'Postfix relay matrix', matrixHtml(m));
    }),
  );
}
