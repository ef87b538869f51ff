/**
 * Counts what a transport is asked to open, by wrapping the methods of one instance (no
 * module is mocked): sockets by path, commands by name. A test polls, then reads how many
 * sessions and channels the poll cost.
 */
import type {Transport} from '../../source/transport/transport.js';

export interface OpenCounts {
	/** connectUnix calls by socket path: each is a stream (over SSH, a forwarded channel). */
	readonly sockets: Map<string, number>;
	/** exec calls by command name (over SSH, a session channel each). */
	readonly commands: Map<string, number>;
	/** Everything opened since the last reset. */
	total(): number;
	reset(): void;
}

export function countOpens(transport: Transport): OpenCounts {
	const sockets = new Map<string, number>();
	const commands = new Map<string, number>();
	const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
	const connectUnix = transport.connectUnix.bind(transport);
	const exec = transport.exec.bind(transport);
	Object.assign(transport, {
		connectUnix: (path: string, timeoutMs: number) => {
			bump(sockets, path);
			return connectUnix(path, timeoutMs);
		},
		exec: (argv: readonly string[], options: Parameters<Transport['exec']>[1]) => {
			bump(commands, argv[0] ?? '');
			return exec(argv, options);
		},
	});
	return {
		sockets,
		commands,
		total: () => [...sockets.values(), ...commands.values()].reduce((a, b) => a + b, 0),
		reset: () => {
			sockets.clear();
			commands.clear();
		},
	};
}
