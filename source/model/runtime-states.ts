/**
 * Pure: which of a node's runtimes answered this poll. A reached node whose runtimes all
 * fail is not a healthy node: crimon_node_up says the node answered, this says whether
 * anything on it runs containers. `absent` (nothing at the socket: not installed here) is
 * kept apart from `failing` (a socket there that did not answer), so a node without
 * Docker is not reported as a Docker outage.
 */
import type {Finding, NodeFacts, NodeSnapshot, Runtimes, RuntimeStates, SourceError} from '../schema/types.js';

// podman's may be absent: a file saved before podman was a runtime has three.
type RuntimeState = NonNullable<RuntimeStates[keyof RuntimeStates]>;
export type RuntimeName = keyof Runtimes;
export const RUNTIME_NAMES: readonly RuntimeName[] = ['containerd', 'cri', 'docker', 'podman'];

/**
 * A snapshot's states: its own field, or for a document saved before the field existed,
 * read back from what it holds (a runtime with an error on its source failed).
 */
type StatedNode = Pick<NodeSnapshot, 'runtimes' | 'errors' | 'runtimeStates'>;

export function savedRuntimeStates(node: StatedNode): RuntimeStates {
	if (node.runtimeStates) return node.runtimeStates;
	const failed = (name: RuntimeName) => node.errors.some((e: SourceError) => e.source === name);
	const state = (name: RuntimeName): RuntimeState => ((node.runtimes[name] ?? null) !== null ? 'answering' : failed(name) ? 'failing' : 'absent');
	return {containerd: state('containerd'), cri: state('cri'), docker: state('docker'), podman: state('podman')};
}

/** A reached node where at least one runtime is there and none answers: nothing on it can be seen. */
export function noRuntimeAnswers(states: RuntimeStates): boolean {
	const values = RUNTIME_NAMES.map((name) => states[name]);
	return !values.includes('answering') && values.includes('failing');
}

const listed = (names: readonly string[]) => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

/** The finding that says so, in the text and the JSON (diagnosis.findings). */
export function runtimeFindings(facts: NodeFacts): Finding[] {
	if (!facts.reachable || facts.processes === null || !facts.runtimeStates) return [];
	const states = facts.runtimeStates;
	const failing = RUNTIME_NAMES.filter((name) => states[name] === 'failing');
	if (!noRuntimeAnswers(states)) return [];
	return [{
		code: 'no-runtime-answering',
		severity: 'error',
		message: `The node answers but none of its runtimes does (${listed(failing)} failing; see errors): no container on it can be seen. Check that ${listed(failing.map((name) => (name === 'cri' ? 'the CRI' : name)))} ${failing.length === 1 ? 'runs' : 'run'} and that crimon may open their sockets.`,
		subjects: [],
	}];
}

/**
 * The exit status a snapshot of these nodes earns (live, or read back with --from): 1 when
 * a node could not be reached, or was reached with no runtime answering; else 0.
 */
export function snapshotExitCode(nodes: readonly (StatedNode & Pick<NodeSnapshot, 'ok'>)[]): 0 | 1 {
	return nodes.every((node) => node.ok && !noRuntimeAnswers(savedRuntimeStates(node))) ? 0 : 1;
}
