// postfix-lint run in this process (no spawn): its exit status and what it printed.
import { fsReader, main } from '../../server/src/cli/main';

export function runCli(args: string[]): { status: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const status = main(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), reader: fsReader }) as number;
  return { status, stdout, stderr };
}
