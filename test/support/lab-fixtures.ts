/**
 * The lab's recorded answers (test/fixtures/lab, made by test/lab/record-fixtures.ts from
 * real containerd, CRI and Docker), parsed into the facts one poll of that node gathers.
 */
import fs from 'node:fs';
import path from 'node:path';
import {parseContainers, parseNamespaces, parseTasks, parseVersion} from '../../source/collect/parse-containerd.js';
import {parseCriContainers, parseCriVersion, parseSandboxes} from '../../source/collect/parse-cri.js';
import {parseDockerContainers, parseDockerVersion} from '../../source/collect/parse-docker.js';
import {parsePs} from '../../source/collect/parse-processes.js';
import type {NodeFacts} from '../../source/schema/types.js';

export const LAB_FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'lab');

export const fixture = (name: string): Buffer => fs.readFileSync(path.join(LAB_FIXTURES, name));

export interface LabContainer {
	readonly id: string;
	readonly name: string;
	readonly namespace: string;
	readonly pid: number;
	readonly shim: 'v1' | 'v2';
	readonly image: string;
}

export interface RecordedLab {
	readonly containers: Record<string, LabContainer>;
	readonly pods: Record<string, {name: string; namespace: string; uid: string; source: string}>;
}

export const recordedLab = (): RecordedLab => JSON.parse(fixture('lab.json').toString('utf8')) as RecordedLab;

export function labFacts(): NodeFacts {
	const namespaces = parseNamespaces(fixture('containerd-namespaces-list.pb'));
	const version = parseCriVersion(fixture('cri-v1-Version.pb'));
	return {
		name: 'lab',
		target: 'local',
		reachable: true,
		errors: [],
		processes: parsePs(fixture('ps.txt').toString('utf8')),
		containerd: {
			address: '/run/containerd/containerd.sock',
			version: parseVersion(fixture('containerd-version-version.pb')).version,
			namespaces,
			containers: namespaces.flatMap((ns) => parseContainers(fixture(`containerd-containers-list.${ns}.pb`), ns)),
			tasks: namespaces.flatMap((ns) => parseTasks(fixture(`containerd-tasks-list.${ns}.pb`), ns)),
		},
		cri: {
			info: {endpoint: 'unix:///run/containerd/containerd.sock', runtimeName: version.runtimeName, runtimeVersion: version.runtimeVersion, apiVersion: version.runtimeApiVersion},
			sandboxes: parseSandboxes(fixture('cri-v1-ListPodSandbox.pb')),
			containers: parseCriContainers(fixture('cri-v1-ListContainers.pb')),
		},
		docker: {
			address: '/var/run/docker.sock',
			version: parseDockerVersion(JSON.parse(fixture('docker-version.json').toString('utf8'))).version,
			containers: parseDockerContainers(JSON.parse(fixture('docker-containers-json.json').toString('utf8'))),
		},
	};
}
