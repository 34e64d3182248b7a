// How smtpd reads restriction lists, word by word (smtpd_check.c
// generic_checks and smtpd_check_init), and what it says or does when a list
// is wrong:
// - PF401 restrictions after permit/reject/defer are never evaluated
// - PF402 unknown restriction names (451 4.3.5 for every client reaching it)
// - PF403 restriction classes without a definition (smtpd refuses to start)
// - PF404 restrictions without their argument
// - PF405 a restriction name taken as the previous restriction's argument
// - PF406 a bare type:table in the DATA lists (451 4.3.5)
// - PF407 a bare type:table elsewhere (an implicit check_*_access)
// - PF409 restrictions removed in Postfix 3.9
// - PF410 old restriction names
// - PF411 SASL-only restrictions where SASL is off ("ignored: no SASL support")

import { versionAtLeast } from '../catalog/version';
import type { Fix, Problem, TextEdit } from '../types';
import type { RuleContext } from './context';
import { appendToSite, prefixWord, removeTokens, replaceToken, setMainParameter } from './edits';
import { allListsSteps, builtinRestrictionNames, DEFAULT_ACCESS, Item, ListPace, ListToken, restrictionFact, serviceListsSteps, siteOf, siteSteps, STAGE_PARAMETER, tokenLocation } from './lists';
import { code, problem, Rule } from './rule';
import { drain, ITEMS_PER_STEP, SERVICES_PER_STEP, type Steps } from '../steps';
import { ByLocation, closest, listText, spanRange } from './util';

export const DEAD_RESTRICTIONS = code('PF401', 'restriction-after-final', 'warning', 'postfix', 'Restrictions after permit, reject or defer are never evaluated');
export const UNKNOWN_RESTRICTION = code('PF402', 'unknown-restriction', 'error', 'postfix', 'Unknown restriction name: smtpd answers 451 4.3.5 Server configuration error');
export const UNDEFINED_CLASS = code('PF403', 'undefined-restriction-class', 'error', 'postfix', 'Restriction class without a definition: smtpd refuses to start');
export const MISSING_ARGUMENT = code('PF404', 'missing-restriction-argument', 'error', 'postfix', 'Restriction without its required argument (domain, type:table, transport:server, number)');
export const ARGUMENT_IS_RESTRICTION = code('PF405', 'restriction-taken-as-argument', 'warning', 'correctness', 'A restriction name is taken as the previous restriction\'s argument');
export const BARE_TABLE_IN_DATA = code('PF406', 'bare-table-in-data-restrictions', 'error', 'postfix', 'type:table without check_*_access in smtpd_data/end_of_data_restrictions: 451 4.3.5');
export const IMPLICIT_ACCESS_CHECK = code('PF407', 'implicit-access-check', 'hint', 'style', 'Bare type:table in a restriction list stands for the list\'s default check_*_access');
export const REMOVED_RESTRICTION = code('PF409', 'removed-restriction', 'warning', 'postfix', 'Restriction deprecated and removed in Postfix 3.9 (check_relay_domains, reject_maps_rbl, permit_naked_ip_address)');
export const OLD_RESTRICTION_NAME = code('PF410', 'old-restriction-name', 'hint', 'style', 'Old name of a restriction; use the current one');
export const SASL_RESTRICTION_WITHOUT_SASL = code('PF411', 'sasl-restriction-without-sasl', 'warning', 'postfix', 'SASL-only restriction in a service where smtpd_sasl_auth_enable = no: smtpd ignores it');

const FINAL = new Set(['permit', 'reject', 'defer', 'check_relay_domains']);

/** Edits that remove whole items (names and arguments) when every word is written literally in one list. */
function removeItems(ctx: RuleContext, items: Item[]): TextEdit[] | undefined {
  const words: ListToken[] = items.flatMap((it) => [it.name, ...it.args]);
  if (words.length === 0 || words.some((w) => !w.token)) return undefined;
  const site = words[0].token!.site;
  if (words.some((w) => w.token!.site !== site)) return undefined;
  return removeTokens(ctx, site, words.map((w) => w.token!));
}

function itemRange(items: Item[]): { file: string; range: import('../types').Range } | undefined {
  const first = tokenLocation(items[0].name);
  const lastItem = items[items.length - 1];
  const last = tokenLocation(lastItem.args.length ? lastItem.args[lastItem.args.length - 1] : lastItem.name);
  if (!first) return undefined;
  if (last && last.file === first.file) return { file: first.file, range: spanRange(first.range, last.range) };
  return first;
}

function* deadRestrictions(ctx: RuleContext): Steps<Problem[]> {
  const out: Problem[] = [];
  const pace = new ListPace();
  const label = 'PF401 restrictions after a final one';
  for (const list of yield* allListsSteps(ctx)) {
    if (pace.list(list.sl)) yield label;
    const items = list.items;
    for (let i = 0; i < items.length - 1; i++) {
      if (pace.item()) yield label;
      const it = items[i];
      if (it.kind !== 'builtin' || !FINAL.has(it.lower) || (it.warnOnly && it.lower !== 'permit')) continue;
      const dead = items.slice(i + 1);
      const at = itemRange(dead);
      if (!at) break;
      const fixes: Fix[] = [];
      const rm = removeItems(ctx, dead);
      if (rm) fixes.push({ title: `Delete the restrictions after '${it.name.text}'`, edits: rm });
      if (it.lower === 'permit' && it.name.token) {
        const rmPermit = removeTokens(ctx, it.name.token.site, [it.name.token]);
        fixes.push({ title: `Delete '${it.name.text}' so that the restrictions after it run`, edits: rmPermit });
      }
      const names = dead.map((d) => d.name.text);
      const more = names.length > 1 ? ` (with ${listText(names.slice(1))})` : '';
      const p = problem(
        DEAD_RESTRICTIONS,
        at.file,
        at.range,
        `restriction '${names[0]}' after '${it.name.text}' is ignored${more}: smtpd stops at '${it.name.text}' in ${list.parameter} and never evaluates what follows.`,
        fixes,
      );
      // The restriction that shadows the rest.
      const stop = tokenLocation(it.name);
      if (stop) p.related = [{ ...stop, message: `smtpd stops at '${it.name.text}'` }];
      out.push(p);
      break;
    }
  }
  return out;
}

function* unknownRestrictions(ctx: RuleContext): Steps<Problem[]> {
  const out: Problem[] = [];
  const pace = new ListPace();
  const label = 'PF402 unknown restrictions';
  const builtins = builtinRestrictionNames();
  for (const list of yield* allListsSteps(ctx)) {
    if (pace.list(list.sl)) yield label;
    for (const it of list.items) {
      if (pace.item()) yield label;
      if (it.kind !== 'unknown') continue;
      const loc = tokenLocation(it.name);
      if (!loc) continue;
      const name = it.name.text;
      const defined = ctx.config.main?.byName.get(name);
      const fixes: Fix[] = [];
      let hint: string;
      if (/\\$/.test(name)) {
        // A shell habit: "permit_mynetworks, \" at the end of a line.
        hint = ' A backslash does not continue a line in main.cf: a line that starts with white space continues the one above it, so the backslash is read as a restriction name. Remove it.';
        if (it.name.token) {
          const edits = name === '\\' ? removeTokens(ctx, it.name.token.site, [it.name.token]) : [replaceToken(it.name.token, name.replace(/\\+$/, ''))];
          if (edits) fixes.push({ title: 'Remove the backslash', edits });
        }
      } else if (defined) {
        hint = ` ${name} is set in main.cf, but a parameter only works as a restriction class when smtpd_restriction_classes lists it.`;
        const w = ctx.raw('smtpd_restriction_classes', list.sl.service).where;
        const edits = w.kind === 'default' ? setMainParameter(ctx, 'smtpd_restriction_classes', name) : [appendToSite(ctx, siteOf(ctx, w, 'smtpd_restriction_classes'), name)];
        fixes.push({ title: `Add ${name} to smtpd_restriction_classes`, edits });
      } else {
        const near = closest(name, [...builtins, ...list.sl.classes]);
        hint = near ? ` Did you mean ${near}?` : '';
        if (near && it.name.token) fixes.push({ title: `Change to ${near}`, edits: [replaceToken(it.name.token, near)] });
      }
      out.push(
        problem(
          UNKNOWN_RESTRICTION,
          loc.file,
          loc.range,
          `unknown smtpd restriction: "${name}": smtpd answers "451 4.3.5 Server configuration error" to every client that reaches it in ${list.parameter}.${hint}`,
          fixes,
        ),
      );
    }
  }
  return out;
}

function* undefinedClasses(ctx: RuleContext): Steps<Problem[]> {
  const found = new ByLocation<{ name: string; label: string; fix?: TextEdit[] }>();
  const label = 'PF403 restriction classes';
  let services = 0;
  let work = 0;
  for (const svc of ctx.smtpdServices()) {
    if (++services % SERVICES_PER_STEP === 0) yield label;
    const service = svc.service;
    const w = ctx.raw('smtpd_restriction_classes', service).where;
    if (w.kind === 'default') continue;
    const site = yield* siteSteps(ctx, w, 'smtpd_restriction_classes');
    for (const t of site.tokens) {
      if (++work % ITEMS_PER_STEP === 0) yield label;
      if (t.text.includes('$')) continue;
      if (ctx.value(t.text, service) !== '') continue;
      found.add(site.file, t.range, { name: t.text, label: svc.label, fix: removeTokens(ctx, site, [t]) });
    }
  }
  return found.entries().map(({ file, range, items }) => {
    const name = items[0].name;
    return problem(
      UNDEFINED_CLASS,
      file,
      range,
      `smtpd refuses to start on ${listText(items.map((i) => i.label))}: fatal: restriction class \`${name}' needs a definition. Set ${name} = <restrictions> in main.cf, or remove it from smtpd_restriction_classes.`,
      items[0].fix ? [{ title: `Remove ${name} from smtpd_restriction_classes`, edits: items[0].fix }] : undefined,
    );
  });
}

function* argumentProblems(ctx: RuleContext): Steps<Problem[]> {
  const out: Problem[] = [];
  const pace = new ListPace();
  const label = 'PF404-PF407 restriction arguments';
  for (const list of yield* allListsSteps(ctx)) {
    if (pace.list(list.sl)) yield label;
    for (const it of list.items) {
      if (pace.item()) yield label;
      // Most items have nothing to say: no location object for them.
      if (!it.argError && it.kind !== 'table' && !(it.fact?.takes === 'domain=filter' && it.args[0])) continue;
      const loc = tokenLocation(it.name);
      if (!loc) continue;
      const name = it.name.text;
      if (it.argError) {
        const next = list.tokens[it.first + 1];
        let msg: string;
        const fixes: Fix[] = [];
        switch (it.argError) {
          case 'missing-domain':
            msg = `restriction ${name} requires domain name argument: smtpd logs a warning and skips it, so it never matches anything. Write ${name} followed by the list's domain (e.g. ${name} zen.spamhaus.org=127.0.0.[2..11]).`;
            break;
          case 'need-table': {
            const shown = next && !restrictionFact(next.text) && !list.sl.classes.has(next.text) ? next.text : name;
            msg = `restriction ${name}: bad argument "${shown}": need maptype:mapname; smtpd answers "451 4.3.5 Server configuration error" when it reaches it.`;
            if (next?.token && next.text.startsWith('/')) {
              for (const [type, suffix] of [['hash', '.db'], ['lmdb', '.lmdb'], ['cdb', '.cdb']] as const) {
                if (ctx.reader.readText(`${next.text}${suffix}`) !== undefined || ctx.reader.mtimeMs?.(`${next.text}${suffix}`) !== undefined) {
                  fixes.push({ title: `Write ${type}:${next.text}`, edits: [replaceToken(next.token, `${type}:${next.text}`)] });
                  break;
                }
              }
            }
            break;
          }
          case 'need-transport':
            msg = `restriction ${name} must be followed by transport:server (inet:host:port or unix:/path); smtpd answers "451 4.3.5 Server configuration error" when it reaches it.`;
            break;
          case 'need-number':
            msg = `restriction ${name} must be followed by number (of seconds); smtpd answers "451 4.3.5 Server configuration error" when it reaches it.`;
            break;
        }
        out.push(problem(MISSING_ARGUMENT, loc.file, loc.range, msg, fixes));
        continue;
      }
      if (it.fact?.takes === 'domain=filter' && it.args[0]) {
        const arg = it.args[0];
        if (restrictionFact(arg.text) || list.sl.classes.has(arg.text)) {
          const at = tokenLocation(arg) ?? loc;
          out.push(
            problem(
              ARGUMENT_IS_RESTRICTION,
              at.file,
              at.range,
              `${name} takes the next word as its DNS list domain, so "${arg.text}" is looked up as a DNS list and never runs as a restriction. Put the list's domain after ${name}.`,
            ),
          );
        }
      }
      if (it.kind === 'table' && list.stage) {
        const def = DEFAULT_ACCESS[list.stage];
        if (!def) {
          const tok = it.name.token;
          const fixes: Fix[] = tok ? ['check_client_access', 'check_sender_access'].map((c) => ({ title: `Write ${c} ${name}`, edits: [prefixWord(tok, c)] })) : [];
          out.push(
            problem(
              BARE_TABLE_IN_DATA,
              loc.file,
              loc.range,
              `${STAGE_PARAMETER[list.stage]} has no default access check, so smtpd cannot tell what to look up in "${name}": it logs "specify one of (check_client_access, ...) before ... restriction" and answers "451 4.3.5 Server configuration error". Write the check_*_access restriction in front of it.`,
              fixes,
            ),
          );
        } else if (!name.startsWith('{')) {
          out.push(
            problem(
              IMPLICIT_ACCESS_CHECK,
              loc.file,
              loc.range,
              `"${name}" in ${list.parameter} is looked up as ${def} ${name} (the list's default); write ${def} to make that visible.`,
              it.name.token ? [{ title: `Write ${def} ${name}`, edits: [prefixWord(it.name.token, def)] }] : undefined,
            ),
          );
        }
      }
    }
  }
  return out;
}

const REPLACEMENTS: Record<string, (ctx: RuleContext, it: Item) => string | undefined> = {
  check_relay_domains: () => 'reject_unauth_destination',
  permit_naked_ip_address: () => 'permit_mynetworks, permit_sasl_authenticated',
  reject_maps_rbl: (ctx, it) => {
    const domains = ctx.value('maps_rbl_domains').split(/[\s,]+/).filter(Boolean);
    return domains.length ? domains.map((d) => `reject_rbl_client ${d}`).join(', ') : undefined;
  },
};

function* oldNames(ctx: RuleContext): Steps<Problem[]> {
  const out: Problem[] = [];
  const pace = new ListPace();
  const label = 'PF409,PF410 old restriction names';
  for (const list of yield* allListsSteps(ctx)) {
    if (pace.list(list.sl)) yield label;
    for (const it of list.items) {
      if (pace.item()) yield label;
      if (it.kind !== 'builtin' || !it.fact?.aliasOf) continue;
      const loc = tokenLocation(it.name);
      if (!loc) continue;
      const fact = it.fact;
      const aliasOf = fact.aliasOf!;
      if (fact.removedIn) {
        const removed = versionAtLeast(ctx.version, fact.removedIn);
        const replacement = REPLACEMENTS[it.lower]?.(ctx, it);
        const smtpdSays =
          it.lower === 'permit_naked_ip_address'
            ? `restriction ${it.lower} is deprecated. Use permit_mynetworks or permit_sasl_authenticated instead`
            : it.lower === 'reject_maps_rbl'
              ? `support for restriction "reject_maps_rbl" will be removed from Postfix; use "reject_rbl_client domain-name" instead`
              : `support for restriction "check_relay_domains" will be removed from Postfix; use "reject_unauth_destination" instead`;
        const status = removed ? `it was removed in Postfix ${fact.removedIn} (the target version ${ctx.version})` : `Postfix ${fact.removedIn} removes it; until then smtpd logs "${smtpdSays}"`;
        out.push(
          problem(
            REMOVED_RESTRICTION,
            loc.file,
            loc.range,
            `${it.name.text} is obsolete: ${status}. Use ${replacement ?? aliasOf.replace(/,/g, ', ')} instead.`,
            replacement && it.name.token ? [{ title: `Replace with ${replacement}`, edits: [replaceToken(it.name.token, replacement)] }] : undefined,
            removed ? 'error' : 'warning',
          ),
        );
        continue;
      }
      if (aliasOf.includes(',')) continue;
      out.push(
        problem(
          OLD_RESTRICTION_NAME,
          loc.file,
          loc.range,
          `${it.name.text} is the old name of ${aliasOf}; smtpd still accepts it, but the documentation and newer configurations use ${aliasOf}.`,
          it.name.token ? [{ title: `Rename to ${aliasOf}`, edits: [replaceToken(it.name.token, aliasOf)] }] : undefined,
        ),
      );
    }
  }
  return out;
}

const SASL_ONLY = new Set([
  'check_sasl_access',
  'reject_sender_login_mismatch',
  'reject_authenticated_sender_login_mismatch',
  'reject_known_sender_login_mismatch',
  'reject_unauthenticated_sender_login_mismatch',
]);

function* saslOnly(ctx: RuleContext): Steps<Problem[]> {
  const found = new ByLocation<{ name: string; label: string }>();
  const label = 'PF411 SASL-only restrictions';
  let services = 0;
  let work = 0;
  for (const svc of ctx.smtpdServices()) {
    if (++services % SERVICES_PER_STEP === 0) yield label;
    if (ctx.bool('smtpd_sasl_auth_enable', svc.service)) continue;
    const sl = yield* serviceListsSteps(ctx, svc.service);
    for (const l of [...sl.lists, ...sl.classLists.values()]) {
      for (const it of l.items) {
        if (++work % ITEMS_PER_STEP === 0) yield label;
        if (it.kind === 'builtin' && SASL_ONLY.has(it.lower)) found.addToken(it.name, { name: it.name.text, label: svc.label });
      }
    }
  }
  return found.entries().map(({ file, range, items }) => {
    const name = items[0].name;
    return problem(
      SASL_RESTRICTION_WITHOUT_SASL,
      file,
      range,
      `restriction \`${name}' ignored: no SASL support: smtpd_sasl_auth_enable = no on ${listText(items.map((i) => i.label))}, so smtpd logs this warning and skips ${name} there.`,
    );
  });
}

export const restrictionsRule: Rule = {
  codes: [DEAD_RESTRICTIONS, UNKNOWN_RESTRICTION, UNDEFINED_CLASS, MISSING_ARGUMENT, ARGUMENT_IS_RESTRICTION, BARE_TABLE_IN_DATA, IMPLICIT_ACCESS_CHECK, REMOVED_RESTRICTION, OLD_RESTRICTION_NAME, SASL_RESTRICTION_WITHOUT_SASL],
  check(ctx) {
    return drain(restrictionsRule.steps!(ctx));
  },
  *steps(ctx) {
    // The lists in steps (a doubled list holds 2^17 words), then each pass over them in steps.
    yield* allListsSteps(ctx);
    const dead = yield* deadRestrictions(ctx);
    const unknown = yield* unknownRestrictions(ctx);
    const undefinedClass = yield* undefinedClasses(ctx);
    const args = yield* argumentProblems(ctx);
    const old = yield* oldNames(ctx);
    return [...dead, ...unknown, ...undefinedClass, ...args, ...old, ...(yield* saslOnly(ctx))];
  },
};
