/** What the app builds from a snapshot is built once per snapshot; idle jobs yield between each other. */
import {describe, expect, it} from 'vitest';
import {idleQueue, memoOnSnapshot, memoOnSnapshots} from '../../source/ui/snapshot-memo.js';
import {nodePaneLines} from '../../views/NodePane.js';
import {mainNode} from '../views/fixtures.js';

describe('memoOnSnapshot', () => {
	it('builds once per snapshot and key, and anew for a new snapshot object', () => {
		let builds = 0;
		const lines = memoOnSnapshot((s: {n: number}, key: string) => {
			builds++;
			return `${s.n}:${key}`;
		});
		const a = {n: 1};
		expect(lines(a, '80')).toBe('1:80');
		expect(lines(a, '80')).toBe('1:80');
		expect(builds).toBe(1);
		expect(lines(a, '150')).toBe('1:150');
		expect(lines({n: 1}, '80')).toBe('1:80');
		expect(builds).toBe(3);
	});

	it('keys a pair by both snapshots', () => {
		let builds = 0;
		const pair = memoOnSnapshots((a: {n: number}, b: {n: number}, key: string) => (builds++, `${a.n}/${b.n}/${key}`));
		const a = {n: 1};
		const b = {n: 2};
		expect(pair(a, b, 'w')).toBe('1/2/w');
		expect(pair(a, b, 'w')).toBe('1/2/w');
		expect(pair(b, a, 'w')).toBe('2/1/w');
		expect(builds).toBe(2);
	});

	it('gives the Node pane and the screen that counts its lines the same lines', () => {
		const node = mainNode();
		expect(nodePaneLines(node, 80)).toBe(nodePaneLines(node, 80));
		expect(nodePaneLines(node, 100)).not.toBe(nodePaneLines(node, 80));
	});
});

describe('idleQueue', () => {
	it('runs one job per turn, and a new schedule drops what was queued', async () => {
		const ran: string[] = [];
		const queue = idleQueue();
		queue.schedule([() => ran.push('a'), () => ran.push('b'), () => ran.push('c')]);
		expect(ran).toEqual([]);
		await new Promise((resolve) => setImmediate(resolve));
		expect(ran).toEqual(['a']);
		queue.schedule([() => ran.push('x')]);
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(ran).toEqual(['a', 'x']);
		queue.schedule([() => ran.push('never')]);
		queue.cancel();
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(ran).toEqual(['a', 'x']);
	});
});
