// dist/server.js: starts the language server bundle (dist/server-core.js,
// built from server/src/server.ts) through the code cache (compile-cache.ts).
// Kept apart from the bundle so the bundle is compiled once per install.

import { join } from 'node:path';
import type Module from 'node:module';
import { loadWithCompileCache } from './compile-cache';

loadWithCompileCache(join(__dirname, 'server-core.js'), module as unknown as Module);
