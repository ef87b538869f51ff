/**
 * The shapes every pane's rows share. Row builders escape node text as they build
 * (see render/terminal-text.ts), so any Segment text is already safe to print; views
 * only cut and pad it.
 */

/** What a colour theme maps to an attribute; text stays readable with every tone plain. */
export type Tone =
	| 'plain'
	| 'dim'
	| 'heading'
	| 'runtime'
	| 'shim'
	| 'container'
	| 'sandbox'
	| 'pod'
	| 'namespace'
	| 'ok'
	| 'warn'
	| 'bad'
	| 'key'
	| 'active';

export interface Segment {
	readonly text: string;
	readonly tone: Tone;
}

/** What a row is about: enough to find it again in a snapshot for the details view. */
export type Subject =
	| {readonly kind: 'process'; readonly pid: number}
	| {readonly kind: 'shim'; readonly pid: number}
	| {readonly kind: 'container'; readonly id: string; readonly namespace: string | null}
	| {readonly kind: 'pod'; readonly id: string}
	| {readonly kind: 'namespace'; readonly name: string | null};

export type SubjectKind = Subject['kind'];

/** One row before filtering and folding. `depth` is 0 for table rows and tree roots. */
export interface Item {
	/** Stable across polls, unique within a pane: the cursor and folds follow it. */
	readonly key: string;
	readonly depth: number;
	readonly subject: Subject;
	/** Columns drawn before the tree guide (the process pane's PID, USER, STATE). */
	readonly lead: readonly Segment[];
	/** The row's text after the guide, or a table row's cells in column order. */
	readonly segments: readonly Segment[];
	/** Lower-cased raw text the filter searches. */
	readonly haystack: string;
	/** Pids whose /proc entries this row shows; the poller re-reads them while on screen. */
	readonly pids: readonly number[];
}

export interface ItemSpec {
	readonly key: string;
	readonly depth: number;
	readonly subject: Subject;
	readonly pids: readonly number[];
	readonly draw: () => {readonly lead?: readonly Segment[]; readonly segments: readonly Segment[]};
	readonly search: () => string;
}

/**
 * An item whose text is worked out on first use: a pane of 10,000 rows draws only the
 * screenful in view, and builds its search text only once a filter is typed.
 */
export function lazyItem(spec: ItemSpec): Item {
	return new LazyItem(spec);
}

// A class, not an object literal with getters: V8 shares one shape and prototype among
// ten thousand of these instead of building accessors per object.
class LazyItem implements Item {
	readonly key: string;
	readonly depth: number;
	readonly subject: Subject;
	readonly pids: readonly number[];
	private drawn: ReturnType<ItemSpec['draw']> | undefined = undefined;
	private searched: string | undefined = undefined;

	constructor(private readonly spec: ItemSpec) {
		this.key = spec.key;
		this.depth = spec.depth;
		this.subject = spec.subject;
		this.pids = spec.pids;
	}

	get lead(): readonly Segment[] {
		return (this.drawn ??= this.spec.draw()).lead ?? [];
	}

	get segments(): readonly Segment[] {
		return (this.drawn ??= this.spec.draw()).segments;
	}

	get haystack(): string {
		return (this.searched ??= this.spec.search());
	}
}

export function seg(text: string, tone: Tone = 'plain'): Segment {
	return {text, tone};
}
