// `postfix-lint postconf -c DIR [-n] [-x] [-d] [-M] [-F] [-P] [-f] [-h] [-H]
// [-o name=value] [NAME... | service patterns]`: prints what the real postconf
// (Postfix 3.7) prints, computed by the engine: same stdout, same warnings,
// same fatal errors and exit status. Used by the differential tests and handy
// for reviewing a configuration without Postfix. Files are read as bytes
// (latin1) and the output is written back as the same bytes.

import { postconfCommand } from '../engine/postconf/command';
import type { ReadFile } from '../engine/postconf/dbms';
import { hostModel } from './host';
import type { CliIo } from './io';

export function runPostconf(argv: string[], io: CliIo): number {
  const r = postconfCommand(argv, {
    readFile: readForPostconf(io),
    mailConfig: process.env.MAIL_CONFIG,
    host: { ...hostModel(), processId: String(process.pid) },
  });
  // postconf's warnings go out as they happen; its stdout is buffered until
  // the end, except that it flushes stdout before the "unused" warnings.
  const split = r.stderrAfterStdout ?? r.stderr.length;
  if (split > 0) io.stderr(r.stderr.slice(0, split));
  io.stdout(r.stdout);
  if (split < r.stderr.length) io.stderr(r.stderr.slice(split));
  return r.status;
}

/** The CLI's reader, plus the reasons postconf gives when a file does not read. */
function readForPostconf(io: CliIo): ReadFile {
  return (path) => {
    const text = io.reader.readText(path);
    if (text !== undefined) return text;
    const why = io.reader.unreadable?.(path);
    if (!why || why.code === 'ENOENT') return undefined;
    const streamError = `${why.op} ${path}: ${why.reason}`;
    // Database client files: postconf checks for a regular file first, and says nothing when it may not read one.
    if (why.code === 'EACCES') return { error: null, streamError };
    return { error: why.code === 'EISDIR' || why.code === 'ENOTREG' || why.code === 'ESYSTEM' ? 'not a regular file' : why.reason, streamError };
  };
}
