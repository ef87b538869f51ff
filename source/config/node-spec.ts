/** What the user asked crimon to watch: one entry per `--node` or config-file node. */
export interface NodeSpec {
	/** Display name; defaults to the hostname for `local`, else the host or alias. */
	readonly name?: string;
	/** `local`, `ssh://[user@]host[:port]`, or an alias from ~/.ssh/config. */
	readonly target: string;
	/** Remote nodes: read the runtimes through their CLIs under `sudo -n`. */
	readonly sudo?: boolean;
	readonly containerdSocket?: string;
	readonly criSocket?: string;
	readonly dockerSocket?: string;
	readonly intervalMs?: number;
	readonly timeoutMs?: number;
}

