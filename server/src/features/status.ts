// postfix/status { uri } → ConfigStatus | { error }: how the configuration of
// a document is judged and what would build its compiled tables. The VS Code
// status bar shows the first part; "Run postmap on this table" uses the second.
// Answers from the shared analysis when the document is open (no second lint).

import { RequestType } from './lsp';
import { loadConfig } from '../engine/config';
import { configStatus, type ConfigStatus } from '../engine/config-status';
import type { Feature } from './context';
import { analysisOptions } from './settings';
import { workspaceConfigForUri } from './simulate';
import { uriToPath } from './workspace';

export const STATUS_REQUEST = 'postfix/status';
export type StatusResponse = ConfigStatus | { error: string };
export const StatusRequest = new RequestType<{ uri: string }, StatusResponse, void>(STATUS_REQUEST);

export const status: Feature = {
  name: 'status',
  capabilities: {},
  register(ctx) {
    ctx.connection.onRequest(
      StatusRequest,
      ctx.guard(STATUS_REQUEST, { error: `${STATUS_REQUEST} failed; see the server log` } as StatusResponse, ({ uri }): StatusResponse => {
        const path = uriToPath(uri);
        const open = ctx.documents.get(uri);
        if (open) {
          const analysis = ctx.analyses.last(open) ?? ctx.analyses.current(open);
          return configStatus(analysis.config, path);
        }
        const loc = workspaceConfigForUri(ctx.workspace)(uri);
        if (!loc) return { error: `no main.cf found for ${uri}` };
        return configStatus(loadConfig(loc.dir, loc.reader, analysisOptions()), path);
      }),
    );
  },
};
