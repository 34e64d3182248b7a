// Postfix release numbers (`3.7`, `3.7.11`, `old` = before 2.0).

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

export function parseVersion(s: string): Version {
  if (s === 'old') return { major: 1, minor: 0, patch: 0 };
  const [a, b, c] = s.split('.').map((x) => Number.parseInt(x, 10));
  return { major: a || 0, minor: b || 0, patch: c || 0 };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function versionAtLeast(version: string, atLeast: string): boolean {
  return compareVersions(parseVersion(version), parseVersion(atLeast)) >= 0;
}
