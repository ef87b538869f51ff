/**
 * The one choice of a node's CRI socket (collect/cri-choice.ts), for each way it is made:
 * the kubelet names one (on its command line, in kubeadm-flags.env, in its config), the
 * kubelet inside k3s, --cri-socket, the probe finding one or several, and none. The sockets
 * and flags are the ones design.md lists as verified on real nodes; the kubelet is a fake
 * (none runs on the lab machine), its facts shaped as collect-kubelet.ts reads them.
 * Every case also goes through the diagnosis, so what the collector reads, what the Node
 * pane says and what the JSON and metrics carry come from the same answer.
 */
import {describe, expect, it} from 'vitest';
import {chooseCriSocket, type CriSocketInput} from '../../source/collect/cri-choice.js';
import {buildNodeSnapshot} from '../../source/model/build-snapshot.js';
import type {CriSocketProbe, KubeletFacts} from '../../source/schema/types.js';
import {labFacts} from '../support/lab-fixtures.js';

const CONTAINERD = 'unix:///run/containerd/containerd.sock';
const CRIO = 'unix:///var/run/crio/crio.sock';
const CRI_DOCKERD = 'unix:///var/run/cri-dockerd.sock';
const K3S = 'unix:///run/k3s/containerd/containerd.sock';

type Status = CriSocketProbe['status'];
/** The probe over the usual candidates, in the collector's order; each socket's status as given, else missing. */
function probe(statuses: Partial<Record<string, Status>> = {}): CriSocketInput['probed'] {
	return [CONTAINERD, CRIO, CRI_DOCKERD, K3S, 'unix:///var/run/dockershim.sock'].map((endpoint) => ({endpoint, status: statuses[endpoint] ?? 'missing'}));
}

function kubelet(argv: string[], flagsEnv: string | null = null): KubeletFacts {
	return {
		pid: 4242, argv, binary: argv[0]!, otherPids: [],
		flagsEnv: {path: '/var/lib/kubelet/kubeadm-flags.env', text: flagsEnv, missing: flagsEnv === null, error: null},
		config: null, version: 'v1.28.15', versionNote: '',
	};
}

const KUBEADM_KUBELET = ['/usr/bin/kubelet', '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf', '--kubeconfig=/etc/kubernetes/kubelet.conf'];

describe('which socket is the node\'s CRI, and why', () => {
	it('the kubelet names one: its endpoint, read first, even where another socket answers first in probe order', () => {
		const input = {kubelet: kubelet(KUBEADM_KUBELET, `KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=${CRI_DOCKERD}"\n`), forced: null, probed: probe({[CONTAINERD]: 'cri', [CRI_DOCKERD]: 'cri'})};
		const choice = chooseCriSocket(input);
		expect(choice).toMatchObject({endpoint: CRI_DOCKERD, how: 'kubelet', kubelet: {endpointSource: 'kubeadm-flags.env'}});
		expect(choice.why).toContain('kubeadm-flags.env');
		expect(choice.readFrom).toEqual([CRI_DOCKERD, CONTAINERD]);
	});

	it("the kubelet's endpoint dead: still the node's CRI, but pods are read from what answers", () => {
		const choice = chooseCriSocket({kubelet: kubelet([...KUBEADM_KUBELET, `--container-runtime-endpoint=${CRIO}`]), forced: null, probed: probe({[CONTAINERD]: 'cri', [CRIO]: 'failed'})});
		expect(choice).toMatchObject({endpoint: CRIO, how: 'kubelet'});
		expect(choice.readFrom).toEqual([CONTAINERD]);
	});

	it('k3s: the kubelet inside `k3s server` runs on k3s\'s own containerd', () => {
		const choice = chooseCriSocket({kubelet: kubelet(['/usr/local/bin/k3s', 'server']), forced: null, probed: probe({[K3S]: 'cri'})});
		expect(choice).toMatchObject({endpoint: K3S, how: 'kubelet', kubelet: {runtime: 'containerd', endpointSource: 'default'}});
		expect(choice.readFrom).toEqual([K3S]);
	});

	it('--cri-socket: without a kubelet it is the choice; pods are read from it alone, answering or not', () => {
		const alone = chooseCriSocket({kubelet: null, forced: CRI_DOCKERD, probed: probe({[CONTAINERD]: 'cri'})});
		expect(alone).toMatchObject({endpoint: CRI_DOCKERD, how: 'forced', why: 'no kubelet runs here; --cri-socket names this endpoint', readFrom: [CRI_DOCKERD]});
		// With a kubelet the node's CRI is still the kubelet's; crimon reads where it was told.
		const withKubelet = chooseCriSocket({kubelet: kubelet([...KUBEADM_KUBELET, `--container-runtime-endpoint=${CONTAINERD}`]), forced: CRI_DOCKERD, probed: probe({[CONTAINERD]: 'cri'})});
		expect(withKubelet).toMatchObject({endpoint: CONTAINERD, how: 'kubelet', readFrom: [CRI_DOCKERD]});
	});

	it('the probe finds one, or several: the first in probe order, the one crictl would take', () => {
		expect(chooseCriSocket({kubelet: null, forced: null, probed: probe({[CRIO]: 'cri', [CONTAINERD]: 'not-cri'})})).toMatchObject({
			endpoint: CRIO, how: 'probe', why: 'no kubelet runs here; the only socket that serves the CRI', readFrom: [CRIO],
		});
		const several = chooseCriSocket({kubelet: null, forced: null, probed: probe({[CONTAINERD]: 'cri', [CRI_DOCKERD]: 'cri'})});
		expect(several).toMatchObject({endpoint: CONTAINERD, how: 'probe', readFrom: [CONTAINERD, CRI_DOCKERD]});
		expect(several.why).toContain('2 sockets serve the CRI');
	});

	it('none: no kubelet and nothing serving the CRI; an unreadable process table is said so', () => {
		expect(chooseCriSocket({kubelet: null, forced: null, probed: probe({[CONTAINERD]: 'not-cri'})})).toEqual({
			endpoint: null, how: 'none', why: 'no kubelet runs here, and no socket serves the CRI', kubelet: null, readFrom: [],
		});
		expect(chooseCriSocket({kubelet: undefined, forced: null, probed: []}).why).toBe('the process table could not be read, so the kubelet could not be looked for, and no socket serves the CRI');
	});

	it('/var/run and /run, unix:// or not, are one socket: read once', () => {
		const choice = chooseCriSocket({kubelet: kubelet([...KUBEADM_KUBELET, '--container-runtime-endpoint=/var/run/containerd/containerd.sock']), forced: null, probed: probe({[CONTAINERD]: 'cri'})});
		expect(choice.readFrom).toEqual(['unix:///var/run/containerd/containerd.sock']);
	});
});

describe('the diagnosis reports the same choice', () => {
	const cases: [string, string, CriSocketInput][] = [
		['kubelet', 'kubelet', {kubelet: kubelet([...KUBEADM_KUBELET, `--container-runtime-endpoint=${CONTAINERD}`]), forced: null, probed: probe({[CONTAINERD]: 'cri'})}],
		['k3s', 'kubelet', {kubelet: kubelet(['/usr/local/bin/k3s', 'agent']), forced: null, probed: probe({[K3S]: 'cri'})}],
		['forced', 'forced', {kubelet: null, forced: CRI_DOCKERD, probed: probe({[CRI_DOCKERD]: 'cri'})}],
		['probe', 'probe', {kubelet: null, forced: null, probed: probe({[CONTAINERD]: 'cri'})}],
		['none', 'none', {kubelet: null, forced: null, probed: probe()}],
	];
	for (const [label, how, input] of cases) {
		it(`${label}: how ${how}`, () => {
			const sockets = input.probed.map((s) => ({...s, runtimeName: s.status === 'cri' ? 'containerd' : null, runtimeVersion: null, message: null}));
			const node = buildNodeSnapshot({...labFacts(), kubelet: input.kubelet, criProbe: {forced: input.forced, kubeletEndpoint: null, sockets, dockerSocket: null}});
			const choice = chooseCriSocket(input);
			expect(choice.how).toBe(how);
			expect(node.diagnosis!.cri).toMatchObject({endpoint: choice.endpoint, how: choice.how});
			expect(node.diagnosis!.cri.why.startsWith(choice.why)).toBe(true);
		});
	}
});
