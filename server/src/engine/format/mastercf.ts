// master.cf formatting: the eight fields of each service aligned on the
// stock master.cf's columns (a field longer than its column pushes the rest
// of that line only), continuation lines indented by two spaces, no trailing
// blanks. master.cf splits words on any whitespace, so none of this changes
// a field, an option or an argument; a service with a `{ ... }` group
// that spans lines keeps its continuation lines as written (a group may span lines),
// and lines postconf would reject, comments and short lines are left alone.

import { parseMasterCf } from '../mastercf';
import { bracesSpanLines, Edits, LineEdit, sourceLines, trimEndSpace, trimStartSpace } from './lines';

/** Where each field starts in the stock master.cf. */
export const MASTER_COLUMNS = [0, 10, 16, 24, 32, 40, 48, 56];
const CONTINUATION = '  ';

export function formatMasterCf(text: string): LineEdit[] {
  const lines = sourceLines(text);
  const edits = new Edits(lines);
  const cf = parseMasterCf(text);
  for (const s of cf.services) {
    // postconf quotes a rejected line as written in its error: leave it as written.
    if (!s.valid) continue;
    const { firstLine, lastLine } = s.logical;
    const first = lines[firstLine].text;
    const braced = bracesSpanLines(s.logical.pieces);
    if (s.fields.every((f) => f.range.start.line === firstLine && f.range.end.line === firstLine) && s.logical.pieces[0].text.startsWith(s.name.text)) {
      // A field past its column pushes the next one; the one-letter columns
      // after it keep their 8-wide steps (the stock file's `scalemail-backend` line).
      let out = '';
      let prevStart = 0;
      s.fields.forEach((f, i) => {
        const step = i >= 3 ? prevStart + MASTER_COLUMNS[i] - MASTER_COLUMNS[i - 1] : 0;
        const col = i === 0 ? 0 : Math.max(MASTER_COLUMNS[i], step, out.length + 1);
        out = out.padEnd(col, ' ') + f.text;
        prevStart = col;
      });
      const rest = first.slice(s.command.end);
      edits.set(firstLine, braced ? out + rest : trimEndSpace(out + rest), firstLine, lastLine);
    }
    if (braced) continue;
    for (const p of s.logical.pieces.slice(1)) edits.set(p.line, CONTINUATION + trimEndSpace(trimStartSpace(lines[p.line].text)), firstLine, lastLine);
  }
  return edits.list;
}
