// The language server's state as the user sees it: a status bar item (target
// version, live/repository mode of the active configuration, server state),
// "Restart language server", "Show server log", and a clear message when a
// command needs the server and it is not running (instead of "command failed").

import { commands, Disposable, ExtensionContext, OutputChannel, StatusBarAlignment, StatusBarItem, window, workspace } from 'vscode';
import { LanguageClient, State } from 'vscode-languageclient/node';

export const RESTART_COMMAND = 'postfix.restartServer';
export const SHOW_LOG_COMMAND = 'postfix.showLog';
export const STATUS_MENU_COMMAND = 'postfix.statusMenu';
export const POSTFIX_LANGUAGES = new Set(['postfix-main', 'postfix-master', 'postfix-map']);

/** Mirrors the server's postfix/status answer (server/src/engine/config-status.ts). */
export interface ConfigStatus {
  dir: string;
  mode: 'live' | 'repository';
  modeDescription: string;
  version: string;
  builds: { program: 'postmap' | 'postalias'; args: string[] }[];
}
export type StatusResponse = ConfigStatus | { error: string };

/** True when the server can answer; otherwise tells the user why not and what to do. */
export function serverRunning(client: LanguageClient): boolean {
  if (client.isRunning()) return true;
  void window
    .showErrorMessage('Postfix: the language server is not running, so this command has nothing to ask. The server log says why.', 'Show server log', 'Restart server')
    .then((choice) => {
      if (choice === 'Show server log') void commands.executeCommand(SHOW_LOG_COMMAND);
      if (choice === 'Restart server') void commands.executeCommand(RESTART_COMMAND);
    });
  return false;
}

/** The status the server reports for the active Postfix document, or undefined (no Postfix file, no server). */
export async function activeStatus(client: LanguageClient): Promise<ConfigStatus | undefined> {
  const doc = window.activeTextEditor?.document;
  if (!doc || !POSTFIX_LANGUAGES.has(doc.languageId) || !client.isRunning()) return undefined;
  try {
    const r = await client.sendRequest<StatusResponse>('postfix/status', { uri: doc.uri.toString() });
    return 'error' in r ? undefined : r;
  } catch {
    return undefined;
  }
}

export class StatusBar implements Disposable {
  private readonly item: StatusBarItem;
  private serverState = 'starting';
  private generation = 0;

  constructor(private readonly client: LanguageClient) {
    this.item = window.createStatusBarItem('postfix.status', StatusBarAlignment.Right, 100);
    this.item.name = 'Postfix';
    this.item.command = STATUS_MENU_COMMAND;
  }

  setServerState(state: 'starting' | 'running' | 'stopped'): void {
    this.serverState = state;
    void this.refresh();
  }

  async refresh(): Promise<void> {
    const doc = window.activeTextEditor?.document;
    if (!doc || !POSTFIX_LANGUAGES.has(doc.languageId)) {
      // Always visible while the server is down, so the failure is never silent.
      if (this.serverState === 'stopped') this.show('$(error) Postfix: server stopped', 'The Postfix language server is not running. Click for the log and a restart.');
      else this.item.hide();
      return;
    }
    if (this.serverState !== 'running') {
      this.show(this.serverState === 'stopped' ? '$(error) Postfix: server stopped' : '$(sync~spin) Postfix: starting', `Postfix language server: ${this.serverState}. Click for the log and a restart.`);
      return;
    }
    const mine = ++this.generation;
    const s = await activeStatus(this.client);
    if (mine !== this.generation) return;
    if (!s) this.show('$(check) Postfix', 'Postfix language server: running');
    else this.show(`$(check) Postfix ${s.version} · ${s.mode}`, `Postfix ${s.version} is the target release.\n${s.dir}: ${s.modeDescription}.\nClick for the log, a restart and the postconf commands.`);
  }

  private show(text: string, tooltip: string): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

const MENU: { label: string; detail: string; command: string }[] = [
  { label: 'Show server log', detail: 'The Postfix output channel', command: SHOW_LOG_COMMAND },
  { label: 'Restart language server', detail: 'Re-reads every file from disk', command: RESTART_COMMAND },
  { label: 'Show effective configuration (postconf -n)', detail: 'Runs postconf (trusted workspaces only)', command: 'postfix.showEffectiveConfig' },
  { label: 'Run postfix check', detail: 'Runs postfix check (trusted workspaces only)', command: 'postfix.check' },
  { label: 'Read target version from postconf', detail: 'Sets postfix.version', command: 'postfix.detectVersion' },
];

/** Registers the status bar and the server commands; call before client.start() so they exist even if it fails. */
export function registerServerState(context: ExtensionContext, client: LanguageClient, output: OutputChannel): StatusBar {
  const bar = new StatusBar(client);
  context.subscriptions.push(
    bar,
    client.onDidChangeState((e) => bar.setServerState(e.newState === State.Running ? 'running' : e.newState === State.Starting ? 'starting' : 'stopped')),
    window.onDidChangeActiveTextEditor(() => void bar.refresh()),
    commands.registerCommand(SHOW_LOG_COMMAND, () => output.show(true)),
    commands.registerCommand(RESTART_COMMAND, async () => {
      try {
        await client.restart();
      } catch (e) {
        void window.showErrorMessage(`Postfix: the language server did not restart: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
    commands.registerCommand(STATUS_MENU_COMMAND, async () => {
      const pick = await window.showQuickPick(MENU, { placeHolder: 'Postfix' });
      if (pick) await commands.executeCommand(pick.command);
    }),
  );
  // Only the postfix.* settings change the mode or the target release.
  context.subscriptions.push(workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('postfix') && void bar.refresh()));
  bar.setServerState('starting');
  return bar;
}
