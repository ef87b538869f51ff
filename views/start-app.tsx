/**
 * The interactive app (loaded by run-app.tsx). It owns the terminal while it runs: the
 * alternate screen, raw mode through Ink, and putting both back on every way out (q,
 * Ctrl-C, SIGTERM/SIGHUP, an exception).
 */
import process from 'node:process';
import {useCallback} from 'react';
import {render, useApp} from 'ink';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {themeFor, type Theme} from '../source/ui/theme.js';
import {App} from './App.js';
import type {Poller} from '../source/session/poller.js';
import type {CrimonStore} from '../source/store/store.js';

/** What the app asks of the poller: start with it, stop with it, poll a node now (the r key). */
export type AppPoller = Pick<Poller, 'start' | 'stop' | 'pollNow'>;

export interface AppOptions {
	readonly store: CrimonStore;
	readonly poller: AppPoller;
	readonly stdout?: NodeJS.WriteStream;
	readonly stdin?: NodeJS.ReadStream;
	/** Where the not-a-terminal message goes; process.stderr by default. */
	readonly stderr?: NodeJS.WriteStream;
	/** Force colour off (a --no-color flag); NO_COLOR in the environment does it too. */
	readonly noColor?: boolean;
}

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H\u001b[2J';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';
const CLEAR_SCREEN = '\u001b[2J\u001b[H';

interface RootProps {
	readonly options: AppOptions;
	readonly stdout: NodeJS.WriteStream;
	readonly theme: Theme;
	readonly onQuit: (code: number) => void;
}

function Root({options, stdout, theme, onQuit}: RootProps) {
	const {exit} = useApp();
	const size = useTerminalSize(stdout);
	const quit = useCallback(
		(code: number) => {
			onQuit(code);
			exit();
		},
		[exit, onQuit],
	);
	return <App store={options.store} poller={options.poller} columns={size.columns} rows={size.rows} theme={theme} quit={quit} />;
}

export async function startApp(options: AppOptions): Promise<number> {
	const stdin = options.stdin ?? process.stdin;
	const stdout = options.stdout ?? process.stdout;
	const stderr = options.stderr ?? process.stderr;
	const theme = themeFor(process.env, options.noColor === true);
	let code = 0;
	let restored = false;
	const restore = () => {
		if (restored) return;
		restored = true;
		stdout.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
	};
	// Registered before Ink's own listener, so the stale frame is gone before Ink redraws.
	const onResize = () => stdout.write(CLEAR_SCREEN);
	process.once('exit', restore);
	stdout.write(ENTER_ALT_SCREEN);
	stdout.on('resize', onResize);

	const instance = render(<Root options={options} stdout={stdout} theme={theme} onQuit={(c) => (code = c)} />, {
		stdout,
		stdin,
		stderr,
		// Ctrl-C is a key in the table, so it quits through the same path as q.
		exitOnCtrlC: false,
		// Nothing here logs; patching console would only re-layer stray output over the screen.
		patchConsole: false,
		maxFps: 30,
	});
	const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
	const onSignal = (signal: NodeJS.Signals) => {
		code = 128 + (signal === 'SIGHUP' ? 1 : 15);
		instance.unmount();
	};
	for (const signal of signals) process.on(signal, onSignal);
	options.poller.start();
	try {
		await instance.waitUntilExit();
	} finally {
		options.poller.stop();
		for (const signal of signals) process.off(signal, onSignal);
		stdout.off('resize', onResize);
		restore();
		process.off('exit', restore);
	}
	return code;
}
