/**
 * One tmux server of a suite's own (`-L SOCKET`) and the session the app runs in: the calls
 * every tmux suite makes, so each drives the real terminal the same way.
 */
import {execFileSync} from 'node:child_process';

export interface TmuxDriver {
	readonly tmux: (...args: string[]) => string;
	/** The session's screen as text, one line a row. */
	readonly screen: () => string;
	readonly keys: (...names: string[]) => string;
	/** Polls the screen every 100 ms until `test` holds; throws with the last screen when it never does. */
	readonly waitFor: (what: string, test: (text: string) => boolean, timeoutMs?: number) => Promise<string>;
}

export function tmuxDriver(socket: string, session: string, defaultTimeoutMs = 10_000): TmuxDriver {
	const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
	const screen = () => tmux('capture-pane', '-p', '-t', session);
	const keys = (...names: string[]) => tmux('send-keys', '-t', session, ...names);
	const waitFor = async (what: string, test: (text: string) => boolean, timeoutMs = defaultTimeoutMs): Promise<string> => {
		const until = Date.now() + timeoutMs;
		let text = '';
		while (Date.now() < until) {
			text = screen();
			if (test(text)) return text;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		throw new Error(`timed out waiting for ${what}; the screen was:\n${text}`);
	};
	return {tmux, screen, keys, waitFor};
}
