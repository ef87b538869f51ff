/** The panes, in Tab order: four lists of rows, the node's live events, then its diagnosis as text. */
import type {SubjectKind} from './row.js';

export const PANES = ['processes', 'namespaces', 'containers', 'pods', 'events', 'node'] as const;
export type PaneId = (typeof PANES)[number];

/** The panes with rows to move a cursor over, filter, and open details of. */
export const ROW_PANES: readonly PaneId[] = ['processes', 'namespaces', 'containers', 'pods', 'events'];

export interface PaneInfo {
	readonly title: string;
	/** What the title's count counts. */
	readonly counts: readonly SubjectKind[];
	readonly noun: string;
	/** text: scrolled lines, no rows (the Node pane). */
	readonly shape: 'tree' | 'table' | 'text';
}

export const PANE_INFO: Readonly<Record<PaneId, PaneInfo>> = {
	processes: {title: 'Processes', counts: ['process', 'shim'], noun: 'processes', shape: 'tree'},
	namespaces: {title: 'Namespaces', counts: ['namespace'], noun: 'namespaces', shape: 'tree'},
	containers: {title: 'Containers', counts: ['container'], noun: 'containers', shape: 'table'},
	pods: {title: 'Pods', counts: ['pod'], noun: 'pods', shape: 'tree'},
	node: {title: 'Node', counts: [], noun: 'findings', shape: 'text'},
	// Rows of the node's event ring (ui/event-rows.ts); a table's rows all count as 'container'.
	events: {title: 'Events', counts: ['container'], noun: 'events', shape: 'table'},
};

export function stepPane(pane: PaneId, delta: number): PaneId {
	const index = PANES.indexOf(pane);
	return PANES[(index + delta + PANES.length * 4) % PANES.length]!;
}
