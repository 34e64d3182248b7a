// "Disable PFxxx for this line / for this file": the comment directives
// suppress.ts honours (CLI and server alike), written into the problem's file.
// A directive already in place gets the code added instead of a second line.

import { directiveSite, fileDirective } from '../rules/suppress';
import type { Fix, Problem } from '../types';
import { fileLines, insertLineAbove, textEdit } from './text';

/** Length of a byte order mark at the start (a directive goes after it, or the mark would move inside the file). */
function bomLength(text: string): number {
  return text.startsWith('\ufeff') ? 1 : 0;
}

/** The two "disable" fixes for a problem, given the text of its file. */
export function disableFixes(p: Problem, text: string): Fix[] {
  const code = p.code.toUpperCase();
  if (!/^PF\d+$/.test(code)) return [];
  const f = fileLines(p.file, text);
  const out: Fix[] = [];

  const site = directiveSite(text, Math.min(p.range.start.line, f.lines.length - 1));
  if (site.existing) {
    if (!site.existing.codes.has(code)) out.push({ title: `Disable ${code} for this line`, edits: [textEdit(p.file, { line: site.existing.line, character: site.existing.end }, { line: site.existing.line, character: site.existing.end }, `,${code}`)] });
  } else if (!/^[ \t]/.test(f.lines[site.line] ?? '')) {
    // (A logical line that starts indented, which Postfix ignores, takes no line directive: only the file one.)
    const directive = `# postfix-lint: disable=${code}`;
    const edit = site.line === 0 && bomLength(text) ? textEdit(p.file, { line: 0, character: 1 }, { line: 0, character: 1 }, `${directive}${f.eol}`) : insertLineAbove(f, site.line, directive);
    out.push({ title: `Disable ${code} for this line`, edits: [edit] });
  }

  const whole = fileDirective(text);
  if (whole) {
    if (!whole.codes.has(code)) out.push({ title: `Disable ${code} for this file`, edits: [textEdit(p.file, { line: whole.line, character: whole.end }, { line: whole.line, character: whole.end }, `,${code}`)] });
  } else {
    const at = bomLength(text);
    out.push({ title: `Disable ${code} for this file`, edits: [textEdit(p.file, { line: 0, character: at }, { line: 0, character: at }, `# postfix-lint: disable-file=${code}${f.eol}`)] });
  }
  return out;
}
