import {describe, expect, it} from 'vitest';
import {runApp} from '../../views/run-app.js';
import type {AppPoller} from '../../views/start-app.js';
import {fixtureStore} from './fixtures.js';
import {FakeStdin, FakeStdout} from '../support/fake-tty.js';

/** The app's poller as the app drives it: started, stopped, asked to poll now. */
function fakePoller() {
	const calls: string[] = [];
	const poller: AppPoller = {start: () => void calls.push('start'), stop: () => void calls.push('stop'), pollNow: () => void calls.push('pollNow')};
	return {poller, calls};
}

/** Until the app has taken the terminal (it loads Ink first). */
async function started(stdin: FakeStdin) {
	for (let i = 0; i < 200 && stdin.rawModes.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('runApp', () => {
	it('refuses to start without a terminal: a one-line hint, exit 2, raw mode untouched', async () => {
		const stdin = new FakeStdin(false);
		const stdout = new FakeStdout();
		const stderr = new FakeStdout();
		const {poller, calls} = fakePoller();
		const code = await runApp({store: fixtureStore(), poller, stdin, stdout, stderr});
		expect(code).toBe(2);
		expect(stdin.rawModes).toEqual([]);
		expect(stdout.output).toBe('');
		expect(stderr.output.trim().split('\n')).toHaveLength(1);
		expect(stderr.output).toContain('crimon snapshot');
		expect(calls).toEqual([]);
	});

	it('runs in the alternate screen, quits on q with 0, and restores the terminal', async () => {
		const stdin = new FakeStdin(true);
		const stdout = new FakeStdout();
		const {poller, calls} = fakePoller();
		const done = runApp({store: fixtureStore(), poller, stdin: stdin, stdout: stdout, stderr: new FakeStdout()});
		await started(stdin);
		expect(stdin.rawModes).toEqual([true]);
		expect(calls).toEqual(['start']);
		stdin.type('q');
		expect(await done).toBe(0);
		expect(stdin.rawModes).toEqual([true, false]);
		expect(calls).toEqual(['start', 'stop']);
		expect(stdout.output.startsWith('\u001b[?1049h')).toBe(true);
		expect(stdout.output.endsWith('\u001b[?1049l')).toBe(true);
		expect(stdout.output).toContain('\u001b[?25h');
	});

	it('quits on Ctrl-C with 0 too', async () => {
		const stdin = new FakeStdin(true);
		const {poller} = fakePoller();
		const done = runApp({store: fixtureStore(), poller, stdin: stdin, stdout: new FakeStdout(), stderr: new FakeStdout()});
		await started(stdin);
		stdin.type('\u0003');
		expect(await done).toBe(0);
		expect(stdin.rawModes.at(-1)).toBe(false);
	});
});
