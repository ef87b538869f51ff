/**
 * Pure: a node's diagnosis as lines, for `crimon snapshot` and the app's Node pane alike.
 * Lines carry one style each so the headless painter and Ink render the same words.
 * Every string that came from the node (paths, names, flags, and the finding messages,
 * which quote them) passes through escapeText. Messages wrap rather than cut: they are
 * the part an operator acts on.
 */
import type {Diagnosis, Finding, FindingSubject, KubeadmPick, NodeSnapshot} from '../schema/types.js';
import {escapeText, textWidth, truncateText} from './terminal-text.js';
import {painter, type Style} from './text-style.js';

export interface StyledLine {
	readonly text: string;
	readonly style: Style | null;
}

const safe = (text: string) => escapeText(text);

const SEVERITY_STYLE: Record<Finding['severity'], Style> = {error: 'red', warn: 'yellow', info: 'cyan'};

/** Word-wraps already-escaped text to `width` columns; the first line gets `first`, the rest `rest` as indent. */
export function wrapText(text: string, width: number, first: string, rest: string): string[] {
	const out: string[] = [];
	let current = first;
	let empty = true;
	for (const word of text.split(' ')) {
		if (word === '') continue;
		const candidate = empty ? current + word : `${current} ${word}`;
		if (!empty && textWidth(candidate) > width) {
			out.push(current);
			current = rest + word;
		} else {
			current = candidate;
		}
		empty = false;
	}
	out.push(current);
	return out.map((line) => (textWidth(line) > width ? truncateText(line, width) : line));
}

function cut(text: string, width: number): string {
	return textWidth(text) > width ? truncateText(text, width) : text;
}

const SOURCE_WORDS: Record<string, string> = {
	'flags': 'its command line',
	'kubeadm-flags.env': '/var/lib/kubelet/kubeadm-flags.env',
	'config': 'its --config file',
	'default': 'its built-in default',
};

function subjectText(subject: FindingSubject): string {
	const detail = subject.detail ? ` — ${safe(subject.detail)}` : '';
	switch (subject.kind) {
		case 'pod':
			return `pod ${safe(subject.namespace ?? '')}/${safe(subject.name)}`;
		case 'kubelet':
			return `kubelet pid ${safe(subject.id)}${detail}`;
		case 'socket':
			return `socket ${safe(subject.name)}${detail}`;
		case 'shim':
			return `shim pid ${safe(subject.id)} ${safe(subject.name)}${subject.namespace ? ` (ns ${safe(subject.namespace)})` : ''}${detail}`;
		case 'process':
			return `pid ${safe(subject.id)} ${safe(subject.name)}${detail}`;
		case 'container': {
			const pod = subject.pod ? ` in pod ${safe(subject.pod.namespace)}/${safe(subject.pod.name)}` : '';
			const ns = subject.namespace ? ` (ns ${safe(subject.namespace)})` : '';
			return `${safe(subject.name)}${ns}${pod}${detail}`;
		}
	}
}

function kubeadmText(pick: KubeadmPick): string {
	const target = pick.endpoint ? `${pick.runtime} at ${safe(pick.endpoint)}` : 'no choice';
	const answers = pick.answers === null ? '' : pick.answers ? '; it answers' : '; it does not answer';
	return `${pick.rules === '1.14-1.23' ? 'kubeadm 1.14–1.23' : 'kubeadm 1.24+'} → ${target} (${safe(pick.reason)}${answers})`;
}

export function criSummary(diagnosis: Diagnosis | null): string {
	if (!diagnosis) return 'unknown (node not reached)';
	const {cri} = diagnosis;
	const runtime = cri.runtime === 'unknown' ? 'unknown runtime' : cri.runtime;
	const from = cri.how === 'kubelet' ? 'from the kubelet' : cri.how === 'probe' ? 'probed, no kubelet' : cri.how === 'forced' ? 'from --cri-socket' : 'no kubelet, no CRI';
	return `${runtime} (${from})`;
}

export function diagnosisLines(diagnosis: Diagnosis | null, width: number, options: {maxSubjects?: number} = {}): StyledLine[] {
	const out: StyledLine[] = [];
	const push = (text: string, style: Style | null = null) => out.push({text: cut(text, width), style});
	if (!diagnosis) {
		push('  (no diagnosis: the node was not reached)', 'dim');
		return out;
	}
	const {kubelet, cri, findings} = diagnosis;
	const label = (name: string) => `  ${name.padEnd(9)} `;
	const indent = ' '.repeat(12);

	if (kubelet) {
		const version = kubelet.version ? `v${safe(kubelet.version.replace(/^v/, ''))}` : 'version unknown';
		push(`${label('kubelet')}pid ${kubelet.pid} · ${version} · ${safe(kubelet.binary)}`);
		for (const line of wrapText(safe(kubelet.versionNote), width, `${indent}version: `, `${indent}  `)) push(line, 'dim');
		const flags = kubelet.containerRuntime ? ` (--container-runtime=${safe(kubelet.containerRuntime)})` : '';
		const from = kubelet.endpointSource ? ` from ${SOURCE_WORDS[kubelet.endpointSource] ?? kubelet.endpointSource}` : '';
		push(`${indent}CRI endpoint ${kubelet.endpoint ? safe(kubelet.endpoint) : 'unknown'}${from}${flags}`);
		if (kubelet.configFile) push(`${indent}config ${safe(kubelet.configFile)}`, 'dim');
	} else {
		push(`${label('kubelet')}none running`, 'dim');
	}

	const answers = cri.answers === null ? '' : cri.answers ? ' · answers' : ' · does not answer';
	const runtimeStyle: Style | null = cri.runtime === 'dockershim' ? 'yellow' : cri.runtime === 'unknown' ? 'dim' : 'green';
	push(`${label('CRI')}${cri.runtime}${cri.endpoint ? ` at ${safe(cri.endpoint)}` : ''} · ${cri.how === 'kubelet' ? 'the kubelet\'s' : cri.how === 'probe' ? 'probed' : cri.how}${answers}`, runtimeStyle);
	for (const line of wrapText(safe(cri.why), width, `${indent}why: `, `${indent}  `)) push(line, 'dim');
	if (cri.answering.length > 0) push(`${indent}serving the CRI: ${cri.answering.map(safe).join(', ')}`, 'dim');
	for (const pick of cri.kubeadm ?? []) {
		for (const line of wrapText(kubeadmText(pick), width, indent, `${indent}  `)) push(line);
	}

	if (findings.length === 0) {
		push(`${label('findings')}none`, 'green');
		return out;
	}
	push(`${label('findings')}${findings.length}`);
	const maxSubjects = options.maxSubjects ?? Number.POSITIVE_INFINITY;
	for (const f of findings) {
		const head = `    ${f.severity.toUpperCase().padEnd(5)} ${f.code}: `;
		const lines = wrapText(safe(f.message), width, head, ' '.repeat(10));
		push(lines[0]!, SEVERITY_STYLE[f.severity]);
		for (const line of lines.slice(1)) push(line);
		const shown = f.subjects.slice(0, maxSubjects);
		for (const subject of shown) push(`${' '.repeat(10)}· ${subjectText(subject)}`, 'dim');
		if (f.subjects.length > shown.length) push(`${' '.repeat(10)}· … ${f.subjects.length - shown.length} more`, 'dim');
	}
	return out;
}

export function paintLines(lines: readonly StyledLine[], color: boolean): string[] {
	const paint = painter(color);
	return lines.map((line) => (line.style ? paint(line.style, line.text) : line.text));
}

/** The "Diagnosis" section of `crimon snapshot`'s text. */
export function renderDiagnosisSection(node: NodeSnapshot, options: {color: boolean; maxWidth: number}): string[] {
	const paint = painter(options.color);
	// Piped output has a huge maxWidth; wrap messages at a readable width all the same.
	const width = Math.min(options.maxWidth, 160);
	return [paint('bold', 'Diagnosis') + paint('dim', ` — ${criSummary(node.diagnosis ?? null)}`), ...paintLines(diagnosisLines(node.diagnosis ?? null, width), options.color)];
}
