// textDocument/inlayHint: the expansion after each $reference (setting
// postfix.inlayHints.expandedValues, on by default), what a `-` column means
// in master.cf and the main.cf value an -o replaces (engine/assist/inlay-hints.ts).

import { InlayHintKind, type InlayHint, type InlayHintParams } from './lsp';
import { inlayHints as hintsOf } from '../engine/assist/inlay-hints';
import type { Feature, ServerContext } from './context';
import { navigationSubject } from './navigation';
import { currentSettings, onSettingsChanged } from './settings';

export function inlayHintsFor(ctx: ServerContext, params: InlayHintParams): InlayHint[] | null {
  const uri = params?.textDocument?.uri;
  const s = typeof uri === 'string' ? navigationSubject(ctx, uri) : undefined;
  if (!s) return null;
  const range = params.range && Number.isInteger(params.range.start?.line) && Number.isInteger(params.range.end?.line) ? params.range : undefined;
  return hintsOf(s.config, s.file, { expandedValues: currentSettings().expandedValues, range }).map((h) => ({
    position: h.position,
    label: h.label,
    tooltip: h.tooltip,
    kind: h.kind === 'value' ? InlayHintKind.Type : InlayHintKind.Parameter,
    paddingLeft: true,
  }));
}

let canRefresh = false;

export const inlayHints: Feature = {
  name: 'inlayHints',
  capabilities: { inlayHintProvider: { resolveProvider: false } },
  initialized(_ctx, client) {
    canRefresh = client.workspace?.inlayHint?.refreshSupport === true;
  },
  register(ctx) {
    ctx.connection.languages.inlayHint.on(ctx.guard('inlayHint', null, (p: InlayHintParams) => inlayHintsFor(ctx, p)));
    // The setting turned hints on or off: the editor asks again.
    onSettingsChanged(() => {
      if (canRefresh) void ctx.connection.languages.inlayHint.refresh().catch(() => undefined);
    });
  },
};
