// How editors draw findings: `unnecessary` (faded) where the problem's range
// is text that has no effect, `deprecated` (struck through) on a deprecated
// name. By code, since it follows from what the code means.

import type { Problem, ProblemTag } from './types';

const TAGS: Record<string, ProblemTag> = {
  PF103: 'unnecessary', // a parameter nothing uses
  PF106: 'unnecessary', // a read-only parameter: Postfix ignores the setting
  PF113: 'unnecessary', // the repeat of a setting with the same value
  PF230: 'unnecessary', // an -o parameter nothing uses
  PF232: 'unnecessary', // an -o assigning a read-only parameter
  PF401: 'unnecessary', // restrictions after permit/reject/defer
  PF109: 'deprecated',
  PF409: 'deprecated', // restriction removed in Postfix 3.9
  PF410: 'deprecated', // old restriction name
};

export function withTags(problems: Problem[]): Problem[] {
  return problems.map((p) => {
    const tag = TAGS[p.code];
    return tag && !p.tags?.includes(tag) ? { ...p, tags: [...(p.tags ?? []), tag] } : p;
  });
}
