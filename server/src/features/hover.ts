// textDocument/hover: Markdown from the engine's assist module, for the
// configuration the document belongs to and the target Postfix version; on a
// Postfix log, the explanation of the logged decision (logExplain.ts). Made
// from a provisional configuration (a huge file the analysis has not loaded
// yet: assist-config.ts), it says so.

import { Hover, MarkupKind } from './lsp';
import { hoverAt } from '../engine/assist';
import { quickAssistConfig, type Provisional } from './assist-config';
import type { Feature } from './context';
import { logHover } from './logExplain';
import { currentSettings } from './settings';

const PROVISIONAL_NOTE: Record<Provisional, string> = {
  'without master.cf': '_master.cf is still being read: the values its services set show once it is._',
  'before the edit': '_Values as they were before your last edit: the configuration is being read again._',
  'not read yet': '_The configuration is still being read: its values show once it is._',
};

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
        const { config, reader, provisional } = quickAssistConfig(ctx, od);
        const h = hoverAt(od.kind, od.path, document.getText(), params.position, { config, version, reader });
        if (!h) return null;
        const value = provisional ? `${h.markdown}\n\n${PROVISIONAL_NOTE[provisional]}` : h.markdown;
        return { contents: { kind: MarkupKind.Markdown, value }, range: h.range };
      }),
    );
  },
};
