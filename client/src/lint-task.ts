// The `postfix-lint` task type: tasks.json entries such as
//   { "type": "postfix-lint", "paths": ["etc/postfix"], "args": ["--min-severity", "warning"] }
// run the bundled CLI (dist/cli.js) with the extension host's Node, and the
// `$postfix-lint` problem matcher (package.json) turns its text output
// (`file:line:column: severity CODE: message`) into Problems entries. One
// task per workspace folder is offered ready-made.

import { dirname, relative } from 'node:path';
import { ExtensionContext, ProcessExecution, Task, TaskDefinition, TaskScope, tasks, workspace, WorkspaceFolder } from 'vscode';

export const TASK_TYPE = 'postfix-lint';

interface LintTaskDefinition extends TaskDefinition {
  paths?: string[];
  args?: string[];
}

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
}

function lintTask(context: ExtensionContext, definition: LintTaskDefinition, scope: WorkspaceFolder | TaskScope.Workspace, name: string): Task {
  const paths = strings(definition.paths);
  const args = [context.asAbsolutePath('dist/cli.js'), ...strings(definition.args), ...(paths.length ? paths : ['.'])];
  const cwd = typeof scope === 'object' ? scope.uri.fsPath : workspace.workspaceFolders?.[0]?.uri.fsPath;
  // In VS Code the host is Electron: ELECTRON_RUN_AS_NODE makes it a plain Node (ignored by Node itself).
  const execution = new ProcessExecution(process.execPath, args, { cwd, env: { ELECTRON_RUN_AS_NODE: '1' } });
  return new Task(definition, scope, name, TASK_TYPE, execution, '$postfix-lint');
}

export function registerLintTasks(context: ExtensionContext): void {
  context.subscriptions.push(
    tasks.registerTaskProvider(TASK_TYPE, {
      // One task per configuration directory (a folder holding main.cf), dependencies and build output left out.
      provideTasks: async () => {
        const found = await workspace.findFiles('**/main.cf', '**/{node_modules,.git,dist,build,out}/**', 50);
        return found.flatMap((uri) => {
          const folder = workspace.getWorkspaceFolder(uri);
          if (!folder) return [];
          const path = relative(folder.uri.fsPath, dirname(uri.fsPath)) || '.';
          return [lintTask(context, { type: TASK_TYPE, paths: [path] }, folder, `lint ${path}`)];
        });
      },
      resolveTask: (task) => {
        const scope = task.scope === undefined || typeof task.scope === 'number' ? TaskScope.Workspace : task.scope;
        return lintTask(context, task.definition as LintTaskDefinition, scope as WorkspaceFolder | TaskScope.Workspace, task.name);
      },
    }),
  );
}
