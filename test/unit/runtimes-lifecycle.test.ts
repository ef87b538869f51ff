/**
 * End of life on the poll's day, the kubelet the 1.34+ way and inside k3s, and the one CRI
 * method crimon must never call. Versions are the ones the lab's runtimes print (containerd
 * 1.6.20~ds1 and Docker 20.10 here, test/fixtures/cli; containerd 2.1.9 and Docker 28.5.2 on
 * the VM node, test/fixtures/vm).
 */
import fs from 'node:fs';
import path from 'node:path';
import {Duplex} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {DEFAULT_COLLECT_OPTIONS} from '../../source/collect/collect-options.js';
import {parseCtrVersion} from '../../source/collect/parse-cli-output.js';
import {createSudoSources} from '../../source/collect/sudo-cli.js';
import type {Transport} from '../../source/transport/transport.js';
import {diagnoseNode} from '../../source/model/diagnosis.js';
import {containerdEndOfLife, dockerEndOfLife, endOfLifeFindings} from '../../source/model/end-of-life.js';
import {resolveK3sCri} from '../../source/collect/k3s-kubelet.js';
import {resolveKubeletCri} from '../../source/collect/kubelet-flags.js';
import type {KubeletFacts, NodeFacts, Runtimes} from '../../source/schema/types.js';
import {GrpcChannel} from '../../source/protocol/grpc-client.js';
import {openGrpcStream} from '../../source/protocol/grpc-stream.js';

const ROOT = path.join(import.meta.dirname, '..', '..');
const DAY = (iso: string) => Date.parse(`${iso}T12:00:00Z`);
const runtimes = (containerd: string | null, docker: string | null): Runtimes => ({
	cri: null,
	containerd: containerd ? {address: '/run/containerd/containerd.sock', version: containerd} : null,
	docker: docker ? {address: '/var/run/docker.sock', version: docker} : null,
	podman: null,
});

describe('runtime end of life, on the day of the poll', () => {
	const vmContainerd = parseCtrVersion(fs.readFileSync(path.join(ROOT, 'test/fixtures/vm/containerd/ctr-version.txt'), 'utf8')).version;
	const labContainerd = parseCtrVersion(fs.readFileSync(path.join(ROOT, 'test/fixtures/cli/ctr-version.txt'), 'utf8')).version;

	it('names containerd 2.1 on the VM node past its end (2026-05-05), with the line to move to', () => {
		expect(vmContainerd).toBe('2.1.9+unknown');
		const [finding] = endOfLifeFindings(runtimes(vmContainerd, null), DAY('2026-12-04'));
		expect(finding).toMatchObject({code: 'runtime-end-of-life', severity: 'info'});
		expect(finding!.message).toContain('containerd 2.1.9+unknown (line 2.1) reached its upstream end of life on 2026-05-05');
		expect(finding!.message).toContain('upgrade to 2.3');
		expect(endOfLifeFindings(runtimes(vmContainerd, null), DAY('2026-05-05'))).toEqual([]);
		expect(endOfLifeFindings(runtimes(vmContainerd, null), DAY('2026-05-06'))).toHaveLength(1);
	});

	it("names 1.6 (this lab's) with what 2.0 removed", () => {
		const [finding] = endOfLifeFindings(runtimes(labContainerd, null), DAY('2026-12-04'));
		expect(finding!.message).toContain('2025-08-23');
		expect(finding!.message).toMatch(/removed the v1 shim \(io\.containerd\.runtime\.v1\.linux\), io\.containerd\.runc\.v1 and CRI v1alpha2/);
	});

	it('takes the table as written: 1.7 to the end of September 2026, 2.2 to 2026-11-06, 2.3 to 2028-04-27', () => {
		expect(containerdEndOfLife('v1.7.27')?.ends).toBe('2026-09-30');
		expect(containerdEndOfLife('2.2.0')?.ends).toBe('2026-11-06');
		expect(endOfLifeFindings(runtimes('2.3.1', null), DAY('2026-12-04'))).toEqual([]);
		expect(endOfLifeFindings(runtimes('2.3.1', null), DAY('2028-04-28'))).toHaveLength(1);
		expect(containerdEndOfLife('3.0.0')).toBeNull();
		expect(containerdEndOfLife('garbage')).toBeNull();
	});

	it("judges Docker by moby's branch table, which has no dates for unmaintained branches", () => {
		expect(dockerEndOfLife('28.5.2+dfsg4')).toBeNull();
		expect(dockerEndOfLife('25.0.8')).toBeNull();
		expect(dockerEndOfLife('20.10.24+dfsg1')).toMatchObject({line: '20.10', ends: null});
		expect(dockerEndOfLife('23.0.6')?.ends).toBe('2025-05-19');
		const [finding] = endOfLifeFindings(runtimes(null, '20.10.24+dfsg1'), DAY('2026-12-04'));
		expect(finding!.message).toContain('Docker 20.10.24+dfsg1 (branch 20.10) is past its upstream end of life: moby lists its branch as unmaintained');
		expect(endOfLifeFindings(runtimes(null, '28.5.2+dfsg4'), DAY('2026-12-04'))).toEqual([]);
	});

	it('makes no finding without a poll date: the model never reads the clock', () => {
		expect(endOfLifeFindings(runtimes('1.6.20', '20.10.24'), undefined)).toEqual([]);
	});
});

const CONFIG_135 = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\ncontainerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n';
const ARGV_135 = ['/usr/bin/kubelet', '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf', '--kubeconfig=/etc/kubernetes/kubelet.conf', '--config=/var/lib/kubelet/config.yaml', '--node-ip=10.0.2.15'];

function kubeletFacts(config: KubeletFacts['config'], flagsEnvText: string | null = 'KUBELET_KUBEADM_ARGS="--node-ip=10.0.2.15"\n', argv = ARGV_135): KubeletFacts {
	return {
		pid: 4242, argv, binary: argv[0]!, otherPids: [],
		flagsEnv: {path: '/var/lib/kubelet/kubeadm-flags.env', text: flagsEnvText, missing: flagsEnvText === null, error: null},
		config, version: null, versionNote: 'test',
	};
}

function diagnose(kubelet: KubeletFacts) {
	const facts: NodeFacts = {
		name: 'n', target: 'local', reachable: true, errors: [], processes: [], containerd: null, cri: null, docker: null, kubelet,
		criProbe: {forced: null, kubeletEndpoint: null, dockerSocket: null, sockets: [{endpoint: '/run/containerd/containerd.sock', status: 'cri', runtimeName: 'containerd', runtimeVersion: '2.1.9', message: null}]},
	};
	return diagnoseNode(facts, {runtimes: runtimes('2.1.9', null), containers: [], shims: [], pods: []});
}

describe('the kubelet, the 1.34+ way', () => {
	it('reads containerRuntimeEndpoint from the --config file with no finding when kubeadm-flags.env holds only --node-ip', () => {
		const diagnosis = diagnose(kubeletFacts({path: '/var/lib/kubelet/config.yaml', text: CONFIG_135, missing: false, error: null}));
		expect(diagnosis.kubelet).toMatchObject({endpoint: 'unix:///run/containerd/containerd.sock', endpointSource: 'config'});
		expect(diagnosis.cri).toMatchObject({runtime: 'containerd', answers: true});
		expect(diagnosis.findings.map((f) => f.code)).toEqual([]);
	});

	it('a config file crimon cannot read gives an unknown endpoint and no CRI finding', () => {
		const diagnosis = diagnose(kubeletFacts({path: '/var/lib/kubelet/config.yaml', text: null, missing: false, error: 'permission denied'}));
		expect(diagnosis.kubelet).toMatchObject({endpoint: null, endpointSource: null});
		expect(diagnosis.cri.runtime).toBe('unknown');
		expect(diagnosis.cri.why).toContain('could not read (permission denied)');
		const codes = diagnosis.findings.map((f) => f.code);
		expect(codes).not.toContain('cri-unreachable');
		expect(codes).toContain('kubelet-config-unreadable');
	});

	it('a restart is pending only when kubeadm-flags.env really differs from what the running kubelet uses', () => {
		const config = {path: '/var/lib/kubelet/config.yaml', text: CONFIG_135, missing: false, error: null};
		const same = diagnose(kubeletFacts(config, 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock"\n'));
		expect(same.findings.map((f) => f.code)).not.toContain('kubelet-restart-pending');
		const other = diagnose(kubeletFacts(config, 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/crio/crio.sock"\n'));
		const pending = other.findings.find((f) => f.code === 'kubelet-restart-pending')!;
		expect(pending.message).toContain('took containerRuntimeEndpoint unix:///run/containerd/containerd.sock from /var/lib/kubelet/config.yaml');
		// The running kubelet still uses what its config names.
		expect(other.kubelet?.endpoint).toBe('unix:///run/containerd/containerd.sock');
	});

	it("says when kubeadm's instance-config.yaml names another endpoint than the kubelet's config", () => {
		const choice = resolveKubeletCri({argv: ARGV_135, flagsEnvText: null, configText: CONFIG_135, version: '1.35.0', instanceConfigText: 'containerRuntimeEndpoint: unix:///var/run/crio/crio.sock\n'});
		expect(choice).toMatchObject({endpoint: 'unix:///run/containerd/containerd.sock', instanceEndpoint: 'unix:///var/run/crio/crio.sock', pending: []});
		const diagnosis = diagnose({...kubeletFacts({path: '/var/lib/kubelet/config.yaml', text: CONFIG_135, missing: false, error: null}), instanceConfig: {path: '/var/lib/kubelet/instance-config.yaml', text: 'containerRuntimeEndpoint: unix:///var/run/crio/crio.sock\n', missing: false, error: null}});
		expect(diagnosis.cri.why).toContain("kubeadm's instance-config.yaml names unix:///var/run/crio/crio.sock");
	});
});

describe('the kubelet inside k3s', () => {
	const input = (argv: string[], configText: string | null = null, configUnreadable: string | null = null) => ({argv, flagsEnvText: null, configText, version: null, configUnreadable});
	it("runs on k3s's own containerd by default", () => {
		expect(resolveK3sCri(input(['/usr/local/bin/k3s', 'server']))).toMatchObject({endpoint: 'unix:///run/k3s/containerd/containerd.sock', runtime: 'containerd', endpointSource: 'default'});
	});
	it('--docker and docker: true mean its cri-dockerd; an explicit endpoint wins', () => {
		expect(resolveK3sCri(input(['k3s', 'agent', '--docker']))).toMatchObject({endpoint: 'unix:///run/k3s/cri-dockerd/cri-dockerd.sock', runtime: 'cri-dockerd'});
		expect(resolveK3sCri(input(['k3s', 'server'], 'docker: true\n'))).toMatchObject({endpoint: 'unix:///run/k3s/cri-dockerd/cri-dockerd.sock', endpointSource: 'config'});
		expect(resolveK3sCri(input(['k3s', 'server', '--container-runtime-endpoint', '/run/containerd/containerd.sock']))).toMatchObject({endpoint: 'unix:///run/containerd/containerd.sock', endpointSource: 'flags'});
	});
	it('an unreadable k3s config is unknown, not the default', () => {
		expect(resolveK3sCri(input(['k3s', 'server'], null, 'permission denied'))).toMatchObject({endpoint: null, runtime: 'unknown'});
	});
	it('is diagnosed as the kubelet', () => {
		const diagnosis = diagnose(kubeletFacts(null, null, ['/usr/local/bin/k3s', 'server']));
		expect(diagnosis.kubelet).toMatchObject({endpoint: 'unix:///run/k3s/containerd/containerd.sock', binary: '/usr/local/bin/k3s'});
	});
});

describe("never the kubelet's events", () => {
	const PATH = '/runtime.v1.RuntimeService/GetContainerEvents';

	it('the gRPC client refuses GetContainerEvents before sending a byte', async () => {
		const written: Buffer[] = [];
		const duplex = new Duplex({read() {}, write(chunk: Buffer, _e, done) {
			written.push(chunk);
			done();
		}});
		const channel = new GrpcChannel(duplex);
		await expect(channel.raw(PATH, new Uint8Array(), {timeoutMs: 1000, maxBytes: 1024})).rejects.toThrow(/never calls .*GetContainerEvents/);
		await expect(channel.raw('/runtime.v1alpha2.RuntimeService/GetContainerEvents', new Uint8Array(), {timeoutMs: 1000, maxBytes: 1024})).rejects.toThrow(/never calls/);
		expect(() => openGrpcStream(duplex, PATH, new Uint8Array(), {openAfterMs: 10, maxMessageBytes: 1024} as never, {onMessage() {}, onEnd() {}} as never)).toThrow(/never calls/);
		expect(Buffer.concat(written).includes('GetContainerEvents')).toBe(false);
	});

	it('no code path names the method: only the guard that refuses it', () => {
		const hits: string[] = [];
		const walk = (dir: string) => {
			for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
				const full = path.join(dir, entry.name);
				if (entry.isDirectory()) walk(full);
				else if (/\.(ts|tsx)$/.test(entry.name) && fs.readFileSync(full, 'utf8').includes('GetContainerEvents')) hits.push(path.relative(ROOT, full));
			}
		};
		for (const dir of ['source', 'hooks', 'views']) if (fs.existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
		if (fs.existsSync(path.join(ROOT, 'cli.tsx')) && fs.readFileSync(path.join(ROOT, 'cli.tsx'), 'utf8').includes('GetContainerEvents')) hits.push('cli.tsx');
		expect(hits).toEqual(['source/protocol/grpc-wire.ts']);
		// The bundle (npm run build): the guard's one mention, in whichever chunk holds it.
		const chunks = path.join(ROOT, 'dist', 'chunks');
		if (fs.existsSync(chunks)) {
			const files = [path.join(ROOT, 'dist', 'cli.js'), ...fs.readdirSync(chunks).map((f) => path.join(chunks, f))].filter((f) => f.endsWith('.js'));
			const mentions = files.reduce((n, f) => n + fs.readFileSync(f, 'utf8').split('GetContainerEvents').length - 1, 0);
			expect(mentions).toBe(1);
		}
	});
});

describe('--sudo asks the kubelet\'s own CRI endpoint first', () => {
	it('runs crictl against the kubelet\'s endpoint before the usual candidates', async () => {
		const asked: string[] = [];
		const version = fs.readFileSync(path.join(ROOT, 'test/fixtures/cli/crictl-version.txt'));
		const pods = fs.readFileSync(path.join(ROOT, 'test/fixtures/cli/crictl-pods.json'));
		const ps = fs.readFileSync(path.join(ROOT, 'test/fixtures/cli/crictl-ps.json'));
		const transport: Transport = {
			kind: 'ssh', target: 'ssh://crimon@node', connect: async () => {}, hostname: async () => 'node', close: async () => {},
			connectUnix: async () => {
				throw new Error('not in --sudo mode');
			},
			readFile: async () => {
				throw new Error('not in --sudo mode');
			},
			exec: async (argv: readonly string[]) => {
				const endpoint = argv[argv.indexOf('--runtime-endpoint') + 1]!;
				const verb = argv[argv.indexOf('--runtime-endpoint') + 3];
				if (verb === 'version') asked.push(endpoint);
				const stdout = verb === 'version' ? version : verb === 'pods' ? pods : ps;
				return {exitCode: 0, stdout, stderr: ''};
			},
		};
		const sources = createSudoSources(transport, {...DEFAULT_COLLECT_OPTIONS, sudo: true}, 'node');
		const facts = await sources.cri('unix:///run/k3s/containerd/containerd.sock');
		expect(asked).toEqual(['unix:///run/k3s/containerd/containerd.sock']);
		expect(facts.info.endpoint).toBe('unix:///run/k3s/containerd/containerd.sock');
		const without = await createSudoSources(transport, {...DEFAULT_COLLECT_OPTIONS, sudo: true}, 'node').cri(null);
		expect(without.info.endpoint).toBe('unix:///run/containerd/containerd.sock');
	});
});
