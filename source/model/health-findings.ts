/**
 * Pure: is this node's runtime healthy? Leaked, orphaned and duplicate shims, tasks without
 * a shim, zombies under shims, restart loops and OOM kills, from one poll's facts plus what
 * the collector carried over from the poll before (HealthFacts.previous) and what the event
 * stream counted (HealthFacts.events). Every message says what an operator can do; crimon
 * itself never does it.
 */
import {canonicalRunPath} from '../collect/kubelet-flags.js';
import {containerdAddress, roleOf, shimOwner} from './process-tree.js';
import {basename, shimVersionOf, splitCommand} from '../collect/shims.js';
import {runtimeFindings} from './runtime-states.js';
import {oomKills, restartLoops} from './exit-findings.js';
import {containerSubject, ctrCommand} from './finding-subjects.js';
import type {
	Container, ContainerdTaskFact, Finding, FindingSubject, HealthMarks, NodeFacts, ProcessInfo, Shim,
} from '../schema/types.js';

/** Zombies under one container at or above this count are a warning, below it a note. */
const ZOMBIE_WARN_AT = 20;
/** A stopped task whose shim still runs this long after its exit is leaked, not just being cleaned up. */
const STOPPED_GRACE_MS = 5_000;

/** What the model needs from the snapshot being built. */
export interface HealthInput {
	readonly shims: readonly Shim[];
	readonly containers: readonly Container[];
}

const taskKey = (namespace: string, id: string) => `${namespace}/${id}`;

function shimSubject(shim: Shim, detail: string | null): FindingSubject {
	return {kind: 'shim', id: String(shim.pid), name: shim.binary, namespace: shim.namespace || null, pod: null, detail: detail ?? `${shim.namespace}/${shim.id}`};
}

function processSubject(process: ProcessInfo, detail: string | null): FindingSubject {
	const argv0 = splitCommand(process.command)[0] ?? '';
	return {kind: 'process', id: String(process.pid), name: basename(argv0) || '?', namespace: null, pod: null, detail};
}

/** What several findings ask of one poll's process table, worked out once per facts. */
interface HealthContext {
	readonly byPid: ReadonlyMap<number, ProcessInfo>;
	/** The containerd process a shim serves. */
	readonly owner: (shim: Shim) => ProcessInfo | undefined;
	/** Whether a shim serves the containerd crimon read (its socket, and in its own pid namespace). */
	readonly serves: (shim: Shim) => boolean;
}

const contexts = new WeakMap<NodeFacts, HealthContext>();

function contextOf(facts: NodeFacts): HealthContext {
	let context = contexts.get(facts);
	if (context) return context;
	const processes = facts.processes ?? [];
	const byPid = new Map(processes.map((p) => [p.pid, p]));
	const owner = shimOwner(processes, byPid);
	const address = facts.containerd ? canonicalRunPath(facts.containerd.address) : null;
	const depth = (pid: number) => {
		let d = 0;
		for (let cursor = byPid.get(pid)?.ppid; cursor !== undefined && d < 4096; cursor = byPid.get(cursor)?.ppid) d++;
		return d;
	};
	// Of several containerds on one path (other mount namespaces), crimon reaches the outermost.
	const candidates = address === null ? [] : processes.filter((p) => roleOf(p) === 'containerd' && canonicalRunPath(containerdAddress(p)) === address);
	const read = candidates.sort((a, b) => depth(a.pid) - depth(b.pid) || a.pid - b.pid)[0] ?? null;
	const serves = (shim: Shim) => {
		if (address === null || canonicalRunPath(shim.address) !== address) return false;
		const served = owner(shim);
		return !served || !read || served.pid === read.pid;
	};
	context = {byPid, owner, serves};
	contexts.set(facts, context);
	return context;
}

/** Pure: the marks a later poll compares against (the collector keeps them between polls). */
export function healthMarks(facts: NodeFacts, shims: readonly Shim[]): HealthMarks {
	return {
		childlessShims: shims.filter((s) => s.children.length === 0).map((s) => s.pid),
		suspectTasks: facts.processes ? suspectTasks(facts.containerd?.tasks ?? [], contextOf(facts).byPid).map((s) => taskKey(s.task.namespace, s.task.id)) : [],
	};
}

interface SuspectTask {
	readonly task: ContainerdTaskFact;
	readonly why: string;
}

/** argv[0] of a command line, without splitting all of it. */
const argv0 = (command: string) => {
	const space = command.indexOf(' ');
	return space === -1 ? command : command.slice(0, space);
};

function suspectTasks(tasks: readonly ContainerdTaskFact[], byPid: ReadonlyMap<number, ProcessInfo>): SuspectTask[] {
	const out: SuspectTask[] = [];
	for (const task of tasks) {
		if (task.status !== 'running' || task.pid <= 0) continue;
		const init = byPid.get(task.pid);
		if (!init) {
			out.push({task, why: `its init pid ${task.pid} is gone`});
			continue;
		}
		const parent = byPid.get(init.ppid);
		const parentBinary = parent ? argv0(parent.command) : '';
		if (parent && shimVersionOf(parentBinary)) continue;
		out.push({task, why: parent ? `its init pid ${task.pid}'s parent is pid ${parent.pid} (${basename(parentBinary)}), not a shim` : `its init pid ${task.pid} has no parent in the process table (ppid ${init.ppid})`});
	}
	return out;
}

/** The running shim of a task that has no running init, by namespace/id, for the containers' shimPid. */
export function stoppedTaskShims(facts: NodeFacts, shims: readonly Shim[]): Map<string, number> {
	const {serves} = contextOf(facts);
	const out = new Map<string, number>();
	for (const shim of shims) if (serves(shim) && !out.has(taskKey(shim.namespace, shim.id))) out.set(taskKey(shim.namespace, shim.id), shim.pid);
	return out;
}

function leakedShims(facts: NodeFacts, input: HealthInput, orphaned: ReadonlySet<number>, now: number): Finding[] {
	const containerd = facts.containerd;
	const previous = facts.health?.previous ?? null;
	const {serves} = contextOf(facts);
	const tasks = new Map((containerd?.tasks ?? []).map((t) => [taskKey(t.namespace, t.id), t]));
	const known = new Set((containerd?.containers ?? []).map((c) => taskKey(c.namespace, c.id)));
	const containers = new Map(input.containers.filter((c) => c.namespace !== null).map((c) => [taskKey(c.namespace!, c.id), c]));
	const wasChildless = new Set(previous?.childlessShims ?? []);
	const out: Finding[] = [];
	for (const shim of input.shims) {
		if (orphaned.has(shim.pid)) continue;
		if (shim.kind === 'conmon') {
			const leaked = leakedConmon(shim, input, wasChildless);
			if (leaked) out.push(leaked);
			continue;
		}
		const key = taskKey(shim.namespace, shim.id);
		const container = containers.get(key);
		const name = container ? ` (${container.name})` : '';
		const rm = ctrCommand(shim.address, shim.namespace, `tasks rm -f ${shim.id}`);
		let why: string | null = null;
		let action = '';
		if (containerd && serves(shim)) {
			const task = tasks.get(key);
			const stoppedLongAgo = task?.status === 'stopped' && (task.exitedAt == null || now - task.exitedAt >= STOPPED_GRACE_MS);
			if (task?.status === 'stopped' && (stoppedLongAgo || wasChildless.has(shim.pid))) {
				why = `serves ${key}${name}, whose task containerd reports stopped${task.exitStatus !== undefined ? ` (exit status ${task.exitStatus})` : ''}`;
				action = `the shim was leaked (as in containerd#6771) and holds its memory and pids until the task is removed: run \`${rm}\``;
			} else if (!task && !known.has(key)) {
				why = `serves ${key}, which containerd at ${containerd.address} does not know`;
				action = `nothing will ever stop it: check \`${ctrCommand(shim.address, shim.namespace, 'tasks ls')}\`, then \`kill ${shim.pid}\``;
			}
		}
		if (!why && shim.children.length === 0 && wasChildless.has(shim.pid)) {
			why = `serves ${key}${name} and has had no child process for more than one poll`;
			action = `its container is gone: check \`${ctrCommand(shim.address, shim.namespace, 'tasks ls')}\`, and if the task is stopped run \`${rm}\``;
		}
		if (!why) continue;
		const subjects: FindingSubject[] = [shimSubject(shim, `${key}${shim.address ? ` at ${shim.address}` : ''}`)];
		if (container) subjects.push(containerSubject(container, `task ${container.state}`));
		out.push({code: 'shim-leaked', severity: 'warn', message: `${shim.binary} pid ${shim.pid} ${why}: ${action}.`, subjects});
	}
	return out;
}

/**
 * A conmon outlives its container only briefly (it writes the exit status, runs the exit
 * command, then exits): one with no child over two polls holds memory for nothing.
 */
function leakedConmon(shim: Shim, input: HealthInput, wasChildless: ReadonlySet<number>): Finding | null {
	if (shim.children.length > 0 || !wasChildless.has(shim.pid)) return null;
	const container = input.containers.find((c) => c.id === shim.id && c.namespace === null);
	const name = container ? ` (${container.name})` : '';
	const check = shim.engine === 'cri-o' ? `crictl ps -a --id ${shim.id}` : shim.engine === 'podman' ? `podman ps -a --filter id=${shim.id}` : `podman ps -a --filter id=${shim.id}\` or \`crictl ps -a --id ${shim.id}`;
	const subjects: FindingSubject[] = [shimSubject(shim, `container ${shim.id}${shim.ociRuntime ? `, ${shim.ociRuntime}` : ''}`)];
	if (container) subjects.push(containerSubject(container, container.state));
	return {
		code: 'shim-leaked', severity: 'warn',
		message: `conmon pid ${shim.pid} serves container ${shim.id}${name} and has had no child process for more than one poll: its container is gone and conmon stayed. ` +
			`Check \`${check}\`; if the container is not running there, \`kill ${shim.pid}\`.`,
		subjects,
	};
}

function orphanedShims(facts: NodeFacts, shims: readonly Shim[]): {findings: Finding[]; pids: Set<number>} {
	const silent = new Map((facts.health?.shimAddresses ?? []).filter((a) => !a.answers).map((a) => [canonicalRunPath(a.address), a]));
	const pids = new Set<number>();
	const findings: Finding[] = [];
	for (const shim of shims) {
		const probe = silent.get(canonicalRunPath(shim.address));
		if (!probe) continue;
		pids.add(shim.pid);
		findings.push({
			code: 'shim-orphaned', severity: 'warn',
			message: `${shim.binary} pid ${shim.pid} (${shim.namespace}/${shim.id}) reports to ${shim.address}, where no containerd answers (${probe.message ?? 'no answer'}): ` +
				`its containerd is gone and its container runs unmanaged. Start that containerd again (it reconnects to its shims), or, if it is gone for good, ` +
				`note \`ps -o pid,ppid,stat,args --ppid ${shim.pid}\` and stop the container's processes, then \`kill ${shim.pid}\`.`,
			subjects: [shimSubject(shim, `${shim.namespace}/${shim.id}`), {kind: 'socket', id: shim.address, name: shim.address, namespace: null, pod: null, detail: probe.message}],
		});
	}
	return {findings, pids};
}

function duplicateShims(facts: NodeFacts, shims: readonly Shim[]): Finding[] {
	const {owner} = contextOf(facts);
	const groups = new Map<string, Shim[]>();
	for (const shim of shims) {
		if (!shim.id || shim.kind === 'conmon') continue;
		const key = `${canonicalRunPath(shim.address)}\0${owner(shim)?.pid ?? ''}\0${shim.namespace}\0${shim.id}`;
		let list = groups.get(key);
		if (!list) groups.set(key, (list = []));
		list.push(shim);
	}
	const out: Finding[] = [];
	for (const list of groups.values()) {
		if (list.length < 2) continue;
		const first = list[0]!;
		const pids = list.map((s) => s.pid);
		out.push({
			code: 'shim-duplicate', severity: 'warn',
			message: `${list.length} shims serve ${first.namespace}/${first.id} (pids ${pids.join(', ')}): containerd talks to one, the others leak (as in containerd#5015). ` +
				`The one to keep is the parent of the task's init (\`${ctrCommand(first.address, first.namespace, 'tasks ls')}\`); kill the others.`,
			subjects: list.map((s) => shimSubject(s, `${s.namespace}/${s.id}, ${s.children.length} children`)),
		});
	}
	return out;
}

function tasksWithoutShim(facts: NodeFacts, input: HealthInput): Finding[] {
	if (!facts.processes || !facts.containerd) return [];
	const previous = facts.health?.previous ?? null;
	const confirmed = new Set(previous?.suspectTasks ?? []);
	const containers = new Map(input.containers.filter((c) => c.namespace !== null).map((c) => [taskKey(c.namespace!, c.id), c]));
	const out: Finding[] = [];
	for (const {task, why} of suspectTasks(facts.containerd.tasks, contextOf(facts).byPid)) {
		const key = taskKey(task.namespace, task.id);
		// A task that starts between the two reads looks like this once; two polls in a row do not lie.
		if (previous && !confirmed.has(key)) continue;
		const container = containers.get(key);
		const address = facts.containerd.address;
		out.push({
			code: 'task-without-shim', severity: 'error',
			message: `containerd reports task ${key}${container ? ` (${container.name})` : ''} running, but ${why}: containerd's state no longer matches the node. ` +
				`For a bug report collect \`${ctrCommand(address, task.namespace, 'tasks ls')}\`, \`ps -o pid,ppid,stat,args -p ${task.pid}\` and containerd's log; ` +
				`then \`${ctrCommand(address, task.namespace, `tasks kill -s KILL ${task.id}`)}\` and \`${ctrCommand(address, task.namespace, `tasks rm -f ${task.id}`)}\`.`,
			subjects: [
				container ? containerSubject(container, `pid ${task.pid}`) : {kind: 'container', id: task.id, name: task.id, namespace: task.namespace, pod: null, detail: `pid ${task.pid}`},
				{kind: 'process', id: String(task.pid), name: 'init', namespace: null, pod: null, detail: why},
			],
		});
	}
	return out;
}

function zombies(facts: NodeFacts, input: HealthInput): Finding[] {
	const processes = facts.processes ?? [];
	const {byPid} = contextOf(facts);
	const shimPids = new Set(input.shims.map((s) => s.pid));
	const containerByInit = new Map<number, Container>();
	for (const c of input.containers) if (c.pid !== null) containerByInit.set(c.pid, c);
	const groups = new Map<string, {container: Container | null; shim: number; zombies: ProcessInfo[]}>();
	for (const process of processes) {
		if (!process.state.startsWith('Z')) continue;
		let container: Container | null = null;
		let shim: number | null = null;
		const seen = new Set<number>();
		for (let cursor = process.ppid; byPid.has(cursor) && !seen.has(cursor); cursor = byPid.get(cursor)!.ppid) {
			seen.add(cursor);
			container ??= containerByInit.get(cursor) ?? null;
			if (shimPids.has(cursor)) {
				shim = cursor;
				break;
			}
		}
		if (shim === null) continue;
		const key = container ? `c:${container.namespace}/${container.id}` : `s:${shim}`;
		let group = groups.get(key);
		if (!group) groups.set(key, (group = {container, shim, zombies: []}));
		group.zombies.push(process);
	}
	const out: Finding[] = [];
	for (const group of groups.values()) {
		const count = group.zombies.length;
		const pids = group.zombies.map((z) => z.pid);
		const who = group.container ? `container ${group.container.name}` : `shim pid ${group.shim}`;
		const parents = [...new Set(group.zombies.map((z) => z.ppid))];
		out.push({
			code: 'zombie-processes', severity: count >= ZOMBIE_WARN_AT ? 'warn' : 'info',
			message: `${count} defunct process${count === 1 ? '' : 'es'} under ${who} (pid${pids.length === 1 ? '' : 's'} ${pids.slice(0, 10).join(', ')}${pids.length > 10 ? ', …' : ''}), ` +
				`left unreaped by pid${parents.length === 1 ? '' : 's'} ${parents.join(', ')}: the container's init does not reap its children, and each zombie holds a pid until it does. ` +
				`Run the container with an init that reaps (docker run --init, tini, dumb-init) or fix its entrypoint.`,
			subjects: [
				...(group.container ? [containerSubject(group.container, `${count} zombie${count === 1 ? '' : 's'}`)] : []),
				...group.zombies.slice(0, 50).map((z) => processSubject(z, `defunct, parent ${z.ppid}`)),
			],
		});
	}
	return out;
}

/** Every health finding for one node. `now` dates stopped tasks (ms since the epoch). */
export function healthFindings(facts: NodeFacts, input: HealthInput, now: number = Date.now()): Finding[] {
	const orphaned = orphanedShims(facts, input.shims);
	return [
		...tasksWithoutShim(facts, input),
		...leakedShims(facts, input, orphaned.pids, now),
		...orphaned.findings,
		...duplicateShims(facts, input.shims),
		...restartLoops(facts, input.containers),
		...oomKills(facts, input.containers),
		...zombies(facts, input),
		...runtimeFindings(facts),
	];
}
