// Which Postfix configuration a command works on: the active Postfix
// document, else the workspace's main.cf (asking when there are several).
import { Uri, window, workspace } from 'vscode';
import { POSTFIX_LANGUAGES as LANGUAGES } from './server-state';

export async function pickConfig(options: { fileOnly?: boolean } = {}): Promise<Uri | undefined> {
  const doc = window.activeTextEditor?.document;
  if (doc && LANGUAGES.has(doc.languageId) && (!options.fileOnly || doc.uri.scheme === 'file')) return doc.uri;
  const found = await workspace.findFiles('**/main.cf', '**/node_modules/**', 20);
  if (found.length === 0) {
    void window.showErrorMessage('Postfix: open a main.cf or master.cf first (no main.cf in the workspace).');
    return undefined;
  }
  if (found.length === 1) return found[0];
  const pick = await window.showQuickPick(
    found.map((u) => ({ label: workspace.asRelativePath(u), uri: u })),
    { placeHolder: 'Which Postfix configuration?' },
  );
  return pick?.uri;
}
