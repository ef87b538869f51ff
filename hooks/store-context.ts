/**
 * The store reaches components through context, and every read goes through a selector,
 * so a component re-renders only when the slice it picked changes.
 */
import {createContext, createElement, useContext, type ReactNode} from 'react';
import {useStore} from 'zustand';
import type {CrimonState, CrimonStore} from '../source/store/store.js';
import type {Poller} from '../source/session/poller.js';

/** What the keys need from the poller; tests pass a recorder. */
export type PollControl = Pick<Poller, 'pollNow'>;

const StoreContext = createContext<CrimonStore | null>(null);

export function StoreProvider({store, children}: {readonly store: CrimonStore; readonly children?: ReactNode}) {
	return createElement(StoreContext.Provider, {value: store}, children);
}

export function useCrimonStore(): CrimonStore {
	const store = useContext(StoreContext);
	if (!store) throw new Error('crimon views need a StoreProvider');
	return store;
}

export function useCrimon<T>(selector: (state: CrimonState) => T): T {
	return useStore(useCrimonStore(), selector);
}
