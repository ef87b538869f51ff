/** Pure: a snapshot in the format `crimon snapshot --format` asks for. */

import type {Snapshot} from '../schema/types.js';
import {renderPrometheus, type NodeMetrics} from './prometheus-snapshot.js';
import {renderSnapshotJson, renderSnapshotText, type TextOptions} from './text-snapshot.js';

export type OutputFormat = 'text' | 'json' | 'prometheus';

export interface FormatOptions {
	readonly text: TextOptions;
	/** Per node, in the snapshot's order: whether the last poll reached it and how long it took (live polls only). */
	readonly polls?: readonly Omit<NodeMetrics, 'node'>[];
	/** JSON on one line (NDJSON). */
	readonly oneLine?: boolean;
}

export function renderSnapshotAs(format: OutputFormat, snapshot: Snapshot, options: FormatOptions): string {
	switch (format) {
		case 'text':
			return renderSnapshotText(snapshot, options.text);
		case 'json':
			return renderSnapshotJson(snapshot, options.oneLine ? 0 : 2);
		case 'prometheus':
			return renderPrometheus(snapshot.nodes.map((node, i) => ({...options.polls?.[i], node})));
	}
}
