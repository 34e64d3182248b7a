// textDocument/hover: Markdown from the engine's assist module, for the
// configuration the document belongs to and the target Postfix version; on a
// Postfix log, the explanation of the logged decision (logExplain.ts).

import { Hover, MarkupKind } from './lsp';
import { hoverAt } from '../engine/assist';
import { assistConfig } from './completion';
import type { Feature } from './context';
import { logHover } from './logExplain';
import { currentSettings } from './settings';

export const hover: Feature = {
  name: 'hover',
  capabilities: { hoverProvider: true },
  register(ctx) {
    ctx.connection.onHover(
      ctx.guard('hover', null, async (params): Promise<Hover | null> => {
        const onLog = await logHover(ctx, params.textDocument.uri, params.position);
        if (onLog !== undefined) return onLog;
        const document = ctx.documents.get(params.textDocument.uri);
        if (!document) return null;
        const od = ctx.workspace.describe(document);
        const version = currentSettings().version;
        const { config, reader } = assistConfig(ctx, od, { mainAloneBesideHugeMaster: true });
        const h = hoverAt(od.kind, od.path, document.getText(), params.position, { config, version, reader });
        if (!h) return null;
        return { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: h.range };
      }),
    );
  },
};
