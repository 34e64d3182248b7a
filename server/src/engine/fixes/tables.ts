// Quick fixes for lookup-table findings whose repair is evident: a cidr
// pattern with host bits set (PF320), which Postfix skips, written as the
// network Postfix itself suggests.

import { cidrNetworkPattern } from '../tables/cidr';
import type { Fix, Problem } from '../types';
import type { FixContext } from './context';
import { lineSlice, textEdit } from './text';

function cidrHostBitsFixes(ctx: FixContext, p: Problem): Fix[] {
  const { start, end } = p.range;
  const f = ctx.lines(p.file);
  if (!f || start.line !== end.line) return [];
  const pattern = lineSlice(f, start.line, start.character, end.character);
  const network = pattern === undefined ? undefined : cidrNetworkPattern(pattern);
  // Not `safe`: the rule starts to match the whole network; the author may have meant a single host.
  return network ? [{ title: `Use the network address ${network}`, edits: [textEdit(p.file, start, end, network)] }] : [];
}

export const TABLE_FIXES: Record<string, (ctx: FixContext, p: Problem) => Fix[]> = {
  PF320: cidrHostBitsFixes,
};
