/**
 * Pure: the `pressure-stalled` finding, when a container, pod or the node has been stalled
 * on memory or IO for a sustained share of the last minute (PSI, cgroup v2 and
 * /proc/pressure).
 *
 * The threshold, and why: the kernel's PSI documentation (Documentation/accounting/psi.rst)
 * defines `full` as the share of time in which every non-idle task was stalled at once, time
 * in which no work got done, and `avg60` as the average over the last minute: not a burst.
 * systemd-oomd's default memory pressure limit (oomd.conf, DefaultMemoryPressureLimit=60%)
 * is where it starts killing; a warning at a sixth of that comes while there is still time
 * to act. CPU is left out: a container under a CPU quota is `some`-stalled by design, which
 * the CPU column and the throttling figures already show.
 */
import type {Container, Finding, FindingSubject, NodeFacts, Pod, PressureUsage} from '../schema/types.js';
import {pressureUsage} from './io-usage.js';

const STALL_THRESHOLD = {line: 'full', window: 'avg60', percent: 10} as const;

const RESOURCES = ['memory', 'io'] as const;

/** The resources stalled past the threshold, with their share: `memory 23.5%`. */
function stalledResources(pressure: PressureUsage | null | undefined): string[] {
	if (!pressure) return [];
	const out: string[] = [];
	for (const resource of RESOURCES) {
		const share = pressure[resource]?.fullAvg60 ?? null;
		if (share !== null && share >= STALL_THRESHOLD.percent) out.push(`${resource} ${share.toFixed(1)}%`);
	}
	return out;
}

const why = `all its tasks stalled at once for ≥ ${STALL_THRESHOLD.percent}% of the last minute (PSI ${STALL_THRESHOLD.line} ${STALL_THRESHOLD.window})`;

export function pressureFindings(facts: NodeFacts, snapshot: {readonly containers: readonly Container[]; readonly pods: readonly Pod[]}): Finding[] {
	const out: Finding[] = [];
	const node = stalledResources(pressureUsage(facts.usage?.current.hostPressure));
	if (node.length > 0) {
		out.push({code: 'pressure-stalled', severity: 'warn', message: `The node is stalled on ${node.join(', ')}: ${why.replace('its tasks', 'its non-idle tasks')}; look for the container whose pressure or IO is highest.`, subjects: []});
	}
	const subjects: FindingSubject[] = [];
	for (const c of snapshot.containers) {
		const stalled = stalledResources(c.usage?.pressure);
		if (stalled.length > 0) subjects.push({kind: 'container', id: c.id, name: c.name, namespace: c.namespace, pod: c.pod ? {name: c.pod.name, namespace: c.pod.namespace} : null, detail: stalled.join(', ')});
	}
	for (const p of snapshot.pods) {
		const stalled = stalledResources(p.usage?.pressure);
		if (stalled.length > 0) subjects.push({kind: 'pod', id: p.id, name: p.name, namespace: p.namespace, pod: {name: p.name, namespace: p.namespace}, detail: stalled.join(', ')});
	}
	if (subjects.length > 0) {
		out.push({
			code: 'pressure-stalled', severity: 'warn',
			message: `${subjects.length === 1 ? `${subjects[0]!.name} is` : `${subjects.length} containers or pods are`} stalled: ${why}; raise the memory limit (memory) or find what saturates the disk (io).`,
			subjects,
		});
	}
	return out;
}
