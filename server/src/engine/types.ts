// Plain data types shared by every part of the engine. Positions are zero-based
// line/character pairs (UTF-16 code units), the same convention LSP uses, so the
// server converts nothing; the engine itself never imports LSP types.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** Severities most severe first: a finding at least as severe as `s` has a rank <= SEVERITY_RANK[s]. */
export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

/**
 * Where a problem comes from:
 * - `postfix`: real Postfix (postconf, postmap, smtpd, master) warns or dies on it;
 *   reporting one that Postfix accepts is a bug.
 * - `security` / `correctness` / `style`: advisory rules of our own.
 */
export type ProblemCategory = 'postfix' | 'security' | 'correctness' | 'style';

export interface Problem {
  /** Stable rule code, e.g. `PF102`; see codes.ts and docs/rules/. */
  code: string;
  severity: Severity;
  category: ProblemCategory;
  /** Absolute or workspace-relative path of the file the range is in. */
  file: string;
  range: Range;
  message: string;
  /** Ways to fix it, applied by the editor as workspace edits (never by the engine). */
  fixes?: Fix[];
  /** Other places that are part of the same mistake (one finding per mistake, not one per place). */
  related?: RelatedLocation[];
  /**
   * How an editor may draw it: `unnecessary` when the range is text that has no
   * effect (faded), `deprecated` for a deprecated name (struck through).
   */
  tags?: ProblemTag[];
}

export type ProblemTag = 'unnecessary' | 'deprecated';

/** Another place a problem concerns, with what is wrong there. */
export interface RelatedLocation {
  file: string;
  range: Range;
  message: string;
  /** How an editor may draw this place (`unnecessary`: an overridden setting, which never takes effect). */
  tags?: ProblemTag[];
}

/** A text replacement in one file. */
export interface TextEdit {
  file: string;
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** Part of "harden this configuration" (safe to apply together with the others). */
  hardening?: boolean;
  /**
   * The one evident repair, applied by "Fix all" (`source.fixAll.postfix`,
   * `postfix-lint --fix`): no guess (a did-you-mean is not safe) and no change
   * of what Postfix does beyond the mistake the finding names.
   */
  safe?: boolean;
  /** Files the fix creates (a recipe's new table), with their whole text. */
  newFiles?: { file: string; text: string }[];
  /** The hardening recipe this fix applies (docs/recipes), when it is one. */
  recipe?: string;
}

/** Read-only file access injected into the engine (tests, CLI and server supply their own). */
/**
 * A file as read from disk: its bytes, and its text decoded from them when
 * first asked (the same text readText gives). A big table can be parsed from
 * the bytes without ever building the text (tables/access-bytes.ts).
 */
export interface FileSource {
  bytes: Uint8Array;
  text(): string;
}

export interface FileReader {
  /** File text, or undefined when the file does not exist or cannot be read. */
  readText(path: string): string | undefined;
  /** The file as bytes with its text on demand, or undefined as for readText. Readers that hold text leave it out. */
  readSource?(path: string): FileSource | undefined;
  /** Modification time in ms, or undefined when missing. */
  mtimeMs?(path: string): number | undefined;
  /** The path with symbolic links resolved, or undefined when it does not exist. */
  realPath?(path: string): string | undefined;
  /** Names in a directory, or undefined when it cannot be listed. */
  listDirectory?(path: string): string[] | undefined;
  /**
   * Why readText gives undefined for a path (code ENOENT: it does not exist),
   * or undefined when it reads. Readers that cannot tell leave it out.
   */
  unreadable?(path: string): UnreadableFile | undefined;
}

/** Why a file is not read: an errno name (ENOENT, EACCES, ELOOP, EISDIR) or ENOTREG, ESYSTEM, EFBIG, and its wording. */
export interface UnreadableFile {
  code: string;
  /** The step that failed, for Postfix's wording ("open X: reason"). */
  op: 'open' | 'read';
  /** strerror()'s words, or ours for the policy codes. */
  reason: string;
}

export function pos(line: number, character: number): Position {
  return { line, character };
}

export function range(line: number, startChar: number, endLine: number, endChar: number): Range {
  return { start: { line, character: startChar }, end: { line: endLine, character: endChar } };
}

export function lineRange(line: number, startChar: number, endChar: number): Range {
  return range(line, startChar, line, endChar);
}

export function containsPosition(r: Range, p: Position): boolean {
  if (p.line < r.start.line || p.line > r.end.line) return false;
  if (p.line === r.start.line && p.character < r.start.character) return false;
  if (p.line === r.end.line && p.character > r.end.character) return false;
  return true;
}
