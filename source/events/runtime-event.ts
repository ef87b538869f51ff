/** One thing that happened on a node's runtime, as crimon keeps and prints it. */

type EventSource = 'containerd' | 'docker';

/** What crimon makes of a topic: the kinds the Events pane and the health findings tell apart. */
export type EventKind = 'start' | 'exit' | 'oom' | 'delete' | 'create' | 'update' | 'container-delete' | 'restart'
	| 'task-create' | 'sandbox-create' | 'sandbox-start' | 'sandbox-exit' | 'other';

export interface RuntimeEvent {
	/** ms since the epoch, as the runtime stamped it (else when it arrived). */
	readonly at: number;
	/** containerd's namespace (Docker's events: moby); null when the runtime gives none. */
	readonly namespace: string | null;
	/** containerd's topic (`/tasks/exit`), or Docker's `container/die`. */
	readonly topic: string;
	readonly kind: EventKind;
	/** The container's id; null for events about something else (images, snapshots). */
	readonly id: string | null;
	/** The exec's id for a process that is not the container's init (exec'd processes). */
	readonly execId: string | null;
	readonly pid: number | null;
	readonly exitStatus: number | null;
	/** Docker's name for the container, when Docker said it. */
	readonly name: string | null;
	readonly source: EventSource;
}

/** Whether an exit or delete is of the container's init (not of a process exec'd into it). */
export function isInitEvent(event: RuntimeEvent): boolean {
	return event.execId === null || event.execId === '' || event.execId === event.id;
}
