/**
 * Pure parsers for what the runtimes' own CLIs print, for nodes read in --sudo mode: ctr
 * (tables, and `containers info` JSON), crictl (`-o json`, the CRI's protobuf JSON) and
 * docker (`--format '{{json .}}'`). Each checks the shape it relies on and throws
 * CliOutputError otherwise, so a changed format fails loudly instead of showing nothing.
 */
import type {ContainerdContainerFact, ContainerdTaskFact, CriContainerFact, CriSandboxFact, DockerContainerFact, Mount} from '../schema/types.js';
import {isRecord, stringMap} from './json-shape.js';

export class CliOutputError extends Error {
	override readonly name = 'CliOutputError';
}

/**
 * containerd's own rule for namespace names and container ids (pkg/identifiers): letters
 * and digits, single separators among `.`, `_`, `-`, at most 76 characters. containerd
 * refuses anything else, so a real node never lists such a name.
 */
const CONTAINERD_IDENTIFIER = /^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$/;
const CONTAINERD_IDENTIFIER_MAX = 76;

export function isContainerdIdentifier(text: string): boolean {
	return text.length <= CONTAINERD_IDENTIFIER_MAX && CONTAINERD_IDENTIFIER.test(text);
}

function parseJson(text: string, what: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		throw new CliOutputError(`${what} did not print JSON`);
	}
}

function lines(text: string): string[] {
	return text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
}

/** A ctr table: a header naming the columns, then rows of whitespace-separated words. */
function ctrTable(text: string, header: readonly string[], what: string): string[][] {
	const all = lines(text);
	const first = all[0]?.trim().split(/\s+/) ?? [];
	if (header.some((name, i) => first[i] !== name)) throw new CliOutputError(`${what}: expected a table headed ${header.join(' ')}`);
	return all.slice(1).map((line, index) => {
		const words = line.trim().split(/\s+/);
		if (words.length < header.length) throw new CliOutputError(`${what}: row ${index + 1} has ${words.length} columns, not ${header.length}`);
		return words;
	});
}

// ---- ctr ------------------------------------------------------------------------------------

/** `ctr version`: the Server section's Version (the Client section is ctr itself). */
export function parseCtrVersion(text: string): {version: string; revision: string} {
	let inServer = false;
	let version = '';
	let revision = '';
	for (const line of text.split('\n')) {
		if (/^Server:/.test(line)) {
			inServer = true;
			continue;
		}
		if (/^\S/.test(line)) inServer = false;
		if (!inServer) continue;
		const match = /^\s+(Version|Revision):\s*(\S*)/.exec(line);
		if (match?.[1] === 'Version') version = match[2]!;
		if (match?.[1] === 'Revision') revision = match[2]!;
	}
	if (!version) throw new CliOutputError('ctr version printed no Server version');
	return {version, revision};
}

/** `ctr namespaces ls -q`: one name a line, each held to containerd's naming rule. */
export function parseCtrNamespaces(text: string): string[] {
	const names = lines(text).map((l) => l.trim());
	for (const name of names) {
		if (!isContainerdIdentifier(name)) throw new CliOutputError(`ctr listed a namespace "${name.slice(0, 80)}" that containerd itself would not allow; refusing to use it`);
	}
	return names;
}

export interface CtrContainerRow {
	readonly id: string;
	readonly image: string;
	readonly runtime: string;
}

/** `ctr -n NS containers ls`: CONTAINER IMAGE RUNTIME; ctr prints `-` for no image. */
export function parseCtrContainers(text: string): CtrContainerRow[] {
	return ctrTable(text, ['CONTAINER', 'IMAGE', 'RUNTIME'], 'ctr containers ls').map(([id, image, runtime]) => {
		if (!isContainerdIdentifier(id!)) throw new CliOutputError(`ctr listed a container id "${id!.slice(0, 80)}" that containerd would not allow`);
		return {id: id!, image: image === '-' ? '' : image!, runtime: runtime!};
	});
}

/** `ctr -n NS tasks ls`: TASK PID STATUS, status in capitals. */
export function parseCtrTasks(text: string, namespace: string): ContainerdTaskFact[] {
	return ctrTable(text, ['TASK', 'PID', 'STATUS'], 'ctr tasks ls').map(([id, pid, status]) => {
		if (!/^\d+$/.test(pid!)) throw new CliOutputError(`ctr tasks ls: task ${id} has pid "${pid}"`);
		return {id: id!, namespace, pid: Number(pid), status: status!.toLowerCase()};
	});
}

export interface CtrContainerInfo {
	readonly labels: Record<string, string>;
	readonly mounts: Mount[];
	readonly image: string;
	readonly runtime: string;
}

/** `ctr -n NS containers info ID`: the container record as JSON, its OCI spec decoded. */
export function parseCtrContainerInfo(text: string): CtrContainerInfo {
	const json = parseJson(text, 'ctr containers info');
	if (!isRecord(json) || typeof json.ID !== 'string') throw new CliOutputError('ctr containers info printed no container');
	const spec = isRecord(json.Spec) ? json.Spec : {};
	const mounts: Mount[] = [];
	if (Array.isArray(spec.mounts)) {
		for (const mount of spec.mounts) {
			if (!isRecord(mount)) continue;
			const {source, destination, type} = mount;
			if (typeof source !== 'string' || typeof destination !== 'string') continue;
			// As over the API: only bind mounts reach the host's files.
			if (type !== undefined && type !== 'bind' && type !== 'rbind') continue;
			mounts.push({source, destination});
		}
	}
	const runtime = isRecord(json.Runtime) && typeof json.Runtime.Name === 'string' ? json.Runtime.Name : '';
	return {labels: stringMap(json.Labels), mounts, image: typeof json.Image === 'string' ? json.Image : '', runtime};
}

export function containerdContainerFact(row: CtrContainerRow, namespace: string, info: CtrContainerInfo | undefined): ContainerdContainerFact {
	return {
		id: row.id,
		namespace,
		image: row.image || info?.image || '',
		runtime: row.runtime || info?.runtime || '',
		labels: info?.labels ?? {},
		mounts: info?.mounts ?? [],
	};
}

// ---- crictl ---------------------------------------------------------------------------------

export interface CrictlVersion {
	readonly version: string;
	readonly runtimeName: string;
	readonly runtimeVersion: string;
	readonly runtimeApiVersion: string;
}

/** `crictl version`: `Key:  value` lines, or JSON from crictl versions that take -o json. */
export function parseCrictlVersion(text: string): CrictlVersion {
	const trimmed = text.trim();
	let fields: Record<string, string> = {};
	if (trimmed.startsWith('{')) {
		const json = parseJson(trimmed, 'crictl version');
		fields = stringMap(json);
	} else {
		for (const line of lines(trimmed)) {
			const match = /^(\w+):\s*(.*)$/.exec(line.trim());
			if (match) fields[match[1]!.charAt(0).toLowerCase() + match[1]!.slice(1)] = match[2]!.trim();
		}
	}
	if (!fields.runtimeName) throw new CliOutputError('crictl version printed no RuntimeName');
	return {
		version: fields.version ?? '',
		runtimeName: fields.runtimeName,
		runtimeVersion: fields.runtimeVersion ?? '',
		runtimeApiVersion: fields.runtimeApiVersion ?? '',
	};
}

const SANDBOX_STATES: Record<string, string> = {SANDBOX_READY: 'ready', SANDBOX_NOTREADY: 'notready'};
const CONTAINER_STATES: Record<string, string> = {
	CONTAINER_CREATED: 'created', CONTAINER_RUNNING: 'running', CONTAINER_EXITED: 'exited', CONTAINER_UNKNOWN: 'unknown',
};

/** The list under `key` of a crictl JSON answer (absent means empty, as protobuf JSON omits it). */
function listIn(text: string, command: string, key: string): unknown[] {
	const json = parseJson(text, command);
	if (!isRecord(json)) throw new CliOutputError(`${command} printed no object`);
	const list = json[key] ?? [];
	if (!Array.isArray(list)) throw new CliOutputError(`${command}: ${key} is not a list`);
	return list;
}

/** `crictl pods -o json`: {"items": [PodSandbox…]} in protobuf JSON (camelCase, enum names). */
export function parseCrictlPods(text: string): CriSandboxFact[] {
	return listIn(text, 'crictl pods -o json', 'items').map((item, index) => {
		if (!isRecord(item) || typeof item.id !== 'string') throw new CliOutputError(`crictl pods -o json: item ${index} has no id`);
		const metadata = isRecord(item.metadata) ? item.metadata : {};
		return {
			id: item.id,
			name: typeof metadata.name === 'string' ? metadata.name : '',
			namespace: typeof metadata.namespace === 'string' ? metadata.namespace : '',
			uid: typeof metadata.uid === 'string' ? metadata.uid : '',
			state: typeof item.state === 'string' ? SANDBOX_STATES[item.state] ?? 'unknown' : 'unknown',
			labels: stringMap(item.labels),
		};
	});
}

/** `crictl ps -a -o json`: {"containers": [Container…]}. */
export function parseCrictlContainers(text: string): CriContainerFact[] {
	return listIn(text, 'crictl ps -o json', 'containers').map((item, index) => {
		if (!isRecord(item) || typeof item.id !== 'string') throw new CliOutputError(`crictl ps -o json: container ${index} has no id`);
		const metadata = isRecord(item.metadata) ? item.metadata : {};
		const image = isRecord(item.image) && typeof item.image.image === 'string' ? item.image.image : '';
		return {
			id: item.id,
			podSandboxId: typeof item.podSandboxId === 'string' ? item.podSandboxId : '',
			name: typeof metadata.name === 'string' ? metadata.name : '',
			image: image || (typeof item.imageRef === 'string' ? item.imageRef : ''),
			state: typeof item.state === 'string' ? CONTAINER_STATES[item.state] ?? 'unknown' : 'unknown',
			labels: stringMap(item.labels),
		};
	});
}

// ---- docker ---------------------------------------------------------------------------------

/** `docker version --format '{{json .}}'`: Server is null when the client reached no daemon. */
export function parseDockerCliVersion(text: string): {version: string; apiVersion: string} {
	const json = parseJson(text.trim(), 'docker version');
	if (!isRecord(json)) throw new CliOutputError('docker version printed no object');
	const server = json.Server;
	if (!isRecord(server) || typeof server.Version !== 'string') throw new CliOutputError('docker version reports no server (dockerd is not answering)');
	return {version: server.Version, apiVersion: typeof server.ApiVersion === 'string' ? server.ApiVersion : ''};
}

/**
 * The CLI flattens labels into `k=v,k=v`. A value may itself hold a comma, so a piece
 * without `=` continues the previous value; a value holding `,x=` cannot be told apart
 * and is split (no label crimon reads, Kubernetes' included, has one).
 */
export function parseDockerLabelList(text: string): Record<string, string> {
	const out = Object.create(null) as Record<string, string>;
	let last: string | null = null;
	for (const piece of text === '' ? [] : text.split(',')) {
		const eq = piece.indexOf('=');
		if (eq <= 0) {
			if (last !== null) out[last] += `,${piece}`;
			continue;
		}
		last = piece.slice(0, eq);
		out[last] = piece.slice(eq + 1);
	}
	return out;
}

function stateFromStatus(status: string): string {
	if (/^Up\b/.test(status)) return /\(Paused\)/.test(status) ? 'paused' : 'running';
	if (/^Exited\b/.test(status)) return 'exited';
	if (/^Created\b/.test(status)) return 'created';
	if (/^Restarting\b/.test(status)) return 'restarting';
	if (/^Removal\b/.test(status)) return 'removing';
	if (/^Dead\b/.test(status)) return 'dead';
	return 'unknown';
}

/**
 * `docker ps -a --no-trunc --format '{{json .}}'`: one JSON object a line. The CLI gives
 * a bind mount's source only, so mounts carry an empty destination.
 */
export function parseDockerCliPs(text: string): DockerContainerFact[] {
	return lines(text).map((line, index) => {
		const item = parseJson(line, `docker ps line ${index + 1}`);
		if (!isRecord(item) || typeof item.ID !== 'string' || !/^[0-9a-f]{64}$/.test(item.ID)) {
			throw new CliOutputError(`docker ps line ${index + 1} has no full container ID (was --no-trunc lost?)`);
		}
		const names = typeof item.Names === 'string' ? item.Names.split(',') : [];
		// Legacy links add "other/alias" names; the container's own has no slash.
		const name = (names.find((n) => !n.includes('/')) ?? names[0] ?? item.ID.slice(0, 12)).replace(/^\//, '');
		const state = typeof item.State === 'string' && item.State !== '' ? item.State : stateFromStatus(typeof item.Status === 'string' ? item.Status : '');
		const mounts = typeof item.Mounts === 'string' && item.Mounts !== ''
			? item.Mounts.split(',').map((source) => ({source, destination: ''}))
			: [];
		return {
			id: item.ID,
			name,
			image: typeof item.Image === 'string' ? item.Image : '',
			state,
			labels: parseDockerLabelList(typeof item.Labels === 'string' ? item.Labels : ''),
			mounts,
		};
	});
}

/** `podman version --format json`: {Client: {Version}, Server?: {Version}} (no Server when podman runs locally). */
export function parsePodmanCliVersion(text: string): {version: string} {
	const json = parseJson(text.trim(), 'podman version');
	const side = (key: string) => (isRecord(json) && isRecord(json[key]) ? (json[key] as Record<string, unknown>).Version : undefined);
	const version = side('Server') ?? side('Client');
	if (typeof version !== 'string' || version === '') throw new CliOutputError('podman version printed no Version');
	return {version};
}

/** `podman ps --all --no-trunc --format json`: one JSON list (libpod's ListContainer), names without a slash. */
export function parsePodmanCliPs(text: string): DockerContainerFact[] {
	const json = parseJson(text.trim() || '[]', 'podman ps');
	if (!Array.isArray(json)) throw new CliOutputError('podman ps did not print a JSON list');
	return json.map((item, index) => {
		if (!isRecord(item) || typeof item.Id !== 'string' || !/^[0-9a-f]{64}$/.test(item.Id)) throw new CliOutputError(`podman ps entry ${index + 1} has no full container Id`);
		const names = Array.isArray(item.Names) ? item.Names.filter((n): n is string => typeof n === 'string') : [];
		const mounts = Array.isArray(item.Mounts) ? item.Mounts.filter((m): m is string => typeof m === 'string').map((destination) => ({source: '', destination})) : [];
		return {
			id: item.Id,
			name: names[0] ?? item.Id.slice(0, 12),
			image: typeof item.Image === 'string' ? item.Image : '',
			state: typeof item.State === 'string' ? item.State : 'unknown',
			labels: stringMap(item.Labels),
			mounts,
		};
	});
}
