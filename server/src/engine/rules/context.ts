// What every rule needs: the configuration, parameter values as one smtpd
// service sees them (master.cf -o, then main.cf, then the default), where
// each value is written, the smtpd services of master.cf, and the simulator's
// view of the same files (built once, on demand).

import type { PostfixConfig } from '../config';
import { defaultValue, parameterFact } from '../catalog/parameters';
import { expandValue, memoFor } from '../expand';
import { serviceMemoKey as memoKeyOf } from '../service-memo';
import type { MainCfEntry } from '../maincf/parse';
import type { MasterOverride, MasterService } from '../mastercf';
import { lastOverride } from '../mastercf/overrides';
import { simConfigOfSteps, type SimConfig } from '../simulate/config';
import type { FileReader } from '../types';
import { firstAtLeast } from '../arrays';
import { drain, MASTER_SERVICES_PER_STEP, type Steps } from '../steps';

export interface RuleOptions {
  /** Codes not to report. */
  disabled?: string[];
}

export type Where =
  | { kind: 'master'; service: MasterService; override: MasterOverride }
  | { kind: 'main'; entry: MainCfEntry }
  | { kind: 'default' };

/** One smtpd process kind: a master.cf service running smtpd, or main.cf alone when there is no master.cf. */
export interface SmtpdService {
  service?: MasterService;
  /** `smtp/inet`, or `(main.cf)`. */
  key: string;
  /** How messages name it: `service smtp (port 25)`. */
  label: string;
  /** Answers port 25 (directly, or as the smtpd behind postscreen). */
  port25: boolean;
  /** The message submission port (587). */
  submission: boolean;
  /** Implicit-TLS submission (465). */
  smtps: boolean;
}

const PORT25 = /(^|:)(smtp|25)$/;
const SUBMISSION = /(^|:)(submission|587)$/;
const SMTPS = /(^|:)(smtps|submissions|465)$/;

export class RuleContext {
  private simConfig?: SimConfig;
  private services?: SmtpdService[];
  private texts = new Map<string, string | undefined>();
  private memo = new Map<string, unknown>();

  constructor(
    readonly config: PostfixConfig,
    readonly reader: FileReader,
    readonly options: RuleOptions = {},
  ) {}

  get version(): string {
    return this.config.version;
  }

  /** Text of a file (cached). */
  text(file: string): string | undefined {
    if (!this.texts.has(file)) this.texts.set(file, this.reader.readText(file));
    return this.texts.get(file);
  }

  /** A value computed once per context (lists, matrices, ...). */
  once<T>(key: string, make: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, make());
    return this.memo.get(key) as T;
  }

  /** A value `once` or `onceSteps` has computed, or undefined (lets a synchronous caller skip making steps). */
  made<T>(key: string): T | undefined {
    return this.memo.get(key) as T | undefined;
  }

  /** `once` for a value computed in steps (engine/steps.ts): kept when the steps are done. */
  *onceSteps<T>(key: string, make: () => Steps<T>): Steps<T> {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = yield* make();
    this.memo.set(key, value);
    return value;
  }

  /** The raw value of a parameter for a service (its last -o, else main.cf, else the default) and where it is written. */
  raw(name: string, service?: MasterService): { raw: string | undefined; where: Where } {
    // Through lastOverride's index: a service may carry 100,000 -o options, and every rule reads a dozen names.
    const o = service && lastOverride(service, name);
    if (o) return { raw: o.value, where: { kind: 'master', service: service!, override: o } };
    const entry = this.config.main?.byName.get(name);
    if (entry) return { raw: entry.value, where: { kind: 'main', entry } };
    return { raw: defaultValue(name), where: { kind: 'default' } };
  }

  /** The value after `$name` expansion, for a service or globally. */
  value(name: string, service?: MasterService): string {
    const r = this.raw(name, service);
    if (r.raw === undefined) return '';
    return expandValue(r.raw, (n) => this.raw(n, service).raw, { memo: memoFor(this, serviceMemoKey(this, service)) }).value;
  }

  /** A boolean parameter, as Postfix reads it (yes/true/1). */
  bool(name: string, service?: MasterService): boolean {
    return /^(yes|true|1)$/i.test(this.value(name, service).trim());
  }

  /** Whether the parameter is set in main.cf or by an -o of the service. */
  isSet(name: string, service?: MasterService): boolean {
    return this.raw(name, service).where.kind !== 'default';
  }

  /** Whether the target version knows the parameter. */
  knows(name: string): boolean {
    return parameterFact(name) !== undefined;
  }

  /** Every smtpd service master.cf starts (the last of duplicate entries), or main.cf alone without master.cf. */
  smtpdServices(): SmtpdService[] {
    return this.services ?? drain(this.smtpdServicesSteps());
  }

  /** smtpdServices in steps of MASTER_SERVICES_PER_STEP services: a master.cf of 100,000 was one piece of 100-200 ms. */
  *smtpdServicesSteps(): Steps<SmtpdService[]> {
    if (this.services) return this.services;
    const master = this.config.master;
    if (!master) {
      this.services = [{ key: '(main.cf)', label: 'smtpd (main.cf settings; there is no master.cf)', port25: true, submission: false, smtps: false }];
      return this.services;
    }
    const byEndpoint = new Map<string, MasterService>();
    const all = master.services;
    for (let i = 0; i < all.length; i++) {
      const s = all[i];
      if (s.valid) byEndpoint.set(`${s.type.text} ${s.endpoint || s.key}`, s);
      if ((i + 1) % MASTER_SERVICES_PER_STEP === 0) yield 'smtpd services';
    }
    const live = [...byEndpoint.values()];
    const postscreen25 = live.some((s) => s.program === 'postscreen' && s.type.text === 'inet' && PORT25.test(s.name.text));
    // A service whose daemon dies on its own command line (PF206–PF217 errors) never runs: judging its settings would mislead.
    // The lines of those errors, sorted, so that each service looks them up rather than going through every problem.
    const fatalLines = master.problems.filter((p) => p.severity === 'error' && p.category === 'postfix').map((p) => p.range.start.line).sort((a, b) => a - b);
    const broken = (s: MasterService) => {
      const at = firstAtLeast(fatalLines, s.line);
      return at < fatalLines.length && fatalLines[at] <= s.lastLine;
    };
    const out: SmtpdService[] = [];
    for (let i = 0; i < live.length; i++) {
      const s = live[i];
      if ((i + 1) % MASTER_SERVICES_PER_STEP === 0) yield 'smtpd services';
      if (s.program !== 'smtpd' || broken(s)) continue;
      const name = s.name.text;
      const inet = s.type.text === 'inet';
      const port25 = (inet && PORT25.test(name)) || (s.type.text === 'pass' && postscreen25);
      const submission = inet && SUBMISSION.test(name);
      const smtps = inet && SMTPS.test(name);
      const port = port25 ? ' (port 25)' : submission ? ' (port 587)' : smtps ? ' (port 465)' : '';
      out.push({ service: s, key: s.key, label: `service ${name}${port}`, port25, submission, smtps });
    }
    this.services = out;
    return out;
  }

  /** The simulator's configuration of the same directory. */
  sim(): SimConfig {
    return this.simConfig ?? drain(this.simSteps());
  }

  /** sim() in steps, made from the configuration's parses (simulate/config.ts simConfigOfSteps): 100,000 services are long. */
  *simSteps(): Steps<SimConfig> {
    if (!this.simConfig) this.simConfig = yield* simConfigOfSteps(this.config);
    return this.simConfig;
  }
}

/** Names the lookup of one service's parameters for the expansion memo (engine/service-memo.ts): services whose settings expand alike share one. */
export function serviceMemoKey(ctx: RuleContext, service?: MasterService): string {
  return memoKeyOf(ctx.config, service);
}
