/**
 * Property tests: whatever bytes a node sends, parsers either return facts or throw their
 * own typed error — never a TypeError or RangeError from deep inside — and whatever text
 * the facts hold, rendered output is free of bytes a terminal would act on.
 */
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {mountsFromSpec, parseContainers, parseNamespaces, parseTasks, parseVersion} from '../../source/collect/parse-containerd.js';
import {parseCriContainers, parseCriVersion, parseSandboxes} from '../../source/collect/parse-cri.js';
import {DockerShapeError, parseDockerContainers, parseDockerVersion} from '../../source/collect/parse-docker.js';
import {commandFromCmdline, parsePasswd, parseProcStat, parsePs, ProcessTableError} from '../../source/collect/parse-processes.js';
import {buildNodeSnapshot, buildSnapshot} from '../../source/model/build-snapshot.js';
import type {NodeFacts} from '../../source/schema/types.js';
import {ProtobufError} from '../../source/protocol/protobuf.js';
import {escapeText, isTerminalSafe} from '../../source/render/terminal-text.js';
import {renderSnapshotJson, renderSnapshotText} from '../../source/render/text-snapshot.js';
import {fixture} from '../support/lab-fixtures.js';

const RUNS = {numRuns: 300};

function onlyThrows(errorType: new (...args: never[]) => Error, fn: () => unknown): void {
	try {
		fn();
	} catch (error) {
		if (!(error instanceof errorType)) throw error;
	}
}

/** Random bytes, and real answers with random damage: truncated, bit-flipped, spliced. */
const damaged = (name: string) => {
	const real = fixture(name);
	return fc.oneof(
		fc.uint8Array({maxLength: 512}),
		fc.nat({max: real.length}).map((n) => real.subarray(0, n)),
		fc.tuple(fc.nat({max: real.length - 1}), fc.integer({min: 0, max: 255})).map(([at, value]) => {
			const copy = Buffer.from(real);
			copy[at] = value;
			return copy;
		}),
		fc.tuple(fc.nat({max: real.length}), fc.uint8Array({maxLength: 64})).map(([at, junk]) => Buffer.concat([real.subarray(0, at), junk, real.subarray(at)])),
	);
};

describe('protobuf parsers never throw anything but ProtobufError', () => {
	const cases: [string, (b: Uint8Array) => unknown][] = [
		['containerd-containers-list.k8s.io.pb', (b) => parseContainers(b, 'k8s.io')],
		['containerd-tasks-list.moby.pb', (b) => parseTasks(b, 'moby')],
		['containerd-namespaces-list.pb', (b) => parseNamespaces(b)],
		['containerd-version-version.pb', (b) => parseVersion(b)],
		['cri-v1-ListPodSandbox.pb', (b) => parseSandboxes(b)],
		['cri-v1-ListContainers.pb', (b) => parseCriContainers(b)],
		['cri-v1-Version.pb', (b) => parseCriVersion(b)],
	];
	for (const [name, parse] of cases) {
		it(name, () => fc.assert(fc.property(damaged(name), (bytes) => onlyThrows(ProtobufError, () => parse(bytes))), RUNS));
	}
	it('an OCI spec that is not JSON, or odd JSON, yields no mounts rather than an error', () => {
		fc.assert(fc.property(fc.string(), fc.jsonValue(), (text, json) => {
			const typeUrl = 'types.containerd.io/opencontainers/runtime-spec/1/Spec';
			expect(Array.isArray(mountsFromSpec({typeUrl, value: Buffer.from(text)}))).toBe(true);
			expect(Array.isArray(mountsFromSpec({typeUrl, value: Buffer.from(JSON.stringify(json))}))).toBe(true);
		}), RUNS);
	});
});

describe('text parsers', () => {
	it('parsePs only throws ProcessTableError', () => {
		fc.assert(fc.property(fc.string({maxLength: 2000}), (text) => onlyThrows(ProcessTableError, () => parsePs(text))), RUNS);
	});
	it('parseProcStat and commandFromCmdline never throw', () => {
		fc.assert(fc.property(fc.string(), fc.uint8Array(), (text, bytes) => {
			parseProcStat(text);
			commandFromCmdline(Buffer.from(bytes), text);
			parsePasswd(text);
		}), RUNS);
	});
	it('Docker parsers only throw DockerShapeError on any JSON', () => {
		fc.assert(fc.property(fc.jsonValue(), (json) => {
			onlyThrows(DockerShapeError, () => parseDockerContainers(json));
			onlyThrows(DockerShapeError, () => parseDockerVersion(json));
			onlyThrows(DockerShapeError, () => parseDockerContainers([json]));
		}), RUNS);
	});
});

// Text a hostile node might put anywhere: controls, escapes, bidi overrides, wide characters.
const hostile = fc.oneof(
	fc.string(),
	fc.string({unit: 'binary'}),
	fc.constantFrom('\u001b]0;OWNED\u0007', '\u001b[2J', '\u202eevil', '\u009b31m', '日本語', 'a\u0000b', '\u2066x\u2069', '\r\n'),
);

const arbitraryFacts: fc.Arbitrary<NodeFacts> = fc.record({
	name: hostile,
	target: fc.constant('local'),
	reachable: fc.constant(true),
	errors: fc.array(fc.record({source: fc.constantFrom('containerd' as const, 'cri' as const, 'docker' as const), message: hostile}), {maxLength: 2}),
	processes: fc.array(fc.record({pid: fc.integer({min: 1, max: 40}), ppid: fc.integer({min: 0, max: 40}), user: hostile, state: hostile, command: fc.oneof(hostile, fc.constantFrom(
		'containerd', 'containerd-shim -namespace moby -workdir /x/y -address /run/containerd/containerd.sock', 'containerd-shim-runc-v2 -namespace k8s.io -id a -address /run/containerd/containerd.sock', 'dockerd',
	))}), {maxLength: 30}).map((list) => [...new Map(list.map((p) => [p.pid, p])).values()]),
	containerd: fc.option(fc.record({
		address: hostile, version: hostile,
		namespaces: fc.array(fc.constantFrom('moby', 'k8s.io', 'x'), {maxLength: 3}),
		containers: fc.array(fc.record({id: fc.constantFrom('a', 'b', 'c'), namespace: fc.constantFrom('moby', 'k8s.io', 'x'), image: hostile, runtime: hostile, labels: fc.dictionary(hostile, hostile, {maxKeys: 3}), mounts: fc.constant([])}), {maxLength: 6}),
		tasks: fc.array(fc.record({id: fc.constantFrom('a', 'b', 'c'), namespace: fc.constantFrom('moby', 'k8s.io', 'x'), pid: fc.integer({min: 0, max: 40}), status: hostile}), {maxLength: 6}),
	})),
	cri: fc.option(fc.record({
		info: fc.record({endpoint: hostile, runtimeName: hostile, runtimeVersion: hostile, apiVersion: hostile}),
		sandboxes: fc.array(fc.record({id: fc.constantFrom('a', 'b', 'p'), name: hostile, namespace: hostile, uid: hostile, state: hostile, labels: fc.dictionary(hostile, hostile, {maxKeys: 2})}), {maxLength: 3}),
		containers: fc.array(fc.record({id: fc.constantFrom('a', 'b', 'c'), podSandboxId: fc.constantFrom('a', 'p', ''), name: hostile, image: hostile, state: hostile, labels: fc.dictionary(hostile, hostile, {maxKeys: 2})}), {maxLength: 4}),
	})),
	docker: fc.option(fc.record({
		address: hostile, version: hostile,
		containers: fc.array(fc.record({id: fc.constantFrom('a', 'b', 'c', 'd'), name: fc.oneof(hostile, fc.constant('k8s_POD_web_default_u_0')), image: hostile, state: hostile, labels: fc.dictionary(fc.constantFrom('io.kubernetes.pod.name', 'io.kubernetes.pod.namespace', 'io.kubernetes.docker.type', 'x'), hostile, {maxKeys: 4}), mounts: fc.constant([])}), {maxLength: 4}),
	})),
});

describe('the model and renderers on arbitrary facts', () => {
	it('never throw, and text output holds no control or bidi characters', () => {
		fc.assert(fc.property(arbitraryFacts, (facts) => {
			const node = buildNodeSnapshot(facts);
			const text = renderSnapshotText(buildSnapshot([node], new Date(0)), {color: false, maxWidth: 200});
			for (const line of text.split('\n')) expect(isTerminalSafe(line), JSON.stringify(line)).toBe(true);
		}), {numRuns: 200});
	});
	it('JSON output is valid, terminal-safe, and keeps every original string', () => {
		fc.assert(fc.property(arbitraryFacts, (facts) => {
			const snapshot = buildSnapshot([buildNodeSnapshot(facts)], new Date(0));
			const json = renderSnapshotJson(snapshot);
			expect(isTerminalSafe(json.replaceAll('\n', ''))).toBe(true);
			expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(snapshot)));
		}), {numRuns: 200});
	});
	it('escapeText makes any string safe and is lossless for safe strings', () => {
		fc.assert(fc.property(fc.string({unit: 'binary'}), (text) => {
			expect(isTerminalSafe(escapeText(text))).toBe(true);
			if (isTerminalSafe(text)) expect(escapeText(text)).toBe(text);
		}), RUNS);
	});
});
