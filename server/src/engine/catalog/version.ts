// Postfix release numbers (`3.7`, `3.7.11`, `old` = before 2.0).

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

/** Parsed versions by text: the catalog's few dozen version strings are compared for every parameter at each registration (a few ms of the first lint). */
const parsed = new Map<string, Readonly<Version>>();

export function parseVersion(s: string): Readonly<Version> {
  let v = parsed.get(s);
  if (v) return v;
  if (s === 'old') v = { major: 1, minor: 0, patch: 0 };
  else {
    const [a, b, c] = s.split('.').map((x) => Number.parseInt(x, 10));
    v = { major: a || 0, minor: b || 0, patch: c || 0 };
  }
  // Bounded: versions typed in settings or main.cf comments are not kept forever.
  if (parsed.size < 256) parsed.set(s, Object.freeze(v));
  return v;
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function versionAtLeast(version: string, atLeast: string): boolean {
  return compareVersions(parseVersion(version), parseVersion(atLeast)) >= 0;
}
