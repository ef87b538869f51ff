/**
 * The diagnosis on the real lab's recorded answers (test/fixtures/lab): containerd with its
 * CRI, Docker on the same containerd, a Docker container mounting docker.sock, a CRI pod
 * whose sidecar mounts the host's /var/run, a v1-shim container, and a dockershim-style pod
 * in moby — with kubelets and socket probes added as the collector would report them.
 */
import {describe, expect, it} from 'vitest';
import {buildNodeSnapshot} from '../../source/model/build-snapshot.js';
import {dockerSocketViaMount, dockerSocketPaths, kubeadmPicks} from '../../source/model/diagnosis.js';
import type {CriProbeFacts, CriSocketProbe, Diagnosis, Finding, KubeletFacts, NodeFacts} from '../../source/schema/types.js';
import {labFacts, recordedLab} from '../support/lab-fixtures.js';

const lab = recordedLab();
const c = lab.containers;
const CONTAINERD = 'unix:///run/containerd/containerd.sock';

function socket(endpoint: string, status: CriSocketProbe['status'], runtimeName: string | null = null): CriSocketProbe {
	return {endpoint, status, runtimeName, runtimeVersion: runtimeName ? '1.6.20~ds1' : null, message: status === 'failed' ? `nothing is listening on ${endpoint.slice(7)}` : status === 'not-cri' ? `${endpoint.slice(7)} does not serve the CRI (neither runtime.v1 nor runtime.v1alpha2)` : null};
}

/** The lab's sockets as collectCriProbed reports them: only containerd serves the CRI, Docker's socket is there. */
function labProbe(overrides: Partial<Record<string, CriSocketProbe['status']>> = {}, kubeletEndpoint: string | null = null): CriProbeFacts {
	const all: [string, CriSocketProbe['status'], string | null][] = [
		[CONTAINERD, 'cri', 'containerd'],
		['unix:///var/run/crio/crio.sock', 'missing', null],
		['unix:///var/run/cri-dockerd.sock', 'missing', null],
		['unix:///run/k3s/containerd/containerd.sock', 'missing', null],
		['unix:///var/run/dockershim.sock', 'missing', null],
	];
	return {
		forced: null,
		kubeletEndpoint,
		sockets: all.map(([endpoint, status, name]) => {
			const over = overrides[endpoint];
			return socket(endpoint, over ?? status, (over ?? status) === 'cri' ? name ?? 'docker' : null);
		}),
		dockerSocket: {path: '/var/run/docker.sock', present: true},
	};
}

function kubelet(args: string[], extra: Partial<KubeletFacts> = {}): KubeletFacts {
	return {
		pid: 4242,
		argv: ['/usr/bin/kubelet', ...args],
		binary: '/usr/bin/kubelet',
		otherPids: [],
		flagsEnv: {path: '/var/lib/kubelet/kubeadm-flags.env', text: null, missing: true, error: null},
		config: null,
		version: null,
		versionNote: 'no dpkg kubelet package here',
		...extra,
	};
}

function diagnose(extra: Partial<NodeFacts>): Diagnosis {
	return buildNodeSnapshot({...labFacts(), ...extra}).diagnosis!;
}

const codes = (d: Diagnosis) => d.findings.map((f) => f.code);
const find = (d: Diagnosis, code: string): Finding => {
	const found = d.findings.find((f) => f.code === code);
	if (!found) throw new Error(`no ${code} among ${codes(d).join(', ')}`);
	return found;
};

describe('diagnosis of the recorded lab without a kubelet', () => {
	const d = diagnose({kubelet: null, criProbe: labProbe()});

	it('reports the probed CRI and what kubeadm would pick by both generations of rules', () => {
		expect(d.kubelet).toBeNull();
		expect(d.cri).toMatchObject({endpoint: CONTAINERD, runtime: 'containerd', how: 'probe', answers: true, answering: [CONTAINERD]});
		expect(d.cri.kubeadm).toEqual([
			expect.objectContaining({rules: '1.14-1.23', endpoint: 'unix:///var/run/dockershim.sock', runtime: 'dockershim', answers: false}),
			expect.objectContaining({rules: '1.24+', endpoint: 'unix:///var/run/containerd/containerd.sock', runtime: 'containerd', answers: true}),
		]);
		expect(d.cri.kubeadm![0]!.reason).toContain('/var/run/docker.sock exists');
	});

	it('names both containers that reach the Docker socket, and the pod of the CRI one', () => {
		const f = find(d, 'docker-sock-mounted');
		expect(f.severity).toBe('warn');
		const containers = f.subjects.filter((s) => s.kind === 'container');
		expect(containers.map((s) => s.id).sort()).toEqual([c.dockerSock!.id, c.criSidecar!.id].sort());
		expect(containers.find((s) => s.id === c.criSidecar!.id)).toMatchObject({name: 'sidecar', namespace: 'k8s.io', pod: {name: 'api', namespace: 'shop'}});
		expect(containers.find((s) => s.id === c.criSidecar!.id)!.detail).toMatch(/holds docker\.sock.*\/host\/var\/run/);
		expect(containers.find((s) => s.id === c.dockerSock!.id)).toMatchObject({name: 'lab-docker-sock', namespace: 'moby', pod: null});
		expect(f.subjects.filter((s) => s.kind === 'pod')).toEqual([expect.objectContaining({name: 'api', namespace: 'shop', id: c.criSandbox!.id})]);
		expect(f.message).toMatch(/lab-docker-sock/);
		expect(f.message).toMatch(/shop\/api sidecar/);
	});

	it('names the v1 shim container', () => {
		const f = find(d, 'shim-v1');
		expect(f.severity).toBe('info');
		expect(f.subjects).toEqual([expect.objectContaining({kind: 'container', id: 'lab-v1-box', namespace: 'lab-other'})]);
		expect(f.subjects[0]!.detail).toMatch(/^containerd-shim pid \d+/);
		expect(f.message).toContain('containerd 2.0');
	});

	it('sees Kubernetes containers in moby, from dockershim\'s labels', () => {
		const f = find(d, 'kubernetes-in-moby');
		expect(f.subjects.filter((s) => s.kind === 'pod')).toEqual([expect.objectContaining({name: 'web', namespace: 'default', id: c.dockershimSandbox!.id})]);
		expect(f.subjects.filter((s) => s.kind === 'container').map((s) => s.id).sort()).toEqual([c.dockershimSandbox!.id, c.dockershimApp!.id].sort());
	});

	it('raises nothing about the CRI when one socket answers, and orders findings by severity', () => {
		expect(codes(d)).not.toContain('cri-unreachable');
		expect(codes(d)).not.toContain('multiple-cri-sockets');
		expect(codes(d)).not.toContain('dockershim-in-use');
		const ranks = d.findings.map((f) => ['error', 'warn', 'info'].indexOf(f.severity));
		expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
	});
});

describe('diagnosis with a kubelet', () => {
	it('a 1.20 dockershim kubelet: dockershim-in-use, and its socket (served by the kubelet itself) is not there', () => {
		const d = diagnose({
			kubelet: kubelet(['--kubeconfig=/etc/kubernetes/kubelet.conf', '--container-runtime=docker', '--network-plugin=cni', '--pod-infra-container-image=k8s.gcr.io/pause:3.2'], {version: '1.20.15', versionNote: 'dpkg package kubelet 1.20.15-00'}),
			criProbe: labProbe({}, 'unix:///var/run/dockershim.sock'),
		});
		expect(d.kubelet).toMatchObject({pid: 4242, version: '1.20.15', containerRuntime: 'docker', endpoint: 'unix:///var/run/dockershim.sock', endpointSource: 'default'});
		expect(d.cri).toMatchObject({runtime: 'dockershim', how: 'kubelet', endpoint: 'unix:///var/run/dockershim.sock', answers: false, kubeadm: null});
		const shim = find(d, 'dockershim-in-use');
		expect(shim.severity).toBe('warn');
		expect(shim.message).toMatch(/gone from Kubernetes 1\.24/);
		expect(shim.subjects).toEqual([expect.objectContaining({kind: 'kubelet', id: '4242'})]);
		const unreachable = find(d, 'cri-unreachable');
		expect(unreachable.severity).toBe('error');
		expect(unreachable.message).toContain('crimon read pods from unix:///run/containerd/containerd.sock instead');
		expect(find(d, 'kubernetes-in-moby').message).toContain('made by dockershim');
		expect(d.findings[0]!.code).toBe('cri-unreachable');
	});

	it('a containerd kubelet: containerd, answering; the moby pod is a leftover no kubelet manages', () => {
		const d = diagnose({
			kubelet: kubelet(['--container-runtime=remote', '--container-runtime-endpoint=unix:///run/containerd/containerd.sock']),
			criProbe: labProbe({}, CONTAINERD),
		});
		expect(d.cri).toMatchObject({runtime: 'containerd', how: 'kubelet', endpoint: CONTAINERD, answers: true});
		expect(d.kubelet).toMatchObject({endpointSource: 'flags', containerRuntime: 'remote'});
		expect(codes(d)).not.toContain('dockershim-in-use');
		expect(codes(d)).not.toContain('cri-unreachable');
		expect(find(d, 'kubernetes-in-moby').message).toMatch(/leftovers.*no kubelet manages/);
		expect(codes(d)).toEqual(expect.arrayContaining(['docker-sock-mounted', 'shim-v1']));
	});

	it('the endpoint from kubeadm-flags.env, and from the --config file', () => {
		const fromEnv = diagnose({
			kubelet: kubelet(['--config=/var/lib/kubelet/config.yaml'], {
				flagsEnv: {path: '/var/lib/kubelet/kubeadm-flags.env', text: 'KUBELET_KUBEADM_ARGS="--container-runtime=remote --container-runtime-endpoint=unix:///run/containerd/containerd.sock --pod-infra-container-image=k8s.gcr.io/pause:3.6"\n', missing: false, error: null},
				config: {path: '/var/lib/kubelet/config.yaml', text: 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n', missing: false, error: null},
			}),
			criProbe: labProbe({}, CONTAINERD),
		});
		expect(fromEnv.kubelet).toMatchObject({endpointSource: 'kubeadm-flags.env', endpoint: CONTAINERD, configFile: '/var/lib/kubelet/config.yaml'});
		expect(fromEnv.cri).toMatchObject({runtime: 'containerd', answers: true});

		const fromConfig = diagnose({
			kubelet: kubelet(['--config=/etc/kubernetes/kubelet-config.yaml'], {
				config: {path: '/etc/kubernetes/kubelet-config.yaml', text: 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncontainerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n', missing: false, error: null},
			}),
			criProbe: labProbe({}, CONTAINERD),
		});
		expect(fromConfig.kubelet).toMatchObject({endpointSource: 'config', endpoint: CONTAINERD});
		expect(fromConfig.cri.runtime).toBe('containerd');
	});

	it('a kubeadm-flags.env changed for the migration but the kubelet not restarted', () => {
		const d = diagnose({
			kubelet: kubelet(['--container-runtime=docker', '--network-plugin=cni'], {
				flagsEnv: {path: '/var/lib/kubelet/kubeadm-flags.env', text: 'KUBELET_KUBEADM_ARGS="--container-runtime=remote --container-runtime-endpoint=unix:///run/containerd/containerd.sock"\n', missing: false, error: null},
			}),
			criProbe: labProbe({}, 'unix:///var/run/dockershim.sock'),
		});
		const f = find(d, 'kubelet-restart-pending');
		expect(f.severity).toBe('warn');
		expect(f.message).toMatch(/--container-runtime=remote.*started with --container-runtime=docker.*restart/);
	});

	it('a kubelet on cri-dockerd while containerd also answers: crictl would look at the wrong runtime', () => {
		const d = diagnose({
			kubelet: kubelet(['--container-runtime-endpoint=unix:///var/run/cri-dockerd.sock'], {version: '1.25.16'}),
			criProbe: labProbe({'unix:///var/run/cri-dockerd.sock': 'cri'}, 'unix:///var/run/cri-dockerd.sock'),
		});
		expect(d.cri).toMatchObject({runtime: 'cri-dockerd', how: 'kubelet', answers: true});
		expect(find(d, 'cri-dockerd-in-use').severity).toBe('info');
		const multiple = find(d, 'multiple-cri-sockets');
		expect(multiple.severity).toBe('warn');
		expect(multiple.message).toMatch(/kubelet uses \/run\/cri-dockerd\.sock.*crictl.*\/run\/containerd\/containerd\.sock/);
	});

	it('an unreadable config file is said, since the endpoint may hide in it', () => {
		const d = diagnose({
			kubelet: kubelet(['--config=/var/lib/kubelet/config.yaml'], {config: {path: '/var/lib/kubelet/config.yaml', text: null, missing: false, error: 'permission denied reading /var/lib/kubelet/config.yaml'}}),
			criProbe: labProbe({}, null),
		});
		expect(find(d, 'kubelet-config-unreadable').message).toContain('permission denied');
		expect(d.cri.runtime).toBe('unknown');
	});

	it('two kubelets', () => {
		const d = diagnose({kubelet: kubelet(['--container-runtime-endpoint=unix:///run/containerd/containerd.sock'], {otherPids: [5151]}), criProbe: labProbe({}, CONTAINERD)});
		expect(find(d, 'multiple-kubelets').subjects.map((s) => s.id)).toEqual(['4242', '5151']);
	});
});

describe('sockets without a kubelet', () => {
	it('several answering: ambiguous — crictl takes the first, kubeadm 1.24+ refuses', () => {
		const d = diagnose({kubelet: null, criProbe: labProbe({'unix:///var/run/crio/crio.sock': 'cri'})});
		expect(d.cri).toMatchObject({how: 'probe', endpoint: CONTAINERD, answering: [CONTAINERD, 'unix:///var/run/crio/crio.sock']});
		expect(d.cri.why).toContain('crictl would silently take');
		const f = find(d, 'multiple-cri-sockets');
		expect(f.severity).toBe('warn');
		expect(f.message).toMatch(/crictl.*silently takes the first.*kubeadm 1\.24\+ refuses/);
		expect(d.cri.kubeadm![1]).toMatchObject({rules: '1.24+', endpoint: null, runtime: 'unknown'});
		// Docker's socket and CRI-O's: kubeadm before 1.24 found two as well.
		expect(d.cri.kubeadm![0]).toMatchObject({endpoint: null, found: ['unix:///var/run/dockershim.sock', 'unix:///var/run/crio/crio.sock']});
	});

	it('a socket that exists but serves no CRI (Docker\'s containerd with the cri plugin off)', () => {
		const d = diagnose({kubelet: null, cri: null, criProbe: labProbe({[CONTAINERD]: 'not-cri'})});
		expect(d.cri).toMatchObject({how: 'none', endpoint: null, runtime: 'unknown', answering: []});
		const f = find(d, 'cri-unreachable');
		expect(f.severity).toBe('warn');
		expect(f.message).toMatch(/none serves the CRI/);
		// kubeadm only looks at the file: 1.24+ would still pick containerd, which does not answer.
		expect(d.cri.kubeadm![1]).toMatchObject({runtime: 'containerd', answers: false});
	});

	it('no Docker socket: kubeadm before 1.24 takes containerd', () => {
		const probe = {...labProbe(), dockerSocket: {path: '/var/run/docker.sock', present: false}};
		expect(kubeadmPicks(probe)[0]).toMatchObject({endpoint: 'unix:///run/containerd/containerd.sock', runtime: 'containerd', answers: true});
	});

	it('without probe facts (e.g. a node read through CLIs) it falls back to the CRI the snapshot read', () => {
		const d = diagnose({kubelet: null});
		expect(d.cri).toMatchObject({how: 'probe', endpoint: CONTAINERD, runtime: 'containerd', kubeadm: null});
	});

	it('an unreachable node has no diagnosis', async () => {
		const {unreachableNode} = await import('../../source/model/build-snapshot.js');
		expect(unreachableNode('n', 'ssh://n', 'refused').diagnosis).toBeNull();
	});
});

describe('which mounts reach the Docker socket', () => {
	const sockets = dockerSocketPaths('/var/run/docker.sock');
	it.each([
		['/var/run/docker.sock', '/run/docker.sock'],
		['/run/docker.sock', '/run/docker.sock'],
		['/var/run', '/run/docker.sock'],
		['/var/run/', '/run/docker.sock'],
		['/run', '/run/docker.sock'],
		['/var/run/dockershim.sock', '/run/dockershim.sock'],
	])('%s → %s', (source, socket) => {
		expect(dockerSocketViaMount(source, sockets)).toBe(socket);
	});
	it.each(['/var/lib/docker', '/var/run/docker', '/run/containerd', '/', '/var', '/var/run/docker.sock.bak'])('%s does not', (source) => {
		expect(dockerSocketViaMount(source, sockets)).toBeNull();
	});
	it('follows a Docker socket somewhere else', () => {
		expect(dockerSocketViaMount('/srv/docker', dockerSocketPaths('unix:///srv/docker/docker.sock'))).toBe('/srv/docker/docker.sock');
	});
});
