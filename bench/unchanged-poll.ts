/**
 * What a poll that changed nothing costs crimon once the node has answered: the model's
 * build against the previous poll (facts compared, the previous snapshot kept) and the
 * UI's work for it (the store's entry, every selector, the panes), with the app mounted on
 * a node of 10,000 processes and 1,000 containers. Goal: at most 1 ms. Beside it, a poll
 * that changed one process, for scale (no goal: it rebuilds the panes that show processes).
 *
 *   npm run bench -- unchanged-poll
 */
import {performance} from 'node:perf_hooks';

process.env['NODE_ENV'] ??= 'production';
const {createElement} = await import('react');
const {render} = await import('ink');
const {createCrimonStore} = await import('../source/store/store.js');
const {MONO_THEME} = await import('../source/ui/theme.js');
const {App} = await import('../views/App.js');
const {build} = await import('../source/model/node-model.js');
const {syntheticFacts} = await import('../test/support/synthetic-node.js');
const {FakeStdin, FakeStdout: TtyStdout} = await import('../test/support/fake-tty.js');

const GOAL_MS = 1;
const POLLS = 40;

/** A terminal that counts the frames written to it. */
class FakeStdout extends TtyStdout {
	writes = 0;
	constructor() {
		super();
		this.columns = 120;
		this.rows = 40;
	}
	override _write(_chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		this.writes++;
		callback();
	}
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const settle = () => new Promise((resolve) => setImmediate(resolve));
const at = (times: readonly number[], q: number) => times.slice().sort((a, b) => a - b)[Math.min(times.length - 1, Math.floor(q * times.length))]!;

const facts = syntheticFacts({processes: 10_000, containers: 1_000});
const store = createCrimonStore([{name: 'big', target: 'local'}], 2000);
let previous = build(structuredClone(facts), null);
store.getState().pollFinished(0, previous, Date.now(), 1);
const stdout = new FakeStdout();
const instance = render(
	createElement(App, {store, poller: {pollNow: () => undefined}, columns: 120, rows: 40, theme: MONO_THEME, quit: () => undefined, clockMs: 0}),
	{stdout, stdin: new FakeStdin(), exitOnCtrlC: false, patchConsole: false, maxFps: 1000},
);
// The first frame, and every pane built ahead in idle turns.
await pause(1500);

async function polls(label: string, change: (i: number) => typeof facts) {
	const model: number[] = [];
	const ui: number[] = [];
	const turn: number[] = [];
	/** crimon's CPU over the same span: what the poll costs whatever else the machine runs. */
	const cpu: number[] = [];
	const frames = stdout.writes;
	// A fresh parse each poll, as the collector hands over: equal data, new objects; made
	// before the polls, so that cloning's garbage is not collected inside the spans.
	const parses = Array.from({length: POLLS}, (_, i) => change(i));
	await pause(200);
	for (let i = 0; i < POLLS; i++) {
		const fresh = parses[i]!;
		const startCpu = process.cpuUsage();
		const started = performance.now();
		const next = build(fresh, previous);
		const built = performance.now();
		// The store tells every subscriber at once; what React schedules for a render runs in
		// the turn after, which is counted too (a poll that changed nothing schedules none).
		store.getState().pollFinished(0, next, Date.now(), 1);
		const told = performance.now();
		await settle();
		ui.push(told - built);
		turn.push(performance.now() - told);
		const used = process.cpuUsage(startCpu);
		cpu.push((used.user + used.system) / 1000);
		model.push(built - started);
		previous = next;
		await pause(30);
	}
	const total = model.map((m, i) => m + ui[i]! + turn[i]!);
	return {label, model, ui, turn, cpu, total, frames: stdout.writes - frames};
}

const unchanged = await polls('a poll that changed nothing', () => structuredClone(facts));
const changed = await polls('a poll that changed one process', (i) => {
	const fresh = structuredClone(facts);
	const pid = fresh.processes![100 + (i % 2)]!.pid;
	return {...fresh, processes: fresh.processes!.map((p) => (p.pid === pid ? {...p, state: p.state === 'R' ? 'S' : 'R'} : p))};
});
instance.unmount();

console.log(`a node of ${facts.processes!.length} processes and ${facts.containerd!.containers.length} containers, ${POLLS} polls each (ms)`);
console.log(`${''.padEnd(34)} ${'model p50'.padStart(10)} ${'model p95'.padStart(10)} ${'UI p50'.padStart(8)} ${'UI p95'.padStart(8)} ${'total p95'.padStart(10)} ${'of it next turn'.padStart(14)} ${'CPU p50'.padStart(8)}  frames`);
for (const row of [unchanged, changed]) {
	console.log(`${row.label.padEnd(34)} ${at(row.model, 0.5).toFixed(2).padStart(10)} ${at(row.model, 0.95).toFixed(2).padStart(10)} ${at(row.ui, 0.5).toFixed(2).padStart(8)} ${at(row.ui, 0.95).toFixed(2).padStart(8)} ${at(row.total, 0.95).toFixed(2).padStart(10)} ${at(row.turn, 0.5).toFixed(2).padStart(14)} ${at(row.cpu, 0.5).toFixed(2).padStart(8)}  ${row.frames}`);
}
const figure = at(unchanged.total, 0.5);
const cpuFigure = at(unchanged.cpu, 0.5);
console.log(`a poll that changed nothing: model and UI ${figure.toFixed(2)} ms median wall, ${at(unchanged.total, 0.95).toFixed(2)} ms p95; CPU ${cpuFigure.toFixed(2)} ms median (goal ≤ ${GOAL_MS} ms)${Math.min(figure, cpuFigure) > GOAL_MS ? '  over goal' : ''}`);
