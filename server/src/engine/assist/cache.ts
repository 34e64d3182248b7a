// One loaded configuration per directory, reused while main.cf and master.cf
// read the same. Completion and hover run on every keystroke; loading reads
// every table file a configuration names, which must not happen each time.
// Pure: the reader is injected and the caller supplies the clock.

import { joinPath, loadConfig, LoadOptions, PostfixConfig } from '../config';
import type { FileReader } from '../types';
import { overlayReader } from '../overlay-reader';

interface Entry {
  main?: string;
  master?: string;
  version: string;
  mode?: string;
  config: PostfixConfig;
  loadedAt: number;
}

export class ConfigCache {
  private readonly entries = new Map<string, Entry>();

  /**
   * @param maxAgeMs Table files change on disk without the texts changing
   *   (postmap, a checkout); past this age the configuration is reloaded.
   */
  constructor(
    private readonly maxAgeMs = 5_000,
    private readonly maxEntries = 16,
  ) {}

  /** `key` names the asking document: main.cf and main.cf.proto in one directory are different configurations. */
  get(key: string, dir: string, reader: FileReader, options: LoadOptions & { version: string }, now: number): PostfixConfig {
    const { version, mode } = options;
    const mainPath = joinPath(dir, 'main.cf');
    const masterPath = joinPath(dir, 'master.cf');
    const main = reader.readText(mainPath);
    const master = reader.readText(masterPath);
    const e = this.entries.get(key);
    if (e && e.main === main && e.master === master && e.version === version && e.mode === mode && now - e.loadedAt < this.maxAgeMs) return e.config;
    const pinned: FileReader = {
      ...overlayReader(reader, () => undefined),
      readText: (p) => (p === mainPath ? main : p === masterPath ? master : reader.readText(p)),
    };
    const config = loadConfig(dir, pinned, { version, mode });
    this.entries.delete(key);
    this.entries.set(key, { main, master, version, mode, config, loadedAt: now });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return config;
  }

  clear(): void {
    this.entries.clear();
  }
}
