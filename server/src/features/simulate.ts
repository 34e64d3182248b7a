// Custom requests for the policy simulator:
//   postfix/simulate      { uri, transaction, assumptions? }  → SimulateResponse
//   postfix/relayMatrix   { uri, options? }                   → RelayMatrixResponse
//   postfix/smtpdServices { uri }                             → SmtpdServicesResponse
//   postfix/swaks         { uri, transaction }                → SwaksResponse (the swaks command that checks it on the real server)
// `uri` is any file of the configuration (main.cf, master.cf, a table) or the
// configuration directory. Trace sources get a `uri` next to their path so the
// client can open them without knowing our path conventions.

import { analysisOptions } from './settings';
import { dirname } from 'node:path';
import { RequestType, type Connection } from './lsp';
import { loadSimConfig, smtpdServices, type SimConfig } from '../engine/simulate/config';
import { relayMatrix, type RelayMatrix, type RelayMatrixOptions } from '../engine/simulate/matrix';
import { simulateTransaction } from '../engine/simulate/simulate';
import { shellLine, swaksCommand } from '../engine/simulate/swaks';
import type { Assumptions, SimulationResult, SourceRef, Transaction } from '../engine/simulate/types';
import type { FileReader } from '../engine/types';
import type { Feature } from './context';
import { pathToUri, uriToPath } from './workspace';

export const SIMULATE_REQUEST = 'postfix/simulate';
export const RELAY_MATRIX_REQUEST = 'postfix/relayMatrix';
export const SMTPD_SERVICES_REQUEST = 'postfix/smtpdServices';
export const SWAKS_REQUEST = 'postfix/swaks';

export interface SimulateParams {
  uri: string;
  transaction: Transaction;
  assumptions?: Assumptions;
}

export interface RelayMatrixParams {
  uri: string;
  options?: RelayMatrixOptions;
}

export interface ConfigLocation {
  dir: string;
  reader: FileReader;
}

export type ConfigForUri = (uri: string) => ConfigLocation | undefined;

export type LocatedSource = SourceRef & { uri: string };

export type SimulateResponse = { error: string } | (SimulationResult & { configDir: string });
export type RelayMatrixResponse = { error: string } | (RelayMatrix & { configDir: string });
export type SmtpdServicesResponse = { error: string } | { configDir: string; services: { name: string; key: string; uri: string; line: number }[] };

export const SimulateRequest = new RequestType<SimulateParams, SimulateResponse, void>(SIMULATE_REQUEST);
export const RelayMatrixRequest = new RequestType<RelayMatrixParams, RelayMatrixResponse, void>(RELAY_MATRIX_REQUEST);
export const SmtpdServicesRequest = new RequestType<{ uri: string }, SmtpdServicesResponse, void>(SMTPD_SERVICES_REQUEST);
export type SwaksResponse = { error: string } | { command: string; argv: string[]; notes: string[] };
export const SwaksRequest = new RequestType<{ uri: string; transaction: Transaction }, SwaksResponse, void>(SWAKS_REQUEST);

/** The configuration directory of a document: its own directory, or the URI itself when that is a directory with main.cf. */
export function workspaceConfigForUri(reader: FileReader): ConfigForUri {
  return (uri) => {
    const path = uriToPath(uri);
    if (!path) return undefined;
    if (reader.readText(`${path}/main.cf`) !== undefined) return { dir: path, reader };
    const dir = dirname(path);
    if (reader.readText(`${dir}/main.cf`) !== undefined) return { dir, reader };
    return undefined;
  };
}

function withUris<T extends { source?: SourceRef; tableSource?: SourceRef }>(step: T): T {
  const out = { ...step };
  if (step.source) out.source = { ...step.source, uri: pathToUri(step.source.file) } as LocatedSource;
  if (step.tableSource) out.tableSource = { ...step.tableSource, uri: pathToUri(step.tableSource.file) } as LocatedSource;
  return out;
}

function load(get: ConfigForUri, uri: string): SimConfig | { error: string } {
  const loc = get(uri);
  if (!loc) return { error: `no main.cf found for ${uri}` };
  return loadSimConfig(loc.dir, loc.reader, analysisOptions().mode);
}

export function handleSimulate(get: ConfigForUri, params: SimulateParams): SimulateResponse {
  const config = load(get, params.uri);
  if ('error' in config) return config;
  const r = simulateTransaction(config, params.transaction, params.assumptions ?? {});
  return { ...r, trace: r.trace.map(withUris), configDir: config.dir };
}

export function handleRelayMatrix(get: ConfigForUri, params: RelayMatrixParams): RelayMatrixResponse {
  const config = load(get, params.uri);
  if ('error' in config) return config;
  return { ...relayMatrix(config, params.options ?? {}), configDir: config.dir };
}

export function handleSmtpdServices(get: ConfigForUri, params: { uri: string }): SmtpdServicesResponse {
  const config = load(get, params.uri);
  if ('error' in config) return config;
  const uri = pathToUri(config.masterCfPath);
  return { configDir: config.dir, services: smtpdServices(config).map((s) => ({ name: s.name, key: s.key, uri, line: s.range.start.line })) };
}

/** The command line `postfix-lint simulate --swaks` prints for the same transaction. */
export function handleSwaks(get: ConfigForUri, params: { uri: string; transaction: Transaction }): SwaksResponse {
  const config = load(get, params.uri);
  if ('error' in config) return config;
  const s = swaksCommand(config, params.transaction);
  return { command: shellLine(s.argv), argv: s.argv, notes: s.notes };
}

/** Registers the requests on a connection. */
export function registerSimulate(connection: Connection, getConfigForUri: ConfigForUri): void {
  const safe =
    <P, R>(name: string, f: (p: P) => R | { error: string }) =>
    (p: P): R | { error: string } => {
      try {
        return f(p);
      } catch (e) {
        // The engine does not throw on bad input; this is a bug, reported to the client instead of crashing the server.
        connection.console.error(`${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return { error: `${name} failed: ${e instanceof Error ? e.message : String(e)}` };
      }
    };
  connection.onRequest(SimulateRequest, safe(SIMULATE_REQUEST, (p: SimulateParams) => handleSimulate(getConfigForUri, p)));
  connection.onRequest(RelayMatrixRequest, safe(RELAY_MATRIX_REQUEST, (p: RelayMatrixParams) => handleRelayMatrix(getConfigForUri, p)));
  connection.onRequest(SmtpdServicesRequest, safe(SMTPD_SERVICES_REQUEST, (p: { uri: string }) => handleSmtpdServices(getConfigForUri, p)));
  connection.onRequest(SwaksRequest, safe(SWAKS_REQUEST, (p: { uri: string; transaction: Transaction }) => handleSwaks(getConfigForUri, p)));
}

/** The same, as a server Feature: configuration files are read through the workspace (open buffers first). */
export const simulate: Feature = {
  name: 'simulate',
  capabilities: {},
  register(ctx) {
    registerSimulate(ctx.connection, workspaceConfigForUri(ctx.workspace));
  },
};
