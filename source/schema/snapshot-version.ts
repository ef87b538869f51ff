/** The contract's name and version: adding fields keeps it; renaming or removing one needs v2. */
export const SNAPSHOT_SCHEMA = 'crimon.snapshot/v1';
/** `crimon compare --json`'s document: the same rule. */
export const COMPARE_SCHEMA = 'crimon.compare/v1';
