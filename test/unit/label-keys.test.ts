/**
 * Labels are chosen by whoever runs the workloads, so a key may be `__proto__`,
 * `constructor` or `toString`. Each place crimon builds a label map from a node's answer
 * keeps such a key as an ordinary label, and it reaches the snapshot JSON.
 */
import {describe, expect, it} from 'vitest';
import {parseContainers} from '../../source/collect/parse-containerd.js';
import {parseDockerLabelList} from '../../source/collect/parse-cli-output.js';
import {parseDockerContainers} from '../../source/collect/parse-docker.js';
import {buildNodeSnapshot, buildSnapshot} from '../../source/model/build-snapshot.js';
import * as containerd from '../../source/protocol/containerd-api.js';
import {encode} from '../../source/protocol/protobuf.js';
import {renderSnapshotJson} from '../../source/render/text-snapshot.js';
import {labFacts} from '../support/lab-fixtures.js';

const ID = 'a'.repeat(64);
// `{__proto__: …}` in an object literal would set the prototype; a decoder meets it as data.
const hostile = (): Record<string, string> => Object.defineProperty({constructor: 'c', app: 'web'}, '__proto__', {value: 'proto-label', enumerable: true}) as Record<string, string>;

function expectKept(labels: Record<string, string>): void {
	expect(Object.getPrototypeOf(labels)).toBeNull();
	expect(Object.keys(labels).sort()).toEqual(['__proto__', 'app', 'constructor']);
	expect(labels['__proto__']).toBe('proto-label');
	expect(labels['constructor']).toBe('c');
	expect(labels['toString']).toBeUndefined();
}

describe('a label named __proto__', () => {
	it('survives containerd protobuf', () => {
		const bytes = encode(containerd.ListContainersResponse, {containers: [{id: ID, image: 'img', labels: hostile()}]});
		expectKept(parseContainers(bytes, 'default')[0]!.labels as Record<string, string>);
	});
	it("survives Docker's JSON", () => {
		const json: unknown = JSON.parse(`[{"Id":"${ID}","Names":["/x"],"Labels":{"__proto__":"proto-label","constructor":"c","app":"web"}}]`);
		expectKept(parseDockerContainers(json)[0]!.labels as Record<string, string>);
	});
	it("survives the docker CLI's k=v list (--sudo mode)", () => {
		expectKept(parseDockerLabelList('__proto__=proto-label,constructor=c,app=web'));
	});
	it('reaches the snapshot JSON', () => {
		const facts = labFacts();
		const bytes = encode(containerd.ListContainersResponse, {containers: [{id: ID, image: 'img', labels: hostile()}]});
		const extra = parseContainers(bytes, 'lab-other')[0]!;
		const withExtra = {...facts, containerd: {...facts.containerd!, containers: [...facts.containerd!.containers, extra]}};
		const json = JSON.parse(renderSnapshotJson(buildSnapshot([buildNodeSnapshot(withExtra)], new Date(0)))) as {nodes: {containers: {id: string; labels: Record<string, string>}[]}[]};
		const container = json.nodes[0]!.containers.find((c) => c.id === ID)!;
		expect(Object.getOwnPropertyDescriptor(container.labels, '__proto__')?.value).toBe('proto-label');
		expect(container.labels.app).toBe('web');
	});
});
