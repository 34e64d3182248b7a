// Command "Postfix: Read target version from postconf": on request, and only
// in a trusted workspace, runs `postconf -h mail_version` and stores the
// answer in the `postfix.version` setting, which the language server uses for
// completion, hover and diagnostics. Nothing runs unless the user asks.

import { execFile } from 'node:child_process';
import { commands, ConfigurationTarget, ExtensionContext, window, workspace } from 'vscode';

export const DETECT_VERSION_COMMAND = 'postfix.detectVersion';

function postconfVersion(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('postconf', ['-h', 'mail_version'], { timeout: 5_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(stderr.trim() || error.message));
      else resolve(stdout.trim());
    });
  });
}

export async function detectVersion(): Promise<string | undefined> {
  if (!workspace.isTrusted) {
    void window.showWarningMessage('Postfix: reading the version runs postconf, which this untrusted workspace does not allow. Trust the workspace first, or set postfix.version by hand.');
    return undefined;
  }
  let version: string;
  try {
    version = await postconfVersion();
  } catch (e) {
    void window.showErrorMessage(`Postfix: could not run "postconf -h mail_version" (is Postfix installed and postconf on PATH?): ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  if (!/^\d+\.\d+(\.\d+)?$/.test(version)) {
    void window.showErrorMessage(`Postfix: postconf answered "${version}", which is not a version number.`);
    return undefined;
  }
  const target = workspace.workspaceFolders?.length ? ConfigurationTarget.Workspace : ConfigurationTarget.Global;
  await workspace.getConfiguration('postfix').update('version', version, target);
  void window.showInformationMessage(`Postfix: target version set to ${version} (from postconf).`);
  return version;
}

export function registerVersionCommand(context: ExtensionContext): void {
  context.subscriptions.push(commands.registerCommand(DETECT_VERSION_COMMAND, detectVersion));
}
