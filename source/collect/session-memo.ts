/**
 * What does not change from poll to poll — a runtime's version, which CRI API version a
 * socket serves — is asked once per connection, not every poll. A gRPC answer is kept for
 * as long as its HTTP/2 session lives (a runtime that restarts drops the session, and the
 * new one asks again); anything else is kept in the node's memo until one of its calls
 * fails. A question that fails is forgotten, so the next poll asks it again.
 */
import type {GrpcChannel} from '../protocol/grpc-client.js';

export type SessionMemo = Map<string, Promise<unknown>>;

const perChannel = new WeakMap<GrpcChannel, SessionMemo>();

export function remember<T>(memo: SessionMemo | undefined, key: string, ask: () => Promise<T>): Promise<T> {
	if (!memo) return ask();
	const known = memo.get(key);
	if (known) return known as Promise<T>;
	const asking = ask();
	memo.set(key, asking);
	asking.catch(() => {
		if (memo.get(key) === asking) memo.delete(key);
	});
	return asking;
}

/** As remember, for as long as this gRPC session lives. */
export function rememberOnChannel<T>(channel: GrpcChannel, key: string, ask: () => Promise<T>): Promise<T> {
	let memo = perChannel.get(channel);
	if (!memo) perChannel.set(channel, (memo = new Map()));
	return remember(memo, key, ask);
}

/** Forgets what a source said about itself, after one of its calls failed. */
export function forget(memo: SessionMemo | undefined, prefix: string): void {
	if (!memo) return;
	for (const key of [...memo.keys()]) if (key.startsWith(prefix)) memo.delete(key);
}
