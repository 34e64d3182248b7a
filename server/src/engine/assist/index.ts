// Completion and hover logic over the engine's models, returning plain data
// (no LSP types): features/completion.ts and features/hover.ts convert it.
export { completeAt, completeListAt, completeMainCf, completeMasterCf, completeTable, resolveDocumentation } from './completion';
export { LISTED_NAMES, parameterDetail } from './name-items';
export type { AssistCompletion, CompletionEnv, DirEntry, DocRef, ItemKind } from './completion';
export { hoverAt, hoverMainCf, hoverMasterCf, hoverTable } from './hover';
export type { AssistHover, HoverEnv } from './hover';
export { ConfigCache } from './cache';
export { analyzeRestrictionList } from './restriction-list';
export type { ListWord } from './restriction-list';
export { explainEnhancedStatus, explainReplyCode, statusMarkdown } from './status-codes';
