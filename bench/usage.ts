/**
 * What reading resource usage costs per poll, and which source to use where.
 *
 *   npm run bench -- usage          # as root, with the lab up (npm run lab:up && npm run lab:ssh-up)
 *
 * 1. Local, cgroup files at 1,000 containers. Synthetic in count, real in work: 1,000 tasks
 *    whose init pids are the lab's real container processes, so every poll opens and parses
 *    1,000 sets of real cgroup v1 files (after the first poll has found each cgroup).
 * 2. containerd's Tasks.Metrics at 1,000 containers. Synthetic: one answer of 1,000 metrics
 *    made by repeating the lab's recorded ones under new ids; decoded and turned into facts.
 *    Then the real RPC on the lab: crimon's CPU and containerd's plus the shims' per poll.
 * 3. The model (rates, pod and namespace sums) at 1,000 containers.
 * 4. Over SSH (the SSH lab node): gRPC calls per namespace in one poll, and the poll's wall
 *    time (Metrics rides in the same round trip as the namespace's listings).
 * Goal: ≤ 5 ms a poll locally at 1,000 containers; one RPC per namespace over SSH.
 */
import fs from 'node:fs';
import {CgroupReader} from '../source/collect/cgroup-reader.js';
import {usageFromMetrics} from '../source/collect/cgroup-usage.js';
import {collectContainerd} from '../source/collect/collect-containerd.js';
import {createNodeCollector} from '../source/collect/collect-node.js';
import {DEFAULT_COLLECT_OPTIONS} from '../source/collect/collect-options.js';
import {containerUsages, sumUsage} from '../source/model/usage.js';
import type {ContainerUsageFact, UsageFacts} from '../source/schema/types.js';
import {createTransportFactory} from '../source/session/open-node.js';
import {decodeMetricsResponse, encodeMetricsRequest, METRICS_METHOD} from '../source/protocol/containerd-metrics.js';
import {GrpcChannel} from '../source/protocol/grpc-client.js';
import {LocalTransport} from '../source/transport/local-transport.js';
import {makeHome, nodeKnownHostsLine, readSshNode, SSH_NODE_JSON} from '../test/lab/ssh-lab.js';
import {median, timeIt} from './_timing.js';

const N = 1000;
const POLLS = 50;


/** utime + stime of the processes whose command line matches, in ms. */
function cpuMsOf(match: RegExp): number {
	let ticks = 0;
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			if (!match.test(fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' '))) continue;
			const fields = fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
			ticks += Number(fields[11]) + Number(fields[12]);
		} catch {
			// gone
		}
	}
	return ticks * 10;
}

async function local(): Promise<void> {
	const transport = new LocalTransport();
	let facts;
	try {
		facts = await collectContainerd(transport, DEFAULT_COLLECT_OPTIONS);
	} catch (error) {
		console.log(`local: skipped (containerd: ${(error as Error).message}; run npm run lab:up)`);
		return;
	}
	const running = facts.tasks.filter((t) => t.pid > 0);
	const tasks = Array.from({length: N}, (_, i) => ({namespace: 'bench', id: `c${i}`, pid: running[i % running.length]!.pid}));
	const reader = CgroupReader.for(transport.procfs)!;
	const ms = timeIt(() => reader.readAll(tasks), POLLS);
	const reads = reader.stats.fileReads;
	console.log(`local, cgroup files: ${N} containers (synthetic: ${running.length} real lab cgroups, each read ${Math.round(N / running.length)} times): ${ms.toFixed(1)} ms a poll, ${(ms / N * 1000).toFixed(1)} µs a container, ${reads > 0 ? '6 files a container a poll (limits every 10 s)' : ''}`);

	// Metrics, synthetic: the recorded answers' metrics repeated under new ids.
	const recorded = ['moby', 'k8s.io', 'lab-other'].map((ns) => fs.readFileSync(new URL(`../test/fixtures/lab/containerd-tasks-metrics.${ns}.pb`, import.meta.url)));
	const pieces: Buffer[] = [];
	for (const bytes of recorded) {
		// Each metric is field 1, length-delimited: split the answer into its metrics as they are on the wire.
		let at = 0;
		while (at < bytes.length) {
			let length = 0;
			let shift = 0;
			let p = at + 1;
			for (;;) {
				const b = bytes[p++]!;
				length += (b & 0x7f) * 2 ** shift;
				shift += 7;
				if (b < 0x80) break;
			}
			pieces.push(bytes.subarray(at, p + length));
			at = p + length;
		}
	}
	const answer = Buffer.concat(Array.from({length: N}, (_, i) => pieces[i % pieces.length]!));
	const decodeMs = timeIt(() => {
		const metrics = decodeMetricsResponse(answer);
		for (const m of metrics) usageFromMetrics('bench', m, 0);
	}, POLLS);
	console.log(`local, Tasks.Metrics decoded (synthetic answer of ${N} metrics, ${(answer.length / 1024).toFixed(0)} KiB): ${decodeMs.toFixed(1)} ms a poll`);

	// The real RPC on the lab, one call per namespace.
	const channel = new GrpcChannel(await transport.connectUnix(DEFAULT_COLLECT_OPTIONS.containerdSocket, 5000));
	const call = () => Promise.all(facts.namespaces.map((ns) => channel.raw(METRICS_METHOD, encodeMetricsRequest(), {timeoutMs: 5000, maxBytes: 64 << 20, metadata: {'containerd-namespace': ns}}).then(decodeMetricsResponse)));
	await call();
	const runtimeBefore = cpuMsOf(/^containerd |containerd-shim/);
	const cpuBefore = process.cpuUsage();
	const wall: number[] = [];
	for (let i = 0; i < POLLS; i++) {
		const started = performance.now();
		await call();
		wall.push(performance.now() - started);
	}
	const cpu = process.cpuUsage(cpuBefore);
	const runtimeMs = (cpuMsOf(/^containerd |containerd-shim/) - runtimeBefore) / POLLS;
	channel.close();
	const count = running.length;
	console.log(`local, Tasks.Metrics on the lab (${facts.namespaces.length} namespaces, ${count} tasks): wall ${median(wall).toFixed(1)} ms, crimon CPU ${((cpu.user + cpu.system) / 1000 / POLLS).toFixed(2)} ms, containerd + shims CPU ${runtimeMs.toFixed(1)} ms a poll (${(runtimeMs / count).toFixed(2)} ms a task)`);
	const cgroupLab = timeIt(() => reader.readAll(running.map((t) => ({namespace: t.namespace, id: t.id, pid: t.pid}))), POLLS);
	console.log(`local, cgroup files on the same ${count} tasks: ${cgroupLab.toFixed(2)} ms a poll, all of it crimon's and the kernel's`);
}

function model(): void {
	const fact = (i: number, at: number, cpu: number): ContainerUsageFact => ({
		namespace: 'k8s.io', id: `c${i}`, at, source: 'cgroup-v1', cpuSeconds: cpu, memoryUsageBytes: 50 << 20, inactiveFileBytes: 1 << 20,
		memoryLimitBytes: 128 << 20, pids: 3, throttledPeriods: 5, throttledSeconds: 0.1, oomKills: 0, cpuLimitCores: 0.5,
	});
	const facts: UsageFacts = {
		current: {containers: Array.from({length: N}, (_, i) => fact(i, 2000, 1.5)), host: null},
		previous: {containers: Array.from({length: N}, (_, i) => fact(i, 0, 1)), host: null},
	};
	const ms = timeIt(() => {
		const usages = containerUsages(facts);
		const list = [...usages.values()];
		// Pods of four containers (the sandbox and three), and one namespace.
		for (let i = 0; i < list.length; i += 4) sumUsage(list.slice(i, i + 4));
		sumUsage(list);
	}, POLLS);
	console.log(`model: rates and sums for ${N} containers (pods of 4, one namespace): ${ms.toFixed(2)} ms a poll`);
}

async function overSsh(): Promise<void> {
	if (!fs.existsSync(SSH_NODE_JSON)) {
		console.log(`ssh: skipped (no ${SSH_NODE_JSON}: npm run lab:ssh-up)`);
		return;
	}
	const node = readSshNode();
	const home = makeHome(node, [{alias: node.alias, port: node.port}], [nodeKnownHostsLine(node)]);
	try {
		const factory = createTransportFactory({ssh: {home, userConfig: `${home}/.ssh/config`, systemConfig: null, env: {}}, timeoutMs: 5000});
		const {transport, name} = factory({target: node.alias});
		await transport.connect();
		const calls = new Map<string, number>();
		const options = {
			...DEFAULT_COLLECT_OPTIONS,
			onRaw: (source: string, call: string) => {
				if (source !== 'containerd') return;
				const [method, namespace] = call.split(' ');
				if (!namespace) return;
				const key = `${namespace} ${method!.split('/').pop()}`;
				calls.set(key, (calls.get(key) ?? 0) + 1);
			},
		};
		const collector = createNodeCollector(name, transport, options, true);
		await collector.collect();
		calls.clear();
		const withMetrics: number[] = [];
		for (let i = 0; i < 20; i++) {
			const started = performance.now();
			await collector.collect();
			withMetrics.push(performance.now() - started);
		}
		const perNamespace = new Map<string, string[]>();
		for (const [key, count] of calls) {
			const [ns, method] = key.split(' ');
			perNamespace.set(ns!, [...(perNamespace.get(ns!) ?? []), `${method} ×${count / 20}`]);
		}
		collector.close();
		console.log(`ssh (the SSH lab node over its sshd): a poll ${median(withMetrics).toFixed(0)} ms (median of 20), calls per namespace: ${[...perNamespace].map(([ns, list]) => `${ns}: ${list.join(', ')}`).join('; ')}`);
		console.log('  Metrics is one call per namespace, sent with the namespace\'s container and task listings on the kept stream-local channel: no round trip of its own');
		await transport.close();
	} finally {
		fs.rmSync(home, {recursive: true, force: true});
	}
}

async function main(): Promise<void> {
	if (process.getuid?.() !== 0) {
		console.log('usage: skipped (needs root for the lab\'s sockets and cgroups)');
		model();
		return;
	}
	await local();
	model();
	await overSsh();
}

main().then(() => process.exit(0), (error: unknown) => {
	console.error(`usage bench failed: ${error instanceof Error ? error.stack : String(error)}`);
	process.exit(1);
});
