// Loads a bundle through V8's code cache, so a new server process skips
// compiling the ~1.3 MB bundle (and the functions the first analysis ran)
// that an earlier process already compiled. Node 22 has this built in
// (module.enableCompileCache); Node 20, which VS Code and our CI run, does
// not, so the bundle is compiled with vm.Script and its cachedData.
//
// The cache lives in a `.cache` directory beside the bundle: as trusted as the
// bundle itself (V8 runs cached bytecode without re-checking the source, so a
// directory anyone can write, such as /tmp, would let them run code in ours).
// The file name carries the bundle's size, mtime and inode, the Node version
// and the architecture, because V8 itself only checks the source length and
// flags (a hash of the text would cost more than a tenth of what the cache saves).
// Where the directory cannot be written (a global npm install), the bundle
// is compiled as usual. Nothing here may stop the bundle from loading.

import { isAscii } from 'node:buffer';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** When the cache is written: by then the first analysis has run, so the functions it compiled are in it too. */
const WRITE_AFTER_MS = 3000;

type Wrapped = (exports: unknown, require: NodeRequire, module: Module, filename: string, dirname: string) => void;

/** Runs `bundle` as a module of `parent` through the code cache; its exports. */
export function loadWithCompileCache(bundle: string, parent: Module): unknown {
  const enable = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (typeof enable === 'function') {
    try {
      enable(join(dirname(bundle), '.cache'));
    } catch {
      // No cache: the bundle still loads.
    }
    return parent.require(bundle);
  }
  // esbuild writes ASCII (charset: 'ascii' in scripts/build.mjs): taken as
  // Latin-1 the bytes become the string without UTF-8 decoding, a third less
  // time for the 1.3 MB bundle. Anything else is decoded as UTF-8, as before.
  const bytes = readFileSync(bundle);
  const source = typeof isAscii === 'function' && isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const st = statSync(bundle);
  // Named after the bundle too: the server's and the CLI's caches live side by side.
  const prefix = `${basename(bundle, '.js')}-`;
  const key = `${prefix}${st.size}-${Math.round(st.mtimeMs)}-${st.ino}-${process.version}-${process.arch}`;
  const cacheDir = join(dirname(bundle), '.cache');
  const cacheFile = join(cacheDir, `${key}.v8`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(source), { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected === true) {
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      try {
        mkdirSync(cacheDir, { recursive: true, mode: 0o755 });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
        // Caches of earlier builds of this bundle are never read again (nor those named before the bundle's name was in them).
        for (const f of readdirSync(cacheDir)) if (f.endsWith('.v8') && (f.startsWith(prefix) || /^\d/.test(f)) && join(cacheDir, f) !== cacheFile) rmSync(join(cacheDir, f), { force: true });
      } catch {
        // Read-only install: no cache.
      }
    };
    // After the first analysis, or at exit when the session was shorter (synchronous: the process is ending).
    setTimeout(write, WRITE_AFTER_MS).unref();
    process.once('exit', write);
  }
  const mod = new Module(bundle, parent);
  mod.filename = bundle;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(bundle));
  const require = ((id: string) => mod.require(id)) as NodeRequire;
  const run = script.runInThisContext() as Wrapped;
  run.call(mod.exports, mod.exports, require, mod, bundle, dirname(bundle));
  return mod.exports;
}
