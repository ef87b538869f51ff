import {EventEmitter} from 'node:events';
import {describe, expect, it} from 'vitest';
import {runApp} from '../../views/run-app.js';
import type {Poller} from '../../source/session/poller.js';
import {fixtureStore} from './fixtures.js';
import {FakeStdin} from '../support/fake-tty.js';

class FakeStdout extends EventEmitter {
	isTTY = true;
	columns = 80;
	rows = 24;
	chunks: string[] = [];
	write(chunk: string, callback?: () => void) {
		this.chunks.push(String(chunk));
		callback?.();
		return true;
	}
	get output() {
		return this.chunks.join('');
	}
}

class FakeStderr extends FakeStdout {}

function fakePoller() {
	const calls: string[] = [];
	const poller = {start: () => void calls.push('start'), stop: () => void calls.push('stop'), pollNow: () => void calls.push('pollNow')} as unknown as Poller;
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
		const stderr = new FakeStderr();
		const {poller, calls} = fakePoller();
		const code = await runApp({store: fixtureStore(), poller, stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream});
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
		const done = runApp({store: fixtureStore(), poller, stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream, stderr: new FakeStderr() as unknown as NodeJS.WriteStream});
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
		const done = runApp({store: fixtureStore(), poller, stdin: stdin as unknown as NodeJS.ReadStream, stdout: new FakeStdout() as unknown as NodeJS.WriteStream, stderr: new FakeStderr() as unknown as NodeJS.WriteStream});
		await started(stdin);
		stdin.type('\u0003');
		expect(await done).toBe(0);
		expect(stdin.rawModes.at(-1)).toBe(false);
	});
});
