// What a change does to mail, as a reader sees it: the JSON and Markdown
// forms of a BehaviourDiff (engine/review/diff.ts). The CLI (postfix-lint diff)
// and the language server (postfix/compare, "Postfix: Compare with…") print
// the same report.

import { ruleDocUrl } from '../codes';
import type { ReviewFinding } from './behaviour';
import { isEmptyDiff, type BehaviourDiff, type CellChange, type ValueChange } from './diff';

export interface Labels {
  old: string;
  new: string;
}

function findingJson(f: ReviewFinding) {
  return { code: f.code, severity: f.severity, category: f.category, file: f.relFile, line: f.range.start.line + 1, column: f.range.start.character + 1, message: f.message, url: ruleDocUrl(f.code) };
}

export function toJson(d: BehaviourDiff, labels: Labels) {
  return {
    old: { label: labels.old, hasMainCf: d.old.exists, openRelay: d.old.openRelay },
    new: { label: labels.new, hasMainCf: d.new.exists, openRelay: d.new.openRelay },
    relayMatrix: d.cells,
    findingsAdded: d.added.map(findingJson),
    findingsRemoved: d.removed.map(findingJson),
    values: d.values,
  };
}

const show = (v: string | undefined) => (v === undefined ? '(not tested)' : v);

export function cellLine(c: CellChange): string {
  const verdict = c.opensRelay ? ' — an open relay' : c.closesRelay ? ' — no longer an open relay' : '';
  return `${c.service}: ${c.client} [${c.clientAddress}${c.saslUser ? `, logged in as ${c.saslUser}` : ''}] → <${c.recipientAddress}> (${c.recipient}; sender <${c.sender}>): ${show(c.before)} → ${show(c.after)}${verdict}`;
}

export function valueLine(v: ValueChange): string {
  const unset = v.scope === 'main.cf' ? '(default)' : '(main.cf value)';
  return `${v.scope} ${v.name}: ${v.before ?? unset} → ${v.after ?? unset}`;
}


export function summary(d: BehaviourDiff): string {
  if (isEmptyDiff(d)) return 'No behavioural difference.';
  const opened = d.cells.filter((c) => c.opensRelay).length;
  const parts = [
    opened ? `OPENS A RELAY on ${opened} service${opened === 1 ? '' : 's'}` : '',
    `${d.cells.length} relay-matrix answer${d.cells.length === 1 ? '' : 's'} changed`,
    `${d.added.length} finding${d.added.length === 1 ? '' : 's'} added`,
    `${d.removed.length} removed`,
    `${d.values.length} effective value${d.values.length === 1 ? '' : 's'} changed`,
  ];
  return parts.filter(Boolean).join(', ');
}

/** Markdown for a pull-request comment: table cells escaped, one table per part. */
export function toMarkdown(d: BehaviourDiff, labels: Labels): string {
  const esc = (s: string) => s.replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
  const code = (s: string | undefined) => (s === undefined ? '—' : `\`${s.replace(/`/g, "'")}\``);
  const out = [`### Postfix: what this change does to mail`, '', `${esc(labels.old)} → ${esc(labels.new)}: **${esc(summary(d))}**`];
  if (d.cells.length) {
    out.push('', '#### Relay matrix', '', '| service | client | recipient | sender | before | after | |', '|---|---|---|---|---|---|---|');
    for (const c of d.cells) {
      const note = c.opensRelay ? '🔴 open relay' : c.closesRelay ? '🟢 relay closed' : '';
      out.push(`| ${esc(c.service)} | ${esc(c.client)} ${code(c.clientAddress)} | ${esc(c.recipient)} ${code(c.recipientAddress)} | ${code(c.sender)} | ${code(c.before)} | ${code(c.after)} | ${note} |`);
    }
  }
  const findings = (title: string, list: ReviewFinding[]) => {
    if (!list.length) return;
    out.push('', `#### ${title} (${list.length})`, '', '| file | line | severity | rule | message |', '|---|---|---|---|---|');
    for (const f of list) out.push(`| ${esc(f.relFile)} | ${f.range.start.line + 1} | ${f.severity} | [${f.code}](${ruleDocUrl(f.code)}) | ${esc(f.message)} |`);
  };
  findings('Findings added', d.added);
  findings('Findings removed', d.removed);
  if (d.values.length) {
    out.push('', '#### Effective values', '', '| file | parameter | before | after |', '|---|---|---|---|');
    for (const v of d.values) out.push(`| ${v.scope} | ${esc(v.name)} | ${code(v.before)} | ${code(v.after)} |`);
  }
  return `${out.join('\n')}\n`;
}
