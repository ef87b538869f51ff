/** The four panes, in Tab order. */
import type {SubjectKind} from './row.js';

export const PANES = ['processes', 'namespaces', 'containers', 'pods'] as const;
export type PaneId = (typeof PANES)[number];

export interface PaneInfo {
	readonly title: string;
	/** What the title's count counts. */
	readonly counts: readonly SubjectKind[];
	readonly noun: string;
	readonly shape: 'tree' | 'table';
}

export const PANE_INFO: Readonly<Record<PaneId, PaneInfo>> = {
	processes: {title: 'Processes', counts: ['process', 'shim'], noun: 'processes', shape: 'tree'},
	namespaces: {title: 'Namespaces', counts: ['namespace'], noun: 'namespaces', shape: 'tree'},
	containers: {title: 'Containers', counts: ['container'], noun: 'containers', shape: 'table'},
	pods: {title: 'Pods', counts: ['pod'], noun: 'pods', shape: 'tree'},
};

export function stepPane(pane: PaneId, delta: number): PaneId {
	const index = PANES.indexOf(pane);
	return PANES[(index + delta + PANES.length * 4) % PANES.length]!;
}
