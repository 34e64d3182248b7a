// Shared by the main.cf and master.cf formatters: physical lines with their
// `\r` kept aside, and the result as whole-line replacements.

export interface LineEdit {
  line: number;
  newText: string;
  /** The logical line it belongs to (range formatting takes whole logical lines). */
  firstLine: number;
  lastLine: number;
}

export interface SourceLine {
  text: string;
  /** `\r` when the line ended in CRLF; put back unchanged. */
  cr: string;
}

export function sourceLines(text: string): SourceLine[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? { text: l.slice(0, -1), cr: '\r' } : { text: l, cr: '' }));
}

/** Collects replacements, dropping those that change nothing. */
export class Edits {
  readonly list: LineEdit[] = [];
  constructor(private readonly lines: SourceLine[]) {}
  set(line: number, text: string, firstLine = line, lastLine = line): void {
    const old = this.lines[line];
    if (!old || old.text === text) return;
    this.list.push({ line, newText: text, firstLine, lastLine });
  }
}

/** Applies line edits to a text (for tests and the CLI). */
export function applyLineEdits(text: string, edits: LineEdit[]): string {
  const lines = sourceLines(text);
  const byLine = new Map(edits.map((e) => [e.line, e.newText]));
  return lines.map((l, i) => (byLine.get(i) ?? l.text) + l.cr).join('\n');
}

export function trimEndSpace(s: string): string {
  return s.replace(/[ \t\v\f\r]+$/, '');
}

export function trimStartSpace(s: string): string {
  return s.replace(/^[ \t\v\f\r]+/, '');
}

/**
 * A `{...}` group runs from one physical line into the next: the blanks at
 * the line break are then inside the group (part of a value or a pattern).
 */
export function bracesSpanLines(pieces: { text: string }[]): boolean {
  for (const p of pieces) {
    let depth = 0;
    for (const ch of p.text) {
      if (ch === '{') depth++;
      else if (ch === '}' && depth > 0) depth--;
    }
    if (depth !== 0) return true;
  }
  return false;
}
