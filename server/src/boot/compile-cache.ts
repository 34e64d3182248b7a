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
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** When the cache is written: by then the first analysis has run, so the functions it compiled are in it too. */
const WRITE_AFTER_MS = 3000;

type Wrapped = (exports: unknown, require: NodeRequire, module: Module, filename: string, dirname: string) => void;

/**
 * The whole file, read into `into` at `at` (with `room` bytes to spare after
 * it) when that fits, else into a new buffer that starts with into's first
 * `at` bytes. Returns the buffer and where the file's bytes end in it.
 */
function readWhole(path: string, into: Buffer, at = 0, room = 0): { buf: Buffer; end: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let buf = into;
    if (buf.length < at + size + room) {
      buf = Buffer.allocUnsafeSlow(at + size + room);
      into.copy(buf, 0, 0, at);
    }
    let end = at;
    while (end < at + size) {
      const got = readSync(fd, buf, end, at + size - end, end - at);
      if (got === 0) break;
      end += got;
    }
    return { buf, end };
  } finally {
    closeSync(fd);
  }
}

/** Module.wrap's text before and after a module's source. */
function wrapper(): [string, string] {
  const w = Module.wrap('\0');
  const cut = w.indexOf('\0');
  return [w.slice(0, cut), w.slice(cut + 1)];
}

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
  const st = statSync(bundle);
  // Named after the bundle too: the server's and the CLI's caches live side by side.
  const prefix = `${basename(bundle, '.js')}-`;
  const key = `${prefix}${st.size}-${Math.round(st.mtimeMs)}-${st.ino}-${process.version}-${process.arch}`;
  const cacheDir = join(dirname(bundle), '.cache');
  const cacheFile = join(cacheDir, `${key}.v8`);
  let cacheSize: number | undefined;
  try {
    cacheSize = statSync(cacheFile).size;
  } catch {
    cacheSize = undefined;
  }
  // Fresh memory is costly to touch (page faults: about 3.5 ms of CPU per MB
  // on the two-core VM of docs/benchmarks.md), so one buffer holds the
  // wrapped bundle's bytes and then the cache's, and the wrapped source is
  // made as one string: Module.wrap(source) made V8 flatten a second copy.
  const [head, tail] = wrapper();
  const buf = Buffer.allocUnsafeSlow(Math.max(head.length + st.size + tail.length, cacheSize ?? 0));
  buf.write(head, 0, 'latin1');
  const read = readWhole(bundle, buf, head.length, tail.length);
  const body = read.buf.subarray(head.length, read.end);
  // esbuild writes ASCII (charset: 'ascii' in scripts/build.mjs): taken as
  // Latin-1 the bytes become the string without UTF-8 decoding, a third less
  // time for the 1.3 MB bundle. Anything else is decoded as UTF-8, as before.
  let wrapped: string;
  if (typeof isAscii === 'function' && isAscii(body) && /^[\x00-\x7f]*$/.test(head + tail)) {
    read.buf.write(tail, read.end, 'latin1');
    wrapped = read.buf.toString('latin1', 0, read.end + tail.length);
  } else {
    wrapped = Module.wrap(body.toString('utf8'));
  }
  let cachedData: Buffer | undefined;
  try {
    if (cacheSize !== undefined) {
      const cache = readWhole(cacheFile, buf);
      cachedData = cache.buf.subarray(0, cache.end);
    }
  } catch {
    cachedData = undefined;
  }
  const script = new Script(wrapped, { filename: bundle, cachedData });
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
