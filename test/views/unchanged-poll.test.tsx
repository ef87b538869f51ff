/**
 * A poll that changed nothing rebuilds no rows, told the way the poller tells it: the
 * session's model, built from a fresh parse of the same answers (the recorded lab's,
 * test/support/lab-fixtures.ts) against the model before. The row builders are spied on.
 */
import {afterEach, describe, expect, it, vi} from 'vitest';
import {cleanup} from 'ink-testing-library';
import * as processRows from '../../source/ui/process-rows.js';
import * as namespaceRows from '../../source/ui/namespace-rows.js';
import * as containerRows from '../../source/ui/container-rows.js';
import * as podRows from '../../source/ui/pod-rows.js';
import {build} from '../../source/model/node-model.js';
import {createCrimonStore} from '../../source/store/store.js';
import type {NodeFacts} from '../../source/schema/types.js';
import {labFacts} from '../support/lab-fixtures.js';
import {NOW} from './fixtures.js';
import {KEYS, renderApp} from './render-app.js';

vi.mock('../../source/ui/process-rows.js', {spy: true});
vi.mock('../../source/ui/namespace-rows.js', {spy: true});
vi.mock('../../source/ui/container-rows.js', {spy: true});
vi.mock('../../source/ui/pod-rows.js', {spy: true});

afterEach(() => {
	cleanup();
	vi.clearAllMocks();
});

const idle = () => new Promise((resolve) => setTimeout(resolve, 50));
const fresh = (change: (facts: NodeFacts) => NodeFacts = (f) => f) => change(structuredClone({...labFacts(), polledAt: NOW}));
const builders = () => [processRows.processItems, namespaceRows.namespaceItems, containerRows.containerItems, podRows.podItems].map((fn) => vi.mocked(fn).mock.calls.length);

describe('a poll that changed nothing', () => {
	it('rebuilds no pane and draws no frame; a poll that changed a container rebuilds the panes that show containers', async () => {
		const store = createCrimonStore([{name: 'lab', target: 'local'}], 2000);
		let model = build(fresh(), null, NOW);
		store.getState().pollFinished(0, model, NOW, 10);
		const app = await renderApp({store, columns: 100, rows: 30});
		await app.press(KEYS.tab, KEYS.tab);
		await idle();
		// Each pane once (the process tree in both variants), the Containers pane on screen.
		expect(builders()).toEqual([2, 1, 1, 1]);
		const frames = app.frames.length;
		for (let i = 0; i < 3; i++) {
			model = build(fresh(), model, NOW);
			store.getState().pollFinished(0, model, NOW, 10);
			await app.press();
			await idle();
		}
		expect(builders()).toEqual([2, 1, 1, 1]);
		expect(app.frames.length).toBe(frames);

		const renamed = fresh((f) => ({...f, docker: f.docker && {...f.docker, containers: f.docker.containers.map((c, i) => (i === 0 ? {...c, image: `${c.image}-2`} : c))}}));
		model = build(renamed, model, NOW);
		expect(model.changes.containers.changed).toHaveLength(1);
		store.getState().pollFinished(0, model, NOW, 10);
		await app.press();
		await idle();
		expect(builders()).toEqual([4, 2, 2, 2]);
		expect(app.frames.length).toBeGreaterThan(frames);
	});
});
