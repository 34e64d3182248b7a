// The HTML report (`postfix-lint --format html`): one self-contained page
// (no script, no external resource) with the relay matrix of every smtpd
// service first, then a summary, then every file coloured by our grammars
// with each finding under its line. Pure: everything arrives as data.

import type { ConfigMode } from '../engine/config-files';
import type { RelayMatrix } from '../engine/simulate/matrix';
import type { Problem, ProblemCategory, Severity } from '../engine/types';
import type { Token } from './tokenize';

export interface ReportFile {
  path: string;
  /** Shown name (relative to the working directory). */
  name: string;
  lines: string[];
  tokens: Token[][];
}

export interface ReportConfiguration {
  dir: string;
  name: string;
  mode: ConfigMode;
  matrix?: RelayMatrix;
}

export interface ReportInput {
  title: string;
  configurations: ReportConfiguration[];
  files: ReportFile[];
  problems: Problem[];
  docUrl(code: string): string;
}

/** Foreground/background pairs the page uses; each meets WCAG AA (4.5:1), checked by the test. */
export const THEME = {
  text: ['#1f2328', '#ffffff'],
  muted: ['#57606a', '#ffffff'],
  comment: ['#57606a', '#f6f8fa'],
  keyword: ['#a40e26', '#f6f8fa'],
  name: ['#0550ae', '#f6f8fa'],
  value: ['#0a3069', '#f6f8fa'],
  number: ['#953800', '#f6f8fa'],
  invalid: ['#82071e', '#ffebe9'],
  plain: ['#1f2328', '#f6f8fa'],
  error: ['#82071e', '#ffebe9'],
  warning: ['#6c4400', '#fff8c5'],
  info: ['#0a3069', '#ddf4ff'],
  accept: ['#116329', '#dafbe1'],
  open: ['#ffffff', '#a40e26'],
  link: ['#0550ae', '#ffffff'],
} as const;

/** Large tables show only the lines around their findings. */
const FULL_FILE_LINES = 500;
const CONTEXT = 2;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Control characters would be invisible or break the page: show them as escapes. */
const visible = (s: string) => esc(s).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `<span class="ctl">\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}</span>`);

function scopeClass(scopes: string[]): string {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const s = scopes[i];
    if (s.startsWith('comment')) return 't-comment';
    if (s.startsWith('invalid')) return 't-invalid';
    if (s.startsWith('keyword') || s.startsWith('storage')) return 't-keyword';
    if (s.startsWith('constant.numeric')) return 't-number';
    if (s.startsWith('variable') || s.startsWith('entity') || s.startsWith('support')) return 't-name';
    if (s.startsWith('string') || s.startsWith('constant')) return 't-value';
  }
  return '';
}

function css(): string {
  const pair = (sel: string, [fg, bg]: readonly [string, string]) => `${sel}{color:${fg};background:${bg}}`;
  return [
    `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:24px 32px;max-width:1200px}`,
    pair('body', THEME.text),
    `h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:16px;margin:20px 0 6px}`,
    pair('.muted', THEME.muted),
    pair('a', THEME.link),
    `table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}caption{text-align:left;font-weight:600;padding:4px 0}`,
    `th{background:#f6f8fa}`,
    pair('td.accept', THEME.accept),
    pair('td.reject', THEME.error),
    pair('td.defer', THEME.warning),
    `td.open{color:${THEME.open[0]};background:${THEME.open[1]};font-weight:700}`,
    `.code{font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;border:1px solid #d0d7de;width:100%}`,
    `.code td{border:0;padding:0 8px;white-space:pre-wrap;word-break:break-all}`,
    pair('.code td.src', THEME.plain),
    `.code td.ln{text-align:right;user-select:none;width:1%;white-space:nowrap;color:${THEME.muted[0]};background:${THEME.muted[1]}}`,
    pair('.t-comment', THEME.comment),
    pair('.t-keyword', THEME.keyword),
    pair('.t-name', THEME.name),
    pair('.t-value', THEME.value),
    pair('.t-number', THEME.number),
    `.t-invalid{color:${THEME.invalid[0]};background:${THEME.invalid[1]};text-decoration:underline wavy}`,
    `.ctl{border:1px solid currentColor;border-radius:3px;font-size:11px}`,
    `tr.finding td{white-space:normal;font-family:system-ui,sans-serif;font-size:13px;padding:4px 8px}`,
    pair('tr.sev-error td.msg', THEME.error),
    pair('tr.sev-warning td.msg', THEME.warning),
    pair('tr.sev-info td.msg', THEME.info),
    pair('tr.sev-hint td.msg', THEME.info),
    `tr.gap td{text-align:center;font-style:italic;color:${THEME.muted[0]};background:${THEME.muted[1]}}`,
    `.badge{display:inline-block;font-weight:700;text-transform:uppercase;font-size:11px;margin-right:6px}`,
    `.fix{margin-top:2px}`,
    `.summary td.n{text-align:right}`,
  ].join('\n');
}

function verdictText(cell: RelayMatrix['cells'][number]): string {
  if (cell.verdict === 'fatal') return 'smtpd cannot start';
  if (cell.verdict === 'unknown') return 'cannot simulate';
  const base = `${cell.verdict.toUpperCase()}${cell.reply && cell.verdict !== 'accept' ? ` ${cell.reply.code} ${cell.reply.enhanced}` : ''}`;
  return cell.openRelay ? `${base}: OPEN RELAY` : base;
}

function matrixSection(c: ReportConfiguration): string {
  const m = c.matrix;
  if (!m) return `<p class="muted">${esc(c.name)}: no main.cf, no relay matrix.</p>`;
  const out: string[] = [];
  out.push(`<h3>${esc(c.name)} <span class="muted">(${c.mode === 'live' ? 'live configuration' : 'repository copy'})</span></h3>`);
  out.push(`<p>${m.openRelay ? '<strong>Open relay:</strong> an outside client without authentication can send mail to outside domains.' : 'No open relay: outside clients without authentication cannot send to outside domains.'}</p>`);
  out.push(`<p class="muted">Sender &lt;${esc(m.sender)}&gt;, HELO ${esc(m.helo)}. Clients: ${m.clients.map((x) => `${esc(x.label)} (${esc(x.note)})`).join('; ')}.</p>`);
  for (const service of m.services) {
    out.push(`<table><caption>Service ${esc(service)}</caption><thead><tr><th scope="col">client \\ recipient</th>${m.recipients.map((r) => `<th scope="col">${esc(r.label)}<br><span class="muted">${esc(r.address)}</span></th>`).join('')}</tr></thead><tbody>`);
    for (const cl of m.clients) {
      const cells = m.recipients.map((r) => {
        const cell = m.cells.find((x) => x.service === service && x.client === cl.label && x.recipient === r.label);
        if (!cell) return '<td></td>';
        const cls = cell.openRelay ? 'open' : cell.verdict === 'accept' || cell.verdict === 'hold' || cell.verdict === 'discard' ? 'accept' : cell.verdict === 'defer' ? 'defer' : 'reject';
        const title = cell.reply?.line ?? cell.fatal ?? cell.unknown ?? '';
        return `<td class="${cls}" title="${esc(title)}">${esc(verdictText(cell))}</td>`;
      });
      out.push(`<tr><th scope="row">${esc(cl.label)}</th>${cells.join('')}</tr>`);
    }
    out.push('</tbody></table>');
  }
  return out.join('\n');
}

const SEVERITIES: Severity[] = ['error', 'warning', 'info', 'hint'];
const CATEGORIES: ProblemCategory[] = ['postfix', 'security', 'correctness', 'style'];

function summarySection(problems: Problem[]): string {
  const count = (cat: ProblemCategory, sev: Severity) => problems.filter((p) => p.category === cat && p.severity === sev).length;
  const rows = CATEGORIES.map((cat) => `<tr><th scope="row">${cat}</th>${SEVERITIES.map((s) => `<td class="n">${count(cat, s)}</td>`).join('')}<td class="n">${problems.filter((p) => p.category === cat).length}</td></tr>`);
  const byCode = new Map<string, number>();
  for (const p of problems) byCode.set(p.code, (byCode.get(p.code) ?? 0) + 1);
  return [
    `<table class="summary"><caption>Findings by category and severity</caption><thead><tr><th scope="col">category</th>${SEVERITIES.map((s) => `<th scope="col">${s}</th>`).join('')}<th scope="col">all</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    byCode.size
      ? `<table class="summary"><caption>Findings by rule</caption><thead><tr><th scope="col">rule</th><th scope="col">findings</th></tr></thead><tbody>${[...byCode].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([code, n]) => `<tr><th scope="row">${esc(code)}</th><td class="n">${n}</td></tr>`).join('')}</tbody></table>`
      : '',
  ].join('\n');
}

function findingRow(p: Problem, docUrl: (code: string) => string): string {
  const fixes = (p.fixes ?? []).map((f) => `<div class="fix">Fix: ${esc(f.title)}</div>`).join('');
  return `<tr class="finding sev-${p.severity}"><td class="ln"></td><td class="msg"><span class="badge">${p.severity}</span><a href="${esc(docUrl(p.code))}">${esc(p.code)}</a> ${visible(p.message)}${fixes}</td></tr>`;
}

function fileSection(f: ReportFile, problems: Problem[], docUrl: (code: string) => string, anchor: string): string {
  const byLine = new Map<number, Problem[]>();
  for (const p of problems) {
    const l = Math.min(Math.max(p.range.start.line, 0), Math.max(f.lines.length - 1, 0));
    const list = byLine.get(l);
    if (list) list.push(p);
    else byLine.set(l, [p]);
  }
  const shown = new Set<number>();
  if (f.lines.length <= FULL_FILE_LINES) f.lines.forEach((_, i) => shown.add(i));
  else for (const l of byLine.keys()) for (let i = l - CONTEXT; i <= l + CONTEXT; i++) if (i >= 0 && i < f.lines.length) shown.add(i);
  const rows: string[] = [];
  let last = -1;
  for (const i of [...shown].sort((a, b) => a - b)) {
    if (i > last + 1) rows.push(`<tr class="gap"><td class="ln"></td><td>… ${i - last - 1} line${i - last - 1 === 1 ? '' : 's'} without findings …</td></tr>`);
    // Neighbouring tokens of the same colour share one span: a smaller page.
    const runs: { cls: string; text: string }[] = [];
    for (const t of f.tokens[i] ?? [{ text: f.lines[i], scopes: [] }]) {
      const cls = scopeClass(t.scopes);
      const prev = runs[runs.length - 1];
      if (prev && prev.cls === cls) prev.text += t.text;
      else runs.push({ cls, text: t.text });
    }
    const html = runs.map((r) => (r.cls ? `<span class="${r.cls}">${visible(r.text)}</span>` : visible(r.text)));
    rows.push(`<tr id="${anchor}-L${i + 1}"><td class="ln">${i + 1}</td><td class="src">${html.join('') || ' '}</td></tr>`);
    for (const p of byLine.get(i) ?? []) rows.push(findingRow(p, docUrl));
    last = i;
  }
  if (last < f.lines.length - 1 && f.lines.length > 0) rows.push(`<tr class="gap"><td class="ln"></td><td>… ${f.lines.length - 1 - last} more lines …</td></tr>`);
  const n = problems.length;
  return `<h3 id="${anchor}">${esc(f.name)} <span class="muted">(${f.lines.length} lines, ${n} finding${n === 1 ? '' : 's'})</span></h3>\n<table class="code" aria-label="${esc(f.name)} with findings"><tbody>${rows.join('\n')}</tbody></table>`;
}

export function renderHtmlReport(input: ReportInput): string {
  const problems = input.problems;
  const byFile = new Map<string, Problem[]>();
  for (const p of problems) {
    const list = byFile.get(p.file);
    if (list) list.push(p);
    else byFile.set(p.file, [p]);
  }
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.filter((p) => p.severity === 'warning').length;
  const files = input.files.map((f, i) => ({ f, anchor: `f${i}` }));
  const elsewhere = problems.filter((p) => !input.files.some((f) => f.path === p.file));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(input.title)}</title>
<style>
${css()}
</style>
</head>
<body>
<header>
<h1>${esc(input.title)}</h1>
<p class="muted">${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${problems.length - errors - warnings} other. Written by postfix-lint.</p>
</header>
<main>
<h2>Relay matrix</h2>
${input.configurations.map(matrixSection).join('\n')}
<h2>Summary</h2>
${summarySection(problems)}
<h2>Files</h2>
<ul>${files.map(({ f, anchor }) => `<li><a href="#${anchor}">${esc(f.name)}</a> (${(byFile.get(f.path) ?? []).length})</li>`).join('')}</ul>
${files.map(({ f, anchor }) => fileSection(f, byFile.get(f.path) ?? [], input.docUrl, anchor)).join('\n')}
${elsewhere.length ? `<h3>Other findings</h3><ul>${elsewhere.map((p) => `<li><span class="badge">${p.severity}</span><a href="${esc(input.docUrl(p.code))}">${esc(p.code)}</a> ${esc(p.file)}: ${visible(p.message)}</li>`).join('')}</ul>` : ''}
</main>
</body>
</html>
`;
}
