/**
 * Frame time of each pane for a synthetic node of 10,000 processes and 1,000 containers:
 * the time from a key press reaching Ink to the frame being written (the key handler,
 * React, the rows, Ink's layout and output), against the goal of 16 ms.
 *
 * React runs in its production build, as in the installed CLI (views/run-app.tsx).
 *
 *   npm run bench -- frame-time        CRIMON_BENCH_SIZES=80x24,120x40 (the default)
 */
import {performance} from 'node:perf_hooks';

process.env['NODE_ENV'] ??= 'production';
const {createElement} = await import('react');
const {render} = await import('ink');
const {createCrimonStore} = await import('../source/store/store.js');
const {MONO_THEME} = await import('../source/ui/theme.js');
const {App} = await import('../views/App.js');
const {syntheticNode} = await import('../test/views/fixtures.js');
const {FakeStdin, FakeStdout: TtyStdout} = await import('../test/support/fake-tty.js');

const GOAL_MS = 16;
/** A poll that changed what is on screen. */
const POLL_GOAL_MS = 30;
const SIZES = (process.env['CRIMON_BENCH_SIZES'] ?? '80x24,150x45').split(',').map((size) => size.split('x').map(Number) as [number, number]);

/** A terminal that notes when each frame is written (Ink writes a frame in one write). */
class FakeStdout extends TtyStdout {
	writes = 0;
	bytes = 0;
	private waiter: ((at: number) => void) | null = null;
	constructor(columns: number, rows: number) {
		super();
		this.columns = columns;
		this.rows = rows;
	}
	override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		this.writes++;
		this.bytes += chunk.length;
		const waiter = this.waiter;
		this.waiter = null;
		waiter?.(performance.now());
		callback();
	}
	/** When the next frame is written; null if none comes (the key changed nothing on screen). */
	nextWrite(timeoutMs: number): Promise<number | null> {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.waiter = null;
				resolve(null);
			}, timeoutMs);
			this.waiter = (at) => {
				clearTimeout(timer);
				resolve(at);
			};
		});
	}
}

const KEY = {tab: '\t', down: '\u001b[B', up: '\u001b[A', pageDown: '\u001b[6~', pageUp: '\u001b[5~', enter: '\r', escape: '\u001b', space: ' '};
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Sample {
	readonly label: string;
	readonly times: number[];
	/** crimon's own CPU in the same spans: what the frame costs whatever else the machine runs. */
	readonly cpu: number[];
}

const cpuMs = () => {
	const used = process.cpuUsage();
	return (used.user + used.system) / 1000;
};

function stats(times: readonly number[]) {
	const sorted = times.slice().sort((a, b) => a - b);
	const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
	return {median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]!, n: sorted.length};
}

const built = performance.now();
const node = syntheticNode({processes: 10_000, containers: 1_000});
const buildMs = performance.now() - built;
console.log(`synthetic node: ${node.processes.length} processes, ${node.containers.length} containers, ${node.shims.length} shims, ${node.pods.length} pods (built in ${buildMs.toFixed(0)} ms)`);

async function main(COLUMNS: number, ROWS: number) {
	const store = createCrimonStore([{name: 'big', target: 'local'}], 2000);
	store.getState().pollFinished(0, node, Date.now(), 100);

	const stdin = new FakeStdin();
	const stdout = new FakeStdout(COLUMNS, ROWS);
	const firstFrame = stdout.nextWrite(5000);
	const mounted = performance.now();
	const instance = render(
		createElement(App, {store, poller: {pollNow: () => undefined}, columns: COLUMNS, rows: ROWS, theme: MONO_THEME, quit: () => undefined, clockMs: 0}),
		{stdout, stdin, exitOnCtrlC: false, patchConsole: false, maxFps: 1000},
	);
	const mountMs = ((await firstFrame) ?? mounted) - mounted;
	await pause(50);

	const samples: Sample[] = [];
	const measure = async (label: string, keys: readonly string[], repeat = 1) => {
		const times: number[] = [];
		const cpu: number[] = [];
		for (let r = 0; r < repeat; r++) {
			for (const key of keys) {
				const written = stdout.nextWrite(500);
				const start = performance.now();
				const startCpu = cpuMs();
				stdin.type(key);
				const at = await written;
				if (at !== null) {
					times.push(at - start);
					cpu.push(cpuMs() - startCpu);
				}
				// Let passive effects run and the render throttle reopen, as between real key presses.
				await pause(3);
			}
		}
		samples.push({label, times, cpu});
	};
	const once = async (key: string) => {
		stdin.type(key);
		await pause(3);
	};
	const snapshotArrives = async (label: string, repeat = 5) => {
		const times: number[] = [];
		const cpu: number[] = [];
		for (let r = 0; r < repeat; r++) {
			// A poll that changed something (one process's state): the active pane's rows are
			// rebuilt. (A poll that changed nothing draws no frame at all.)
			const fresh = {...node, processes: node.processes.map((p, i) => (i === 5 + r ? {...p, state: p.state === 'R' ? 'S' : 'R'} : p))};
			const written = stdout.nextWrite(1000);
			const start = performance.now();
			const startCpu = cpuMs();
			store.getState().pollFinished(0, fresh, Date.now(), 100);
			const at = await written;
			if (at !== null) {
				times.push(at - start);
				cpu.push(cpuMs() - startCpu);
			}
			// The panes built ahead in idle turns, as between real polls.
			await pause(400);
		}
		samples.push({label, times, cpu});
	};

	const panes = ['Processes (runtime only)', 'Processes (all)', 'Namespaces', 'Containers', 'Pods'];
	for (const pane of panes) {
		if (pane === 'Processes (all)') await once('a');
		if (pane === 'Namespaces') await once('a');
		if (pane !== 'Processes (runtime only)' && pane !== 'Processes (all)') {
			// Entering the pane for the first time with this snapshot builds its rows.
			await measure(`${pane}: Tab into the pane (builds its rows)`, [KEY.tab]);
		}
		await measure(`${pane}: ↓ / j`, [KEY.down, 'j'], 15);
		await measure(`${pane}: PgDn / PgUp`, [KEY.pageDown, KEY.pageDown, KEY.pageUp, KEY.pageUp], 5);
		await measure(`${pane}: G / g`, ['G', 'g'], 5);
		if (pane !== 'Containers') await measure(`${pane}: Space (fold, unfold)`, [KEY.space, KEY.space], 5);
		if (pane === 'Containers') await measure(`${pane}: s (sort)`, ['s'], 8);
		await measure(`${pane}: / filter, per key`, ['/', 'w', 'o', 'r', 'k', '\u007f', '\u007f', '\u007f', '\u007f', KEY.escape], 3);
		await measure(`${pane}: Enter, Esc (details)`, [KEY.enter, KEY.escape], 5);
		await snapshotArrives(`${pane}: a poll that changed a process`);
	}
	await measure('Processes: Tab back (rows rebuilt for the new snapshot)', [KEY.tab], 1);
	instance.unmount();

	console.log('');
	console.log(`terminal ${COLUMNS}×${ROWS}; first render ${mountMs.toFixed(1)} ms; ${stdout.writes} frames written, ${(stdout.bytes / 1024).toFixed(0)} KiB`);
	console.log('');
	console.log(`${'frame (wall ms; CPU ms in brackets)'.padEnd(56)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'max'.padStart(8)} ${'p95 CPU'.padStart(8)}   n`);
	const all = {key: [] as number[], keyCpu: [] as number[], poll: [] as number[], pollCpu: [] as number[]};
	for (const sample of samples) {
		if (sample.times.length === 0) continue;
		const s = stats(sample.times);
		const c = stats(sample.cpu);
		const isKey = !sample.label.includes('a poll that');
		(isKey ? all.key : all.poll).push(...sample.times);
		(isKey ? all.keyCpu : all.pollCpu).push(...sample.cpu);
		const goal = isKey ? GOAL_MS : POLL_GOAL_MS;
		const flag = s.p95 > goal ? '  over goal' : '';
		console.log(`${sample.label.padEnd(56)} ${s.median.toFixed(2).padStart(8)} ${s.p95.toFixed(2).padStart(8)} ${s.max.toFixed(2).padStart(8)} ${c.p95.toFixed(2).padStart(8)} ${String(s.n).padStart(3)}${flag}`);
	}
	console.log('');
	const key = stats(all.key);
	const poll = stats(all.poll);
	console.log(`${COLUMNS}×${ROWS}: after any key, p95 ${key.p95.toFixed(1)} ms (CPU ${stats(all.keyCpu).p95.toFixed(1)} ms), worst ${key.max.toFixed(1)} ms, over ${key.n} keys (goal < ${GOAL_MS} ms)`);
	console.log(`${COLUMNS}×${ROWS}: a poll that changed data, p95 ${poll.p95.toFixed(1)} ms (CPU ${stats(all.pollCpu).p95.toFixed(1)} ms), over ${poll.n} polls (goal < ${POLL_GOAL_MS} ms)`);
}

for (const [columns, rows] of SIZES) await main(columns, rows);
