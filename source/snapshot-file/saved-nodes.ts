/**
 * Pure: how nodes from saved files are named and chosen. A saved node keeps its facts
 * as they were; its name says where it came from and when (`node01 @ before.json
 * 2026-11-25 17:18Z`), in the monitor's tabs and titles and in compare's columns, and its
 * target is `file:PATH`.
 */
import path from 'node:path';
import type {NodeSnapshot} from '../schema/types.js';
import {escapeText, truncateText} from '../render/terminal-text.js';
import {SnapshotFileError, type LoadedSnapshot} from './load-snapshot.js';

export const FILE_TARGET_PREFIX = 'file:';

/** 2026-11-25T17:18:07.356Z → 2026-11-25 17:18Z */
function shortTime(iso: string): string {
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return iso;
	return `${date.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

function fileLabel(file: string): string {
	return file === '-' ? 'stdin' : path.basename(file);
}

export function savedNode(node: NodeSnapshot, loaded: LoadedSnapshot): NodeSnapshot {
	return {...node, name: `${node.name} @ ${fileLabel(loaded.file)} ${shortTime(loaded.snapshot.takenAt)}`, target: `${FILE_TARGET_PREFIX}${loaded.file === '-' ? 'stdin' : loaded.file}`};
}

/** Every node of every file, named for where it came from. */
export function savedNodes(files: readonly LoadedSnapshot[]): NodeSnapshot[] {
	return files.flatMap((loaded) => loaded.snapshot.nodes.map((node) => savedNode(node, loaded)));
}

export type CompareOperand = {readonly kind: 'node'; readonly target: string} | {readonly kind: 'file'; readonly file: string; readonly node: string | null};

const looksLikeFile = (text: string, isFile: (p: string) => boolean) => text === '-' || text.endsWith('.json') || isFile(text);

/**
 * A compare operand is a file when it is -, ends in .json or names an existing file
 * (FILE#NODE picks one node of a file that holds several); else it is a node target.
 */
export function classifyOperand(operand: string, isFile: (p: string) => boolean): CompareOperand {
	if (operand === 'local' || operand.startsWith('ssh://')) return {kind: 'node', target: operand};
	if (looksLikeFile(operand, isFile)) return {kind: 'file', file: operand, node: null};
	const hash = operand.lastIndexOf('#');
	if (hash > 0 && looksLikeFile(operand.slice(0, hash), isFile)) return {kind: 'file', file: operand.slice(0, hash), node: operand.slice(hash + 1)};
	return {kind: 'node', target: operand};
}

const names = (nodes: readonly NodeSnapshot[]) => nodes.map((n) => `"${truncateText(escapeText(n.name), 40)}"`).join(', ');

/** The one node of a file that compare takes. */
export function pickNode(loaded: LoadedSnapshot, name: string | null): NodeSnapshot {
	const nodes = loaded.snapshot.nodes;
	if (name !== null) {
		const found = nodes.find((n) => n.name === name);
		if (!found) throw new SnapshotFileError(loaded.file, `no node named "${truncateText(escapeText(name), 40)}" in it (it holds ${names(nodes) || 'none'})`);
		return found;
	}
	if (nodes.length === 1) return nodes[0]!;
	if (nodes.length === 0) throw new SnapshotFileError(loaded.file, 'holds no nodes to compare');
	throw new SnapshotFileError(loaded.file, `holds ${nodes.length} nodes (${names(nodes.slice(0, 5))}${nodes.length > 5 ? ', …' : ''}): name one as FILE#NODE`);
}
