// Puts the simulator and a live smtpd side by side for one transaction.

import { readFileSync, statSync } from 'node:fs';
import type { FileReader } from '../../server/src/engine/types';
import type { SimulationResult } from '../../server/src/engine/simulate/types';
import type { LiveResult } from './live-postfix';

export const fsReader: FileReader = {
  readText(p: string) {
    try {
      return readFileSync(p, 'latin1');
    } catch {
      return undefined;
    }
  },
  mtimeMs(p: string) {
    try {
      return statSync(p).mtimeMs;
    } catch {
      return undefined;
    }
  },
};

/** smtpd's queue id differs per run; everything else must match exactly. */
function normText(t: string): string {
  return t.replace(/queued as [0-9A-Za-z]+/, 'queued as (queue id)');
}

/** Undefined when simulator and live server agree; otherwise what differs. */
export function disagreement(sim: SimulationResult, live: LiveResult): string | undefined {
  if (live.outcome === 'fatal' || sim.verdict === 'fatal') {
    if (live.outcome !== 'fatal') return `sim: fatal "${sim.fatal}"; live: ${live.reply?.line ?? live.outcome}`;
    if (sim.verdict !== 'fatal') return `sim: ${sim.reply?.line} (${sim.stage}); live: fatal "${live.fatal}"`;
    return sim.fatal === live.fatal ? undefined : `fatal text: sim "${sim.fatal}" vs live "${live.fatal}"`;
  }
  if (live.outcome !== 'replied' || !live.reply) return `live transaction failed:\n${live.transcript}`;
  const s = sim.reply;
  if (!s) return `sim has no reply (${sim.verdict}); live: ${live.reply.line}`;
  const diffs: string[] = [];
  if (s.code !== live.reply.code) diffs.push('code');
  if (s.enhanced !== live.reply.enhanced) diffs.push('enhanced');
  if (normText(s.text) !== normText(live.reply.text)) diffs.push('text');
  if (sim.stage !== live.stage) diffs.push(`stage (${sim.stage} vs ${live.stage})`);
  const simRcpt = sim.recipients.map((r) => r.reply.line);
  const liveRcpt = live.rcpt.map((r) => r.line);
  if (simRcpt.length && JSON.stringify(simRcpt) !== JSON.stringify(liveRcpt)) diffs.push(`rcpt replies ${JSON.stringify(simRcpt)} vs ${JSON.stringify(liveRcpt)}`);
  if (diffs.length === 0) return undefined;
  return `${diffs.join(', ')}: sim "${s.line}" @${sim.stage}; live "${live.reply.line}" @${live.stage}`;
}
