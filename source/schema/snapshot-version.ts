/** The contract's name and version: adding fields keeps it; renaming or removing one needs v2. */
export const SNAPSHOT_SCHEMA = 'crimon.snapshot/v1';
