/**
 * crimon's protobuf schemas against the upstream .proto files (test/fixtures/proto, with
 * their repository, path and commit in its README): every field crimon decodes or encodes
 * has upstream's number, name, type and label. A new `*-api.ts` module (or a new upstream
 * file under test/fixtures/proto) joins by adding a row to API_MODULES.
 */
import {describe, expect, it} from 'vitest';
import * as containerdApi from '../../source/protocol/containerd-api.js';
import * as containerdMetrics from '../../source/protocol/containerd-metrics.js';
import * as containerdEventsApi from '../../source/protocol/containerd-events-api.js';
import * as criApi from '../../source/protocol/cri-api.js';
import {field, message} from '../../source/protocol/protobuf.js';
import * as criLabApi from '../lab/cri-lab-api.js';
import {diffSchemas, exportedSchemas, upstreamRegistry} from '../support/proto-diff.js';

interface ApiModule {
	readonly title: string;
	/** The module's exports: every message schema among them is checked, and every schema they reach. */
	readonly exports: Readonly<Record<string, unknown>>;
	/** Upstream's name for a crimon message name, when one schema serves several packages. */
	readonly upstreamName?: (name: string) => string;
	/** At least this many fields are compared: a guard against a table that silently checks nothing. */
	readonly minFields: number;
}

const toV1alpha2 = (name: string) => name.replace(/^runtime\.v1\./, 'runtime.v1alpha2.');

const API_MODULES: readonly ApiModule[] = [
	{title: 'containerd: version, namespaces, containers, tasks (containerd-api.ts)', exports: containerdApi, minFields: 20},
	{title: "containerd's Tasks.Metrics and the cgroups v1 and v2 stats it carries (containerd-metrics.ts)", exports: containerdMetrics, minFields: 30},
	// containerd 2 moved Envelope (fields unchanged) from services.events.v1 to types; 1.x names it as crimon does.
	{title: "containerd's event stream and the events crimon decodes (containerd-events-api.ts)", exports: containerdEventsApi, upstreamName: (n) => (n === 'containerd.services.events.v1.Envelope' ? 'containerd.types.Envelope' : n), minFields: 20},
	{title: 'the CRI runtime.v1 (cri-api.ts)', exports: criApi, minFields: 25},
	// Old runtimes serve only v1alpha2: crimon sends it the same schemas under the other package.
	{title: 'the CRI runtime.v1alpha2 (cri-api.ts)', exports: criApi, upstreamName: toV1alpha2, minFields: 25},
	{title: "the lab's CRI client, write side (test/lab/cri-lab-api.ts)", exports: criLabApi, minFields: 20},
];

const registry = upstreamRegistry();

describe('protobuf schemas match the upstream .proto files', () => {
	it.each(API_MODULES.map((row) => [row.title, row] as const))('%s', (_title, row) => {
		const schemas = exportedSchemas(row.exports);
		expect(schemas.length).toBeGreaterThan(0);
		const {problems, checked} = diffSchemas(schemas, registry, row.upstreamName);
		expect(problems).toEqual([]);
		expect(checked.length).toBeGreaterThanOrEqual(row.minFields);
	});

	it('reads the upstream files: the messages crimon needs are there, with their fields', () => {
		expect(registry.messages.get('runtime.v1.Container')?.fields.get(7)).toMatchObject({name: 'created_at', type: 'int64'});
		expect(registry.messages.get('runtime.v1alpha2.PodSandbox')?.fields.get(5)).toMatchObject({name: 'labels', type: 'map', map: ['string', 'string']});
		expect(registry.messages.get('containerd.services.containers.v1.Container')?.fields.get(4)?.type).toBe('containerd.services.containers.v1.Container.Runtime');
		expect(registry.messages.get('containerd.v1.types.Process')?.fields.get(4)?.type).toBe('containerd.v1.types.Status');
		expect(registry.enums.has('containerd.v1.types.Status')).toBe(true);
		expect(registry.messages.get('google.protobuf.Any')?.fields.get(1)?.name).toBe('type_url');
	});
});

describe('the diff itself finds each kind of mismatch', () => {
	it('names a wrong number, name, type, label, map and a message upstream does not have', () => {
		const Wrong = message('runtime.v1.Container', {
			1: field('id', 'bytes'), // type
			2: field('podId', 'string'), // name
			3: field('metadata', message('runtime.v1.ContainerMetadata', {2: field('attempt', 'uint64')})), // nested type
			6: field('state', 'string'), // an enum upstream
			8: field('labels', 'string', true), // a map upstream
			9: field('annotations', {map: ['string', 'int32']}), // map value
			77: field('extra', 'string'), // no such number
		});
		const Missing = message('runtime.v1.NoSuchThing', {1: field('x', 'string')});
		const Label = message('runtime.v1.ListContainersResponse', {1: field('containers', criApi.Container)}); // repeated upstream
		const {problems} = diffSchemas([Wrong, Missing, Label], registry);
		expect(problems).toEqual([
			'runtime.v1.Container field 1 (id): is bytes in crimon, string upstream',
			'runtime.v1.Container field 2 (podId): upstream calls field 2 pod_sandbox_id',
			'runtime.v1.Container field 6 (state): is string in crimon, runtime.v1.ContainerState upstream',
			'runtime.v1.Container field 8 (labels): is a map upstream',
			'runtime.v1.Container field 9 (annotations): map value is int32 in crimon, string upstream',
			'runtime.v1.Container field 77 (extra): no field 77 upstream',
			'runtime.v1.NoSuchThing: no such message upstream',
			'runtime.v1.ListContainersResponse field 1 (containers): repeated upstream, single in crimon',
			'runtime.v1.ContainerMetadata field 2 (attempt): is uint64 in crimon, uint32 upstream',
		]);
	});
});
