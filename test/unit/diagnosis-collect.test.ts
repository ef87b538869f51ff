/**
 * The collectors behind the diagnosis, against replay servers and a transport whose files
 * are chosen per test: which CRI socket the snapshot reads (the kubelet's, else the first
 * that answers), what the probe says about each socket, and how the kubelet's argv,
 * flag files and version are read without executing anything.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {collectCriProbed} from '../../source/collect/collect-cri.js';
import {DEFAULT_COLLECT_OPTIONS, type CollectOptions} from '../../source/collect/collect-options.js';
import {DPKG_KUBELET_LIST, DPKG_STATUS, findKubelets, KubeletReader} from '../../source/collect/collect-kubelet.js';
import {kubeletEndpointOf} from '../../source/collect/cri-choice.js';
import type {KubeletFacts, ProcessInfo} from '../../source/schema/types.js';
import {VersionResponse} from '../../source/protocol/cri-api.js';
import {encode} from '../../source/protocol/protobuf.js';
import {TransportError} from '../../source/transport/transport.js';
import {labGrpcRoutes} from '../support/lab-replay.js';
import {startGrpcServer, tempSocket, type Running} from '../support/replay-servers.js';
import {ReplayTransport} from '../support/replay-transport.js';

/** The replay transport, with node files served from a map (anything else is missing) and a log of reads. */
class FileTransport extends ReplayTransport {
	readonly reads: string[] = [];
	constructor(private readonly files: Record<string, string | Error>) {
		super(Buffer.from(''));
	}
	override async readFile(path: string, maxBytes: number): Promise<Buffer> {
		this.reads.push(path);
		const file = this.files[path];
		if (file instanceof Error) throw file;
		if (file === undefined) throw new TransportError(`no file at ${path}`, 'missing');
		if (Buffer.byteLength(file) > maxBytes) throw new TransportError(`${path} is larger than ${maxBytes} bytes`, 'too-large');
		return Buffer.from(file);
	}
}

/** A kubelet whose command line names its CRI endpoint, as a kubeadm 1.23 node's does (a fake: no kubelet runs here). */
function kubeletAt(endpoint: string): KubeletFacts {
	return {
		pid: 4242, argv: ['/usr/bin/kubelet', '--container-runtime=remote', `--container-runtime-endpoint=${endpoint}`], binary: '/usr/bin/kubelet', otherPids: [],
		flagsEnv: {path: '/var/lib/kubelet/kubeadm-flags.env', text: null, missing: true, error: null}, config: null, version: 'v1.23.17', versionNote: '',
	};
}

const options: CollectOptions = {...DEFAULT_COLLECT_OPTIONS, timeoutMs: 3000, dockerSocket: '/nonexistent/docker.sock'};

describe('collectCriProbed: every socket read, one chosen', () => {
	let containerd: Running;
	let criDockerd: Running;
	let notCri: Running;
	let criDockerdLists = 0;
	const missing = tempSocket('crio.sock');

	beforeAll(async () => {
		containerd = await startGrpcServer(labGrpcRoutes, tempSocket('containerd.sock'));
		// cri-dockerd answers Version with runtimeName "docker" and lists nothing here.
		const dockerVersion = encode(VersionResponse, {version: '0.1.0', runtimeName: 'docker', runtimeVersion: '24.0.7', runtimeApiVersion: 'v1'});
		criDockerd = await startGrpcServer((route) => {
			if (route === '/runtime.v1.RuntimeService/Version') return {message: dockerVersion};
			if (route.startsWith('/runtime.v1.RuntimeService/List')) {
				criDockerdLists++;
				return {message: new Uint8Array()};
			}
			return undefined;
		}, tempSocket('cri-dockerd.sock'));
		// A containerd with its cri plugin disabled (Docker's packaging) answers UNIMPLEMENTED.
		notCri = await startGrpcServer(() => undefined, tempSocket('plain-containerd.sock'));
	});
	afterAll(async () => {
		await Promise.all([containerd.close(), criDockerd.close(), notCri.close()]);
	});

	const candidates = () => [notCri.socket, containerd.socket, missing, criDockerd.socket];

	it('without a kubelet: the first candidate that answers, and a status for every socket', async () => {
		const listsBefore = criDockerdLists;
		const result = await collectCriProbed(new ReplayTransport(Buffer.from('')), options, Promise.resolve(null), candidates());
		// One socket listed a poll: cri-dockerd answered its Version, and was not listed.
		expect(criDockerdLists).toBe(listsBefore);
		expect(result.error).toBeNull();
		expect(result.facts?.info).toMatchObject({endpoint: `unix://${containerd.socket}`, runtimeName: 'containerd'});
		expect(result.probe.sockets.map((s) => [s.endpoint, s.status, s.runtimeName])).toEqual([
			[`unix://${notCri.socket}`, 'not-cri', null],
			[`unix://${containerd.socket}`, 'cri', 'containerd'],
			[`unix://${missing}`, 'missing', null],
			[`unix://${criDockerd.socket}`, 'cri', 'docker'],
		]);
		expect(result.probe.dockerSocket).toEqual({path: '/nonexistent/docker.sock', present: false});
	});

	it('with a kubelet: the kubelet\'s endpoint, even when another socket answers first', async () => {
		const result = await collectCriProbed(new ReplayTransport(Buffer.from('')), options, Promise.resolve(kubeletAt(`unix://${criDockerd.socket}`)), candidates());
		expect(result.facts?.info).toMatchObject({endpoint: `unix://${criDockerd.socket}`, runtimeName: 'docker'});
		expect(result.probe.kubeletEndpoint).toBe(`unix://${criDockerd.socket}`);
		expect(criDockerdLists).toBeGreaterThan(0);
	});

	it('a kubelet endpoint that is not a candidate is read too; a dead one falls back to the first that answers, without an error', async () => {
		const dead = tempSocket('dockershim.sock');
		const result = await collectCriProbed(new ReplayTransport(Buffer.from('')), options, Promise.resolve(kubeletAt(`unix://${dead}`)), candidates());
		expect(result.error).toBeNull();
		expect(result.facts?.info.endpoint).toBe(`unix://${containerd.socket}`);
		expect(result.probe.sockets.at(-1)).toMatchObject({endpoint: `unix://${dead}`, status: 'missing'});
	});

	it('--cri-socket wins, and its failure is the error', async () => {
		const forced = await collectCriProbed(new ReplayTransport(Buffer.from('')), {...options, criSocket: criDockerd.socket}, Promise.resolve(kubeletAt(`unix://${containerd.socket}`)), candidates());
		expect(forced.facts?.info.endpoint).toBe(`unix://${criDockerd.socket}`);
		expect(forced.probe.forced).toBe(`unix://${criDockerd.socket}`);
		const broken = await collectCriProbed(new ReplayTransport(Buffer.from('')), {...options, criSocket: missing}, Promise.resolve(null), candidates());
		expect(broken.facts).toBeNull();
		expect(broken.error?.message).toContain('no socket at');
	});

	it('nothing answering: one error naming why each socket failed', async () => {
		const result = await collectCriProbed(new ReplayTransport(Buffer.from(''), new Set([containerd.socket])), options, Promise.resolve(null), [notCri.socket, containerd.socket, missing]);
		expect(result.facts).toBeNull();
		expect(result.error?.message).toMatch(/no CRI runtime answered: .*does not serve the CRI.*permission denied/);
		expect(result.probe.sockets.map((s) => s.status)).toEqual(['not-cri', 'failed', 'missing']);
	});

	it('a failed kubelet lookup does not stop the probe', async () => {
		const result = await collectCriProbed(new ReplayTransport(Buffer.from('')), options, Promise.reject(new Error('boom')), candidates());
		expect(result.facts?.info.endpoint).toBe(`unix://${containerd.socket}`);
	});
});

const proc = (pid: number, command: string): ProcessInfo => ({pid, ppid: 1, user: 'root', state: 'Ssl', command});
const KUBELET_CMD = '/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime=remote --container-runtime-endpoint=unix:///run/containerd/containerd.sock';
const MAPS = '00400000-02bd5000 r-xp 00000000 08:01 1835041                            /usr/bin/kubelet\n';
const DPKG_LIST = '/.\n/usr\n/usr/bin\n/usr/bin/kubelet\n';
const DPKG = 'Package: kubelet\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.23.17-00\n\nPackage: kubeadm\nStatus: install ok installed\nVersion: 1.23.17-00\n';

describe('KubeletReader', () => {
	const table = [proc(1, '/sbin/init'), proc(811, 'containerd'), proc(1290, KUBELET_CMD), proc(2000, 'grep kubelet')];

	it('finds the kubelet by its command\'s first word, not by a mention of it', () => {
		expect(findKubelets(table).map((p) => p.pid)).toEqual([1290]);
		expect(findKubelets([proc(5, 'kubelet'), proc(3, '/opt/bin/kubelet --v=2')]).map((p) => p.pid)).toEqual([3, 5]);
	});

	it('reads the exact argv, the flag files and the version from dpkg — once per kubelet pid', async () => {
		const transport = new FileTransport({
			'/proc/1290/cmdline': KUBELET_CMD.split(' ').join('\0') + '\0',
			'/proc/1290/maps': MAPS,
			'/var/lib/kubelet/kubeadm-flags.env': 'KUBELET_KUBEADM_ARGS="--container-runtime=remote --container-runtime-endpoint=unix:///run/containerd/containerd.sock"\n',
			'/var/lib/kubelet/config.yaml': 'kind: KubeletConfiguration\n',
			[DPKG_KUBELET_LIST]: DPKG_LIST,
			[DPKG_STATUS]: DPKG,
		});
		const reader = new KubeletReader(transport);
		const facts = await reader.read(table, options);
		expect(facts).toMatchObject({pid: 1290, binary: '/usr/bin/kubelet', version: '1.23.17', versionNote: 'dpkg package kubelet 1.23.17-00', otherPids: []});
		expect(facts!.argv).toEqual(KUBELET_CMD.split(' '));
		expect(facts!.flagsEnv.text).toContain('KUBELET_KUBEADM_ARGS');
		expect(facts!.config).toMatchObject({path: '/var/lib/kubelet/config.yaml', missing: false});
		expect(kubeletEndpointOf(facts!)).toBe('unix:///run/containerd/containerd.sock');
		await reader.read(table, options);
		expect(transport.reads.filter((p) => p === DPKG_STATUS)).toHaveLength(1);
		expect(transport.reads.filter((p) => p === '/var/lib/kubelet/kubeadm-flags.env')).toHaveLength(2);
	});

	it('a binary replaced since the kubelet started has no trustworthy version', async () => {
		const transport = new FileTransport({'/proc/1290/maps': MAPS.replace('\n', ' (deleted)\n'), [DPKG_KUBELET_LIST]: DPKG_LIST, [DPKG_STATUS]: DPKG});
		const facts = await new KubeletReader(transport).read(table, options);
		expect(facts).toMatchObject({version: null, binary: '/usr/bin/kubelet'});
		expect(facts!.versionNote).toMatch(/replaced since the kubelet started/);
		// /proc/PID/cmdline missing: the process table's copy of the command line serves.
		expect(facts!.argv).toEqual(KUBELET_CMD.split(' '));
	});

	it('no dpkg, or a binary dpkg did not install: null with the reason; a denied read is retried next poll', async () => {
		const noDpkg = await new KubeletReader(new FileTransport({'/proc/1290/maps': MAPS})).read(table, options);
		expect(noDpkg!.versionNote).toMatch(/no dpkg kubelet package/);
		const foreign = await new KubeletReader(new FileTransport({'/proc/1290/maps': MAPS.replace('/usr/bin/kubelet', '/opt/k8s/kubelet'), [DPKG_KUBELET_LIST]: DPKG_LIST})).read(table, options);
		expect(foreign).toMatchObject({version: null, binary: '/opt/k8s/kubelet'});
		expect(foreign!.versionNote).toMatch(/not the file dpkg's kubelet package installed/);

		const denied = new FileTransport({'/proc/1290/maps': new TransportError('permission denied reading /proc/1290/maps', 'denied'), [DPKG_KUBELET_LIST]: DPKG_LIST, [DPKG_STATUS]: DPKG});
		const reader = new KubeletReader(denied);
		const first = await reader.read(table, options);
		// argv[0] is absolute, so dpkg can still vouch for it.
		expect(first!.version).toBe('1.23.17');
		await reader.read(table, options);
		expect(denied.reads.filter((p) => p === '/proc/1290/maps')).toHaveLength(2);
	});

	it('a config file that cannot be read is reported as such, a missing env file as missing', async () => {
		const facts = await new KubeletReader(new FileTransport({'/var/lib/kubelet/config.yaml': new TransportError('permission denied reading /var/lib/kubelet/config.yaml', 'denied')})).read(table, options);
		expect(facts!.config).toEqual({path: '/var/lib/kubelet/config.yaml', text: null, missing: false, error: 'permission denied reading /var/lib/kubelet/config.yaml'});
		expect(facts!.flagsEnv).toEqual({path: '/var/lib/kubelet/kubeadm-flags.env', text: null, missing: true, error: null});
	});

	it('no kubelet: null', async () => {
		expect(await new KubeletReader(new FileTransport({})).read([proc(1, '/sbin/init')], options)).toBeNull();
	});
});
