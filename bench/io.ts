/**
 * What network, block IO and pressure add to a local poll at 1,000 containers.
 *
 *   npm run bench -- io            # as root, with the lab up (npm run lab:up)
 *
 * Synthetic in count, real in work: 1,000 tasks whose init pids are the lab's real
 * container processes, so every poll opens and parses 1,000 sets of real cgroup v1 files
 * (the two blkio.throttle files beside the six CPU and memory ones) and reads
 * /proc/PID/net/dev once per network namespace. "Without" is the same reader with those
 * files answered as absent before any system call, so the difference is what IO costs.
 * The lab has a few dozen network namespaces; a node of 1,000 containers may have 1,000,
 * so the per-namespace cost is measured too and multiplied out.
 * Goal (issue 20): ≤ 5 ms more a poll than without, at 1,000 containers.
 */
import {CgroupReader} from '../source/collect/cgroup-reader.js';
import {collectContainerd} from '../source/collect/collect-containerd.js';
import {DEFAULT_COLLECT_OPTIONS} from '../source/collect/collect-options.js';
import {containerUsages} from '../source/model/usage.js';
import type {ContainerUsageFact, UsageFacts} from '../source/schema/types.js';
import {LocalTransport} from '../source/transport/local-transport.js';
import type {ProcFs} from '../source/transport/transport.js';
import {median, timeIt} from './_timing.js';

const N = 1000;
const POLLS = 40;
const GOAL_MS = 5;


const IO_PATH = /blkio\.throttle|io\.stat|\.pressure$|\/net\/dev$|\/uevent$|\/ns\/net$|^\/proc\/pressure\//;

/** The local /proc, with every IO file answered as absent before it is opened. */
function withoutIo(procfs: ProcFs): ProcFs {
	return {
		...procfs,
		readText: (path: string) => (IO_PATH.test(path) ? null : procfs.readText!(path)),
		readLink: () => null,
	};
}

async function main(): Promise<void> {
	if (process.getuid?.() !== 0) {
		console.log('io: skipped (needs root for the lab\'s cgroups and /proc/PID/net/dev)');
		return;
	}
	const transport = new LocalTransport();
	let facts;
	try {
		facts = await collectContainerd(transport, DEFAULT_COLLECT_OPTIONS);
	} catch (error) {
		console.log(`io: skipped (containerd: ${(error as Error).message}; run npm run lab:up)`);
		return;
	}
	const running = facts.tasks.filter((t) => t.pid > 0);
	const tasks = Array.from({length: N}, (_, i) => ({namespace: 'bench', id: `c${i}`, pid: running[i % running.length]!.pid}));
	const pidOf = new Map(tasks.map((t) => [`${t.namespace}/${t.id}`, t.pid]));
	const poll = (reader: CgroupReader) => () => {
		const containers = reader.readAll(tasks);
		reader.readSampleIo(containers, (f) => pidOf.get(`${f.namespace}/${f.id}`));
	};
	const withReader = CgroupReader.for(transport.procfs)!;
	const withoutReader = CgroupReader.for(withoutIo(transport.procfs))!;
	// Alternate, so both see the same machine load on two shared cores.
	const withMs: number[] = [];
	const withoutMs: number[] = [];
	for (let round = 0; round < 5; round++) {
		withoutMs.push(timeIt(poll(withoutReader), POLLS / 5));
		withMs.push(timeIt(poll(withReader), POLLS / 5));
	}
	const sample = withReader.readAll(tasks);
	const io = withReader.readSampleIo(sample, (f) => pidOf.get(`${f.namespace}/${f.id}`));
	const namespaces = io.networks?.length ?? 0;
	const readNs = timeIt(() => {
		for (const n of io.networks ?? []) transport.procfs.readText!(`/proc/${pidOf.get(`bench/${sample.find((f) => f.netns === n.netns)!.id}`)}/net/dev`);
	}, POLLS);
	const perNamespaceUs = namespaces > 0 ? (readNs / namespaces) * 1000 : 0;

	// The model: rates and per-device sums with IO facts and without.
	const fact = (i: number, at: number, bytes: number, withIo: boolean): ContainerUsageFact => ({
		namespace: 'k8s.io', id: `c${i}`, at, source: 'cgroup-v2', cpuSeconds: 1, memoryUsageBytes: 50 << 20, inactiveFileBytes: 1 << 20,
		memoryLimitBytes: 128 << 20, pids: 3, throttledPeriods: 5, throttledSeconds: 0.1, oomKills: 0, cpuLimitCores: 0.5,
		...(withIo ? {netns: `ns${i}`, blockIo: [{device: '254:0', readBytes: bytes, writeBytes: bytes, readOps: 1, writeOps: 1}], pressure: null, pressureReason: 'v1'} : {}),
	});
	const usageFacts = (withIo: boolean): UsageFacts => {
		const networks = (at: number, bytes: number) => (withIo ? Array.from({length: N}, (_, i) => ({netns: `ns${i}`, at, interfaces: [{name: 'lo', rxBytes: 0, txBytes: 0, rxPackets: 0, txPackets: 0, rxErrors: 0, txErrors: 0, rxDropped: 0, txDropped: 0}, {name: 'eth0', rxBytes: bytes, txBytes: bytes, rxPackets: 1, txPackets: 1, rxErrors: 0, txErrors: 0, rxDropped: 0, txDropped: 0}]})) : undefined);
		return {
			current: {containers: Array.from({length: N}, (_, i) => fact(i, 2000, 2000, withIo)), host: null, networks: networks(2000, 2000), hostNetns: 'host'},
			previous: {containers: Array.from({length: N}, (_, i) => fact(i, 0, 1000, withIo)), host: null, networks: networks(0, 1000), hostNetns: 'host'},
		};
	};
	const withIoFacts = usageFacts(true);
	const withoutIoFacts = usageFacts(false);
	const modelWith = timeIt(() => containerUsages(withIoFacts), POLLS);
	const modelWithout = timeIt(() => containerUsages(withoutIoFacts), POLLS);

	const readDelta = median(withMs) - median(withoutMs);
	const modelDelta = modelWith - modelWithout;
	const worstNetns = (perNamespaceUs * (N - namespaces)) / 1000;
	console.log(`io, local files at ${N} containers (synthetic: ${running.length} real lab cgroups, ${namespaces} real network namespaces): without IO ${median(withoutMs).toFixed(2)} ms, with ${median(withMs).toFixed(2)} ms a poll: +${readDelta.toFixed(2)} ms`);
	console.log(`io, /proc/PID/net/dev: ${perNamespaceUs.toFixed(1)} µs a namespace; were each of the ${N} containers in its own: +${worstNetns.toFixed(2)} ms more`);
	console.log(`io, model (rates, interfaces, devices; every container in its own namespace): +${modelDelta.toFixed(2)} ms (${modelWithout.toFixed(2)} → ${modelWith.toFixed(2)} ms)`);
	const total = readDelta + modelDelta;
	console.log(`io, total at ${N} containers in the lab's namespaces: +${total.toFixed(2)} ms a poll (goal ≤ ${GOAL_MS} ms); with ${N} namespaces: +${(total + worstNetns).toFixed(2)} ms`);
}

main().then(() => process.exit(0), (error: unknown) => {
	console.error(`io bench failed: ${error instanceof Error ? error.stack : String(error)}`);
	process.exit(1);
});
