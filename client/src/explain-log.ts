// The VS Code side of "Why was this mail refused?": the server puts a "Why?"
// code lens on each access decision in a postfix-log document and explains
// the line (workspace/executeCommand postfix.server.explainLogLine). This
// module shows the answer, whether the lens or the palette command
// "Postfix: Explain log line" (the cursor's line) asked, as a Markdown
// preview beside the log.

import { commands, EventEmitter, ExtensionContext, TextDocumentContentProvider, Uri, window, workspace } from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';

export const EXPLAIN_LOG_LINE_COMMAND = 'postfix.explainLogLine';
/** The server's command (vscode-languageclient registers it for us). */
export const SERVER_EXPLAIN_COMMAND = 'postfix.server.explainLogLine';
const SCHEME = 'postfix-explain';

type Result = { error: string } | { markdown: string; configDir: string } | null | undefined;

class Explanations implements TextDocumentContentProvider {
  private readonly changed = new EventEmitter<Uri>();
  readonly onDidChange = this.changed.event;
  private text = '';
  readonly uri = Uri.from({ scheme: SCHEME, path: '/Why.md' });

  provideTextDocumentContent(): string {
    return this.text;
  }

  async show(result: Result): Promise<void> {
    if (!result) return;
    if ('error' in result) {
      void window.showWarningMessage(`Postfix: ${result.error}`);
      return;
    }
    this.text = `# Why?\n\n${result.markdown}\n`;
    this.changed.fire(this.uri);
    await commands.executeCommand('markdown.showPreviewToSide', this.uri);
  }
}

const explanations = new Explanations();

/** Shows the answer of the server's explain command, whoever ran it (a code lens runs it directly). */
export const explainMiddleware: Middleware = {
  executeCommand: async (command, args, next) => {
    const result = await next(command, args);
    if (command === SERVER_EXPLAIN_COMMAND) await explanations.show(result as Result);
    return result;
  },
};

export function registerExplainLogCommand(context: ExtensionContext): void {
  context.subscriptions.push(
    workspace.registerTextDocumentContentProvider(SCHEME, explanations),
    commands.registerCommand(EXPLAIN_LOG_LINE_COMMAND, async () => {
      const editor = window.activeTextEditor;
      if (!editor || editor.document.languageId !== 'postfix-log') {
        void window.showInformationMessage('Postfix: open a Postfix log (mail.log, maillog) and put the cursor on a reject or warning line.');
        return;
      }
      await commands.executeCommand(SERVER_EXPLAIN_COMMAND, { uri: editor.document.uri.toString(), line: editor.selection.active.line });
    }),
  );
}
