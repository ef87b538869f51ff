/**
 * At 80×24 every failed source is reachable: the footer counts and names them with the key
 * from the key table, and that key opens the Node pane at its top, where each one is listed
 * in full; every pane's name stays on the title line and footer keys that do not fit end in an
 * ellipsis.
 */
import {describe, expect, it} from 'vitest';
import {createCrimonStore} from '../../source/store/store.js';
import {keyFor} from '../../source/ui/keymap.js';
import {mainNode, NOW} from './fixtures.js';
import {KEYS, renderApp} from './render-app.js';

const ERRORS = [
	{source: 'containerd', message: 'nothing is listening on /run/containerd/containerd.sock (a stale socket: the service that made it stopped or crashed; is it running, and is this its path?)'},
	{source: 'cri', message: 'no socket at /var/run/crio/crio.sock (is the service running?)'},
	{source: 'docker', message: "permission denied on /var/run/docker.sock (run as root, or as a member of the socket's group)"},
];

function failingStore() {
	const store = createCrimonStore([{name: 'node01', target: 'local'}], 2000);
	store.getState().pollFinished(0, {...mainNode(), errors: ERRORS}, NOW - 1000, 40);
	return store;
}

const PANES = ['Processes', 'Namespaces', 'Containers', 'Pods', 'Events', 'Node'];

describe('failed sources at 80×24', () => {
	it('the footer counts and names them, with the key that lists them', async () => {
		const app = await renderApp({store: failingStore(), columns: 80, rows: 24});
		const footer = app.lines().at(-1)!;
		expect(footer).toMatch(new RegExp(`3 sources failed \\(${keyFor('sources')}\\): containerd, cri, docker`));
		expect(footer.length).toBeLessThanOrEqual(80);
	});

	it(`${keyFor('sources')} opens the Node pane at its top, listing every failed source in full`, async () => {
		const app = await renderApp({store: failingStore(), columns: 80, rows: 24});
		await app.press(KEYS.tab);
		await app.press(keyFor('sources'));
		const frame = app.frame();
		expect(app.lines()[1]).toMatch(/^Node — node01/);
		expect(frame).toContain('failed sources (3)');
		// Wrapped at 80 columns, so each message is there whole.
		const text = frame.replace(/\n\s+/g, ' ');
		for (const error of ERRORS) expect(text).toContain(`✗ ${error.source}: ${error.message}`);
		for (const line of app.lines()) expect(line.length).toBeLessThanOrEqual(80);
	});

	it('every pane shows every pane\'s name, and the footer\'s keys end in … when some do not fit', async () => {
		const app = await renderApp({store: failingStore(), columns: 80, rows: 24});
		for (let i = 0; i < PANES.length; i++) {
			const title = app.lines()[1]!;
			for (const name of PANES) expect(title, title).toContain(name);
			await app.press(KEYS.tab);
		}
		const keysLine = app.lines().at(-2)!;
		expect(keysLine.trimEnd()).toMatch(/…$/);
	});
});
