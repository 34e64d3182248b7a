// Silencing problems with comments, which Postfix ignores:
//
//   # postfix-lint: disable=PF501,PF502     (the setting, service or table entry just below)
//   # postfix-lint: disable-file=PF519      (anywhere in the file: the whole file)
//
// `all` stands for every code. A directive applies to the logical line right
// below its block of comment lines, including that line's continuation lines.

import type { FileReader, Problem } from '../types';

const DIRECTIVE = /^\s*#\s*postfix-lint:\s*(disable-file|disable)\s*[=:]?\s*([A-Za-z0-9_,\s]*)$/i;

interface FileDirectives {
  file: Set<string>;
  /** Zero-based first line of a logical line → codes silenced there. */
  lines: Map<number, Set<string>>;
  /** Line → first line of its logical line. */
  logicalStart: number[];
}

function codesOf(list: string): Set<string> {
  return new Set(
    list
      .split(/[\s,]+/)
      .map((c) => c.trim().toUpperCase())
      .filter(Boolean),
  );
}

function isComment(l: string): boolean {
  return /^\s*#/.test(l);
}

function isBlank(l: string): boolean {
  return /^\s*$/.test(l);
}

function parse(text: string): FileDirectives {
  const lines = text.split('\n');
  const d: FileDirectives = { file: new Set(), lines: new Map(), logicalStart: [] };
  let start = 0;
  let pending = new Set<string>();
  let pendingFor = -1;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const m = isComment(l) ? DIRECTIVE.exec(l.replace(/\r$/, '')) : null;
    if (m) {
      if (m[1].toLowerCase() === 'disable-file') for (const c of codesOf(m[2])) d.file.add(c);
      else {
        if (pendingFor !== i - 1) pending = new Set();
        for (const c of codesOf(m[2])) pending.add(c);
        pendingFor = i;
      }
      d.logicalStart.push(start);
      continue;
    }
    if (isComment(l) || isBlank(l)) {
      if (pendingFor === i - 1 && isComment(l)) pendingFor = i;
      d.logicalStart.push(start);
      continue;
    }
    if (/^\s/.test(l)) {
      d.logicalStart.push(start);
      continue;
    }
    start = i;
    d.logicalStart.push(start);
    if (pendingFor === i - 1 && pending.size) d.lines.set(i, pending);
    pending = new Set();
    pendingFor = -1;
  }
  return d;
}

/**
 * Where a `disable=` directive for a problem on `line` goes: above the first
 * line of its logical line; `existing` is a `disable=` directive already in
 * the comment block right above, to add the code to instead.
 */
export function directiveSite(text: string, line: number): { line: number; existing?: { line: number; end: number; codes: Set<string> } } {
  const d = parse(text);
  const start = d.logicalStart[line] ?? line;
  const lines = text.split('\n');
  for (let i = start - 1; i >= 0 && isComment(lines[i]); i--) {
    const m = DIRECTIVE.exec(lines[i].replace(/\r$/, ''));
    if (m && m[1].toLowerCase() === 'disable') return { line: start, existing: { line: i, end: lines[i].replace(/\r$/, '').replace(/\s+$/, '').length, codes: codesOf(m[2]) } };
  }
  return { line: start };
}

/** A `disable-file=` directive of the file: its line, where it ends and its codes. */
export function fileDirective(text: string): { line: number; end: number; codes: Set<string> } | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!isComment(lines[i])) continue;
    const m = DIRECTIVE.exec(lines[i].replace(/\r$/, ''));
    if (m && m[1].toLowerCase() === 'disable-file') return { line: i, end: lines[i].replace(/\r$/, '').replace(/\s+$/, '').length, codes: codesOf(m[2]) };
  }
  return undefined;
}

/** Drops problems silenced by `# postfix-lint: disable=...` comments in their files. */
export function suppressProblems(problems: Problem[], reader: FileReader): Problem[] {
  const cache = new Map<string, FileDirectives | undefined>();
  const directives = (file: string) => {
    if (!cache.has(file)) {
      const text = reader.readText(file);
      cache.set(file, text === undefined || !text.includes('postfix-lint') ? undefined : parse(text));
    }
    return cache.get(file);
  };
  return problems.filter((p) => {
    const d = directives(p.file);
    if (!d) return true;
    const code = p.code.toUpperCase();
    if (d.file.has(code) || d.file.has('ALL')) return false;
    const start = d.logicalStart[p.range.start.line] ?? p.range.start.line;
    const codes = d.lines.get(start);
    return !(codes && (codes.has(code) || codes.has('ALL')));
  });
}
