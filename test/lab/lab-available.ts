/**
 * Whether the lab (real containerd, dockerd, and what test/lab/lab-up.sh made) is up.
 * Without it the lab suites skip and say why; under CI (CRIMON_LAB_REQUIRED=1, set by
 * .ci/run after it brings the lab up) a missing lab is a failure, never a silent skip.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const LAB_DIR = process.env.CRIMON_LAB_DIR ?? '/tmp/crimon-lab';
export const LAB_JSON = path.join(LAB_DIR, 'lab.json');
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

export interface LabStatus {
	readonly up: boolean;
	readonly reason: string;
}

export function labStatus(): LabStatus {
	if (process.getuid?.() !== 0) return {up: false, reason: 'the lab needs root'};
	if (!fs.existsSync(LAB_JSON)) return {up: false, reason: `no ${LAB_JSON}: run npm run lab:up (as root)`};
	for (const socket of ['/run/containerd/containerd.sock', '/var/run/docker.sock']) {
		if (!fs.existsSync(socket)) return {up: false, reason: `${socket} is missing: run npm run lab:up`};
	}
	if (!fs.existsSync(CLI)) return {up: false, reason: `${CLI} is not built: run npx tsc -p tsconfig.json`};
	return {up: true, reason: ''};
}

/** For describe.skipIf: true means skip. Throws when the lab is required but down. */
export function skipWithoutLab(suite: string): boolean {
	const status = labStatus();
	if (status.up) return false;
	if (process.env.CRIMON_LAB_REQUIRED === '1') throw new Error(`${suite}: the lab is required here but ${status.reason}`);
	console.warn(`skipped ${suite}: ${status.reason}`);
	return true;
}

export function readLab<T = Record<string, unknown>>(): T {
	return JSON.parse(fs.readFileSync(LAB_JSON, 'utf8')) as T;
}

/** Why a tmux suite cannot run here (no tmux, or no built CLI), or null when it can. */
export function tmuxSkipReason(): string | null {
	if (spawnSync('tmux', ['-V'], {encoding: 'utf8'}).status !== 0) return 'tmux is not installed (apt-get install tmux)';
	if (!fs.existsSync(CLI)) return `${CLI} is not built: run npm run build`;
	return null;
}
