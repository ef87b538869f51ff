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
import {loadYaml} from '../util/lazy-modules.js';
import {parseDuration} from '../util/duration.js';
import {ArgsError} from '../util/usage-error.js';
import type {NodeSpec} from './node-spec.js';
import {UsageError} from '../util/usage-error.js';
import {parseTarget, TargetError} from '../targets/target.js';
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

/** Where a value sits: `FILE:LINE: nodes[1].sudo`, so an error points into the file. */
type Place = (path: readonly (string | number)[], keyLine?: boolean) => string;

function parseNode(entry: unknown, index: number, place: Place): NodeSpec {
	const where = place(['nodes', index]);
	const at = (key: string) => place(['nodes', index, key]);
	if (typeof entry === 'string') return {target: checkTarget(entry.trim(), where)};
	if (!isRecord(entry)) throw new ConfigError(`${where} wants a target string or a mapping with a target`);
	for (const key of Object.keys(entry)) if (!NODE_KEYS.has(key)) throw new ConfigError(`${place(['nodes', index, key], true)}: unknown key "${key}" (known: ${[...NODE_KEYS].join(', ')})`);
	if (entry.target === undefined) throw new ConfigError(`${where} has no target`);
	const spec: {-readonly [K in keyof NodeSpec]: NodeSpec[K]} = {target: checkTarget(text(entry.target, at('target')), at('target'))};
	if (entry.name !== undefined) spec.name = text(entry.name, at('name'));
	if (entry.sudo !== undefined) spec.sudo = bool(entry.sudo, at('sudo'));
	if (entry.interval !== undefined) spec.intervalMs = duration(entry.interval, at('interval'));
	if (entry.timeout !== undefined) spec.timeoutMs = duration(entry.timeout, at('timeout'));
	if (entry['containerd-socket'] !== undefined) spec.containerdSocket = socket(entry['containerd-socket'], at('containerd-socket'));
	if (entry['cri-socket'] !== undefined) spec.criSocket = socket(entry['cri-socket'], at('cri-socket'));
	if (entry['docker-socket'] !== undefined) spec.dockerSocket = socket(entry['docker-socket'], at('docker-socket'));
	return spec;
}

/** 1-based line of a character offset. */
function lineAt(source: string, offset: number): number {
	let line = 1;
	for (let i = 0; i < offset && i < source.length; i++) if (source.charCodeAt(i) === 10) line++;
	return line;
}

/** Pure: the text of a config file → its settings. `file` is only for messages. */
export function parseConfig(source: string, file: string): CrimonConfig {
	const yaml = loadYaml();
	const document = yaml.parseDocument(source, {prettyErrors: false, uniqueKeys: true});
	const first = document.errors[0];
	if (first) throw new ConfigError(`${file}:${lineAt(source, first.pos[0])}: not valid YAML (${first.message.split('\n')[0]})`);
	// A key's line (`keyLine`, for an unknown key) or its value's; the file's name alone when the node has no range.
	const place: Place = (path, keyLine = false) => {
		const dotted = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
		let node: unknown = document.getIn(path, true);
		if (keyLine) {
			const parent = document.getIn(path.slice(0, -1), true);
			if (yaml.isMap(parent)) node = parent.items.find((pair) => yaml.isScalar(pair.key) && pair.key.value === path.at(-1))?.key ?? node;
		}
		const range = (node as {range?: [number, number, number]} | undefined)?.range;
		return range ? `${file}:${lineAt(source, range[0])}: ${dotted}` : `${file}: ${dotted}`;
	};
	const root: unknown = document.toJS() ?? {};
	if (!isRecord(root)) throw new ConfigError(`${file}:1: the top level must be a mapping (interval, timeout, concurrency, sudo, nodes)`);
	for (const key of Object.keys(root)) if (!TOP_KEYS.has(key)) throw new ConfigError(`${place([key], true)}: unknown key "${key}" (known: ${[...TOP_KEYS].join(', ')})`);
	let concurrency: number | null = null;
	if (root.concurrency !== undefined) {
		if (typeof root.concurrency !== 'number' || !Number.isInteger(root.concurrency) || root.concurrency < 1) throw new ConfigError(`${place(['concurrency'])} wants a whole number of at least 1`);
		concurrency = root.concurrency;
	}
	const nodesValue = root.nodes ?? [];
	if (!Array.isArray(nodesValue)) throw new ConfigError(`${place(['nodes'])} wants a list`);
	return {
		file,
		intervalMs: root.interval === undefined ? null : duration(root.interval, place(['interval'])),
		timeoutMs: root.timeout === undefined ? null : duration(root.timeout, place(['timeout'])),
		concurrency,
		sudo: root.sudo === undefined ? null : bool(root.sudo, place(['sudo'])),
		nodes: nodesValue.map((entry, index) => parseNode(entry, index, place)),
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
