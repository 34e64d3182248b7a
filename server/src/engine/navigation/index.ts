// Navigation over a loaded configuration: definition, references, highlights
// and rename. Plain data; features/ converts it to LSP.
export { definitionAt, tableAt, transportService } from './definition';
export type { Target } from './definition';
export { highlightsAt, isBuiltIn, prepareRenameAt, referencesAt, renameAt } from './rename';
export type { Highlight, Location, PrepareRename, RenameResult } from './rename';
export { occurrenceAt, occurrences, isTransportSetting } from './occurrences';
export type { Occurrences, ParameterOccurrence, TransportOccurrence } from './occurrences';
export { documentLinks } from './links';
export type { DocumentLinkTarget } from './links';
export { configSymbols, matchesQuery } from './symbols';
export type { ConfigSymbol } from './symbols';
