import {StoreProvider, type PollControl} from '../hooks/store-context.js';
import type {CrimonStore} from '../source/store/store.js';
import type {Theme} from '../source/ui/theme.js';
import {Screen} from './Screen.js';

export interface AppProps {
	readonly store: CrimonStore;
	readonly poller: PollControl;
	readonly columns: number;
	readonly rows: number;
	readonly theme: Theme;
	/** Called with the exit code when the user quits. */
	readonly quit: (code: number) => void;
	/** How often ages refresh; 0 freezes them (tests). */
	readonly clockMs?: number;
	/** The clock the ages are measured with (tests pin it). */
	readonly now?: () => number;
}

/** The app for a terminal of the given size: everything below reads the store through selectors. */
export function App({store, poller, columns, rows, theme, quit, clockMs, now}: AppProps) {
	return (
		<StoreProvider store={store}>
			<Screen poller={poller} columns={columns} rows={rows} theme={theme} quit={quit} clockMs={clockMs} now={now} />
		</StoreProvider>
	);
}
