/**
 * The kubelet's runtime choice from real flag sets of 1.20–1.29: command lines as systemd
 * starts them under kubeadm's drop-in (10-kubeadm.conf expands KUBELET_KUBECONFIG_ARGS,
 * KUBELET_CONFIG_ARGS and kubeadm-flags.env's KUBELET_KUBEADM_ARGS), the env file as
 * kubeadm writes it, and a KubeletConfiguration as kubeadm 1.27+ writes it.
 */
import {describe, expect, it} from 'vitest';
import {
	argvFromCmdline, executableFromMaps, findDpkgPackage, kubeadmFlagsArgs, kubeletEra, normalizeEndpoint, parseEnvironmentFile,
	parseKubeletConfig, resolveKubeletCri, runtimeOfEndpoint, runtimeOfName, sameEndpoint, upstreamVersion,
} from '../../source/collect/kubelet-flags.js';

const KUBEADM_BASE = '/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml';
const argv = (line: string) => line.split(' ');

// What kubeadm writes to /var/lib/kubelet/kubeadm-flags.env, by version and runtime.
const ENV = {
	docker120: 'KUBELET_KUBEADM_ARGS="--network-plugin=cni --pod-infra-container-image=k8s.gcr.io/pause:3.2"\n',
	containerd121: 'KUBELET_KUBEADM_ARGS="--container-runtime=remote --container-runtime-endpoint=/run/containerd/containerd.sock"\n',
	criDockerd124: 'KUBELET_KUBEADM_ARGS="--container-runtime=remote --container-runtime-endpoint=unix:///var/run/cri-dockerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.7"\n',
	containerd126: 'KUBELET_KUBEADM_ARGS="--container-runtime=remote --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9"\n',
	containerd128: 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9"\n',
};

const KUBELET_CONFIG_129 = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: unix:///var/run/containerd/containerd.sock
healthzBindAddress: 127.0.0.1
healthzPort: 10248
kind: KubeletConfiguration
logging: {}
rotateCertificates: true
staticPodPath: /etc/kubernetes/manifests
`;

const KUBELET_CONFIG_120 = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
staticPodPath: /etc/kubernetes/manifests
`;

describe('resolveKubeletCri on real kubelet flag sets', () => {
	it('1.20 with --container-runtime=docker: dockershim, serving on its default socket', () => {
		const choice = resolveKubeletCri({
			argv: argv(`${KUBEADM_BASE} --container-runtime=docker --network-plugin=cni --pod-infra-container-image=k8s.gcr.io/pause:3.2`),
			flagsEnvText: null, configText: KUBELET_CONFIG_120, version: '1.20.15',
		});
		expect(choice).toMatchObject({containerRuntime: 'docker', runtime: 'dockershim', endpoint: 'unix:///var/run/dockershim.sock', endpointSource: 'default', configFile: '/var/lib/kubelet/config.yaml'});
		expect(choice.why).toContain('--container-runtime=docker');
	});

	it('1.20 kubeadm node on Docker: no --container-runtime at all still means dockershim (and the flags prove the era without a version)', () => {
		const line = `${KUBEADM_BASE} --network-plugin=cni --pod-infra-container-image=k8s.gcr.io/pause:3.2`;
		const withVersion = resolveKubeletCri({argv: argv(line), flagsEnvText: ENV.docker120, configText: KUBELET_CONFIG_120, version: '1.20.15'});
		expect(withVersion).toMatchObject({runtime: 'dockershim', containerRuntime: null, endpoint: 'unix:///var/run/dockershim.sock'});
		expect(withVersion.why).toContain('before 1.24');
		const withoutVersion = resolveKubeletCri({argv: argv(line), flagsEnvText: ENV.docker120, configText: KUBELET_CONFIG_120, version: null});
		expect(withoutVersion.runtime).toBe('dockershim');
		expect(withoutVersion.why).toContain('--network-plugin');
	});

	it('1.21 on containerd through kubeadm: remote + a bare socket path, normalised to unix://', () => {
		const choice = resolveKubeletCri({
			argv: argv(`${KUBEADM_BASE} --container-runtime=remote --container-runtime-endpoint=/run/containerd/containerd.sock`),
			flagsEnvText: ENV.containerd121, configText: KUBELET_CONFIG_120, version: null,
		});
		expect(choice).toMatchObject({runtime: 'containerd', endpoint: 'unix:///run/containerd/containerd.sock', endpointSource: 'flags', containerRuntime: 'remote', pending: []});
	});

	it('the issue\'s containerd kubelet: --container-runtime=remote --container-runtime-endpoint=unix:///run/containerd/containerd.sock', () => {
		const choice = resolveKubeletCri({
			argv: ['kubelet', '--container-runtime=remote', '--container-runtime-endpoint=unix:///run/containerd/containerd.sock'],
			flagsEnvText: null, configText: null, version: null,
		});
		expect(choice).toMatchObject({runtime: 'containerd', endpoint: 'unix:///run/containerd/containerd.sock', endpointSource: 'flags'});
	});

	it('1.22 with the space-separated flag form pflag also accepts', () => {
		const choice = resolveKubeletCri({
			argv: ['/usr/bin/kubelet', '--container-runtime', 'remote', '--container-runtime-endpoint', 'unix:///var/run/crio/crio.sock', '--runtime-request-timeout=10m'],
			flagsEnvText: null, configText: null, version: '1.22.17',
		});
		expect(choice).toMatchObject({runtime: 'cri-o', endpoint: 'unix:///var/run/crio/crio.sock'});
	});

	it('1.24 on cri-dockerd', () => {
		const choice = resolveKubeletCri({
			argv: argv(`${KUBEADM_BASE} --container-runtime=remote --container-runtime-endpoint=unix:///var/run/cri-dockerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.7`),
			flagsEnvText: ENV.criDockerd124, configText: null, version: '1.24.17',
		});
		expect(choice).toMatchObject({runtime: 'cri-dockerd', endpoint: 'unix:///var/run/cri-dockerd.sock', endpointSource: 'flags'});
	});

	it('1.26 and 1.28 on containerd (1.27 dropped --container-runtime)', () => {
		for (const [env, version] of [[ENV.containerd126, '1.26.15'], [ENV.containerd128, '1.28.9']] as const) {
			const args = kubeadmFlagsArgs(env);
			const choice = resolveKubeletCri({argv: [...argv(KUBEADM_BASE), ...args], flagsEnvText: env, configText: KUBELET_CONFIG_120, version});
			expect(choice, version).toMatchObject({runtime: 'containerd', endpoint: 'unix:///var/run/containerd/containerd.sock', endpointSource: 'flags', pending: []});
		}
	});

	it('kubeadm-flags.env fills in what the command line does not show', () => {
		const choice = resolveKubeletCri({argv: argv(KUBEADM_BASE), flagsEnvText: ENV.containerd126, configText: KUBELET_CONFIG_120, version: null});
		expect(choice).toMatchObject({runtime: 'containerd', endpoint: 'unix:///var/run/containerd/containerd.sock', endpointSource: 'kubeadm-flags.env', containerRuntime: 'remote'});
	});

	it('a kubeadm-flags.env edited for the migration but not yet applied: the running flags win, the change is pending', () => {
		const choice = resolveKubeletCri({
			argv: argv(`${KUBEADM_BASE} --container-runtime=docker --network-plugin=cni`),
			flagsEnvText: ENV.containerd121, configText: null, version: '1.23.17',
		});
		expect(choice.runtime).toBe('dockershim');
		expect(choice.pending).toEqual([
			{flag: 'container-runtime', running: 'docker', file: 'remote'},
		]);
		const moved = resolveKubeletCri({
			argv: argv(`${KUBEADM_BASE} --container-runtime=remote --container-runtime-endpoint=unix:///var/run/cri-dockerd.sock`),
			flagsEnvText: ENV.containerd126, configText: null, version: '1.25.0',
		});
		expect(moved.pending).toEqual([{flag: 'container-runtime-endpoint', running: 'unix:///var/run/cri-dockerd.sock', file: 'unix:///var/run/containerd/containerd.sock'}]);
	});

	it('1.29: containerRuntimeEndpoint from the --config file', () => {
		const choice = resolveKubeletCri({argv: argv(KUBEADM_BASE), flagsEnvText: 'KUBELET_KUBEADM_ARGS="--pod-infra-container-image=registry.k8s.io/pause:3.9"\n', configText: KUBELET_CONFIG_129, version: null});
		expect(choice).toMatchObject({runtime: 'containerd', endpoint: 'unix:///var/run/containerd/containerd.sock', endpointSource: 'config', configFile: '/var/lib/kubelet/config.yaml'});
	});

	it('flags beat the config file, as the kubelet has it', () => {
		const choice = resolveKubeletCri({argv: [...argv(KUBEADM_BASE), '--container-runtime-endpoint=unix:///var/run/crio/crio.sock'], flagsEnvText: null, configText: KUBELET_CONFIG_129, version: '1.29.4'});
		expect(choice).toMatchObject({runtime: 'cri-o', endpointSource: 'flags'});
	});

	it('1.24+ with no endpoint anywhere: containerd\'s socket by default; unknown version: says it cannot tell', () => {
		expect(resolveKubeletCri({argv: argv(KUBEADM_BASE), flagsEnvText: null, configText: KUBELET_CONFIG_120, version: '1.27.3'}))
			.toMatchObject({runtime: 'containerd', endpoint: 'unix:///run/containerd/containerd.sock', endpointSource: 'default'});
		const unknown = resolveKubeletCri({argv: argv(KUBEADM_BASE), flagsEnvText: null, configText: null, version: null});
		expect(unknown).toMatchObject({runtime: 'unknown', endpoint: null});
		expect(unknown.why).toMatch(/before 1\.24.*dockershim/);
	});

	it('remote without an endpoint cannot start, and says so', () => {
		const choice = resolveKubeletCri({argv: ['kubelet', '--container-runtime=remote'], flagsEnvText: null, configText: null, version: '1.23.0'});
		expect(choice).toMatchObject({runtime: 'unknown', endpoint: null});
		expect(choice.why).toContain('does not start');
	});
});

describe('the files around the kubelet', () => {
	it('parses an EnvironmentFile as systemd does: quotes, comments, several variables', () => {
		const vars = parseEnvironmentFile('# written by kubeadm\nKUBELET_KUBEADM_ARGS="--a=1 --b=2"\n\nKUBELET_EXTRA_ARGS=--node-ip=10.0.0.5\nnot a line\n');
		expect([...vars]).toEqual([['KUBELET_KUBEADM_ARGS', '--a=1 --b=2'], ['KUBELET_EXTRA_ARGS', '--node-ip=10.0.0.5']]);
		expect(kubeadmFlagsArgs('KUBELET_EXTRA_ARGS=--x=1\nKUBELET_KUBEADM_ARGS="--y=2  --z=3"\n')).toEqual(['--y=2', '--z=3', '--x=1']);
	});

	it('reads containerRuntimeEndpoint, and tells a broken or foreign file apart from one without it', () => {
		expect(parseKubeletConfig(KUBELET_CONFIG_129)).toEqual({containerRuntimeEndpoint: 'unix:///var/run/containerd/containerd.sock', problem: null});
		expect(parseKubeletConfig(KUBELET_CONFIG_120)).toEqual({containerRuntimeEndpoint: null, problem: null});
		expect(parseKubeletConfig('kind: KubeletConfiguration\ncontainerRuntimeEndpoint: [\n').problem).toMatch(/not valid YAML/);
		expect(parseKubeletConfig('kind: KubeProxyConfiguration\n').problem).toMatch(/KubeProxyConfiguration/);
		expect(parseKubeletConfig('- a\n- b\n').problem).toMatch(/not a mapping/);
		expect(parseKubeletConfig('containerRuntimeEndpoint: 5\n').problem).toMatch(/not a string/);
	});

	it('a hostile YAML with an alias bomb is refused, not expanded', () => {
		const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n';
		expect(parseKubeletConfig(bomb)).toEqual({containerRuntimeEndpoint: null, problem: expect.stringMatching(/Excessive alias count/)});
	});

	it('argv from /proc/PID/cmdline: NUL-separated, or one retitled string split as ps does', () => {
		expect(argvFromCmdline(Buffer.from('/usr/bin/kubelet\0--config=/var/lib/kubelet/config.yaml\0--v=2\0'))).toEqual(['/usr/bin/kubelet', '--config=/var/lib/kubelet/config.yaml', '--v=2']);
		expect(argvFromCmdline('kubelet --container-runtime=docker --network-plugin=cni\0\0\0')).toEqual(['kubelet', '--container-runtime=docker', '--network-plugin=cni']);
	});

	it('dpkg status → the kubelet package\'s upstream version', () => {
		const status = [
			'Package: kubectl\nStatus: install ok installed\nVersion: 1.20.15-00\n',
			'Package: kubelet\nStatus: install ok installed\nPriority: optional\nSection: misc\nInstalled-Size: 113786\nMaintainer: Kubernetes Authors <kubernetes-dev+release@googlegroups.com>\nArchitecture: amd64\nVersion: 1.20.15-00\nDepends: iptables (>= 1.4.21), kubernetes-cni (>= 0.8.7), iproute2, socat, util-linux, mount, ebtables, ethtool, conntrack\nDescription: Kubernetes Node Agent\n The node agent of Kubernetes, the container cluster manager\n',
		].join('\n');
		expect(findDpkgPackage(status, 'kubelet')).toEqual({name: 'kubelet', version: '1.20.15-00', installed: true});
		expect(findDpkgPackage('Package: kubelet\nStatus: deinstall ok config-files\nVersion: 1.29.2-1.1\n', 'kubelet')?.installed).toBe(false);
		expect(findDpkgPackage(status, 'kubeadm')).toBeNull();
		expect(upstreamVersion('1.20.15-00')).toBe('1.20.15');
		expect(upstreamVersion('1.29.2-1.1')).toBe('1.29.2');
		expect(upstreamVersion('1:1.2.3-4')).toBe('1.2.3');
	});

	it('the executable from /proc/PID/maps, and whether it was replaced since', () => {
		const maps = '00400000-02bd5000 r-xp 00000000 08:01 1835041                            /usr/bin/kubelet\n02bd5000-05a4b000 r--p 027d5000 08:01 1835041                            /usr/bin/kubelet\n';
		expect(executableFromMaps(maps)).toEqual({path: '/usr/bin/kubelet', deleted: false});
		expect(executableFromMaps('00400000-02bd5000 r-xp 00000000 08:01 1835041    /usr/bin/kubelet (deleted)\n')).toEqual({path: '/usr/bin/kubelet', deleted: true});
		expect(executableFromMaps('7ffd1000-7ffd3000 r-xp 00000000 00:00 0                          [vdso]\n')).toBeNull();
	});
});

describe('endpoints and runtimes', () => {
	it('names the runtime by socket, and by the CRI Version answer', () => {
		expect(runtimeOfEndpoint('unix:///run/k3s/containerd/containerd.sock')).toBe('containerd');
		expect(runtimeOfEndpoint('/var/run/dockershim.sock')).toBe('dockershim');
		expect(runtimeOfEndpoint('unix:///srv/custom.sock')).toBe('unknown');
		expect(runtimeOfName('docker', 'unix:///var/run/cri-dockerd.sock')).toBe('cri-dockerd');
		expect(runtimeOfName('docker', 'unix:///var/run/dockershim.sock')).toBe('dockershim');
		expect(runtimeOfName('cri-o', 'unix:///srv/x.sock')).toBe('cri-o');
	});

	it('treats /var/run and /run as one place', () => {
		expect(sameEndpoint('unix:///var/run/containerd/containerd.sock', '/run/containerd/containerd.sock')).toBe(true);
		expect(sameEndpoint('unix:///run/crio/crio.sock', 'unix:///run/containerd/containerd.sock')).toBe(false);
		expect(normalizeEndpoint('/run/x.sock')).toBe('unix:///run/x.sock');
	});

	it('dates a kubelet by its version, or by flags only some versions accept', () => {
		expect(kubeletEra('v1.23.17', []).era).toBe('before-1.24');
		expect(kubeletEra('1.26.1', []).era).toBe('1.24-1.26');
		expect(kubeletEra('1.29.2', []).era).toBe('1.27+');
		expect(kubeletEra(null, ['--cni-bin-dir=/opt/cni/bin']).era).toBe('before-1.24');
		expect(kubeletEra(null, ['--container-runtime=remote']).era).toBe('before-1.27');
		expect(kubeletEra(null, ['--container-runtime-endpoint=unix:///x']).era).toBe('unknown');
	});
});
