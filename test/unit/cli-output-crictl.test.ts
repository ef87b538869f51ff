import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {CliOutputError, parseCrictlContainers, parseCrictlPods, parseCrictlVersion} from '../../source/collect/parse-cli-output.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'cli', name), 'utf8');

describe('crictl output (-o json: the CRI\'s protobuf JSON)', () => {
	it('reads crictl version as text and as JSON', () => {
		const expected = {version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20~ds1', runtimeApiVersion: 'v1'};
		expect(parseCrictlVersion(fixture('crictl-version.txt'))).toEqual(expected);
		expect(parseCrictlVersion(JSON.stringify(expected))).toEqual(expected);
		expect(() => parseCrictlVersion('Version: 0.1.0\n')).toThrow(/RuntimeName/);
	});

	it('reads pods into the same facts as the CRI API path', () => {
		expect(parseCrictlPods(fixture('crictl-pods.json'))).toEqual([{
			id: 'c1057e37040189299cad6deaa6e89a20885626a893dad11993de8a05d67fc825',
			name: 'api', namespace: 'shop', uid: '0b7f2c4e-2222-4a6b-9c1d-d0c5e11a0002', state: 'ready',
			labels: {'io.kubernetes.pod.name': 'api', 'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.pod.uid': '0b7f2c4e-2222-4a6b-9c1d-d0c5e11a0002'},
		}]);
		expect(parseCrictlPods('{}')).toEqual([]);
	});

	it('reads containers, with states by name and the image ref when the image is empty', () => {
		const containers = parseCrictlContainers(fixture('crictl-ps.json'));
		expect(containers.map((c) => [c.name, c.state, c.image])).toEqual([
			['app', 'running', 'docker.io/crimon-lab/busybox:1'],
			['sidecar', 'exited', 'docker.io/crimon-lab/busybox:1'],
		]);
		expect(containers[0]!.podSandboxId).toBe('c1057e37040189299cad6deaa6e89a20885626a893dad11993de8a05d67fc825');
	});

	it('refuses what is not crictl\'s JSON', () => {
		expect(() => parseCrictlPods('[]')).toThrow(CliOutputError);
		expect(() => parseCrictlPods('{"items": {}}')).toThrow(/not a list/);
		expect(() => parseCrictlContainers('{"containers": [{"name": "x"}]}')).toThrow(/no id/);
		expect(() => parseCrictlContainers('FATA[0000] connect: connection refused')).toThrow(/did not print JSON/);
	});
});
