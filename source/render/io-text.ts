/**
 * Pure: network, block IO and pressure as short text, the same in the app's columns and
 * details and in `crimon snapshot`. Unknown is `—`; a container whose network is its pod's
 * says `pod`, one in the host's network namespace says `host`.
 */
import {HOST_NETNS, ioRate, netRate} from '../model/io-usage.js';
import type {NodeSnapshot, PressureFigures, PressureUsage, Usage} from '../schema/types.js';
import {formatBytes, UNKNOWN} from './usage-text.js';


/** The NET column: bytes a second both ways, `pod` when the pod has them, `host` in the host's namespace. */
export function netCell(usage: Usage | null | undefined): string {
	if (!usage) return UNKNOWN;
	if (usage.network == null) {
		if (usage.networkSharedWith) return 'pod';
		if (usage.reasons?.network === HOST_NETNS) return 'host';
		return UNKNOWN;
	}
	const rate = netRate(usage);
	return rate === null ? UNKNOWN : formatBytes(rate);
}

export function ioCell(usage: Usage | null | undefined): string {
	const rate = ioRate(usage);
	return rate === null ? UNKNOWN : formatBytes(rate);
}

const rate = (bytes: number | null) => (bytes === null ? `${UNKNOWN}/s` : `${formatBytes(bytes)}/s`);

/** `↓ 11M (1.2M/s) ↑ 11K (0B/s)`. */
export function networkLine(usage: Usage): string | null {
	const n = usage.network;
	if (!n) return null;
	return `↓ ${formatBytes(n.rxBytes)} (${rate(n.rxBytesPerSecond)}) ↑ ${formatBytes(n.txBytes)} (${rate(n.txBytesPerSecond)})`;
}

export function blockIoLine(usage: Usage): string | null {
	const b = usage.blockIo;
	if (!b) return null;
	return `read ${formatBytes(b.readBytes)} (${rate(b.readBytesPerSecond)}, ${b.readOps} ops) · written ${formatBytes(b.writeBytes)} (${rate(b.writeBytesPerSecond)}, ${b.writeOps} ops)`;
}

const pct = (value: number | null) => (value === null ? UNKNOWN : `${value.toFixed(2)}%`);

/** `some 0.15% 0.11% · full 0.15% 0.11% (avg60, avg300)` for one resource. */
function pressureLine(figures: PressureFigures | null): string {
	if (!figures) return UNKNOWN;
	const full = figures.fullAvg10 === null ? 'full —' : `full ${pct(figures.fullAvg10)} ${pct(figures.fullAvg60)} ${pct(figures.fullAvg300)}`;
	return `some ${pct(figures.someAvg10)} ${pct(figures.someAvg60)} ${pct(figures.someAvg300)} · ${full} (avg10 avg60 avg300)`;
}

/** The three resources' lines with their names, or null when there is no pressure. */
export function pressureLines(pressure: PressureUsage | null | undefined): [string, string][] | null {
	if (!pressure) return null;
	return [['cpu', pressureLine(pressure.cpu)], ['memory', pressureLine(pressure.memory)], ['io', pressureLine(pressure.io)]];
}

/** The node header's pressure line: `pressure (some avg60) cpu 45.6% · memory 0.00% · io 1.48%`; null for a saved file without it. */
export function nodePressureLine(node: NodeSnapshot): string | null {
	if (node.pressure === undefined) return null;
	if (node.pressure === null) return `pressure: ${node.pressureReason ?? 'unknown'}`;
	const p = node.pressure;
	return `pressure (some avg60) cpu ${pct(p.cpu?.someAvg60 ?? null)} · memory ${pct(p.memory?.someAvg60 ?? null)} · io ${pct(p.io?.someAvg60 ?? null)}`;
}
