import {memo, useMemo} from 'react';
import type {NodeSnapshot} from '../source/schema/types.js';
import {criSummary, diagnosisLines, wrapText, type StyledLine} from '../source/render/text-diagnosis.js';
import {escapeText} from '../source/render/terminal-text.js';
import type {Style} from '../source/render/text-style.js';
import {fitSegments, type Line} from '../source/ui/lines.js';
import {seg, type Tone} from '../source/ui/row.js';
import {memoOnSnapshot} from '../source/ui/snapshot-memo.js';
import type {Theme} from '../source/ui/theme.js';
import {TextPanel} from './TextPanel.js';

const TONE_OF: Record<Style, Tone> = {
	bold: 'heading', dim: 'dim', red: 'bad', yellow: 'warn', green: 'ok', cyan: 'runtime', magenta: 'shim',
};

/** Pure: styled lines (already escaped) → the app's segment lines, each exactly `width` wide. */
export function toLines(lines: readonly StyledLine[], width: number): Line[] {
	return lines.map((line) => fitSegments([seg(line.text, line.style ? TONE_OF[line.style] : 'plain')], width));
}

/**
 * Pure: the window of lines the pane shows. When they do not fit, the last row says how
 * many more there are, so nothing disappears silently.
 */
export function windowOf(lines: readonly Line[], width: number, height: number, scroll: number): Line[] {
	if (height <= 0) return [];
	const top = Math.max(0, Math.min(scroll, Math.max(0, lines.length - height)));
	if (lines.length - top <= height) return lines.slice(top, top + height);
	const shown = lines.slice(top, top + height - 1);
	const more = lines.length - top - shown.length;
	return [...shown, fitSegments([seg(`… ${more} more line${more === 1 ? '' : 's'} (scroll)`, 'dim')], width)];
}

/** The pane's lines, built once per snapshot and width (the pane draws them, Screen counts them). */
export function nodePaneLines(node: NodeSnapshot | null, width: number): Line[] {
	if (!node) return toLines([{text: 'waiting for the first poll…', style: 'dim'}], width);
	return nodeLinesOf(node, String(width));
}

const nodeLinesOf = memoOnSnapshot((node: NodeSnapshot, key: string): Line[] => {
	const width = Number(key);
	const head: StyledLine[] = [
		{text: `${escapeText(node.name)} — ${criSummary(node.diagnosis ?? null)}`, style: 'bold'},
	];
	if (!node.ok) head.push({text: `unreachable: ${escapeText(node.errors[0]?.message ?? 'no answer')}`, style: 'red'});
	// Every failed source, in full, first: the footer counts them and its key opens this pane here.
	const failed = node.ok ? node.errors : node.errors.slice(1);
	if (failed.length > 0) {
		head.push({text: `  failed sources (${failed.length}); the rest of the node still shows`, style: 'yellow'});
		for (const error of failed) {
			for (const text of wrapText(escapeText(`${error.source}: ${error.message}`), width, '    ✗ ', '      ')) head.push({text, style: 'yellow'});
		}
	}
	return toLines([...head, ...diagnosisLines(node.diagnosis ?? null, width)], width);
});

export interface NodePaneProps {
	readonly node: NodeSnapshot | null;
	readonly width: number;
	readonly height: number;
	readonly theme: Theme;
	/** First line shown. */
	readonly scroll?: number;
}

/** The Node pane: which runtime really runs this node (kubelet, CRI, kubeadm's picks) and the findings. */
export const NodePane = memo(function NodePane({node, width, height, theme, scroll = 0}: NodePaneProps) {
	const lines = useMemo(() => nodePaneLines(node, width), [node, width]);
	return <TextPanel lines={windowOf(lines, width, height, scroll)} width={width} height={height} theme={theme} />;
});
