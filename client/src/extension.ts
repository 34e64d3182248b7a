// The VS Code side: starts the language server for the three Postfix languages
// and gives it an output channel. All analysis happens in the server.

import { ExtensionContext, window } from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { registerVersionCommand } from './version';
import { registerSimulateCommands } from './simulate';
import { registerHardenCommand } from './harden';

export const LANGUAGES = ['postfix-main', 'postfix-master', 'postfix-map'];

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  registerVersionCommand(context);
  const outputChannel = window.createOutputChannel('Postfix', { log: true });
  context.subscriptions.push(outputChannel);
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    outputChannel,
  };
  client = new LanguageClient('postfix', 'Postfix Language Server', serverOptions, clientOptions);
  await client.start();
  registerSimulateCommands(context, client);
  registerHardenCommand(context, client);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
