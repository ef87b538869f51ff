/**
 * Pure: the details' network, block IO and pressure fields of a container or pod: totals
 * and rates, each interface and device, each resource's PSI, sparklines of the recent
 * rates, and, where a figure is null, why.
 */
import type {Usage} from '../schema/types.js';
import {blockIoLine, networkLine, pressureLines} from '../render/io-text.js';
import {formatBytes, sparkline} from '../render/usage-text.js';
import type {UsageSeries} from '../model/usage-history.js';

export interface IoField {
	readonly label: string;
	readonly value: string;
}

const field = (label: string, value: string): IoField => ({label, value});

function sparkField(label: string, values: readonly (number | null)[] | undefined): IoField[] {
	if (!values || values.length === 0 || values.every((v) => v === null)) return [];
	const top = Math.max(0, ...values.filter((v): v is number => v !== null));
	return [field(`${label} (${values.length})`, `${sparkline(values, top || undefined)}  ≤ ${formatBytes(top)}/s`)];
}

export function ioFields(usage: Usage, series?: UsageSeries): IoField[] {
	// A saved file from before these figures has none of them: say nothing rather than "unknown".
	if (usage.network === undefined && usage.blockIo === undefined && usage.pressure === undefined) return [];
	const fields: IoField[] = [];
	const net = networkLine(usage);
	if (net === null) {
		fields.push(field('Network', usage.reasons?.network ?? 'unknown'));
	} else {
		fields.push(field('Network', `${net} (without lo)`));
		for (const i of usage.network!.interfaces) {
			const errors = i.rxErrors + i.txErrors + i.rxDropped + i.txDropped;
			fields.push(field(`  ${i.name}`, `↓ ${formatBytes(i.rxBytes)} ${i.rxPackets} pkts ↑ ${formatBytes(i.txBytes)} ${i.txPackets} pkts${errors > 0 ? ` · errors ${i.rxErrors}/${i.txErrors} dropped ${i.rxDropped}/${i.txDropped}` : ''}`));
		}
	}
	fields.push(...sparkField('Net', series?.netBytesPerSecond));
	const io = blockIoLine(usage);
	if (io === null) {
		fields.push(field('Block IO', usage.reasons?.blockIo ?? 'unknown'));
	} else {
		fields.push(field('Block IO', io));
		for (const d of usage.blockIo!.devices) {
			fields.push(field(`  ${d.name ?? d.device}`, `read ${formatBytes(d.readBytes)} (${d.readOps} ops) · written ${formatBytes(d.writeBytes)} (${d.writeOps} ops)${d.name ? ` · ${d.device}` : ''}`));
		}
	}
	fields.push(...sparkField('IO', series?.ioBytesPerSecond));
	const pressure = pressureLines(usage.pressure);
	if (pressure === null) fields.push(field('Pressure', usage.reasons?.pressure ?? 'unknown'));
	else pressure.forEach(([resource, line], i) => fields.push(field(i === 0 ? `Pressure ${resource}` : `  ${resource}`, line)));
	return fields;
}
