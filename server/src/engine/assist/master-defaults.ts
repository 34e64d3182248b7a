// What a `-` in a master.cf column stands for (master_ent.c): private and
// unpriv default to y; chroot to n, or y below compatibility_level 1; wakeup
// to 0 (no timer); maxproc to $default_process_limit. Hover and inlay hints
// both say it.

import { effectiveValue, type PostfixConfig } from '../config';

export type FlagColumn = 'private' | 'unpriv' | 'chroot';

/** The y/n a `-` means in a flag column. */
export function flagDefault(field: FlagColumn, config: PostfixConfig | undefined): 'y' | 'n' {
  if (field !== 'chroot') return 'y';
  const level = config ? effectiveValue(config, 'compatibility_level').expanded : undefined;
  const n = level === undefined ? NaN : Number.parseFloat(level);
  return Number.isFinite(n) && n < 1 ? 'y' : 'n';
}

/** `$default_process_limit` as it applies to this configuration. */
export function processLimitDefault(config: PostfixConfig): ReturnType<typeof effectiveValue> {
  return effectiveValue(config, 'default_process_limit');
}
