// master.cf: parsing, per-service parameters, and postconf's parameter checks
// as editor problems (the checks themselves live in ../postconf/).
export * from './codes';
export * from './parse';
export * from './service-params';
export { normalizeForPostconf, postconfTakesValue } from './postconf-view';
export type { PostconfArg, PostconfView } from './postconf-view';
export { daemonView, DAEMONS_WITHOUT_ARGUMENTS, DAEMONS_IGNORING_ARGUMENTS } from './daemon-view';
export { masterEndpoint, parseInetEndpoint, canonicalIpv6 } from './endpoint';
export { splitQuoted, extractBraced, splitNameValue } from './tokenize';
export * from './parameter-problems';
export { lastOverride, serviceWord, servicesOverriding } from './overrides';
