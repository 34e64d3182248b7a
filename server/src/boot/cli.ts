// dist/cli.js (postfix-lint): runs the CLI bundle (dist/cli-core.js, built
// from server/src/cli/main.ts) through the code cache (compile-cache.ts), as
// dist/server.js does for the server: a lint of one file is short, and
// compiling the ~1 MB bundle was a tenth of it.

import { join } from 'node:path';
import type Module from 'node:module';
import { loadWithCompileCache } from './compile-cache';

(loadWithCompileCache(join(__dirname, 'cli-core.js'), module as unknown as Module) as { runCommandLine(): void }).runCommandLine();
