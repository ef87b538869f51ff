/**
 * The published JSON Schema and the generated --from check come from the one definition
 * (source/schema/snapshot-schema.ts) through `npm run schema`; the committed files must be
 * what it writes now. The schema accepts what crimon writes and refuses a wrong document.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {schemaFiles, SNAPSHOT_SCHEMA_FILE} from '../../scripts/schema-files.js';
import {renderSnapshotJson} from '../../source/render/text-snapshot.js';
import {SNAPSHOT_SCHEMA} from '../../source/schema/types.js';
import {parseSnapshotText} from '../../source/snapshot-file/parse-snapshot.js';
import {metricsSnapshot} from '../support/metrics-fixtures.js';
import {checkedSnapshot, compareSchemaErrors, schemaErrors} from '../support/schema-check.js';
import {compareNodes, comparisonDocument} from '../../source/model/compare.js';
import {renderCompareJson} from '../../source/render/text-compare.js';
import {COMPARE_SCHEMA_FILE} from '../../scripts/schema-files.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const written = () => JSON.parse(renderSnapshotJson(metricsSnapshot()));

describe('schema/snapshot.schema.json', () => {
	it.each(schemaFiles().map((file) => [file.path, file.text] as const))('%s is what npm run schema writes', (file, text) => {
		expect(fs.readFileSync(path.join(ROOT, file), 'utf8'), `${file} is stale: run npm run schema`).toBe(text);
	});

	it('is versioned with the contract and shipped by npm pack', () => {
		const schema = JSON.parse(fs.readFileSync(path.join(ROOT, SNAPSHOT_SCHEMA_FILE), 'utf8'));
		expect(schema.$id).toBe(SNAPSHOT_SCHEMA);
		expect(schema.properties.schema.const).toBe(SNAPSHOT_SCHEMA);
		const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
		expect(pkg.files).toContain(SNAPSHOT_SCHEMA_FILE);
	});

	it('accepts what crimon snapshot --json writes, and a file from before the additions within v1', () => {
		expect(schemaErrors(written())).toEqual([]);
		const old = written();
		for (const node of old.nodes) {
			delete node.diagnosis;
			delete node.host;
			delete node.runtimeStates;
			for (const c of node.containers) for (const key of ['labels', 'mounts', 'podId', 'runtime', 'usage']) delete c[key];
			for (const p of node.pods) delete p.state;
		}
		expect(schemaErrors(old)).toEqual([]);
	});

	it('refuses a field of the wrong type, a missing required field, a value outside its set and a bad date', () => {
		const wrongType = written();
		wrongType.nodes[1].containers[0].pid = 'one';
		expect(schemaErrors(wrongType)).toContain('/nodes/1/containers/0/pid must be integer');
		const missing = written();
		delete missing.nodes[0].shims;
		expect(schemaErrors(missing)).toContain("/nodes/0 must have required property 'shims'");
		const outside = written();
		outside.nodes[0].diagnosis.findings[0].severity = 'panic';
		expect(schemaErrors(outside).join('\n')).toMatch(/severity must be equal to one of the allowed values/);
		const date = written();
		date.takenAt = 'yesterday';
		expect(schemaErrors(date)).toContain('/takenAt must match format "date-time"');
		expect(() => checkedSnapshot(missing)).toThrow(/not a valid crimon.snapshot\/v1 document .*required property 'shims'/);
	});

	it('schema/compare.schema.json holds crimon compare --json, and refuses a wrong one', () => {
		const [a, b] = metricsSnapshot().nodes;
		const doc = JSON.parse(renderCompareJson(comparisonDocument(compareNodes(a!, b!), new Date('2026-01-02T03:04:05Z'))));
		expect(compareSchemaErrors(doc)).toEqual([]);
		const schema = JSON.parse(fs.readFileSync(path.join(ROOT, COMPARE_SCHEMA_FILE), 'utf8'));
		expect(schema.$id).toBe(doc.schema);
		doc.pods.both = 'two';
		delete doc.headline;
		expect(compareSchemaErrors(doc)).toEqual(["/ must have required property 'headline'", '/pods/both must be integer']);
	});

	it('and the generated check that --from runs agrees with it', () => {
		const documents = [written(), {...written(), nodes: [{...written().nodes[0], ok: 'yes'}]}, {...written(), nodes: [{...written().nodes[0], errors: [{source: 'elsewhere', message: 'x'}]}]}];
		for (const document of documents) {
			const published = schemaErrors(document).length === 0;
			let generated = true;
			try {
				parseSnapshotText(JSON.stringify(document));
			} catch {
				generated = false;
			}
			expect(generated).toBe(published);
		}
		expect(schemaErrors(documents[1])).toContain('/nodes/0/ok must be boolean');
	});

	it('costs a live snapshot nothing: the built CLI imports neither TypeBox nor ajv, and loads the check only to read a file', () => {
		const dist = path.join(ROOT, 'dist');
		const files = ['crimon.js', ...fs.readdirSync(path.join(dist, 'chunks')).map((f) => `chunks/${f}`)];
		for (const file of files) expect(fs.readFileSync(path.join(dist, file), 'utf8'), file).not.toMatch(/from\s*["'](ajv|@sinclair\/typebox)[/"']/);
		const check = files.filter((file) => fs.readFileSync(path.join(dist, file), 'utf8').includes('checkSnapshot'));
		expect(check).toEqual([expect.stringMatching(/^chunks\/parse-snapshot-/)]);
		const importers = files.filter((file) => fs.readFileSync(path.join(dist, file), 'utf8').includes(path.basename(check[0]!)));
		expect(importers.length).toBeGreaterThan(0);
		for (const file of importers) expect(fs.readFileSync(path.join(dist, file), 'utf8')).toMatch(new RegExp(`import\\("\\./${path.basename(check[0]!).replace('.', '\\.')}"\\)`));
	});
});
