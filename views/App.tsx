import {StoreProvider} from '../hooks/store-context.js';
import type {CrimonStore} from '../source/store/store.js';
import {Screen, type ScreenProps} from './Screen.js';

export interface AppProps extends ScreenProps {
	readonly store: CrimonStore;
}

/** The app for a terminal of the given size: everything below reads the store through selectors. */
export function App({store, ...screen}: AppProps) {
	return (
		<StoreProvider store={store}>
			<Screen {...screen} />
		</StoreProvider>
	);
}
