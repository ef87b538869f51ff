/**
 * Two nodes side by side, from the recorded lab: node01 is the lab with a dockershim
 * kubelet; node02 is the lab after a migration — its kubelet on containerd, the
 * dockershim-era pod and the v1-shim container gone, and a pod of its own.
 */
import {describe, expect, it} from 'vitest';
import {buildNodeSnapshot, unreachableNode} from '../../source/model/build-snapshot.js';
import {compareNodes, comparisonDocument, workloadName} from '../../source/model/compare.js';
import type {CriProbeFacts, KubeletFacts, NodeFacts, NodeSnapshot} from '../../source/schema/types.js';
import {renderCompareJson, renderCompareText} from '../../source/render/text-compare.js';
import {labFacts, recordedLab} from '../support/lab-fixtures.js';

const c = recordedLab().containers;

function kubelet(args: string[]): KubeletFacts {
	return {
		pid: 4242, argv: ['/usr/bin/kubelet', ...args], binary: '/usr/bin/kubelet', otherPids: [],
		flagsEnv: {path: '/var/lib/kubelet/kubeadm-flags.env', text: null, missing: true, error: null},
		config: null, version: null, versionNote: 'no dpkg kubelet package here',
	};
}

function node01(): NodeSnapshot {
	// Its dockershim socket is not there (the kubelet that would serve it is not real).
	const criProbe: CriProbeFacts = {
		forced: null,
		kubeletEndpoint: 'unix:///var/run/dockershim.sock',
		sockets: [
			{endpoint: 'unix:///run/containerd/containerd.sock', status: 'cri', runtimeName: 'containerd', runtimeVersion: '1.6.20~ds1', message: null},
			{endpoint: 'unix:///var/run/dockershim.sock', status: 'missing', runtimeName: null, runtimeVersion: null, message: null},
		],
		dockerSocket: {path: '/var/run/docker.sock', present: true},
	};
	return buildNodeSnapshot({...labFacts(), name: 'node01', criProbe, kubelet: kubelet(['--container-runtime=docker', '--network-plugin=cni'])});
}

function node02(): NodeSnapshot {
	const facts = labFacts();
	const gone = new Set([c.dockershimSandbox!.id, c.dockershimApp!.id, 'lab-v1-box']);
	const renamed: NodeFacts = {
		...facts,
		name: 'node02',
		target: 'ssh://node02',
		processes: facts.processes!.filter((p) => ![...gone].some((id) => p.command.includes(id)) && !p.command.includes('lab-v1-box')),
		containerd: {
			...facts.containerd!,
			containers: facts.containerd!.containers.filter((x) => !gone.has(x.id)),
			tasks: facts.containerd!.tasks.filter((x) => !gone.has(x.id)),
		},
		docker: {...facts.docker!, containers: facts.docker!.containers.filter((x) => !gone.has(x.id))},
		// The CRI pod here is shop/checkout, a second replica-less pod of the same shop.
		cri: {...facts.cri!, sandboxes: facts.cri!.sandboxes.map((s) => ({...s, name: 'checkout'}))},
		kubelet: kubelet(['--container-runtime-endpoint=unix:///run/containerd/containerd.sock']),
	};
	return buildNodeSnapshot(renamed);
}

describe('compareNodes', () => {
	const a = node01();
	const b = node02();
	const cmp = compareNodes(a, b);

	it('says in one line which runtime each node is on', () => {
		expect(cmp.headline).toBe('node01 on dockershim vs node02 on containerd');
		expect(cmp.a).toMatchObject({name: 'node01', runtime: 'dockershim', how: 'kubelet', endpoint: 'unix:///var/run/dockershim.sock'});
		expect(cmp.b).toMatchObject({name: 'node02', runtime: 'containerd', how: 'kubelet', endpoint: 'unix:///run/containerd/containerd.sock', target: 'ssh://node02'});
	});

	it('counts shims per namespace on each side', () => {
		const row = (ns: string) => cmp.shims.find((s) => s.namespace === ns)!;
		expect(row('lab-other')).toEqual({namespace: 'lab-other', a: {v1: 1, v2: 1}, b: {v1: 0, v2: 1}});
		expect(row('moby')).toEqual({namespace: 'moby', a: {v1: 0, v2: 5}, b: {v1: 0, v2: 3}});
		// The CRI pod's one shim, and lab-ctr-k8s's.
		expect(row('k8s.io')).toEqual({namespace: 'k8s.io', a: {v1: 0, v2: 2}, b: {v1: 0, v2: 2}});
	});

	it('lists the pods and containers on one side only, matched by name across runtimes', () => {
		expect(cmp.pods.onlyA.map((p) => p.key)).toEqual(['default/web', 'shop/api']);
		expect(cmp.pods.onlyA.find((p) => p.key === 'default/web')!.where).toEqual(['docker-labels']);
		expect(cmp.pods.onlyB.map((p) => p.key)).toEqual(['shop/checkout']);
		expect(cmp.pods.both).toBe(0);
		// dockershim's k8s_nginx_web_… is "nginx" of default/web.
		expect(cmp.containers.onlyA.map((x) => x.key)).toEqual(['default/web · nginx', 'lab-other · lab-v1-box', 'shop/api · app', 'shop/api · sidecar']);
		expect(cmp.containers.onlyB.map((x) => x.key)).toEqual(['shop/checkout · app', 'shop/checkout · sidecar']);
		expect(cmp.containers.both).toBe(5);
	});

	it('sets the findings side by side', () => {
		const row = (code: string) => cmp.findings.find((f) => f.code === code);
		expect(row('dockershim-in-use')).toMatchObject({a: {severity: 'warn'}, b: null});
		expect(row('shim-v1')).toMatchObject({a: {severity: 'info', subjects: 1}, b: null});
		expect(row('docker-sock-mounted')).toMatchObject({a: {severity: 'warn'}, b: {severity: 'warn'}});
		expect(cmp.findings[0]!.code).toBe('cri-unreachable');
	});

	it('renders both columns and every one-sided item as text, and a versioned JSON document', () => {
		const text = renderCompareText(cmp, {color: false, maxWidth: 140});
		expect(text).toContain('━━ node01 on dockershim vs node02 on containerd');
		expect(text).toMatch(/runtime\s+dockershim · kubelet's\s+containerd · kubelet's/);
		expect(text).toMatch(/only on node01 \(2\)\n {4}default\/web \(docker-labels\)/);
		expect(text).toContain('shop/checkout · sidecar (k8s.io)');
		expect(text).toMatch(/lab-other\s+1 \/ 1\s+0 \/ 1/);
		expect(text).toMatch(/dockershim-in-use\s+WARN \(1\)\s+—/);
		for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(140);
		const doc = JSON.parse(renderCompareJson(comparisonDocument(cmp, new Date('2026-01-02T03:04:05Z'))));
		expect(doc).toMatchObject({schema: 'crimon.compare/v1', takenAt: '2026-01-02T03:04:05.000Z', headline: cmp.headline});
		expect(doc.pods.onlyB[0].key).toBe('shop/checkout');
	});

	it('local vs local: identical, told apart by (A) and (B)', () => {
		const same = compareNodes(node01(), node01());
		expect(same.headline).toBe('node01 (A) on dockershim vs node01 (B) on dockershim');
		expect(same.pods.onlyA).toEqual([]);
		expect(same.pods.onlyB).toEqual([]);
		expect(same.containers.onlyA).toEqual([]);
		expect(same.findings.every((f) => f.a?.severity === f.b?.severity)).toBe(true);
	});

	it('an unreachable side is said, not compared as empty runtime', () => {
		const down = compareNodes(a, unreachableNode('node03', 'ssh://node03', 'connection refused'));
		expect(down.headline).toBe('node01 on dockershim vs node03 on unreachable');
		expect(down.b).toMatchObject({ok: false, diagnosis: null});
	});

	it('hostile names cannot reach the terminal', () => {
		const evil = buildNodeSnapshot({...labFacts(), name: 'evil\u001b]0;pwned\u0007', cri: {...labFacts().cri!, sandboxes: labFacts().cri!.sandboxes.map((s) => ({...s, name: 'x\u001b[2J\u202e'}))}});
		const text = renderCompareText(compareNodes(a, evil), {color: false, maxWidth: 200});
		expect(text).not.toMatch(/[\u001b\u0007\u202e]/);
		expect(text).toContain('evil\\x1b]0;pwned\\x07');
	});
});

describe('workloadName', () => {
	it('drops the suffixes a Deployment and a DaemonSet generate, when the labels prove them', () => {
		expect(workloadName({name: 'coredns-787d4945fb-x2k9q'}, {'pod-template-hash': '787d4945fb', 'k8s-app': 'kube-dns'})).toBe('coredns');
		expect(workloadName({name: 'kube-proxy-7lq2m'}, {'controller-revision-hash': '6bb8c8b8d9', 'pod-template-generation': '1', 'k8s-app': 'kube-proxy'})).toBe('kube-proxy');
		expect(workloadName({name: 'web-0'}, {'controller-revision-hash': 'web-6d4c', 'statefulset.kubernetes.io/pod-name': 'web-0'})).toBe('web-0');
		expect(workloadName({name: 'api-abcde'}, {})).toBe('api-abcde');
	});

	it('so a DaemonSet pod on both nodes is on both', () => {
		const withProxy = (suffix: string) => {
			const facts = labFacts();
			const labels = {'controller-revision-hash': '6bb8c8b8d9', 'pod-template-generation': '1', 'io.kubernetes.pod.name': `kube-proxy-${suffix}`};
			return buildNodeSnapshot({...facts, cri: {...facts.cri!, sandboxes: facts.cri!.sandboxes.map((s) => ({...s, name: `kube-proxy-${suffix}`, namespace: 'kube-system', labels: {...s.labels, ...labels}}))}});
		};
		const cmp = compareNodes(withProxy('7lq2m'), withProxy('zz9k1'));
		expect(cmp.pods.onlyA).toEqual([]);
		expect(cmp.pods.onlyB).toEqual([]);
		expect(cmp.pods.both).toBe(2);
	});
});
