/**
 * The config file: nodes and settings in YAML, at --config FILE or, when that is not given,
 * $XDG_CONFIG_HOME/crimon/config.yaml (~/.config/crimon/config.yaml) if it exists.
 *
 *   interval: 2s          # between polls of a node
 *   timeout: 5s           # bound on each poll of a node
 *   concurrency: 8        # nodes polled at once
 *   sudo: false           # default for SSH nodes
 *   nodes:
 *     - local
 *     - ssh://node01
 *     - name: edge-3
 *       target: ssh://ops@node03.example.net:2222
 *       sudo: true
 *       interval: 10s
 *       containerd-socket: /run/k3s/containerd/containerd.sock
 *
 * Unknown keys are refused with their place in the file: a misspelt `sudo` silently
 * ignored would send crimon down the wrong path on every poll.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {loadYaml} from '../lazy-modules.js';
import {ArgsError, parseDuration} from '../cli/parse-args.js';
import type {NodeSpec} from './node-spec.js';
import {UsageError} from './open-node.js';
import {parseTarget, TargetError} from './target.js';
import {isRecord} from '../collect/json-shape.js';

export class ConfigError extends UsageError {}

export interface CrimonConfig {
	readonly file: string;
	readonly intervalMs: number | null;
	readonly timeoutMs: number | null;
	readonly concurrency: number | null;
	readonly sudo: boolean | null;
	readonly nodes: readonly NodeSpec[];
}

/** $XDG_CONFIG_HOME/crimon/config.yaml, or ~/.config/crimon/config.yaml. */
export function defaultConfigPath(env: Readonly<Record<string, string | undefined>> = process.env, home: string = os.homedir()): string {
	const xdg = env.XDG_CONFIG_HOME;
	// The XDG spec says a relative XDG_CONFIG_HOME is invalid and to be ignored.
	const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config');
	return path.join(base, 'crimon', 'config.yaml');
}

const TOP_KEYS = new Set(['interval', 'timeout', 'concurrency', 'sudo', 'nodes']);
const NODE_KEYS = new Set(['name', 'target', 'sudo', 'interval', 'timeout', 'containerd-socket', 'cri-socket', 'docker-socket']);


function duration(value: unknown, where: string): number {
	if (typeof value === 'number' && Number.isFinite(value)) value = `${value}s`;
	if (typeof value !== 'string') throw new ConfigError(`${where} wants a duration like 2s, 500ms or 1m`);
	try {
		return parseDuration(value, where);
	} catch (error) {
		if (error instanceof ArgsError) throw new ConfigError(error.message);
		throw error;
	}
}

function bool(value: unknown, where: string): boolean {
	if (typeof value !== 'boolean') throw new ConfigError(`${where} wants true or false`);
	return value;
}

function text(value: unknown, where: string): string {
	if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(`${where} wants a non-empty string`);
	return value.trim();
}

function socket(value: unknown, where: string): string {
	const path_ = text(value, where);
	const bare = path_.startsWith('unix://') ? path_.slice('unix://'.length) : path_;
	if (!bare.startsWith('/')) throw new ConfigError(`${where} wants an absolute socket path (or unix:///path)`);
	return path_;
}

function checkTarget(value: string, where: string): string {
	try {
		parseTarget(value);
	} catch (error) {
		if (error instanceof TargetError) throw new ConfigError(`${where}: ${error.message}`);
		throw error;
	}
	return value;
}

function parseNode(entry: unknown, where: string): NodeSpec {
	if (typeof entry === 'string') return {target: checkTarget(entry.trim(), where)};
	if (!isRecord(entry)) throw new ConfigError(`${where} wants a target string or a mapping with a target`);
	for (const key of Object.keys(entry)) if (!NODE_KEYS.has(key)) throw new ConfigError(`${where}: unknown key "${key}" (known: ${[...NODE_KEYS].join(', ')})`);
	if (entry.target === undefined) throw new ConfigError(`${where} has no target`);
	const spec: {-readonly [K in keyof NodeSpec]: NodeSpec[K]} = {target: checkTarget(text(entry.target, `${where}.target`), `${where}.target`)};
	if (entry.name !== undefined) spec.name = text(entry.name, `${where}.name`);
	if (entry.sudo !== undefined) spec.sudo = bool(entry.sudo, `${where}.sudo`);
	if (entry.interval !== undefined) spec.intervalMs = duration(entry.interval, `${where}.interval`);
	if (entry.timeout !== undefined) spec.timeoutMs = duration(entry.timeout, `${where}.timeout`);
	if (entry['containerd-socket'] !== undefined) spec.containerdSocket = socket(entry['containerd-socket'], `${where}.containerd-socket`);
	if (entry['cri-socket'] !== undefined) spec.criSocket = socket(entry['cri-socket'], `${where}.cri-socket`);
	if (entry['docker-socket'] !== undefined) spec.dockerSocket = socket(entry['docker-socket'], `${where}.docker-socket`);
	return spec;
}

/** Pure: the text of a config file → its settings. `file` is only for messages. */
export function parseConfig(source: string, file: string): CrimonConfig {
	const document = loadYaml().parseDocument(source, {prettyErrors: false, uniqueKeys: true});
	if (document.errors.length > 0) throw new ConfigError(`${file}: not valid YAML (${document.errors[0]!.message.split('\n')[0]})`);
	const root: unknown = document.toJS() ?? {};
	if (!isRecord(root)) throw new ConfigError(`${file}: the top level must be a mapping (interval, timeout, concurrency, sudo, nodes)`);
	for (const key of Object.keys(root)) if (!TOP_KEYS.has(key)) throw new ConfigError(`${file}: unknown key "${key}" (known: ${[...TOP_KEYS].join(', ')})`);
	let concurrency: number | null = null;
	if (root.concurrency !== undefined) {
		if (typeof root.concurrency !== 'number' || !Number.isInteger(root.concurrency) || root.concurrency < 1) throw new ConfigError(`${file}: concurrency wants a whole number of at least 1`);
		concurrency = root.concurrency;
	}
	const nodesValue = root.nodes ?? [];
	if (!Array.isArray(nodesValue)) throw new ConfigError(`${file}: nodes wants a list`);
	return {
		file,
		intervalMs: root.interval === undefined ? null : duration(root.interval, `${file}: interval`),
		timeoutMs: root.timeout === undefined ? null : duration(root.timeout, `${file}: timeout`),
		concurrency,
		sudo: root.sudo === undefined ? null : bool(root.sudo, `${file}: sudo`),
		nodes: nodesValue.map((entry, index) => parseNode(entry, `${file}: nodes[${index}]`)),
	};
}

/**
 * The config to use: `explicit` must exist; without it, the default path is read only if it
 * exists. Returns null when there is none.
 */
export function loadConfig(explicit: string | null, env: Readonly<Record<string, string | undefined>> = process.env, home: string = os.homedir()): CrimonConfig | null {
	const file = explicit ?? defaultConfigPath(env, home);
	let source: string;
	try {
		source = fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' && explicit === null) return null;
		if (code === 'ENOENT') throw new ConfigError(`no config file at ${file}`);
		throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`);
	}
	return parseConfig(source, file);
}
