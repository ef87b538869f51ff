import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {CliOutputError, parseDockerCliPs, parseDockerCliVersion, parseDockerLabelList} from '../../source/collect/parse-cli-output.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'cli', name), 'utf8');

describe('docker output (--format \'{{json .}}\', recorded on Docker 20.10.24)', () => {
	it('takes the server\'s version, and says when no daemon answered', () => {
		expect(parseDockerCliVersion(fixture('docker-version.json'))).toEqual({version: '20.10.24+dfsg1', apiVersion: '1.41'});
		expect(() => parseDockerCliVersion(fixture('docker-version-no-server.json'))).toThrow(/no server/);
	});

	it('reads every container of docker ps, names without slashes, labels as a map', () => {
		const containers = parseDockerCliPs(fixture('docker-ps.jsonl'));
		expect(containers.length).toBe(fixture('docker-ps.jsonl').trim().split('\n').length);
		const sandbox = containers.find((c) => c.name.startsWith('k8s_POD_web_default_'))!;
		expect(sandbox).toMatchObject({image: 'registry.k8s.io/pause:3.6', state: 'running'});
		expect(sandbox.id).toMatch(/^[0-9a-f]{64}$/);
		expect(sandbox.labels).toMatchObject({'io.kubernetes.docker.type': 'podsandbox', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default'});
		const app = containers.find((c) => c.name.startsWith('k8s_nginx_web_'))!;
		expect(app.labels['io.kubernetes.sandbox.id']).toBe(sandbox.id);
		const withSocket = containers.find((c) => c.name === 'lab-docker-sock')!;
		expect(withSocket.mounts).toEqual([{source: '/var/run/docker.sock', destination: ''}]);
		// Hostile label values come through as data, untouched (rendering makes them safe).
		const hostile = containers.find((c) => c.name === 'lab-hostile');
		if (hostile) expect(hostile.labels['io.crimon.lab.hostile']).toContain('\u001b]0;OWNED');
	});

	it('keeps a comma inside a label value with that value', () => {
		expect(parseDockerLabelList('a=1,b=x,y,c=3')).toEqual({a: '1', b: 'x,y', c: '3'});
		expect(parseDockerLabelList('')).toEqual({});
		expect(parseDockerLabelList('empty=,k=v=w')).toEqual({empty: '', k: 'v=w'});
	});

	it('derives the state from Status on clients that print no State', () => {
		const line = (status: string) => JSON.stringify({ID: 'a'.repeat(64), Names: 'x', Image: 'i', Labels: '', Mounts: '', Status: status});
		expect(parseDockerCliPs([line('Up 2 minutes'), line('Up 1 second (Paused)'), line('Exited (0) 3 days ago'), line('Created')].join('\n')).map((c) => c.state))
			.toEqual(['running', 'paused', 'exited', 'created']);
	});

	it('refuses truncated ids and non-JSON lines', () => {
		expect(() => parseDockerCliPs(JSON.stringify({ID: 'abc123def456', Names: 'x'}))).toThrow(/--no-trunc/);
		expect(() => parseDockerCliPs('CONTAINER ID   IMAGE')).toThrow(CliOutputError);
	});
});
