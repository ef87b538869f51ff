/**
 * Pure: a saved file's text → its crimon.snapshot/v1 document, or a SnapshotProblem saying
 * in one line what is wrong: empty, truncated, not JSON (where), or what validate-snapshot.ts
 * finds against the schema. Nothing from the text is repeated unescaped.
 */
import type {Snapshot} from '../schema/types.js';
import {escapeText} from '../render/terminal-text.js';
import {SnapshotProblem} from './snapshot-problem.js';
import {validateSnapshot} from './validate-snapshot.js';

function position(message: string): number | null {
	const match = /position (\d+)/.exec(message);
	return match ? Number(match[1]) : null;
}

function lineAndColumn(text: string, at: number): string {
	let line = 1;
	let start = 0;
	for (let i = 0; i < at && i < text.length; i++) {
		if (text.charCodeAt(i) === 10) {
			line++;
			start = i + 1;
		}
	}
	return `line ${line}, column ${at - start + 1}`;
}

/** Pure: the file's text → its document, or a SnapshotProblem (not JSON, truncated, not a snapshot, newer, malformed). */
export function parseSnapshotText(text: string): Snapshot {
	if (text.trim() === '') throw new SnapshotProblem('empty, not a crimon snapshot');
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		// V8's message quotes the input; only the position is taken from it.
		const message = error instanceof Error ? error.message : '';
		const at = position(message);
		const end = text.trimEnd().length;
		if (/end of JSON input|Unterminated/.test(message) || (at !== null && at >= end)) {
			throw new SnapshotProblem(`truncated JSON: it ends (after ${text.length} bytes) in the middle of the document`);
		}
		if (at !== null) throw new SnapshotProblem(`not JSON: a syntax error at ${lineAndColumn(text, at)}`);
		// Short inputs get V8's message without a position: name the character it stopped at.
		const token = /^Unexpected token '(.)'/u.exec(message)?.[1];
		throw new SnapshotProblem(token === undefined ? 'not JSON: a syntax error' : `not JSON: a syntax error at "${escapeText(token)}"${text.indexOf(token) >= 0 ? ` (${lineAndColumn(text, text.indexOf(token))})` : ''}`);
	}
	return validateSnapshot(value);
}
