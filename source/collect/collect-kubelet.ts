/**
 * Finds the kubelet in the process table and reads what decides its container runtime:
 * its exact argv, kubeadm-flags.env and its --config file. Everything is read as files
 * through the transport (local fs or SFTP); nothing on the node is executed.
 *
 * The kubelet's version: running `kubelet --version` would execute a binary whose path
 * came from the node, and its HTTP endpoints want credentials. What a plain read can
 * prove is the package database: if /proc/PID/maps shows the kubelet runs a file that
 * dpkg's kubelet package installed (and that was not replaced since the kubelet started),
 * that package's version is the running kubelet's. Anywhere else (rpm's binary database,
 * a hand-copied binary) the version stays null and says why.
 */
import {argvFromCmdline, executableFromMaps, findDpkgPackage, isKubeletArgv, KUBEADM_FLAGS_ENV, KUBEADM_INSTANCE_CONFIG, upstreamVersion} from './kubelet-flags.js';
import {isK3sArgv, k3sConfigPath} from './k3s-kubelet.js';
import {flagValue, splitCommand} from './shims.js';
import type {KubeletFacts, ProcessInfo} from '../schema/types.js';
import type {Transport} from '../transport/transport.js';
import type {CollectOptions} from './collect-options.js';
import {ChangedFiles, readNodeFile} from './node-files.js';

const KUBELET_READ_LIMITS = {
	cmdline: 256 * 1024,
	flagsEnv: 64 * 1024,
	config: 1024 * 1024,
	maps: 8 * 1024 * 1024,
	dpkgList: 1024 * 1024,
	dpkgStatus: 32 * 1024 * 1024,
} as const;

export const DPKG_STATUS = '/var/lib/dpkg/status';
export const DPKG_KUBELET_LIST = '/var/lib/dpkg/info/kubelet.list';

/** Pure: the processes that are a kubelet (or k3s, which runs one inside), by their command's first words. */
export function findKubelets(processes: readonly ProcessInfo[]): ProcessInfo[] {
	return processes.filter((p) => isKubeletArgv(splitCommand(p.command).slice(0, 2))).sort((a, b) => a.pid - b.pid);
}

interface VersionFact {
	readonly binary: string;
	readonly version: string | null;
	readonly note: string;
	/** False when a read failed (timeout, denied): try again next poll rather than keep the gap. */
	readonly settled: boolean;
}

/**
 * One per node collector: the version is read once per kubelet process (it cannot change
 * without a new pid), the small flag files on every poll that finds them changed.
 */
export class KubeletReader {
	private cached: {pid: number; fact: VersionFact} | null = null;
	/** The argv last read from /proc/PID/cmdline, and the process table's command it was read under. */
	private argvRead: {pid: number; command: string; argv: string[]} | null = null;
	readonly files: ChangedFiles;

	constructor(private readonly transport: Transport) {
		this.files = new ChangedFiles(transport);
	}

	async read(processes: readonly ProcessInfo[], options: Pick<CollectOptions, 'timeoutMs'>): Promise<KubeletFacts | null> {
		const kubelets = findKubelets(processes);
		const main = kubelets[0];
		if (!main) {
			this.cached = null;
			this.argvRead = null;
			this.files.keepOnly([]);
			return null;
		}
		const timeoutMs = options.timeoutMs;
		const argv = await this.argvOf(main, timeoutMs);
		const k3s = isK3sArgv(argv);
		const configPath = k3s ? k3sConfigPath(argv) : flagValue(argv.slice(1), 'config');
		this.files.keepOnly([KUBEADM_FLAGS_ENV, KUBEADM_INSTANCE_CONFIG, ...(configPath ? [configPath] : [])]);
		const [flagsEnv, named, instanceConfig, version] = await Promise.all([
			this.files.read(KUBEADM_FLAGS_ENV, KUBELET_READ_LIMITS.flagsEnv, timeoutMs),
			configPath ? this.files.read(configPath, KUBELET_READ_LIMITS.config, timeoutMs) : Promise.resolve(null),
			this.files.read(KUBEADM_INSTANCE_CONFIG, KUBELET_READ_LIMITS.config, timeoutMs),
			this.version(main.pid, argv, timeoutMs),
		]);
		// k3s's config file is optional: without one it runs on its defaults.
		const config = k3s && named?.missing ? null : named;
		return {
			pid: main.pid,
			argv,
			binary: version.binary,
			otherPids: kubelets.slice(1).map((p) => p.pid),
			flagsEnv,
			config,
			instanceConfig,
			version: version.version,
			versionNote: version.note,
		};
	}

	/**
	 * The kubelet's exact argv (the process table joins it with spaces). A process's argv
	 * changes only when it execs or rewrites it, and either shows in the table's command line:
	 * while that and the pid stay the same, the argv read last stands.
	 */
	private async argvOf(main: ProcessInfo, timeoutMs: number): Promise<string[]> {
		const known = this.argvRead;
		if (known && known.pid === main.pid && known.command === main.command) return known.argv;
		const cmdline = await readNodeFile(this.transport, `/proc/${main.pid}/cmdline`, KUBELET_READ_LIMITS.cmdline, timeoutMs);
		const argv = cmdline.text ? argvFromCmdline(cmdline.text) : [];
		// The process may have exited, or /proc may be out of reach: the table's copy still serves.
		if (!isKubeletArgv(argv)) {
			this.argvRead = null;
			return splitCommand(main.command);
		}
		this.argvRead = {pid: main.pid, command: main.command, argv};
		return argv;
	}

	private async version(pid: number, argv: readonly string[], timeoutMs: number): Promise<VersionFact> {
		if (this.cached?.pid === pid) return this.cached.fact;
		const fact = await this.readVersion(pid, argv, timeoutMs);
		if (fact.settled) this.cached = {pid, fact};
		return fact;
	}

	private async readVersion(pid: number, argv: readonly string[], timeoutMs: number): Promise<VersionFact> {
		const maps = await readNodeFile(this.transport, `/proc/${pid}/maps`, KUBELET_READ_LIMITS.maps, timeoutMs);
		const exe = maps.text ? executableFromMaps(maps.text) : null;
		const argv0 = argv[0] ?? 'kubelet';
		const binary = exe?.path ?? argv0;
		let settled = maps.error === null;
		const answer = (version: string | null, note: string): VersionFact => ({binary, version, note, settled});
		if (!exe && !argv0.startsWith('/')) {
			return answer(null, `cannot tell which file the kubelet runs (/proc/${pid}/maps: ${maps.error ?? 'unreadable'}), so no version`);
		}
		const list = await readNodeFile(this.transport, DPKG_KUBELET_LIST, KUBELET_READ_LIMITS.dpkgList, timeoutMs);
		settled &&= list.error === null;
		if (list.error) return answer(null, `could not read ${DPKG_KUBELET_LIST}: ${list.error}`);
		if (list.missing) return answer(null, 'no dpkg kubelet package here (rpm databases and hand-installed binaries are not read), so no version');
		const owned = list.text!.split('\n').some((line) => line.trim() === binary);
		if (!owned) return answer(null, `${binary} is not the file dpkg's kubelet package installed, so its version is unknown`);
		const status = await readNodeFile(this.transport, DPKG_STATUS, KUBELET_READ_LIMITS.dpkgStatus, timeoutMs);
		settled &&= status.error === null;
		if (!status.text) return answer(null, `could not read ${DPKG_STATUS}: ${status.error ?? 'missing'}`);
		const pkg = findDpkgPackage(status.text, 'kubelet');
		if (!pkg || !pkg.installed) return answer(null, 'dpkg lists no installed kubelet package, so no version');
		if (exe?.deleted) {
			return answer(null, `${binary} was replaced since the kubelet started (the package is now ${pkg.version}): the running kubelet is an older one`);
		}
		return answer(upstreamVersion(pkg.version), `dpkg package kubelet ${pkg.version}`);
	}
}
