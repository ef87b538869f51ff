/**
 * Pure: metric families → Prometheus's text exposition format (version 0.0.4), the format
 * node_exporter's textfile collector reads and `/metrics` serves.
 *
 * Label values are escaped as the format requires (backslash, double quote, newline), and
 * every other control or bidi character a node chose becomes the same visible escape the
 * text output shows (an ESC reads `\x1b`), so a hostile name can neither break the format
 * nor act on a terminal that prints the file.
 */
import {escapeText} from './terminal-text.js';

type MetricType = 'gauge' | 'counter';

export interface Sample {
	/** Label names and values, in the order they are printed. */
	readonly labels: readonly (readonly [string, string])[];
	readonly value: number;
}

export interface MetricFamily {
	readonly name: string;
	readonly help: string;
	readonly type: MetricType;
	readonly samples: readonly Sample[];
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value as the format writes it between its quotes. */
const PLAIN = /^[\u0020\u0021\u0023-\u005b\u005d-\u007e]*$/;

export function escapeLabelValue(value: string): string {
	// Printable ASCII without a quote or backslash, by far the common case, needs nothing.
	if (PLAIN.test(value)) return value;
	// Newlines keep their meaning (the format's own \n); the rest is made visible first, then
	// every backslash, the ones escapeText wrote included, is doubled so the format keeps it.
	return value
		.split('\n')
		.map((piece) => escapeText(piece).replace(/[\\"]/g, (c) => `\\${c}`))
		.join('\\n');
}

/** HELP text: the format escapes backslash and newline there. */
function escapeHelp(text: string): string {
	return escapeText(text.replace(/\n/g, ' ')).replace(/\\/g, '\\\\');
}

function formatValue(value: number): string {
	if (Number.isNaN(value)) return 'NaN';
	if (value === Number.POSITIVE_INFINITY) return '+Inf';
	if (value === Number.NEGATIVE_INFINITY) return '-Inf';
	return String(value);
}

function sampleLine(name: string, sample: Sample): string {
	if (sample.labels.length === 0) return `${name} ${formatValue(sample.value)}`;
	let text = `${name}{`;
	for (let i = 0; i < sample.labels.length; i++) {
		const [key, value] = sample.labels[i]!;
		if (!LABEL_NAME.test(key) || key.startsWith('__')) throw new Error(`bad label name ${JSON.stringify(key)} on ${name}`);
		text += `${i > 0 ? ',' : ''}${key}="${escapeLabelValue(value)}"`;
	}
	return `${text}} ${formatValue(sample.value)}`;
}

/**
 * The exposition text. Families without samples still print their HELP and TYPE, so a
 * scrape always says what crimon can report. Two samples of one family with the same label
 * set would make the whole scrape fail, so the first wins and the rest are dropped.
 */
export function renderExposition(families: readonly MetricFamily[]): string {
	const out: string[] = [];
	const seen = new Set<string>();
	for (const family of families) {
		if (!NAME.test(family.name)) throw new Error(`bad metric name ${JSON.stringify(family.name)}`);
		if (seen.has(family.name)) throw new Error(`metric family ${family.name} given twice`);
		seen.add(family.name);
		out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
		const series = new Set<string>();
		for (const sample of family.samples) {
			const line = sampleLine(family.name, sample);
			const key = line.slice(0, line.lastIndexOf(' '));
			if (series.has(key)) continue;
			series.add(key);
			out.push(line);
		}
	}
	return out.length === 0 ? '' : out.join('\n') + '\n';
}
