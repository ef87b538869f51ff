/**
 * Synthetic snapshots for the view tests and the frame-time benchmark. They cover what
 * the panes must tell apart: a v1 shim, a CRI pod on one v2 shim (pause + two
 * containers), a dockershim-style pod in moby (one shim per container), a k8s.io
 * container the CRI does not know, a third namespace, a stopped container, and a process
 * whose command line tries to retitle the terminal and reverse the text.
 */
import {findShims} from '../../source/collect/shims.js';
import type {Container, Diagnosis, NodeSnapshot, Pod, ProcessInfo} from '../../source/schema/types.js';
import {createCrimonStore, type CrimonStore} from '../../source/store/store.js';

export const NOW = Date.parse('2025-01-01T12:00:00Z');

export const hex = (seed: string) => {
	let out = '';
	let h = 0x811c9dc5;
	while (out.length < 64) {
		for (const char of seed + out.length) h = Math.imul(h ^ char.charCodeAt(0), 0x01000193) >>> 0;
		out += h.toString(16).padStart(8, '0');
	}
	return out.slice(0, 64);
};

export const IDS = {
	v1: hex('legacy-web'),
	webSandbox: hex('web-sandbox'),
	web: hex('web'),
	logShipper: hex('log-shipper'),
	legacySandbox: hex('legacy-sandbox'),
	legacyApp: hex('legacy-app'),
	unknown: hex('ctr-made'),
	oldJob: hex('old-job'),
	bk: 'bk-worker-1',
};

/** The command line that must never reach the terminal raw. */
export const EVIL_COMMAND = '/usr/bin/evil \u001b]0;OWNED\u0007 --name=\u202eexe.txt';
export const EVIL_ESCAPED = '/usr/bin/evil \\x1b]0;OWNED\\x07 --name=\\u202eexe.txt';

const SOCK = '/run/containerd/containerd.sock';
const p = (pid: number, ppid: number, command: string, user = 'root', state = 'S'): ProcessInfo => ({pid, ppid, user, state, command});

const processes: ProcessInfo[] = [
	p(1, 0, '/sbin/init'),
	p(50, 1, '/usr/sbin/sshd -D'),
	p(51, 50, 'sshd: admin [priv]'),
	p(52, 51, '-bash', 'admin'),
	p(100, 1, `/usr/bin/containerd --address ${SOCK}`),
	p(110, 1, `/usr/bin/dockerd -H fd:// --containerd=${SOCK}`),
	p(120, 1, '/usr/bin/kubelet --container-runtime-endpoint=unix:///run/containerd/containerd.sock'),
	// v1: its parent is containerd, the id is the last element of -workdir.
	p(200, 100, `containerd-shim -namespace moby -workdir /var/lib/containerd/io.containerd.runtime.v1.linux/moby/${IDS.v1} -address ${SOCK} -containerd-binary /usr/bin/containerd`),
	p(210, 200, 'nginx: master process nginx -g daemon off;'),
	p(211, 210, 'nginx: worker process', 'www-data'),
	// One v2 shim for the CRI pod, re-parented to pid 1.
	p(300, 1, `/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id ${IDS.webSandbox} -address ${SOCK}`),
	p(310, 300, '/pause', '65535'),
	p(320, 300, 'nginx: master process nginx -g daemon off;'),
	p(321, 320, 'nginx: worker process', 'www-data'),
	p(322, 320, EVIL_COMMAND, 'www-data'),
	p(330, 300, '/fluent-bit/bin/fluent-bit -c /fluent-bit/etc/fluent-bit.conf'),
	// dockershim: one v2 shim per container in moby.
	p(400, 1, `/usr/bin/containerd-shim-runc-v2 -namespace moby -id ${IDS.legacySandbox} -address ${SOCK}`),
	p(410, 400, '/pause', '65535'),
	p(420, 1, `/usr/bin/containerd-shim-runc-v2 -namespace moby -id ${IDS.legacyApp} -address ${SOCK}`),
	p(430, 420, '/app/server --port 8080', 'app'),
	// Made with ctr in k8s.io: the CRI does not list it.
	p(500, 1, `/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id ${IDS.unknown} -address ${SOCK}`),
	p(510, 500, 'sleep infinity'),
	// A third namespace.
	p(600, 1, `/usr/bin/containerd-shim-runc-v2 -namespace buildkit -id ${IDS.bk} -address ${SOCK}`),
	p(610, 600, 'buildkitd --oci-worker=true'),
	p(700, 1, '/usr/sbin/cron -f'),
];

const container = (fields: Partial<Container> & Pick<Container, 'id' | 'name'>): Container => ({
	image: '',
	state: 'running',
	namespace: null,
	pid: null,
	shimPid: null,
	sandbox: false,
	pod: null,
	seenBy: {cri: false, containerd: true, docker: false},
	podId: null,
	runtime: 'io.containerd.runc.v2',
	labels: {},
	mounts: [],
	...fields,
});

const webPod = {name: 'web', namespace: 'default', uid: '6f1c2a9e-0000-4000-8000-000000000001'};
const legacyPod = {name: 'legacy', namespace: 'kube-system', uid: '6f1c2a9e-0000-4000-8000-000000000002'};

const containers: Container[] = [
	container({id: IDS.bk, name: 'bk-worker-1', image: 'moby/buildkit:v0.12', namespace: 'buildkit', pid: 610, shimPid: 600}),
	container({id: IDS.logShipper, name: 'log-shipper', image: 'fluent/fluent-bit:2.2', namespace: 'k8s.io', pid: 330, shimPid: 300, pod: webPod, podId: IDS.webSandbox, seenBy: {cri: true, containerd: true, docker: false}}),
	container({id: IDS.webSandbox, name: 'web', image: 'registry.k8s.io/pause:3.6', state: 'ready', namespace: 'k8s.io', pid: 310, shimPid: 300, sandbox: true, pod: webPod, podId: IDS.webSandbox, seenBy: {cri: true, containerd: true, docker: false}}),
	container({
		id: IDS.web, name: 'web', image: 'docker.io/library/nginx:1.25', namespace: 'k8s.io', pid: 320, shimPid: 300, pod: webPod, podId: IDS.webSandbox,
		seenBy: {cri: true, containerd: true, docker: false},
		labels: {'io.kubernetes.container.name': 'web', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default', note: 'evil\u001b[31mred'},
		mounts: [{source: '/var/lib/kubelet/pods/6f1c2a9e/volumes/kubernetes.io~configmap/conf', destination: '/etc/nginx/conf.d'}],
	}),
	container({id: IDS.unknown, name: IDS.unknown, image: 'docker.io/library/alpine:3.19', namespace: 'k8s.io', pid: 510, shimPid: 500}),
	container({
		id: IDS.legacyApp, name: 'k8s_app_legacy_kube-system_6f1c2a9e-0000-4000-8000-000000000002_0', image: 'legacy/app:3', namespace: 'moby', pid: 430, shimPid: 420,
		pod: legacyPod, podId: IDS.legacySandbox, seenBy: {cri: false, containerd: true, docker: true},
		labels: {'io.kubernetes.docker.type': 'container', 'io.kubernetes.pod.name': 'legacy', 'io.kubernetes.pod.namespace': 'kube-system', 'io.kubernetes.sandbox.id': IDS.legacySandbox},
	}),
	container({
		id: IDS.legacySandbox, name: 'k8s_POD_legacy_kube-system_6f1c2a9e-0000-4000-8000-000000000002_0', image: 'k8s.gcr.io/pause:3.2', namespace: 'moby', pid: 410, shimPid: 400,
		sandbox: true, pod: legacyPod, podId: IDS.legacySandbox, seenBy: {cri: false, containerd: true, docker: true},
		labels: {'io.kubernetes.docker.type': 'podsandbox', 'io.kubernetes.pod.name': 'legacy', 'io.kubernetes.pod.namespace': 'kube-system'},
	}),
	container({id: IDS.v1, name: 'legacy-web', image: 'nginx:1.19', namespace: 'moby', pid: 210, shimPid: 200, runtime: 'io.containerd.runtime.v1.linux', seenBy: {cri: false, containerd: true, docker: true}}),
	container({id: IDS.oldJob, name: 'old-job', image: 'busybox:1.36', state: 'exited', namespace: 'moby', seenBy: {cri: false, containerd: true, docker: true}}),
];

const pods: Pod[] = [
	{id: IDS.webSandbox, ...webPod, source: 'cri', sandboxPid: 310, containers: [IDS.logShipper, IDS.web], state: 'ready'},
	{id: IDS.legacySandbox, ...legacyPod, source: 'docker-labels', sandboxPid: 410, containers: [IDS.legacyApp], state: 'running'},
];

export function mainNode(name = 'node01'): NodeSnapshot {
	return {
		name,
		target: 'local',
		ok: true,
		errors: [],
		runtimes: {
			cri: {endpoint: 'unix:///run/containerd/containerd.sock', runtimeName: 'containerd', runtimeVersion: '1.6.20', apiVersion: 'v1'},
			containerd: {address: SOCK, version: '1.6.20'},
			docker: {address: '/var/run/docker.sock', version: '20.10.24'},
		},
		processes,
		shims: findShims(processes),
		namespaces: ['buildkit', 'k8s.io', 'moby'].map((ns) => ({name: ns, containers: containers.filter((c) => c.namespace === ns).map((c) => c.id)})),
		containers,
		pods,
		diagnosis: null,
	};
}

/** A second node: containerd only, one k8s.io pod, so switching nodes visibly changes every pane. */
export function smallNode(name = 'node02'): NodeSnapshot {
	const procs = [
		p(1, 0, '/sbin/init'),
		p(90, 1, `/usr/local/bin/containerd`),
		p(91, 90, `/usr/local/bin/containerd-shim-runc-v2 -namespace k8s.io -id ${hex('db-sandbox')} -address ${SOCK}`),
		p(92, 91, '/pause', '65535'),
		p(93, 91, 'postgres -D /var/lib/postgresql/data', 'postgres'),
	];
	const pod = {name: 'db', namespace: 'data', uid: 'aaaa'};
	const ctrs = [
		container({id: hex('db-sandbox'), name: 'db', image: 'registry.k8s.io/pause:3.9', state: 'ready', namespace: 'k8s.io', pid: 92, shimPid: 91, sandbox: true, pod, podId: hex('db-sandbox'), seenBy: {cri: true, containerd: true, docker: false}}),
		container({id: hex('postgres'), name: 'postgres', image: 'postgres:16', namespace: 'k8s.io', pid: 93, shimPid: 91, pod, podId: hex('db-sandbox'), seenBy: {cri: true, containerd: true, docker: false}}),
	];
	return {
		name,
		target: 'ssh://node02',
		ok: true,
		errors: [{source: 'docker', message: 'nothing is listening on /var/run/docker.sock'}],
		runtimes: {cri: null, containerd: {address: SOCK, version: '1.7.0'}, docker: null},
		processes: procs,
		shims: findShims(procs),
		namespaces: [{name: 'k8s.io', containers: ctrs.map((c) => c.id)}],
		containers: ctrs,
		pods: [{id: hex('db-sandbox'), ...pod, source: 'cri', sandboxPid: 92, containers: [hex('postgres')], state: 'ready'}],
		diagnosis: null,
	};
}

export function unreachable(name: string, target: string, message: string): NodeSnapshot {
	return {
		name, target, ok: false, errors: [{source: 'node', message}],
		runtimes: {cri: null, containerd: null, docker: null},
		processes: [], shims: [], namespaces: [], containers: [], pods: [], diagnosis: null,
	};
}

/**
 * Three nodes: node01 (ok, polled 3 s ago), node02 (stale: good, then a failed poll),
 * node03 (failed from the start).
 */
export function fixtureStore(options: {readonly nodes?: number} = {}): CrimonStore {
	const all = [
		{name: 'node01', target: 'local'},
		{name: 'node02', target: 'ssh://node02'},
		{name: 'node03', target: 'ssh://node03'},
	].slice(0, options.nodes ?? 3);
	const store = createCrimonStore(all, 2000);
	const state = store.getState();
	state.pollFinished(0, mainNode(), NOW - 3000, 42);
	if (all.length > 1) {
		state.pollFinished(1, smallNode(), NOW - 20_000, 80);
		state.pollFinished(1, unreachable('node02', 'ssh://node02', 'connect ETIMEDOUT 10.0.0.2:22'), NOW - 5000, 5000);
	}
	if (all.length > 2) state.pollFinished(2, unreachable('node03', 'ssh://node03', 'getaddrinfo ENOTFOUND node03'), NOW - 1000, 12);
	return store;
}

// ---- nodes with a diagnosis, for the Node and Compare panes ----------------------------

/** node01 as a kubelet on dockershim would leave it: one warning, with the kubelet as its subject. */
export function dockershimDiagnosis(): Diagnosis {
	return {
		kubelet: {
			pid: 120, binary: '/usr/bin/kubelet', version: '1.20.15', versionNote: 'dpkg package kubelet 1.20.15-00',
			containerRuntime: 'docker', endpoint: 'unix:///var/run/dockershim.sock', endpointSource: 'default', configFile: null,
		},
		cri: {endpoint: 'unix:///var/run/dockershim.sock', runtime: 'dockershim', how: 'kubelet', why: 'the kubelet runs with --container-runtime=docker', answers: true, answering: [], kubeadm: null},
		findings: [
			{
				code: 'dockershim-in-use', severity: 'warn',
				message: 'The kubelet (pid 120, 1.20.15) runs its pods through dockershim, which Kubernetes 1.24 removed.',
				subjects: [{kind: 'kubelet', id: '120', name: 'kubelet', namespace: null, pod: null, detail: null}],
			},
		],
	};
}

/** node02 on containerd's CRI, nothing to report. */
export function containerdDiagnosis(): Diagnosis {
	return {
		kubelet: {
			pid: 80, binary: '/usr/bin/kubelet', version: '1.29.3', versionNote: 'kubelet --version',
			containerRuntime: null, endpoint: 'unix:///run/containerd/containerd.sock', endpointSource: 'kubeadm-flags.env', configFile: '/var/lib/kubelet/config.yaml',
		},
		cri: {endpoint: 'unix:///run/containerd/containerd.sock', runtime: 'containerd', how: 'kubelet', why: 'the kubelet\'s --container-runtime-endpoint', answers: true, answering: ['unix:///run/containerd/containerd.sock'], kubeadm: null},
		findings: [],
	};
}

/** Both nodes answered and carry a diagnosis (`nodes: 1` keeps only node01). */
export function diagnosedStore(options: {readonly nodes?: 1 | 2} = {}): CrimonStore {
	const all = [
		{name: 'node01', target: 'local'},
		{name: 'node02', target: 'ssh://node02'},
	].slice(0, options.nodes ?? 2);
	const store = createCrimonStore(all, 2000);
	store.getState().pollFinished(0, {...mainNode(), diagnosis: dockershimDiagnosis()}, NOW - 1000, 40);
	if (all.length > 1) store.getState().pollFinished(1, {...smallNode(), diagnosis: containerdDiagnosis()}, NOW - 1000, 60);
	return store;
}

// ---- a large node, for the benchmark ------------------------------------------------

/**
 * `processes` processes and `containers` containers: half in k8s.io as two-container CRI
 * pods (one shim each, with pause), half in moby with a shim each; every container
 * process has a few children; the rest are ordinary processes under init.
 */
export function syntheticNode(options: {readonly processes: number; readonly containers: number; readonly name?: string}): NodeSnapshot {
	const procs: ProcessInfo[] = [p(1, 0, '/sbin/init'), p(100, 1, `/usr/bin/containerd --address ${SOCK}`), p(101, 1, `/usr/bin/dockerd --containerd=${SOCK}`), p(102, 1, '/usr/bin/kubelet')];
	const ctrs: Container[] = [];
	const podList: Pod[] = [];
	let pid = 1000;
	const inits: number[] = [];
	const criContainers = Math.floor(options.containers / 2);
	for (let i = 0; i * 2 < criContainers; i++) {
		const sandboxId = hex(`sb${i}`);
		const pod = {name: `app-${i}`, namespace: `team-${i % 17}`, uid: `uid-${i}`};
		const shim = pid++;
		procs.push(p(shim, 1, `/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id ${sandboxId} -address ${SOCK}`));
		const pause = pid++;
		procs.push(p(pause, shim, '/pause', '65535'));
		ctrs.push(container({id: sandboxId, name: pod.name, image: 'registry.k8s.io/pause:3.9', state: 'ready', namespace: 'k8s.io', pid: pause, shimPid: shim, sandbox: true, pod, podId: sandboxId, seenBy: {cri: true, containerd: true, docker: false}}));
		const members: string[] = [];
		for (const role of ['main', 'sidecar']) {
			const id = hex(`${role}${i}`);
			const init = pid++;
			procs.push(p(init, shim, `/bin/${role} --pod ${pod.name} --listen :${8000 + (i % 1000)}`));
			inits.push(init);
			ctrs.push(container({id, name: role, image: `registry.example.com/${role}:${i % 9}`, namespace: 'k8s.io', pid: init, shimPid: shim, pod, podId: sandboxId, seenBy: {cri: true, containerd: true, docker: false}}));
			members.push(id);
		}
		podList.push({id: sandboxId, ...pod, source: 'cri', sandboxPid: pause, containers: members, state: 'ready'});
	}
	for (let i = 0; ctrs.length < options.containers; i++) {
		const id = hex(`moby${i}`);
		const shim = pid++;
		procs.push(p(shim, 1, `/usr/bin/containerd-shim-runc-v2 -namespace moby -id ${id} -address ${SOCK}`));
		const init = pid++;
		procs.push(p(init, shim, `/usr/local/bin/worker --queue q${i} --concurrency 4`));
		inits.push(init);
		ctrs.push(container({id, name: `worker-${i}`, image: `worker:${i % 5}`, namespace: 'moby', pid: init, shimPid: shim, seenBy: {cri: false, containerd: true, docker: true}}));
	}
	const childrenEach = Math.max(0, Math.min(4, Math.floor((options.processes - procs.length) / 2 / Math.max(1, inits.length))));
	for (const init of inits) for (let c = 0; c < childrenEach; c++) procs.push(p(pid++, init, `/bin/helper --worker ${c}`, 'app'));
	let parent = 1;
	while (procs.length < options.processes) {
		const next = pid++;
		procs.push(p(next, parent, `/usr/lib/systemd/worker --slot ${next} --config /etc/worker/${next % 97}.conf`, next % 3 === 0 ? 'daemon' : 'root'));
		// Some depth in the ordinary tree too, as on a real host.
		parent = next % 10 === 0 ? next : parent === 1 || next % 7 === 0 ? 1 : parent;
	}
	procs.sort((a, b) => a.pid - b.pid);
	const nsNames = ['k8s.io', 'moby'];
	return {
		name: options.name ?? 'big',
		target: 'local',
		ok: true,
		errors: [],
		runtimes: {cri: null, containerd: {address: SOCK, version: '1.6.20'}, docker: null},
		processes: procs,
		shims: findShims(procs),
		namespaces: nsNames.map((name) => ({name, containers: ctrs.filter((c) => c.namespace === name).map((c) => c.id)})),
		containers: ctrs,
		pods: podList,
		diagnosis: null,
	};
}
