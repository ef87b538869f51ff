/**
 * ~/.ssh/config (then /etc/ssh/ssh_config), read the way `ssh host` reads it: Host blocks
 * match the host as typed, with `*` and `?` wildcards and `!` negation; the first value
 * obtained for a keyword wins, so specific blocks go first and `Host *` defaults last;
 * IdentityFile accumulates; Include pulls files in where it stands. What an operator
 * puts there must mean the same to crimon as to ssh, or crimon would quietly connect
 * somewhere else, as someone else.
 *
 * Match blocks are not evaluated (most criteria need the full ssh machinery, `exec` would
 * run commands): their keywords are skipped and a note says so. ProxyCommand cannot be
 * honoured without running a command, so a host that needs it is refused, not approximated.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class SshConfigError extends Error {
	override readonly name = 'SshConfigError';
}

export interface SshConfigSources {
	/** ~ for the config and its tokens; defaults to os.homedir() (which honours $HOME). */
	readonly home?: string;
	/** Defaults to ~/.ssh/config; null reads none. */
	readonly userConfig?: string | null;
	/** Defaults to /etc/ssh/ssh_config; null reads none. */
	readonly systemConfig?: string | null;
	readonly localUser?: string;
	/** Defaults to process.env, for ${VAR} and SSH_AUTH_SOCK. */
	readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface JumpHop {
	readonly host: string;
	readonly user: string | null;
	readonly port: number | null;
}

export interface ResolvedSshConfig {
	/** The host as typed: what Host patterns matched. */
	readonly alias: string;
	readonly hostname: string;
	readonly port: number;
	readonly user: string;
	/** Explicit IdentityFile entries, or else the default files ssh would try. */
	readonly identityFiles: readonly string[];
	readonly identityFilesExplicit: boolean;
	readonly identitiesOnly: boolean;
	/** Socket path of the agent to use, or null for none. */
	readonly identityAgent: string | null;
	readonly userKnownHostsFiles: readonly string[];
	readonly globalKnownHostsFiles: readonly string[];
	readonly hostKeyAlias: string | null;
	readonly hashKnownHosts: boolean;
	/** `accept-new` in the config acts as --accept-new for this host; other values change nothing. */
	readonly acceptNew: boolean;
	readonly proxyJump: readonly JumpHop[];
	readonly connectTimeoutMs: number | null;
	readonly serverAliveIntervalMs: number;
	readonly serverAliveCountMax: number;
	/** Things in the config crimon did not apply, for --verbose style reporting and tests. */
	readonly notes: readonly string[];
}

interface Line {
	readonly keyword: string;
	readonly args: readonly string[];
	readonly file: string;
	readonly line: number;
}

/** Splits one config line into keyword and arguments: `Key value`, `Key=value`, "quoted args". */
export function tokenizeLine(text: string): {keyword: string; args: string[]} | null {
	const trimmed = text.trim();
	if (trimmed === '' || trimmed.startsWith('#')) return null;
	const keywordMatch = /^([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+|$)/.exec(trimmed);
	if (!keywordMatch) return {keyword: '', args: [trimmed]};
	const keyword = keywordMatch[1]!.toLowerCase();
	const rest = trimmed.slice(keywordMatch[0].length);
	const args: string[] = [];
	let i = 0;
	while (i < rest.length) {
		while (i < rest.length && /\s/.test(rest[i]!)) i++;
		if (i >= rest.length) break;
		if (rest[i] === '#') break;
		let arg = '';
		if (rest[i] === '"') {
			const end = rest.indexOf('"', i + 1);
			if (end < 0) throw new SshConfigError('unterminated quote');
			arg = rest.slice(i + 1, end);
			i = end + 1;
		} else {
			while (i < rest.length && !/\s/.test(rest[i]!)) arg += rest[i++];
		}
		args.push(arg);
	}
	return {keyword, args};
}

/** OpenSSH's wildcard match: `*` any run, `?` one character, case-insensitive for host names. */
export function wildcardMatch(pattern: string, text: string): boolean {
	const p = pattern.toLowerCase();
	const t = text.toLowerCase();
	let pi = 0;
	let ti = 0;
	let starP = -1;
	let starT = 0;
	while (ti < t.length) {
		if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
			pi++;
			ti++;
		} else if (pi < p.length && p[pi] === '*') {
			starP = pi++;
			starT = ti;
		} else if (starP >= 0) {
			pi = starP + 1;
			ti = ++starT;
		} else {
			return false;
		}
	}
	while (pi < p.length && p[pi] === '*') pi++;
	return pi === p.length;
}

/** A Host line's patterns against a host: any negated match vetoes, else any plain match wins. */
export function hostPatternsMatch(patterns: readonly string[], host: string): boolean {
	let matched = false;
	for (const raw of patterns) {
		const negated = raw.startsWith('!');
		const pattern = negated ? raw.slice(1) : raw;
		if (!wildcardMatch(pattern, host)) continue;
		if (negated) return false;
		matched = true;
	}
	return matched;
}

const MAX_INCLUDE_DEPTH = 16;

function globFiles(pattern: string): string[] {
	if (!/[*?]/.test(pattern)) return fs.existsSync(pattern) ? [pattern] : [];
	// Wildcards in the last component only cover every Include seen in practice (conf.d/*.conf).
	const dir = path.dirname(pattern);
	if (/[*?]/.test(dir)) {
		const parent = path.dirname(dir);
		let dirs: string[];
		try {
			dirs = fs.readdirSync(parent).filter((d) => wildcardMatch(path.basename(dir), d)).sort().map((d) => path.join(parent, d));
		} catch {
			return [];
		}
		return dirs.flatMap((d) => globFiles(path.join(d, path.basename(pattern))));
	}
	let entries: string[];
	try {
		entries = fs.readdirSync(dir);
	} catch {
		return [];
	}
	// OpenSSH's glob is case-sensitive for file names, unlike host patterns.
	const base = path.basename(pattern);
	const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`);
	return entries.filter((e) => re.test(e) && !e.startsWith('.')).sort().map((e) => path.join(dir, e));
}

function expandHome(value: string, home: string): string {
	if (value === '~') return home;
	if (value.startsWith('~/')) return path.join(home, value.slice(2));
	return value;
}

interface Collected {
	values: Map<string, readonly string[]>;
	identityFiles: string[];
	notes: string[];
}

function readLines(file: string): Line[] {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') return [];
		throw new SshConfigError(`cannot read ${file}: ${(error as Error).message}`);
	}
	const lines: Line[] = [];
	for (const [index, raw] of text.split('\n').entries()) {
		let parsed;
		try {
			parsed = tokenizeLine(raw);
		} catch (error) {
			throw new SshConfigError(`${file} line ${index + 1}: ${(error as Error).message}`);
		}
		if (!parsed) continue;
		if (!parsed.keyword) throw new SshConfigError(`${file} line ${index + 1}: not "Keyword value"`);
		lines.push({keyword: parsed.keyword, args: parsed.args, file, line: index + 1});
	}
	return lines;
}

function applyFile(file: string, host: string, includeBase: string, home: string, collected: Collected, depth: number, active: boolean): void {
	if (depth > MAX_INCLUDE_DEPTH) throw new SshConfigError(`${file}: Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
	for (const line of readLines(file)) {
		switch (line.keyword) {
			case 'host':
				if (line.args.length === 0) throw new SshConfigError(`${line.file} line ${line.line}: Host without a pattern`);
				active = hostPatternsMatch(line.args, host);
				continue;
			case 'match':
				if (line.args.length === 1 && line.args[0]!.toLowerCase() === 'all') {
					active = true;
				} else {
					active = false;
					collected.notes.push(`${line.file} line ${line.line}: Match blocks are not evaluated by crimon; their settings were not applied`);
				}
				continue;
			case 'include': {
				for (const arg of line.args) {
					const expanded = expandHome(arg, home);
					const pattern = path.isAbsolute(expanded) ? expanded : path.join(includeBase, expanded);
					// Only lines of a block that applies are read, but an included file's own Host
					// lines govern the rest of that file.
					if (active) for (const included of globFiles(pattern)) applyFile(included, host, includeBase, home, collected, depth + 1, true);
				}
				continue;
			}
		}
		if (!active) continue;
		if (line.keyword === 'identityfile') {
			if (line.args[0] !== undefined) collected.identityFiles.push(line.args[0]);
			continue;
		}
		if (!collected.values.has(line.keyword)) collected.values.set(line.keyword, line.args);
	}
}

function expandTokens(value: string, tokens: Readonly<Record<string, string>>, env: Readonly<Record<string, string | undefined>>, what: string): string {
	let out = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
		const found = env[name];
		if (found === undefined) throw new SshConfigError(`${what}: environment variable ${name} is not set`);
		return found;
	});
	out = out.replace(/%(.)/g, (whole, token: string) => {
		if (token === '%') return '%';
		const found = tokens[token];
		if (found === undefined) throw new SshConfigError(`${what}: token %${token} is not supported`);
		return found;
	});
	return out;
}

const YES = new Set(['yes', 'true']);
const NO = new Set(['no', 'false']);

function yesNo(value: string | undefined, keyword: string): boolean | null {
	if (value === undefined) return null;
	const v = value.toLowerCase();
	if (YES.has(v)) return true;
	if (NO.has(v)) return false;
	throw new SshConfigError(`${keyword} wants yes or no, not "${value}"`);
}

function seconds(value: string | undefined, keyword: string): number | null {
	if (value === undefined || value.toLowerCase() === 'none') return null;
	if (!/^\d+$/.test(value)) throw new SshConfigError(`${keyword} wants a whole number of seconds, not "${value}"`);
	return Number(value);
}

/** `[user@]host[:port]` or `ssh://[user@]host[:port]`, comma-separated, first hop first. */
export function parseProxyJump(value: string): JumpHop[] {
	if (value.toLowerCase() === 'none') return [];
	return value.split(',').map((raw) => {
		let rest = raw.trim().replace(/^ssh:\/\//i, '').replace(/\/$/, '');
		let user: string | null = null;
		const at = rest.lastIndexOf('@');
		if (at >= 0) {
			user = rest.slice(0, at);
			rest = rest.slice(at + 1);
		}
		let port: number | null = null;
		const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
		let host = rest;
		if (bracketed) {
			host = bracketed[1]!;
			if (bracketed[2]) port = Number(bracketed[2]);
		} else if (rest.split(':').length === 2) {
			const [h, p] = rest.split(':') as [string, string];
			host = h;
			if (!/^\d+$/.test(p)) throw new SshConfigError(`ProxyJump hop "${raw}" has a bad port`);
			port = Number(p);
		}
		if (!host || /\s/.test(host) || host.startsWith('-') || (user !== null && (!user || user.startsWith('-')))) {
			throw new SshConfigError(`ProxyJump hop "${raw}" is not [user@]host[:port]`);
		}
		if (port !== null && (port < 1 || port > 65535)) throw new SshConfigError(`ProxyJump hop "${raw}" has a bad port`);
		return {host, user, port};
	});
}

const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'];

/**
 * Everything ssh would use to reach `host`. `user` and `port` from the target itself win
 * over the config's, as `ssh user@host` and `ssh -p` do.
 */
export function resolveSshConfig(host: string, overrides: {user?: string | null; port?: number | null} = {}, sources: SshConfigSources = {}): ResolvedSshConfig {
	const home = sources.home ?? os.homedir();
	const env = sources.env ?? process.env;
	const localUser = sources.localUser ?? safeLocalUser();
	const userConfig = sources.userConfig === undefined ? path.join(home, '.ssh', 'config') : sources.userConfig;
	const systemConfig = sources.systemConfig === undefined ? '/etc/ssh/ssh_config' : sources.systemConfig;

	const collected: Collected = {values: new Map(), identityFiles: [], notes: []};
	if (userConfig) applyFile(userConfig, host, path.join(home, '.ssh'), home, collected, 0, true);
	if (systemConfig) applyFile(systemConfig, host, '/etc/ssh', home, collected, 0, true);
	const first = (keyword: string) => collected.values.get(keyword)?.[0];

	if (first('proxycommand') !== undefined && first('proxycommand')!.toLowerCase() !== 'none') {
		throw new SshConfigError(`${host}: ProxyCommand in the ssh config cannot be honoured by crimon (it does not run commands); use ProxyJump`);
	}

	const portText = first('port');
	let port = overrides.port ?? null;
	if (port === null && portText !== undefined) {
		if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) throw new SshConfigError(`${host}: Port "${portText}" is not 1-65535`);
		port = Number(portText);
	}
	port ??= 22;
	const user = overrides.user ?? first('user') ?? localUser;
	const hostnameRaw = first('hostname');
	const hostname = hostnameRaw === undefined ? host : expandTokens(hostnameRaw, {h: host}, env, `${host}: HostName`);

	const localHost = os.hostname();
	const tokens: Record<string, string> = {
		d: home, h: hostname, n: host, p: String(port), r: user, u: localUser,
		i: String(process.getuid?.() ?? ''), l: localHost, L: localHost.split('.')[0]!,
	};
	const filePath = (value: string, what: string) => expandHome(expandTokens(value, tokens, env, `${host}: ${what}`), home);

	const explicit = collected.identityFiles.length > 0;
	const identityFiles = explicit
		? collected.identityFiles.map((f) => filePath(f, 'IdentityFile'))
		: DEFAULT_IDENTITIES.map((f) => path.join(home, '.ssh', f));

	const agentSetting = first('identityagent');
	let identityAgent: string | null = env.SSH_AUTH_SOCK || null;
	if (agentSetting !== undefined) {
		if (agentSetting.toLowerCase() === 'none') identityAgent = null;
		else if (agentSetting === 'SSH_AUTH_SOCK') identityAgent = env.SSH_AUTH_SOCK || null;
		else if (agentSetting.startsWith('$')) identityAgent = env[agentSetting.slice(1)] || null;
		else identityAgent = filePath(agentSetting, 'IdentityAgent');
	}

	const knownHostsArgs = collected.values.get('userknownhostsfile');
	const userKnownHostsFiles = knownHostsArgs && knownHostsArgs.length > 0
		? knownHostsArgs.filter((f) => f.toLowerCase() !== 'none').map((f) => filePath(f, 'UserKnownHostsFile'))
		: [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2')];
	const globalArgs = collected.values.get('globalknownhostsfile');
	const globalKnownHostsFiles = globalArgs && globalArgs.length > 0
		? globalArgs.filter((f) => f.toLowerCase() !== 'none').map((f) => filePath(f, 'GlobalKnownHostsFile'))
		: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

	const strict = first('stricthostkeychecking')?.toLowerCase();
	const proxyJumpText = first('proxyjump');
	const countMax = seconds(first('serveralivecountmax'), 'ServerAliveCountMax');
	const interval = seconds(first('serveraliveinterval'), 'ServerAliveInterval');
	const connectTimeout = seconds(first('connecttimeout'), 'ConnectTimeout');
	const hostKeyAlias = first('hostkeyalias');

	return {
		alias: host,
		hostname,
		port,
		user,
		identityFiles,
		identityFilesExplicit: explicit,
		identitiesOnly: yesNo(first('identitiesonly'), 'IdentitiesOnly') ?? false,
		identityAgent,
		userKnownHostsFiles,
		globalKnownHostsFiles,
		hostKeyAlias: hostKeyAlias ?? null,
		hashKnownHosts: yesNo(first('hashknownhosts'), 'HashKnownHosts') ?? false,
		acceptNew: strict === 'accept-new',
		proxyJump: proxyJumpText === undefined ? [] : parseProxyJump(proxyJumpText),
		connectTimeoutMs: connectTimeout === null || connectTimeout === 0 ? null : connectTimeout * 1000,
		serverAliveIntervalMs: (interval ?? 0) * 1000,
		serverAliveCountMax: countMax ?? 3,
		notes: collected.notes,
	};
}

function safeLocalUser(): string {
	try {
		return os.userInfo().username;
	} catch {
		return process.env.USER ?? 'root';
	}
}
