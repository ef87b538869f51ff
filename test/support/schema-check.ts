/**
 * Every saved snapshot a test writes or reads is held to the published JSON Schema
 * (schema/snapshot.schema.json) with ajv, as a user validating piped output would: the
 * schema as shipped, standard date-time (ajv-formats), no defaults filled in.
 */
import fs from 'node:fs';
import path from 'node:path';
import {Ajv} from 'ajv';
import addFormatsModule from 'ajv-formats';
import type {ComparisonDocument} from '../../source/model/compare.js';
import type {Snapshot} from '../../source/schema/types.js';

export const SCHEMA_PATH = path.resolve(import.meta.dirname, '..', '..', 'schema', 'snapshot.schema.json');
const COMPARE_SCHEMA_PATH = path.resolve(import.meta.dirname, '..', '..', 'schema', 'compare.schema.json');

// CommonJS under Node's ESM: the default import is module.exports, whose .default is the plugin too.
const addFormats = addFormatsModule.default;
const ajv = new Ajv({allErrors: true, allowUnionTypes: true});
addFormats(ajv);
const check = ajv.compile<Snapshot>(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')));
const checkComparison = ajv.compile<ComparisonDocument>(JSON.parse(fs.readFileSync(COMPARE_SCHEMA_PATH, 'utf8')));

function errorsOf(valid: boolean, errors: typeof check.errors): string[] {
	return valid ? [] : (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

/** ajv's complaints about a document (empty when it is a valid crimon.snapshot/v1 document). */
export const schemaErrors = (document: unknown): string[] => errorsOf(check(document), check.errors);

/** The same for crimon.compare/v1 (schema/compare.schema.json). */
export const compareSchemaErrors = (document: unknown): string[] => errorsOf(checkComparison(document), checkComparison.errors);

/** `JSON.parse` of what `crimon compare --json` printed, held to its schema. */
export function parseComparison(text: string): ComparisonDocument {
	const document: unknown = JSON.parse(text);
	const errors = compareSchemaErrors(document);
	if (errors.length > 0) throw new Error(`not a valid crimon.compare/v1 document (${COMPARE_SCHEMA_PATH}): ${errors.slice(0, 5).join('; ')}`);
	return document as ComparisonDocument;
}

/** The document, after it passed the published schema; throws naming the first problems. */
export function checkedSnapshot(document: unknown): Snapshot {
	const errors = schemaErrors(document);
	if (errors.length > 0) throw new Error(`not a valid crimon.snapshot/v1 document (${SCHEMA_PATH}): ${errors.slice(0, 5).join('; ')}`);
	return document as Snapshot;
}

/** `JSON.parse` of what crimon printed or saved, held to the schema. */
export const parseSavedSnapshot = (text: string): Snapshot => checkedSnapshot(JSON.parse(text));
