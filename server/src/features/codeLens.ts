// textDocument/codeLens: "Simulate" and "Relay matrix" above each smtpd
// service of master.cf and each restriction list (engine/assist/code-lens.ts).
// The commands are the client's (client/src/simulate.ts): they take the
// document URI and, for a service, the service to simulate through.

import type { CodeLens, CodeLensParams } from './lsp';
import { codeLensTargets } from '../engine/assist/code-lens';
import type { Feature, ServerContext } from './context';
import { navigationSubject } from './navigation';
import { logLenses } from './logExplain';

export const SIMULATE_COMMAND = 'postfix.simulate';
export const RELAY_MATRIX_COMMAND = 'postfix.relayMatrix';

export function codeLensesFor(ctx: ServerContext, params: CodeLensParams): CodeLens[] | null {
  const uri = params?.textDocument?.uri;
  if (typeof uri !== 'string') return null;
  const forLog = logLenses(ctx, uri);
  if (forLog) return forLog;
  const s = navigationSubject(ctx, uri);
  if (!s) return null;
  const out: CodeLens[] = [];
  for (const t of codeLensTargets(s.config, s.file)) {
    const preset = t.service ? { service: t.service } : {};
    out.push({ range: t.range, command: { title: 'Simulate', command: SIMULATE_COMMAND, arguments: [uri, preset] } });
    out.push({ range: t.range, command: { title: 'Relay matrix', command: RELAY_MATRIX_COMMAND, arguments: [uri] } });
  }
  return out;
}

export const codeLens: Feature = {
  name: 'codeLens',
  capabilities: { codeLensProvider: { resolveProvider: false } },
  register(ctx) {
    ctx.connection.onCodeLens(ctx.guard('codeLens', null, (p: CodeLensParams) => codeLensesFor(ctx, p)));
  },
};
