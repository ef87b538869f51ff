/**
 * Pure: usage figures as short text for tables, the same in the app and in `crimon
 * snapshot`. A figure that is not known (the first poll's rate, a source that did not
 * answer) is `—`, never 0.
 */
import type {HostUsage, Usage} from '../schema/types.js';

export const UNKNOWN = '—';

/** 0.5 → "0.50", 12.3 → "12.3", 150 → "150". */
export function formatCores(cores: number | null | undefined): string {
	if (cores === null || cores === undefined || !Number.isFinite(cores)) return UNKNOWN;
	if (cores < 10) return cores.toFixed(2);
	if (cores < 100) return cores.toFixed(1);
	return cores.toFixed(0);
}

/** Bytes in the units of `ps`/`top`: 512K, 48M, 1.2G (binary multiples). */
export function formatBytes(bytes: number | null | undefined): string {
	if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return UNKNOWN;
	const units = ['B', 'K', 'M', 'G', 'T', 'P'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	if (unit === 0) return `${Math.round(value)}B`;
	const text = value < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value).toString();
	return `${text}${units[unit]}`;
}

/** CPU % of one core, as htop shows it: 50.0, 3.2, 199. */
export function formatPercent(cores: number | null | undefined): string {
	if (cores === null || cores === undefined || !Number.isFinite(cores)) return UNKNOWN;
	const percent = cores * 100;
	return percent < 100 ? percent.toFixed(1) : percent.toFixed(0);
}

/** A container's CPU cell: cores, and its share of the limit when it has one (`0.50/0.50`). */
export function cpuCell(usage: Usage | null | undefined): string {
	if (!usage) return UNKNOWN;
	const used = formatCores(usage.cpuCores);
	return usage.cpuLimitCores != null ? `${used}/${formatCores(usage.cpuLimitCores)}` : used;
}

/** A container's MEM cell: working set, and its limit when it has one (`48M/128M`). */
export function memCell(usage: Usage | null | undefined): string {
	if (!usage) return UNKNOWN;
	const used = formatBytes(usage.memoryBytes);
	return usage.memoryLimitBytes !== null ? `${used}/${formatBytes(usage.memoryLimitBytes)}` : used;
}

/** Seconds as `1:02:03.4` / `2:03.45` / `3.21s`, for cumulative CPU time. */
export function formatSeconds(seconds: number | null | undefined): string {
	if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return UNKNOWN;
	if (seconds < 60) return `${seconds.toFixed(2)}s`;
	const h = Math.floor(seconds / 3600);
	const m = Math.floor((seconds % 3600) / 60);
	const s = seconds % 60;
	const ss = s.toFixed(1).padStart(4, '0');
	return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The node header: `2 cores, 0.35 busy (18%) · mem 1.2G of 23G · 310 processes · 9 shims, 118M`. */
export function hostLine(host: HostUsage | null | undefined, processes: number, shims: number, shimRssBytes: number | null): string {
	const parts: string[] = [];
	if (host) {
		const share = host.cpuCores === null ? '' : ` (${Math.round((host.cpuCores / host.cpus) * 100)}%)`;
		parts.push(`${host.cpus} core${host.cpus === 1 ? '' : 's'}, ${formatCores(host.cpuCores)} busy${share}`);
		parts.push(`mem ${formatBytes(host.memoryBytes)} of ${formatBytes(host.memoryTotalBytes)}`);
	}
	parts.push(`${processes} process${processes === 1 ? '' : 'es'}`);
	parts.push(`${shims} shim${shims === 1 ? '' : 's'}${shims > 0 ? `, ${formatBytes(shimRssBytes)} RSS` : ''}`);
	return parts.join(' · ');
}

/** The total RSS of the shims, null when any is unknown. */
export function shimRss(shims: readonly {readonly rssBytes?: number | null}[]): number | null {
	let total = 0;
	for (const shim of shims) {
		if (shim.rssBytes == null) return null;
		total += shim.rssBytes;
	}
	return total;
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** Values as a sparkline (nulls are gaps), scaled to `max` or the largest value. */
export function sparkline(values: readonly (number | null)[], max?: number): string {
	const top = max ?? Math.max(0, ...values.filter((v): v is number => v !== null));
	return values.map((v) => {
		if (v === null) return ' ';
		if (!(top > 0)) return SPARKS[0];
		const level = Math.min(SPARKS.length - 1, Math.max(0, Math.round((v / top) * (SPARKS.length - 1))));
		return SPARKS[level];
	}).join('');
}
