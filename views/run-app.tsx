/**
 * The interactive app's entry; cli.tsx imports it only in interactive mode. It loads
 * React and Ink itself, after choosing React's production build: the development build
 * checks every render and costs several times the CPU, and nothing sets NODE_ENV for an
 * installed CLI.
 */
// A type only: erased at build, so the headless paths that load this file load no React.
import type {AppOptions} from './start-app.js';

export type {AppOptions};

/** Resolves with the exit code after q / Ctrl-C (or a signal), with the terminal restored. */
export async function runApp(options: AppOptions): Promise<number> {
	const stdin = options.stdin ?? process.stdin;
	const stdout = options.stdout ?? process.stdout;
	// Checked before loading Ink: without a terminal there is nothing to draw on, and raw
	// mode must not be touched.
	if (!stdin.isTTY || !stdout.isTTY) {
		(options.stderr ?? process.stderr).write('crimon: the interactive view needs a terminal; for scripts and pipes use `crimon snapshot` (or `crimon snapshot --json`)\n');
		return 2;
	}
	process.env['NODE_ENV'] ??= 'production';
	// Ink draws only the last frame when it thinks it runs in CI (CI, CONTINUOUS_INTEGRATION
	// or any CI_* variable set). crimon has just checked that it has a terminal, so it is
	// interactive whatever the environment says; Ink reads these when it loads, just below.
	for (const key of Object.keys(process.env)) {
		if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete process.env[key];
	}
	const {startApp} = await import('./start-app.js');
	return startApp(options);
}
