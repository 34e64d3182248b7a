// Formatting of main.cf and master.cf as whole-line replacements.
import { applyLineEdits, type LineEdit } from './lines';
import { formatMainCf, type FormatOptions } from './maincf';
import { formatMasterCf } from './mastercf';

export type { LineEdit, FormatOptions };
export { applyLineEdits, formatMainCf, formatMasterCf };

/** Edits for a document; lookup tables are not formatted. With `lines`, only logical lines that touch [from, to]. */
export function formatDocument(kind: 'main' | 'master' | 'map', text: string, options: FormatOptions = {}, lines?: { from: number; to: number }): LineEdit[] {
  const all = kind === 'main' ? formatMainCf(text, options) : kind === 'master' ? formatMasterCf(text) : [];
  return lines ? all.filter((e) => e.lastLine >= lines.from && e.firstLine <= lines.to) : all;
}

export function formatText(kind: 'main' | 'master' | 'map', text: string, options: FormatOptions = {}): string {
  return applyLineEdits(text, formatDocument(kind, text, options));
}
