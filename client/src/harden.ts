// "Postfix: Harden this configuration": asks the server for the merged
// hardening edits of the active configuration (postfix/harden → WorkspaceEdit:
// the safe fixes and the recipes the intent findings call for) and applies
// them with workspace.applyEdit, undoable and unsaved. Each part carries a
// change annotation that needs confirmation, so VS Code shows its refactor
// preview first; without annotations a modal dialog asks instead.

import { commands, ExtensionContext, Uri, window, workspace } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { pickConfig } from './pick-config';
import { serverRunning } from './server-state';
import type { WorkspaceEdit } from 'vscode-languageclient/node';

export const HARDEN_COMMAND = 'postfix.harden';

async function configFor(arg: unknown): Promise<Uri | undefined> {
  return arg instanceof Uri ? arg : pickConfig();
}

function describe(edit: WorkspaceEdit): { total: number; files: string } {
  const parts: string[] = [];
  let total = 0;
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
    if (edits.length === 0) continue;
    total += edits.length;
    parts.push(`${workspace.asRelativePath(Uri.parse(uri))} (${edits.length})`);
  }
  return { total, files: parts.join(', ') };
}

export function registerHardenCommand(context: ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(
    commands.registerCommand(HARDEN_COMMAND, async (arg?: unknown) => {
      if (!serverRunning(client)) return;
      const uri = await configFor(arg);
      if (!uri) return;
      let edit: WorkspaceEdit | null;
      try {
        edit = await client.sendRequest<WorkspaceEdit | null>('postfix/harden', { uri: uri.toString() });
      } catch (e) {
        void window.showErrorMessage(`Postfix: hardening failed: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      const { total, files } = describe(edit ?? {});
      if (!edit || total === 0) {
        void window.showInformationMessage('Postfix: nothing to harden; every hardening check already passes.');
        return;
      }
      // Annotated parts (needsConfirmation) open VS Code's refactor preview, which asks part by part.
      const previewed = Object.keys(edit.changeAnnotations ?? {}).length > 0;
      const apply = 'Apply';
      const answer = previewed ? apply : await window.showWarningMessage(
        `Harden this Postfix configuration: ${total} edit${total === 1 ? '' : 's'} in ${files}?`,
        { modal: true, detail: 'The edits are applied to the open buffers (undoable); review and save them, then run `postfix reload`.' },
        apply,
      );
      if (answer !== apply) return;
      const ok = await workspace.applyEdit(await client.protocol2CodeConverter.asWorkspaceEdit(edit));
      if (!ok) void window.showErrorMessage('Postfix: the editor refused the hardening edits (a file changed meanwhile?). Run the command again.');
    }),
  );
}
