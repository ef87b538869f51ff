/**
 * deploy/: the systemd unit, checked by systemd's own `systemd-analyze verify` (with
 * ExecStart pointed at this checkout's built CLI, since verify wants the binary to exist),
 * and the DaemonSet, read as YAML and held to what it promises: read-only mounts only,
 * no privileges, and a serve command line crimon itself accepts.
 */
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {parseArgs} from '../../source/cli/parse-args.js';
import {CLI, REPO_ROOT} from './lab-available.js';

const UNIT = path.join(REPO_ROOT, 'deploy', 'crimon.service');
const DAEMONSET = path.join(REPO_ROOT, 'deploy', 'daemonset.yaml');

function skipWithoutSystemdAnalyze(): boolean {
	if (spawnSync('systemd-analyze', ['--version']).status === 0 && fs.existsSync(CLI)) return false;
	if (process.env.CRIMON_LAB_REQUIRED === '1') throw new Error('deploy: systemd-analyze is missing (apt-get install systemd) or dist/cli.js is not built');
	console.warn('skipped the systemd unit check: no systemd-analyze, or dist/cli.js not built');
	return true;
}

describe.skipIf(skipWithoutSystemdAnalyze())('deploy/crimon.service', () => {
	it('verifies with systemd-analyze: no error, no warning', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-fleet-unit-'));
		try {
			const unit = fs.readFileSync(UNIT, 'utf8');
			expect(unit).toMatch(/^ExecStart=\/usr\/local\/bin\/crimon serve /m);
			fs.writeFileSync(path.join(dir, 'crimon.service'), unit.replace('/usr/local/bin/crimon', CLI));
			const verified = spawnSync('systemd-analyze', ['verify', path.join(dir, 'crimon.service')], {encoding: 'utf8'});
			expect(verified.stderr).toBe('');
			expect(verified.status).toBe(0);
			// The check can fail: a misspelt key is reported.
			fs.writeFileSync(path.join(dir, 'crimon.service'), unit.replace('/usr/local/bin/crimon', CLI).replace('NoNewPrivileges=', 'NoNewPrivilege='));
			expect(spawnSync('systemd-analyze', ['verify', path.join(dir, 'crimon.service')], {encoding: 'utf8'}).stderr).toMatch(/Unknown key 'NoNewPrivilege'/);
		} finally {
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});

	it('runs a serve command line crimon accepts, with a web config, holding no capability', () => {
		const unit = fs.readFileSync(UNIT, 'utf8');
		const argv = /^ExecStart=\S+ (.+)$/m.exec(unit)![1]!.split(' ');
		expect(parseArgs(argv)).toMatchObject({command: 'serve', webConfig: '/etc/crimon/web.yml', listen: '0.0.0.0:10274'});
		expect(unit).toMatch(/^CapabilityBoundingSet=$/m);
		expect(unit).toMatch(/^ProtectSystem=strict$/m);
		expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
	});
});

describe('deploy/daemonset.yaml', () => {
	const daemonset = parse(fs.readFileSync(DAEMONSET, 'utf8')) as {
		kind: string;
		spec: {template: {spec: {hostPID?: boolean; hostNetwork?: boolean; volumes: {name: string; hostPath?: {path: string}}[]; containers: {args: string[]; securityContext: Record<string, unknown>; volumeMounts: {name: string; readOnly?: boolean}[]}[]}}};
	};
	const pod = daemonset.spec.template.spec;

	it('mounts every volume read-only, and asks for no privilege beyond the host PID namespace', () => {
		expect(daemonset.kind).toBe('DaemonSet');
		expect(pod.hostNetwork ?? false).toBe(false);
		expect(pod.hostPID).toBe(true);
		expect(pod.volumes.filter((v) => v.hostPath).map((v) => v.hostPath!.path)).toEqual(['/run', '/var/lib/kubelet']);
		for (const container of pod.containers) {
			for (const mount of container.volumeMounts) expect(mount.readOnly, mount.name).toBe(true);
			expect(container.securityContext).toMatchObject({privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: ['ALL']}});
			expect(container.securityContext).not.toHaveProperty('capabilities.add');
		}
	});

	it('runs a serve command line crimon accepts, behind a web config', () => {
		expect(parseArgs(pod.containers[0]!.args)).toMatchObject({command: 'serve', webConfig: '/etc/crimon/web.yml', listen: '0.0.0.0:10274', nodes: ['local']});
	});
});
