// Lookup tables: parsing, checking and querying them as Postfix 3.7 does.
// See README notes in each module; everything public is re-exported here.

export * from './codes';
export * from './text';
export * from './fold';
export * from './inet';
export * from './access';
export * from './access-parse';
export * from './access-bytes';
export * from './aliases';
export * from './cidr';
export * from './regexp';
export * from './inline';
export * from './references';
export * from './open';
export { toBytes, fromBytes } from './regex/bytes';
export { translatePcre, defaultPcreOptions } from './regex/pcre';
export type { PcreOptions, RegexTranslation } from './regex/pcre';
export { translatePosix, posixSubject, POSIX_ERRORS } from './regex/posix';
export type { PosixOptions } from './regex/posix';
