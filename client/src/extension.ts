// The VS Code side: starts the language server for the three Postfix languages
// and gives it an output channel. All analysis happens in the server.
//
// Restricted Mode (package.json capabilities.untrustedWorkspaces = limited):
// the server and every command that only reads files run in any workspace.
// Nothing here runs a program at activation; commands that do (postconf,
// postfix check, postmap) check workspace.isTrusted themselves and are
// disabled in the palette by `enablement: isWorkspaceTrusted`. The workspace
// value of postfix.mode is a restricted configuration, so VS Code hides it
// from the server until trusted.
//
// Every command is registered before the server starts, so a server that
// fails to start leaves commands that say so rather than "command not found".

import { ExtensionContext, window, workspace } from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { registerVersionCommand } from './version';
import { registerSimulateCommands } from './simulate';
import { registerHardenCommand } from './harden';
import { registerServerState } from './server-state';
import { registerPostfixPrograms } from './postfix-programs';
import { registerCompareCommand } from './compare';
import { recipeMiddleware, registerRecipeCommand } from './recipes';
import { registerLintTasks } from './lint-task';
import { explainMiddleware, registerExplainLogCommand, SERVER_EXPLAIN_COMMAND } from './explain-log';

export const LANGUAGES = ['postfix-main', 'postfix-master', 'postfix-map'];

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  registerVersionCommand(context);
  registerLintTasks(context);
  registerExplainLogCommand(context);
  // Trusting the workspace changes which postfix.mode value VS Code reports; tell the server.
  context.subscriptions.push(workspace.onDidGrantWorkspaceTrust(() => void client?.sendNotification('workspace/didChangeConfiguration', { settings: null })));
  const outputChannel = window.createOutputChannel('Postfix', { log: true });
  context.subscriptions.push(outputChannel);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      ...LANGUAGES.flatMap((language) => [
        { scheme: 'file', language },
        { scheme: 'untitled', language },
      ]),
      // Logs: only the "Why?" lenses and the explain command (server/src/features/logExplain.ts).
      { scheme: 'file', language: 'postfix-log' },
    ],
    outputChannel,
    // The server's commands: the log explanation's answer is shown, the recipes' are asked for and applied.
    middleware: { executeCommand: (command, args, next) => (command === SERVER_EXPLAIN_COMMAND ? explainMiddleware : recipeMiddleware).executeCommand!(command, args, next) },
  };
  client = new LanguageClient('postfix', 'Postfix Language Server', serverOptions, clientOptions);
  const statusBar = registerServerState(context, client, outputChannel);
  registerSimulateCommands(context, client);
  registerHardenCommand(context, client);
  registerPostfixPrograms(context, client, outputChannel);
  registerCompareCommand(context, client);
  registerRecipeCommand(context, client);
  try {
    await client.start();
  } catch (e) {
    statusBar.setServerState('stopped');
    outputChannel.error(`The Postfix language server did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
