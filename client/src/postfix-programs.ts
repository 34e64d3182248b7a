// Commands that run Postfix's own programs on the active configuration:
// "Show effective configuration (postconf -n)", "Run postfix check" and "Run
// postmap on this table". They run only in a trusted workspace and only when
// the user asks (package.json also disables them in Restricted Mode); no shell
// is involved, and the arguments come from the server's postfix/status answer.

import { execFile } from 'node:child_process';
import { commands, ExtensionContext, OutputChannel, window, workspace } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { activeStatus, serverRunning, type ConfigStatus } from './server-state';

export const EFFECTIVE_CONFIG_COMMAND = 'postfix.showEffectiveConfig';
export const CHECK_COMMAND = 'postfix.check';
export const POSTMAP_COMMAND = 'postfix.runPostmap';

interface Ran {
  ok: boolean;
  stdout: string;
  stderr: string;
}

function run(program: string, args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const why = error && !stderr ? `${error.message}\n` : '';
      resolve({ ok: !error, stdout: String(stdout), stderr: why + String(stderr) });
    });
  });
}

/** The configuration to run on, or undefined after telling the user why there is none. */
async function target(client: LanguageClient, what: string): Promise<ConfigStatus | undefined> {
  if (!workspace.isTrusted) {
    void window.showWarningMessage(`Postfix: ${what} runs a program, which this untrusted workspace does not allow. Trust the workspace first.`);
    return undefined;
  }
  if (!serverRunning(client)) return undefined;
  const status = await activeStatus(client);
  if (!status) void window.showErrorMessage(`Postfix: open a main.cf, master.cf or table of the configuration for ${what}.`);
  return status;
}

function report(output: OutputChannel, command: string, r: Ran): void {
  output.appendLine(`$ ${command}`);
  if (r.stdout) output.append(r.stdout.endsWith('\n') ? r.stdout : `${r.stdout}\n`);
  if (r.stderr) output.append(r.stderr.endsWith('\n') ? r.stderr : `${r.stderr}\n`);
}

export function registerPostfixPrograms(context: ExtensionContext, client: LanguageClient, output: OutputChannel): void {
  context.subscriptions.push(
    commands.registerCommand(EFFECTIVE_CONFIG_COMMAND, async () => {
      const s = await target(client, 'postconf -n');
      if (!s) return;
      const r = await run('postconf', ['-c', s.dir, '-n']);
      report(output, `postconf -c ${s.dir} -n`, r);
      if (!r.ok) {
        void window.showErrorMessage(`Postfix: postconf -c ${s.dir} -n failed (is Postfix installed?): ${r.stderr.trim().split('\n').pop()}`);
        return;
      }
      const header = `# postconf -c ${s.dir} -n${r.stderr ? `\n# ${r.stderr.trim().replace(/\n/g, '\n# ')}` : ''}\n`;
      const doc = await workspace.openTextDocument({ language: 'postfix-main', content: header + r.stdout });
      await window.showTextDocument(doc, { preview: true });
    }),
    commands.registerCommand(CHECK_COMMAND, async () => {
      const s = await target(client, 'postfix check');
      if (!s) return;
      const go = 'Run postfix check';
      const answer = await window.showWarningMessage(
        `Run "postfix -c ${s.dir} check"?`,
        { modal: true, detail: 'postfix check runs with your permissions; as root it also creates missing queue directories and fixes their ownership.' },
        go,
      );
      if (answer !== go) return;
      const r = await run('postfix', ['-c', s.dir, 'check']);
      report(output, `postfix -c ${s.dir} check`, r);
      output.show(true);
      if (r.ok && !r.stderr.trim()) void window.showInformationMessage('Postfix: postfix check found nothing to report.');
      else if (r.ok) void window.showWarningMessage('Postfix: postfix check passed with warnings; see the Postfix output.');
      else void window.showErrorMessage('Postfix: postfix check failed; see the Postfix output.');
    }),
    commands.registerCommand(POSTMAP_COMMAND, async () => {
      const s = await target(client, 'postmap');
      if (!s) return;
      if (s.builds.length === 0) {
        void window.showInformationMessage('Postfix: the configuration names this file as no indexed table (hash:, lmdb:, cdb:, btree:), so there is nothing to build.');
        return;
      }
      const doc = window.activeTextEditor?.document;
      if (doc?.isDirty) await doc.save();
      for (const b of s.builds) {
        const line = `${b.program} ${b.args.join(' ')}`;
        const r = await run(b.program, b.args);
        report(output, line, r);
        if (r.ok) void window.showInformationMessage(`Postfix: ${line} done.`);
        else void window.showErrorMessage(`Postfix: ${line} failed: ${r.stderr.trim().split('\n').pop()}`);
      }
    }),
  );
}
