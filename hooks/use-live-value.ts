/**
 * A value computed from the store and the clock that re-renders its component only when
 * it changes. Ink redraws the whole screen on every React commit, so a clock that ticked
 * the tab bar every second would cost a full frame a second even when nothing on screen
 * moved; and most store changes (a poll starting, the cursor) leave the tabs as they were.
 */
import {useEffect, useReducer, useRef} from 'react';
import type {CrimonState} from '../source/store/store.js';
import {useCrimonStore} from './store-context.js';

export function useLiveValue<T>(compute: (state: CrimonState, now: number) => T, same: (a: T, b: T) => boolean, clockMs: number, now: () => number): T {
	const store = useCrimonStore();
	const value = compute(store.getState(), now());
	const shown = useRef(value);
	shown.current = value;
	const latest = useRef(compute);
	latest.current = compute;
	const [, redraw] = useReducer((n: number) => n + 1, 0);
	useEffect(() => {
		const check = () => {
			if (!same(latest.current(store.getState(), now()), shown.current)) redraw();
		};
		const unsubscribe = store.subscribe(check);
		const timer = clockMs > 0 ? setInterval(check, clockMs) : undefined;
		return () => {
			unsubscribe();
			if (timer) clearInterval(timer);
		};
	}, [store, clockMs, now, same]);
	return value;
}
