import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {
	CliOutputError, containerdContainerFact, isContainerdIdentifier, parseCtrContainerInfo, parseCtrContainers, parseCtrNamespaces, parseCtrTasks, parseCtrVersion,
} from '../../source/collect/parse-cli-output.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'cli', name), 'utf8');

describe('ctr output (recorded on containerd 1.6.20)', () => {
	it('takes the server\'s version from ctr version', () => {
		expect(parseCtrVersion(fixture('ctr-version.txt'))).toEqual({version: '1.6.20~ds1', revision: '1.6.20~ds1-1+deb12u3'});
		expect(() => parseCtrVersion('Client:\n  Version:  1.6.20\n')).toThrow(/no Server version/);
	});

	it('lists namespaces', () => {
		expect(parseCtrNamespaces(fixture('ctr-namespaces.txt'))).toEqual(['k8s.io', 'lab-other', 'moby']);
	});

	it('refuses a namespace name containerd itself would not allow', () => {
		for (const hostile of ['a;reboot', '$(id)', '-n', 'a b', 'x'.repeat(77), 'a..b', "k8s.io'"]) {
			expect(() => parseCtrNamespaces(`k8s.io\n${hostile}\n`)).toThrow(CliOutputError);
		}
	});

	it('reads the containers table, "-" meaning no image', () => {
		const k8s = parseCtrContainers(fixture('ctr-k8s-containers.txt'));
		expect(k8s).toHaveLength(4);
		expect(k8s.find((c) => c.image === 'registry.k8s.io/pause:3.6')?.id).toBe('c1057e37040189299cad6deaa6e89a20885626a893dad11993de8a05d67fc825');
		expect(k8s.find((c) => c.id === 'lab-ctr-k8s')).toEqual({id: 'lab-ctr-k8s', image: 'docker.io/crimon-lab/busybox:1', runtime: 'io.containerd.runc.v2'});
		const moby = parseCtrContainers(fixture('ctr-moby-containers.txt'));
		expect(moby.length).toBeGreaterThan(0);
		for (const row of moby) expect(row.image).toBe('');
		expect(parseCtrContainers('CONTAINER    IMAGE    RUNTIME    \n')).toEqual([]);
	});

	it('reads the tasks table, status in lower case as over the API', () => {
		const tasks = parseCtrTasks(fixture('ctr-k8s-tasks.txt'), 'k8s.io');
		expect(tasks).toContainEqual({id: 'lab-ctr-k8s', namespace: 'k8s.io', pid: 18453, status: 'running'});
		expect(tasks).toHaveLength(4);
		expect(parseCtrTasks(fixture('ctr-other-tasks.txt'), 'lab-other').map((t) => t.id).sort()).toEqual(['lab-other-box', 'lab-v1-box']);
	});

	it('refuses tables it does not recognise', () => {
		expect(() => parseCtrContainers('ID IMAGE\nabc x\n')).toThrow(/CONTAINER IMAGE RUNTIME/);
		expect(() => parseCtrTasks('TASK PID STATUS\nabc notapid RUNNING\n', 'ns')).toThrow(/pid/);
		expect(() => parseCtrContainers('CONTAINER IMAGE RUNTIME\nabc\n')).toThrow(/columns/);
	});

	it('reads labels, bind mounts and runtime from containers info', () => {
		const sandbox = parseCtrContainerInfo(fixture('ctr-k8s-info-sandbox.json'));
		expect(sandbox.labels['io.cri-containerd.kind']).toBe('sandbox');
		expect(sandbox.labels['io.kubernetes.pod.name']).toBe('api');
		expect(sandbox.runtime).toBe('io.containerd.runc.v2');
		const app = parseCtrContainerInfo(fixture('ctr-k8s-info-app.json'));
		expect(app.labels['io.kubernetes.container.name']).toBe('sidecar');
		// containerd resolves the host path: /var/run is a symlink to /run.
		expect(app.mounts).toContainEqual({source: '/run', destination: '/host/var/run'});
		// proc, tmpfs and the like are the container's own, not the host's.
		expect(app.mounts.some((m) => m.destination === '/proc')).toBe(false);
		expect(() => parseCtrContainerInfo('not json')).toThrow(CliOutputError);
	});

	it('joins a table row with its info into the same fact the API path makes', () => {
		const row = parseCtrContainers(fixture('ctr-k8s-containers.txt')).find((c) => c.image.includes('pause'))!;
		const fact = containerdContainerFact(row, 'k8s.io', parseCtrContainerInfo(fixture('ctr-k8s-info-sandbox.json')));
		expect(fact).toMatchObject({id: row.id, namespace: 'k8s.io', image: 'registry.k8s.io/pause:3.6', runtime: 'io.containerd.runc.v2'});
		expect(fact.labels['io.cri-containerd.kind']).toBe('sandbox');
		expect(containerdContainerFact(row, 'k8s.io', undefined)).toMatchObject({labels: {}, mounts: []});
	});

	it('holds identifiers to containerd\'s rule', () => {
		for (const good of ['k8s.io', 'moby', 'lab-other', 'a_b.c-d', 'c1057e37040189299cad6deaa6e89a20885626a893dad11993de8a05d67fc825']) expect(isContainerdIdentifier(good)).toBe(true);
		for (const bad of ['', '-a', 'a-', 'a--b', '.a', 'a/b', 'a b', 'a\nb', '$x', 'x'.repeat(77)]) expect(isContainerdIdentifier(bad)).toBe(false);
	});
});
