// "Postfix: Compare with…": what the active configuration (unsaved edits
// included) does to mail differently from a git revision or another folder,
// shown as a Markdown preview (the report `postfix-lint diff --format
// markdown` prints). A git revision runs git, so it is offered only in a
// trusted workspace; a folder needs no program.

import { dirname } from 'node:path';
import { commands, ExtensionContext, window, workspace } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { checkoutRevision } from '../../server/src/disk/git-revision';
import { pickConfig } from './pick-config';
import { serverRunning } from './server-state';

export const COMPARE_COMMAND = 'postfix.compareWith';

type CompareResponse = { error: string } | { markdown: string; summary: string; empty: boolean; opensRelay: boolean; newDir: string };

/** The old side: a folder, or a checkout of a revision (with its cleanup). */
async function pickOldSide(configDir: string): Promise<{ dir: string; label: string; cleanup(): void } | undefined> {
  const choices = [
    { label: '$(git-commit) A git revision…', detail: workspace.isTrusted ? 'Runs git to read the files at that revision' : 'Needs a trusted workspace (runs git)', side: 'git' as const },
    { label: '$(folder) Another folder…', detail: 'A directory with a main.cf', side: 'folder' as const },
  ];
  const pick = await window.showQuickPick(choices, { placeHolder: 'Compare this Postfix configuration with…' });
  if (!pick) return undefined;
  if (pick.side === 'folder') {
    const [folder] = (await window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Compare with this folder' })) ?? [];
    return folder ? { dir: folder.fsPath, label: workspace.asRelativePath(folder), cleanup: () => {} } : undefined;
  }
  if (!workspace.isTrusted) {
    void window.showWarningMessage('Postfix: comparing with a git revision runs git, which this untrusted workspace does not allow. Trust the workspace first, or compare with a folder.');
    return undefined;
  }
  const rev = await window.showInputBox({ prompt: 'Git revision to compare with (a commit, branch or tag)', value: 'HEAD' });
  if (!rev) return undefined;
  try {
    const copy = checkoutRevision(configDir, rev);
    return { dir: copy.path, label: `${workspace.asRelativePath(configDir)} at ${rev}`, cleanup: copy.cleanup };
  } catch (e) {
    const why = (e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message;
    void window.showErrorMessage(`Postfix: cannot read ${workspace.asRelativePath(configDir)} at ${rev}: ${why}`);
    return undefined;
  }
}

export function registerCompareCommand(context: ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(
    commands.registerCommand(COMPARE_COMMAND, async () => {
      if (!serverRunning(client)) return;
      const uri = await pickConfig({ fileOnly: true });
      if (!uri) return;
      const configDir = dirname(uri.fsPath);
      const old = await pickOldSide(configDir);
      if (!old) return;
      let r: CompareResponse;
      try {
        r = await client.sendRequest<CompareResponse>('postfix/compare', { uri: uri.toString(), oldDir: old.dir, oldLabel: old.label, newLabel: `${workspace.asRelativePath(configDir)} (editor)` });
      } finally {
        old.cleanup();
      }
      if ('error' in r) {
        void window.showErrorMessage(`Postfix: ${r.error}`);
        return;
      }
      const doc = await workspace.openTextDocument({ language: 'markdown', content: r.markdown });
      await commands.executeCommand('markdown.showPreview', doc.uri).then(undefined, () => window.showTextDocument(doc));
      const note = `Postfix: ${r.summary}`;
      if (r.opensRelay) void window.showErrorMessage(note);
      else void window.showInformationMessage(note);
    }),
  );
}
