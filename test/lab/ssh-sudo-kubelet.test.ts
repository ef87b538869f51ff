/**
 * --sudo is the same node: the kubelet's CRI endpoint is read there too. A stand-in kubelet
 * (test/lab/fake-kubelet.sh) runs inside the SSH lab node's own pid namespace, configured the
 * 1.35 way (its --config file names containerRuntimeEndpoint); crimon --sudo, logged in as
 * the node's sudo user, must name that endpoint as the kubelet's and make no CRI finding the
 * node does not deserve (the lab has no crictl, so the CRI itself cannot be read under sudo).
 */
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {REPO_ROOT} from './lab-available.js';
import {makeHome, nodeKnownHostsLine, processTree, readSshNode, runCrimon, skipWithoutSshNode, type SshNode} from './ssh-lab.js';
import {parseSavedSnapshot} from '../support/schema-check.js';

const FAKE_KUBELET = path.join(REPO_ROOT, 'test', 'lab', 'fake-kubelet.sh');

describe.skipIf(skipWithoutSshNode('lab: ssh --sudo kubelet'))('lab: --sudo reads the kubelet the same as root', () => {
	let node: SshNode;
	let home: string;
	let dir: string;
	let kubelet: ChildProcess;
	let config: string;

	beforeAll(async () => {
		node = readSshNode();
		home = makeHome(node, [{alias: node.alias, port: node.port}], [nodeKnownHostsLine(node)]);
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-runtimes-kubelet-'));
		fs.chmodSync(dir, 0o755);
		config = path.join(dir, 'config.yaml');
		fs.writeFileSync(config, 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncontainerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n', {mode: 0o644});
		kubelet = spawn('nsenter', ['--target', String(node.initPid), '--pid', '--mount', '--', 'bash', FAKE_KUBELET, `--config=${config}`, '--node-ip=127.0.0.1'], {stdio: 'ignore'});
		// Until the stand-in's argv reads as a kubelet's.
		for (let i = 0; i < 50; i++) {
			const pids = processTree(kubelet.pid!);
			if (pids.some((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('/usr/bin/kubelet'))) break;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	});

	afterAll(() => {
		if (kubelet?.pid) for (const pid of processTree(kubelet.pid).reverse()) {
			try {
				process.kill(pid, 'SIGTERM');
			} catch {
				// Gone already.
			}
		}
		if (home) fs.rmSync(home, {recursive: true, force: true});
		if (dir) fs.rmSync(dir, {recursive: true, force: true});
	});

	it("names the kubelet's endpoint from its config file, with no false CRI finding", () => {
		const run = runCrimon(home, ['snapshot', '--json', '--sudo', '--node', `ssh://${node.users.sudo}@${node.alias}`]);
		const remote = parseSavedSnapshot(run.stdout).nodes[0]!;
		expect(remote.ok, run.stderr).toBe(true);
		const diagnosis = remote.diagnosis!;
		expect(diagnosis.kubelet).toMatchObject({endpoint: 'unix:///run/containerd/containerd.sock', endpointSource: 'config', configFile: config});
		expect(diagnosis.cri).toMatchObject({how: 'kubelet', runtime: 'containerd'});
		const codes = diagnosis.findings.map((f) => f.code);
		expect(codes).not.toContain('cri-unreachable');
		expect(codes).not.toContain('kubelet-config-unreadable');
		// containerd itself still comes through sudo -n ctr, and 1.6 is past its end of life.
		expect(remote.runtimes.containerd?.version).toBe(node.containerd.version);
		expect(diagnosis.findings.find((f) => f.code === 'runtime-end-of-life')?.message).toContain(`containerd ${node.containerd.version} (line 1.6) reached its upstream end of life on 2025-08-23`);
	});
});
