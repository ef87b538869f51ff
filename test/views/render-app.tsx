/**
 * Renders the whole app at a size the test chooses (never the host's), colours off, the
 * clock pinned, and gives back the store and recorders for what the keys ask of the poller.
 */
import {render} from 'ink-testing-library';
import {App} from '../../views/App.js';
import {MONO_THEME, type Theme} from '../../source/ui/theme.js';
import type {CrimonStore} from '../../source/store/store.js';
import {fixtureStore, NOW} from './fixtures.js';

export const KEYS = {
	tab: '\t',
	shiftTab: '\u001b[Z',
	up: '\u001b[A',
	down: '\u001b[B',
	right: '\u001b[C',
	left: '\u001b[D',
	pageUp: '\u001b[5~',
	pageDown: '\u001b[6~',
	home: '\u001b[H',
	end: '\u001b[F',
	enter: '\r',
	escape: '\u001b',
	backspace: '\u007f',
	ctrlC: '\u0003',
	ctrlA: '\u0001',
	ctrlD: '\u0004',
} as const;

export interface RenderOptions {
	readonly columns?: number;
	readonly rows?: number;
	readonly store?: CrimonStore;
	readonly theme?: Theme;
}

/** Lets Ink run effects (input listeners) and flush a lone Esc, which it holds for a tick. */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

export async function renderApp(options: RenderOptions = {}) {
	const store = options.store ?? fixtureStore();
	const polls: (number | undefined)[] = [];
	const quits: number[] = [];
	const poller = {pollNow: (index?: number) => void polls.push(index)};
	let columns = options.columns ?? 80;
	let rows = options.rows ?? 24;
	const element = () => (
		<App store={store} poller={poller} columns={columns} rows={rows} theme={options.theme ?? MONO_THEME} quit={(code) => quits.push(code)} clockMs={0} now={() => NOW} />
	);
	const instance = render(element());
	await settle();
	return {
		...instance,
		store,
		polls,
		quits,
		/** The last frame's lines. */
		lines: () => (instance.lastFrame() ?? '').split('\n'),
		frame: () => instance.lastFrame() ?? '',
		/** Presses the keys in turn; with none, just lets pending renders land. */
		async press(...keys: string[]) {
			for (const key of keys) {
				instance.stdin.write(key);
				await settle();
			}
			if (keys.length === 0) await settle();
		},
		async type(text: string) {
			for (const char of text) {
				instance.stdin.write(char);
				await settle();
			}
		},
		async resize(nextColumns: number, nextRows: number) {
			columns = nextColumns;
			rows = nextRows;
			instance.rerender(element());
			await settle();
		},
	};
}
