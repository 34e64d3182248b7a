// Security and correctness rules over a whole configuration (PF400–PF599):
// restriction-list semantics that smtpd enforces or warns about, and advice.
// lint.ts calls runRules(); codes.ts lists RULE_CODES; the editor offers each
// problem's fixes, and lint.ts judgedHardening() merges them into one "harden" action.

import type { PostfixConfig } from '../config';
import type { FileReader, Fix, Problem } from '../types';
import { accessTablesRule } from './access-tables';
import { classLoopRule } from './class-loop';
import { RuleContext, type RuleOptions } from './context';
import { dnsblRule } from './dnsbl';
import { spamhausListKindRule } from './spamhaus-list-kind';
import { inlinePatternTablesRule } from './inline-pattern-tables';
import { mynetworksRule } from './mynetworks';
import { relayRule } from './relay';
import { restrictionsRule } from './restrictions';
import type { Rule, RuleCode } from './rule';
import { saslRule } from './sasl';
import { hardeningExtras, settingsRule } from './settings';
import { submissionRule } from './submission';
import { suppressProblems } from './suppress';
import { tlsRule } from './tls';
import { mxRefusesOwnMailRule } from './mx-refuses-own-mail';
import { submissionCannotSendOutRule } from './submission-cannot-send-out';
import { ownDomainSenderSpoofingRule } from './own-domain-sender-spoofing';
import { senderNotBoundToLoginRule } from './sender-not-bound-to-login';
import { unknownClientHostnameRule } from './unknown-client-hostname';
import { brokenSaslAuthClientsRule } from './broken-sasl-auth-clients';
import { snakeoilCertificateRule } from './snakeoil-certificate';
import { noRateLimitsRule } from './no-rate-limits';
import { unverifiedBeforeGuardRule } from './unverified-before-guard';
import { pushAll } from '../arrays';
import type { Steps } from '../steps';

export type { RuleOptions } from './context';
export type { Rule, RuleCode } from './rule';
export { applyTextEdits } from './edits';
export { suppressProblems } from './suppress';
export { mergeHardeningFixes, mergeSafeFixes, type HardeningFix, type HardeningPart } from './harden';

export const RULES: Rule[] = [relayRule, restrictionsRule, classLoopRule, accessTablesRule, inlinePatternTablesRule, mynetworksRule, dnsblRule, spamhausListKindRule, saslRule, submissionRule, tlsRule, settingsRule, unverifiedBeforeGuardRule,
  // Intent rules (PF540–PF547): what the server is for, checked with the simulator.
  mxRefusesOwnMailRule, submissionCannotSendOutRule, ownDomainSenderSpoofingRule, senderNotBoundToLoginRule,
  unknownClientHostnameRule, brokenSaslAuthClientsRule, snakeoilCertificateRule, noRateLimitsRule];

/** Every code of these rules, by code. */
export const RULE_CODES: Record<string, RuleCode> = Object.fromEntries(
  RULES.flatMap((r) => r.codes)
    // Codes are ASCII (PFnnn): code-point order is the same, and the first localeCompare loads ICU's collator (~5 ms of the server's start).
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .map((c) => [c.code, c]),
);

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.code}|${p.file}|${p.range.start.line}:${p.range.start.character}-${p.range.end.line}:${p.range.end.character}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The problems of every rule, silenced ones (comments, options) left out. */
export function runRules(config: PostfixConfig, reader: FileReader, options: RuleOptions = {}): Problem[] {
  const steps = runRulesSteps(config, reader, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** runRules, yielding after each rule (see lintConfigSteps). */
export function* runRulesSteps(config: PostfixConfig, reader: FileReader, options: RuleOptions = {}): Steps<Problem[]> {
  // Postfix stops reading main.cf at a fatal line; judging the rest would mislead.
  if (!config.main || config.main.fatal) return [];
  const ctx = new RuleContext(config, reader, options);
  const disabled = new Set((options.disabled ?? []).map((c) => c.toUpperCase()));
  const out: Problem[] = [];
  for (const rule of RULES) {
    if (rule.codes.length > 0 && rule.codes.every((c) => disabled.has(c.code))) continue;
    const found = rule.steps ? yield* rule.steps(ctx) : rule.check(ctx);
    pushAll(out, found.filter((p) => !disabled.has(p.code)));
    yield () => `rule ${rule.codes.map((c) => c.code).join(',')}`;
  }
  return suppressProblems(dedupe(out), reader);
}

/**
 * The hardening advice that is no finding (rules/settings.ts hardeningExtras),
 * as problems of the rule it would be if set explicitly (its code, severity
 * and category), whose one fix is the advice: rule settings and a minimum
 * severity judge them like that rule's findings. Nothing for a main.cf
 * Postfix stops reading.
 */
export function hardeningAdvice(config: PostfixConfig, reader: FileReader, options: RuleOptions = {}): Problem[] {
  if (!config.main || config.main.fatal) return [];
  const disabled = new Set((options.disabled ?? []).map((c) => c.toUpperCase()));
  return hardeningExtras(new RuleContext(config, reader, options))
    .filter((x) => !disabled.has(x.rule.code))
    .map(({ rule, fix }): Problem => ({ code: rule.code, severity: rule.severity, category: rule.category, file: config.mainPath, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, message: fix.title, fixes: [fix] }));
}

