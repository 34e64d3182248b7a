// Markdown for catalog items, shared by completion documentation (resolved
// lazily) and hover. Only catalog knowledge here; what the configuration at
// hand makes of an item is added by hover.ts.

import {
  AccessActionInfo,
  describeParamType,
  isDeprecatedIn,
  MasterDoc,
  ParameterInfo,
  RestrictionInfo,
  RestrictionStage,
  TableTypeInfo,
} from '../catalog/docs';
import { versionAtLeast } from '../catalog/version';

const MAX_CODE = 240;

/**
 * `s` with each run of white space as one space, shortened to `max`
 * characters with an ellipsis. Reads only as much of `s` as it shows: a
 * value may expand to megabytes (a doubling list), and flattening all of it
 * for every hover took tens of ms. A flattened prefix is a prefix of the
 * flattened whole, so the result is the same.
 */
function shortFlat(s: string, max: number): string {
  for (let n = Math.max(2 * max, 64); ; n *= 4) {
    const prefix = n >= s.length ? s : s.slice(0, n);
    const flat = prefix.replace(/\s+/g, ' ');
    if (flat.length > max) return `${flat.slice(0, max - 1)}…`;
    if (prefix === s) return flat;
  }
}

/** Inline code that survives backticks in the text; long text is shortened. */
export function code(s: string, max = MAX_CODE): string {
  const shown = shortFlat(s, max);
  if (shown === '') return '*(empty)*';
  // A fence longer than any run of backticks in the text, so it cannot end early.
  const longest = Math.max(0, ...(shown.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = '`'.repeat(longest + 1);
  const pad = shown.startsWith('`') || shown.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${shown}${pad}${ticks}`;
}

/**
 * Text from a configuration file, shown as plain words in Markdown: every
 * character Markdown or HTML could act on is escaped, so `hash:/x[a](http://…)`
 * stays text and never becomes a link, an image or markup.
 */
export function mdText(s: string, max = MAX_CODE): string {
  const shown = shortFlat(s, max);
  // `_` inside a word cannot start emphasis (mail_name stays as written).
  return shown.replace(/[\\`*{}[\]()<>!|~&]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (c) => `\\${c}`);
}

export function fileLink(path: string, line: number): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const uri = path.startsWith('/') ? `file://${encodeURI(path).replace(/#/g, '%23').replace(/\?/g, '%3F')}#L${line + 1}` : undefined;
  return uri ? `[${name}:${line + 1}](${uri})` : `${name}:${line + 1}`;
}

export function versionText(since: string | undefined): string | undefined {
  if (!since) return undefined;
  return since === 'old' ? 'Postfix 1.0 or earlier' : `Postfix ${since}`;
}

export function stageList(stages: readonly RestrictionStage[]): string {
  return stages.map((s) => `\`smtpd_${s}_restrictions\``).join(', ');
}

/** `; use x instead`, or for `(do not specify)` advice to leave it unset. */
function replacementText(replacement: string | undefined): string {
  if (!replacement) return '';
  if (replacement.startsWith('(')) return '; leave it unset (remove the line)';
  return `; use ${replacement.split(/[ ,]+/).map((r) => code(r)).join(', ')} instead`;
}

/**
 * Catalog view of a parameter: type, description, default, first version,
 * deprecation, link. `here` (what this configuration makes of it) goes
 * between the description and the catalog facts.
 */
export function parameterDocMarkdown(info: ParameterInfo, version: string, here: string[] = []): string {
  const out: string[] = [];
  const type = info.type ? describeParamType(info.type) : info.typeText;
  out.push(`**${info.name}** · ${type}`);
  if (info.perService) {
    out.push(
      `Per-service parameter of the master.cf service \`${info.perService.service}\` (the \`${info.perService.pattern}\` pattern); defaults to \`$${info.perService.defaultFrom}\`.`,
    );
  }
  if (info.doc) out.push(info.doc);
  if (here.length) out.push(here.join('\n'));
  const facts: string[] = [];
  if (info.default !== undefined && !info.perService) {
    facts.push(`- **Default:** ${code(info.default)}${info.fact?.hostDependent ? ' (depends on the host; shown as on the reference system)' : ''}`);
  }
  const since = versionText(info.since);
  if (since) facts.push(`- **Since:** ${since}`);
  if (info.removedIn) {
    facts.push(`- **Removed** in Postfix ${info.removedIn}${replacementText(info.replacement)}.`);
  } else if (info.deprecatedIn) {
    const now = isDeprecatedIn(info, version);
    facts.push(
      `- **Deprecated** ${now ? 'since' : 'from'} Postfix ${info.deprecatedIn}${replacementText(info.replacement)}.`,
    );
  }
  if (facts.length) out.push(facts.join('\n'));
  out.push(`[postconf(5): ${info.perService?.pattern ?? info.name}](${info.link})`);
  return out.join('\n\n');
}

const TAKES_TEXT: Record<RestrictionInfo['takes'], string> = {
  none: 'no argument',
  table: 'a `type:table` lookup table',
  'domain=filter': 'a DNS list domain, optionally `=` reply filter',
  'transport:server': 'a policy server endpoint',
  seconds: 'a number of seconds',
  restriction: 'the restriction that follows',
};

export function restrictionDocMarkdown(info: RestrictionInfo, version: string, here: string[] = []): string {
  const out: string[] = [];
  out.push(`**${info.name}** · smtpd restriction${info.takes !== 'none' ? `, takes ${info.argument || TAKES_TEXT[info.takes]}` : ''}`);
  if (here.length) out.push(here.join('\n'));
  if (info.doc) out.push(info.doc);
  const facts: string[] = [];
  facts.push(`- **Works in:** ${stageList(info.stages)}`);
  if (info.delayedStages.length) facts.push(`- **Also in** ${stageList(info.delayedStages)} while \`smtpd_delay_reject = yes\` (the default) postpones the check to RCPT TO`);
  const since = versionText(info.since);
  if (since) facts.push(`- **Since:** ${since}`);
  if (info.aliasOf) facts.push(`- **Old name**; write ${info.aliasOf.split(',').map((a) => code(a)).join(', ')} instead`);
  if (info.removedIn) {
    facts.push(`- **Removed** in Postfix ${info.removedIn}${versionAtLeast(version, info.removedIn) ? ': smtpd refuses this name in the target version' : ''}`);
  }
  if (info.deprecatedIn) facts.push(`- **Deprecated** since Postfix ${info.deprecatedIn}`);
  out.push(facts.join('\n'));
  out.push(`[postconf(5): ${info.name}](https://www.postfix.org/postconf.5.html#${info.name})`);
  return out.join('\n\n');
}

export function tableTypeDocMarkdown(info: TableTypeInfo): string {
  const out: string[] = [];
  out.push(`**${info.name}:** · ${info.kind} lookup table, named as ${info.nameForm}`);
  if (info.doc) out.push(info.doc);
  const facts: string[] = [];
  facts.push(`- **postmap:** ${info.needsPostmap ? 'needed after every edit of the source file' : 'not needed (read directly)'}`);
  facts.push(
    `- **Debian 12:** ${
      info.debianPackage === undefined ? 'not available' : info.debianPackage === 'postfix' ? 'built into `postfix`' : `install \`${info.debianPackage}\``
    }`,
  );
  const since = versionText(info.since);
  if (since) facts.push(`- **Since:** ${since}`);
  if (info.readOnly) facts.push('- Read-only: Postfix cannot update it (not usable for caches)');
  out.push(facts.join('\n'));
  out.push('[DATABASE_README](https://www.postfix.org/DATABASE_README.html)');
  return out.join('\n\n');
}

export function accessActionDocMarkdown(info: AccessActionInfo): string {
  const out: string[] = [];
  const arg = info.argument === 'none' ? '' : ` · argument: ${info.argument}`;
  out.push(`**${info.name}** · access(5) action${arg}`);
  if (info.doc) out.push(info.doc);
  const since = versionText(info.since === '-' ? undefined : info.since);
  if (since) out.push(`- **Since:** ${since}`);
  out.push('[access(5)](https://www.postfix.org/access.5.html)');
  return out.join('\n\n');
}

const MASTER_KIND_TITLE: Record<MasterDoc['kind'], string> = {
  field: 'master.cf field',
  type: 'master.cf service type',
  command: 'Postfix daemon',
  flag: 'master.cf flag',
};

export function masterDocMarkdown(doc: MasterDoc): string {
  const link = doc.kind === 'command' ? `[${doc.name}(8)](https://www.postfix.org/${doc.name}.8.html)` : '[master(5)](https://www.postfix.org/master.5.html)';
  return `**${doc.name}** · ${MASTER_KIND_TITLE[doc.kind]}\n\n${doc.doc}\n\n${link}`;
}
