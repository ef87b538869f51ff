/**
 * Pure: which processes are shims — containerd's (v1, v2) and conmon (podman's and CRI-O's,
 * one per container) — and what their command lines say.
 */
import type {ConmonEngine, ProcessInfo, Shim, ShimVersion} from '../schema/types.js';

/** Splits a /proc-style command line; arguments holding spaces are rare for shims and containerd. */
export function splitCommand(command: string): string[] {
	return command.split(' ').filter((part) => part.length > 0);
}

export function basename(path: string): string {
	const slash = path.lastIndexOf('/');
	return slash === -1 ? path : path.slice(slash + 1);
}

/** Reads `-flag value`, `--flag value`, `-flag=value` and `--flag=value`, as Go's flag package accepts. */
export function flagValue(args: readonly string[], ...names: string[]): string | null {
	for (let i = 0; i < args.length; i++) {
		const arg = args[i]!;
		for (const name of names) {
			for (const prefix of ['-', '--']) {
				const flag = prefix + name;
				if (arg === flag) return args[i + 1] ?? null;
				if (arg.startsWith(flag + '=')) return arg.slice(flag.length + 1);
			}
		}
	}
	return null;
}

export function shimVersionOf(binary: string): ShimVersion | null {
	const name = basename(binary);
	if (name === 'containerd-shim') return 'v1';
	// Every shim speaking containerd's shim API v2: runc-v1, runc-v2, kata-v2, runsc-v1, ...
	if (/^containerd-shim-[\w.-]+-v\d+$/.test(name)) return 'v2';
	return null;
}

/** How a shim reads in a row: `shim v2`, `shim v1`, or `conmon crun`. */
export function shimLabel(shim: Pick<Shim, 'kind' | 'version' | 'ociRuntime'>): string {
	if (shim.kind === 'conmon') return shim.ociRuntime ? `conmon ${shim.ociRuntime}` : 'conmon';
	return `shim ${shim.version}`;
}

function isConmon(binary: string): boolean {
	return basename(binary) === 'conmon';
}

/**
 * Who started a conmon: podman hands it `--exit-command <podman>` (and libpod's exit dir),
 * CRI-O its own exit and socket dirs under /var/run/crio. Null when neither shows.
 */
function conmonEngine(args: readonly string[]): ConmonEngine | null {
	const exitCommand = flagValue(args, 'exit-command');
	const exitDir = flagValue(args, 'exit-dir') ?? '';
	if ((exitCommand && basename(exitCommand) === 'podman') || exitDir.includes('/libpod/')) return 'podman';
	const socketDir = flagValue(args, 'socket-dir-path') ?? '';
	if (/\/crio(?:\/|$)/.test(exitDir) || /\/crio(?:\/|$)/.test(socketDir)) return 'cri-o';
	return null;
}

/**
 * conmon (glib's option parser: `-c ID`, `--cid ID`, `--cid=ID`): the container id is -c,
 * with -u (the container's uuid, the same id under podman and CRI-O) when -c is missing.
 */
function parseConmon(process: ProcessInfo, args: readonly string[]): Omit<Shim, 'children'> {
	const id = flagValue(args, 'c', 'cid') ?? flagValue(args, 'u', 'cuuid') ?? '';
	const runtime = flagValue(args, 'r', 'runtime');
	return {
		pid: process.pid, version: 'v2', binary: 'conmon', namespace: '', id, address: '',
		kind: 'conmon', ociRuntime: runtime ? basename(runtime) : null, engine: conmonEngine(args),
	};
}

export function parseShim(process: ProcessInfo): Omit<Shim, 'children'> | null {
	const args = splitCommand(process.command);
	const binary = args[0];
	if (!binary) return null;
	if (isConmon(binary)) return parseConmon(process, args);
	const version = shimVersionOf(binary);
	if (!version) return null;
	const namespace = flagValue(args, 'namespace') ?? '';
	const address = flagValue(args, 'address') ?? '';
	let id = flagValue(args, 'id') ?? '';
	if (version === 'v1' && !id) {
		const workdir = flagValue(args, 'workdir');
		if (workdir) id = basename(workdir.replace(/\/+$/, ''));
	}
	return {pid: process.pid, version, binary: basename(binary), namespace, id, address, kind: 'containerd', ociRuntime: null, engine: null};
}

export function findShims(processes: readonly ProcessInfo[]): Shim[] {
	const children = new Map<number, number[]>();
	for (const process of processes) {
		let list = children.get(process.ppid);
		if (!list) children.set(process.ppid, (list = []));
		list.push(process.pid);
	}
	const shims: Shim[] = [];
	for (const process of processes) {
		const shim = parseShim(process);
		if (shim) shims.push({...shim, children: (children.get(process.pid) ?? []).slice().sort((a, b) => a - b)});
	}
	return shims;
}
