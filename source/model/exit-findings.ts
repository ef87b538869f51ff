/**
 * Pure: containers that keep exiting. Restart loops (Docker's RestartCount, the CRI's attempt,
 * exits the event stream counted) and OOM kills (the cgroup's count, /tasks/oom events,
 * Docker's OOMKilled), each with what an operator can do about it.
 */
import type {Container, ContainerEventCount, Finding, NodeFacts} from '../schema/types.js';
import {containerSubject, ctrCommand} from './finding-subjects.js';

/** Restarts (Docker's RestartCount, the CRI's attempt, exits seen) from which a container is in a loop. */
const RESTART_LOOP_AT = 3;

type EventIndex = ReadonlyMap<string, readonly ContainerEventCount[]>;

function indexEvents(events: readonly ContainerEventCount[]): EventIndex {
	const byId = new Map<string, ContainerEventCount[]>();
	for (const event of events) {
		let list = byId.get(event.id);
		if (!list) byId.set(event.id, (list = []));
		list.push(event);
	}
	return byId;
}

function eventCountFor(events: EventIndex, container: Container): ContainerEventCount | null {
	return events.get(container.id)?.find((e) => e.namespace === null || container.namespace === null || e.namespace === container.namespace) ?? null;
}

/** The cgroup's OOM kill count, where the usage reader (collect/cgroup-*.ts) read it. */
function cgroupOomKills(container: Container): number | null {
	return container.usage?.oomKills ?? null;
}

export function restartLoops(facts: NodeFacts, containers: readonly Container[]): Finding[] {
	const docker = new Map((facts.docker?.containers ?? []).map((d) => [d.id, d]));
	const cri = new Map((facts.cri?.containers ?? []).map((c) => [c.id, c]));
	const events = indexEvents(facts.health?.events ?? []);
	const out: Finding[] = [];
	for (const container of containers) {
		if (container.sandbox && !docker.has(container.id)) continue;
		const inspect = docker.get(container.id)?.inspect;
		const attempt = cri.get(container.id)?.attempt ?? 0;
		const seen = eventCountFor(events, container);
		const counts: [number, string][] = [
			[inspect?.restartCount ?? 0, "Docker's RestartCount"],
			[attempt, "the CRI's attempt"],
			[seen?.exits ?? 0, 'exits seen on the event stream'],
		];
		const [count, source] = counts.reduce((best, c) => (c[0] > best[0] ? c : best));
		if (count < RESTART_LOOP_AT) continue;
		const lastExit = seen?.lastExitStatus ?? inspect?.exitCode ?? null;
		const logs = docker.has(container.id) ? `docker logs ${container.name}` : cri.has(container.id) ? `crictl logs ${container.id}` : `${ctrCommand(facts.containerd?.address ?? '', container.namespace ?? 'default', 'tasks ls')}`;
		out.push({
			code: 'restart-loop', severity: 'warn',
			message: `${container.name} restarted ${count} times (${source})${lastExit === null ? '' : `, last exit status ${lastExit}`}: ` +
				`read why it exits (\`${logs}\`${lastExit === 137 ? '; 137 is SIGKILL, often the OOM killer' : ''}) and fix its command or its health check.`,
			subjects: [containerSubject(container, `${count} restarts${lastExit === null ? '' : `, last exit ${lastExit}`}`)],
		});
	}
	return out;
}

export function oomKills(facts: NodeFacts, containers: readonly Container[]): Finding[] {
	const docker = new Map((facts.docker?.containers ?? []).map((d) => [d.id, d]));
	const events = indexEvents(facts.health?.events ?? []);
	const out: Finding[] = [];
	for (const container of containers) {
		const cgroup = cgroupOomKills(container);
		const seen = eventCountFor(events, container)?.ooms ?? 0;
		const dockerSays = docker.get(container.id)?.inspect?.oomKilled === true;
		const count = Math.max(cgroup ?? 0, seen, dockerSays ? 1 : 0);
		if (count === 0) continue;
		const sources = [
			...(cgroup ? [`cgroup oom_kill ${cgroup}`] : []),
			...(seen ? [`${seen} /tasks/oom event${seen === 1 ? '' : 's'}`] : []),
			...(dockerSays ? ["Docker's State.OOMKilled"] : []),
		];
		out.push({
			code: 'oom-killed', severity: 'warn',
			message: `The kernel OOM-killed ${count === 1 ? 'a process' : `${count} processes`} in ${container.name}'s cgroup (${sources.join(', ')}): ` +
				`raise its memory limit or find what grows${dockerSays ? '' : "; docker inspect's OOMKilled only says whether the init itself was killed"}.`,
			subjects: [containerSubject(container, `${count} OOM kill${count === 1 ? '' : 's'}`)],
		});
	}
	return out;
}
