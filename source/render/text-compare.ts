/**
 * Pure: a comparison of two nodes as lines in two columns, for `crimon compare` and the
 * app's split view. Node-provided text passes through escapeText; cells are cut to
 * their column with a visible mark (the JSON keeps everything whole).
 */
import {type CompareItem, type CompareSide, type ComparisonDocument, type NodeComparison, type OneSided} from '../model/compare.js';
import {escapeJson, escapeText, fitText, textWidth, truncateText} from './terminal-text.js';
import {paintLines, type StyledLine} from './text-diagnosis.js';
import type {Style} from './text-style.js';

const safe = (text: string) => escapeText(text);

export interface CompareLayout {
	readonly width: number;
	/** Items listed per one-sided group before "… n more". */
	readonly maxItems?: number;
}

function columns(width: number): {label: number; side: number} {
	// Wide enough for the longest finding code (kubelet-config-unreadable) when there is room.
	const label = Math.max(12, Math.min(25, Math.floor(width / 4)));
	const side = Math.max(8, Math.floor((width - label - 4) / 2));
	return {label, side};
}

function row(label: string, a: string, b: string, width: number): string {
	const {label: lw, side} = columns(width);
	const text = `  ${fitText(label, lw)} ${fitText(a, side)} ${fitText(b, side)}`.trimEnd();
	return textWidth(text) > width ? truncateText(text, width) : text;
}

const dash = '—';

function kubeletCell(side: CompareSide): string {
	if (!side.ok) return dash;
	if (!side.kubelet) return 'none';
	return `pid ${side.kubelet.pid}${side.kubelet.version ? ` v${safe(side.kubelet.version.replace(/^v/, ''))}` : ''}`;
}

function runtimeCell(side: CompareSide): string {
	if (!side.ok) return 'unreachable';
	const how = side.how === 'kubelet' ? "kubelet's" : side.how === 'probe' ? 'probed' : side.how ?? '';
	return `${side.runtime}${how ? ` · ${how}` : ''}`;
}

function runtimeStyle(side: CompareSide): Style | null {
	if (!side.ok) return 'red';
	if (side.runtime === 'dockershim') return 'yellow';
	return null;
}

function itemText(item: CompareItem): string {
	const count = item.count > 1 ? ` ×${item.count}` : '';
	const names = item.names.length === 1 && item.names[0] === item.key ? '' : ` [${item.names.map(safe).join(', ')}]`;
	return `${safe(item.key)}${count} (${item.where.map(safe).join(', ')})${names}`;
}

function oneSidedLines(title: string, group: OneSided, a: CompareSide, b: CompareSide, layout: CompareLayout): StyledLine[] {
	const out: StyledLine[] = [];
	const cut = (text: string) => (textWidth(text) > layout.width ? truncateText(text, layout.width) : text);
	const max = layout.maxItems ?? Number.POSITIVE_INFINITY;
	out.push({text: cut(`${title} — ${group.both} on both`), style: 'bold'});
	for (const [side, items] of [[a, group.onlyA], [b, group.onlyB]] as const) {
		out.push({text: cut(`  only on ${safe(side.label)} (${items.length})`), style: items.length > 0 ? 'yellow' : 'dim'});
		for (const item of items.slice(0, max)) out.push({text: cut(`    ${itemText(item)}`), style: null});
		if (items.length > max) out.push({text: `    … ${items.length - max} more`, style: 'dim'});
	}
	return out;
}

export function compareLines(comparison: NodeComparison, layout: CompareLayout): StyledLine[] {
	const {a, b} = comparison;
	const w = layout.width;
	const out: StyledLine[] = [];
	const push = (text: string, style: Style | null = null) => out.push({text, style});
	const headline = `━━ ${safe(comparison.headline)}`;
	push(textWidth(headline) > w ? truncateText(headline, w) : headline, 'bold');
	push(row('', safe(a.label), safe(b.label), w), 'bold');
	push(row('target', safe(a.target), safe(b.target), w), 'dim');
	push(row('kubelet', kubeletCell(a), kubeletCell(b), w));
	const runtimeRow = row('runtime', runtimeCell(a), runtimeCell(b), w);
	push(runtimeRow, runtimeStyle(a) ?? runtimeStyle(b));
	push(row('CRI endpoint', safe(a.endpoint ?? dash), safe(b.endpoint ?? dash), w));
	push(row('CRI read', safe(a.cri ?? dash), safe(b.cri ?? dash), w), 'dim');
	push(row('containerd', safe(a.containerd ?? dash), safe(b.containerd ?? dash), w));
	push(row('Docker', safe(a.docker ?? dash), safe(b.docker ?? dash), w));
	push(row('containers/pods', `${a.counts.containers} / ${a.counts.pods}`, `${b.counts.containers} / ${b.counts.pods}`, w));

	push('');
	push(row('Shims', 'v1 / v2', 'v1 / v2', w), 'bold');
	if (comparison.shims.length === 0) push('  (no containerd namespaces, no shims)', 'dim');
	for (const shim of comparison.shims) {
		const cell = (c: {v1: number; v2: number}) => (c.v1 + c.v2 === 0 ? dash : `${c.v1} / ${c.v2}`);
		const warn = shim.a.v1 + shim.b.v1 > 0;
		push(row(safe(shim.namespace), cell(shim.a), cell(shim.b), w), warn ? 'cyan' : null);
	}

	push('');
	out.push(...oneSidedLines('Pods', comparison.pods, a, b, layout));
	push('');
	out.push(...oneSidedLines('Containers', comparison.containers, a, b, layout));

	push('');
	push(row('Findings', safe(a.label), safe(b.label), w), 'bold');
	if (comparison.findings.length === 0) push('  none on either node', 'green');
	for (const f of comparison.findings) {
		const cell = (x: {severity: string; subjects: number} | null) => (x ? `${x.severity.toUpperCase()}${x.subjects > 0 ? ` (${x.subjects})` : ''}` : dash);
		const severity = f.a?.severity === 'error' || f.b?.severity === 'error' ? 'red' : f.a?.severity === 'warn' || f.b?.severity === 'warn' ? 'yellow' : null;
		push(row(f.code, cell(f.a), cell(f.b), w), severity);
	}
	return out;
}

/** The snapshot command that shows both sides in full: saved sides (file:PATH) are read with --from, which does not mix with --node. */
function detailsCommand(a: string, b: string): string {
	const flag = (target: string) => (target.startsWith('file:') ? `--from ${safe(target.slice(5))}` : `--node ${safe(target)}`);
	if (a.startsWith('file:') === b.startsWith('file:')) return `crimon snapshot ${flag(a)} ${flag(b)}`;
	return `crimon snapshot ${flag(a)}; crimon snapshot ${flag(b)}`;
}

export function renderCompareText(comparison: NodeComparison, options: {color: boolean; maxWidth: number}): string {
	// Piped output gets a fixed readable width: two columns of 4096 help nobody.
	const width = Math.min(options.maxWidth, 160);
	const lines = compareLines(comparison, {width});
	lines.push({text: '', style: null});
	lines.push({text: `details: ${detailsCommand(comparison.a.target, comparison.b.target)}`, style: 'dim'});
	return paintLines(lines, options.color).join('\n') + '\n';
}

export function renderCompareJson(document: ComparisonDocument): string {
	return escapeJson(JSON.stringify(document, null, 2)) + '\n';
}
