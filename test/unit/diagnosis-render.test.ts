/**
 * The diagnosis as people see it: the Diagnosis section of `crimon snapshot`, the Node and
 * Compare panes of the app — within their width, and with nothing a node chose able to
 * act on the terminal.
 */
import {createElement} from 'react';
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {buildNodeSnapshot} from '../../source/model/build-snapshot.js';
import type {KubeletFacts, NodeFacts, NodeSnapshot} from '../../source/schema/types.js';
import {diagnosisLines, wrapText} from '../../source/render/text-diagnosis.js';
import {renderNodeText} from '../../source/render/text-snapshot.js';
import {MONO_THEME} from '../../source/ui/theme.js';
import {ComparePane} from '../../views/ComparePane.js';
import {NodePane, nodePaneLines, windowOf} from '../../views/NodePane.js';
import {labFacts, recordedLab} from '../support/lab-fixtures.js';

const c = recordedLab().containers;
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const dockershimKubelet: KubeletFacts = {
	pid: 4242, argv: ['/usr/bin/kubelet', '--container-runtime=docker', '--network-plugin=cni'], binary: '/usr/bin/kubelet', otherPids: [],
	flagsEnv: {path: '/var/lib/kubelet/kubeadm-flags.env', text: null, missing: true, error: null},
	config: null, version: '1.20.15', versionNote: 'dpkg package kubelet 1.20.15-00',
};

function node(extra: Partial<NodeFacts> = {}): NodeSnapshot {
	return buildNodeSnapshot({...labFacts(), kubelet: dockershimKubelet, ...extra});
}

/** The lab with the Docker-socket container renamed by someone who wants the terminal. */
function hostileNode(): NodeSnapshot {
	const facts = labFacts();
	const evil = 'evil\u001b]0;owned\u0007\u001b[2J\u202egnp.exe';
	return buildNodeSnapshot({
		...facts,
		kubelet: {...dockershimKubelet, argv: ['/usr/bin/kubelet', '--container-runtime=docker', '--config=/tmp/\u001b[31mred.yaml'], config: {path: '/tmp/\u001b[31mred.yaml', text: null, missing: true, error: null}},
		docker: {...facts.docker!, containers: facts.docker!.containers.map((x) => (x.id === c.dockerSock!.id ? {...x, name: evil} : x))},
	});
}

describe('the Diagnosis section of crimon snapshot', () => {
	it('says the runtime, the kubelet, and each finding with its subjects', () => {
		const text = renderNodeText(node(), {color: false, maxWidth: 200});
		const section = text.slice(text.indexOf('Diagnosis'));
		expect(section).toMatch(/^Diagnosis — dockershim \(from the kubelet\)/);
		expect(section).toMatch(/kubelet\s+pid 4242 · v1\.20\.15 · \/usr\/bin\/kubelet/);
		expect(section).toContain('CRI endpoint unix:///var/run/dockershim.sock from its built-in default (--container-runtime=docker)');
		expect(section).toMatch(/WARN {2}dockershim-in-use: The kubelet \(pid 4242, 1\.20\.15\)/);
		expect(section).toMatch(/docker-sock-mounted: 2 containers/);
		expect(section).toContain('· lab-docker-sock (ns moby) — mounts /var/run/docker.sock at /var/run/docker.sock');
		expect(section).toContain('· sidecar (ns k8s.io) in pod shop/api — mounts ');
		expect(section).toContain('· lab-v1-box (ns lab-other)');
	});

	it('wraps messages within the width instead of cutting the advice off', () => {
		const lines = diagnosisLines(node().diagnosis, 60);
		for (const line of lines) expect(line.text.length, line.text).toBeLessThanOrEqual(60);
		const joined = lines.map((l) => l.text.trim()).join(' ');
		expect(joined).toContain('drain the node and switch the kubelet to containerd');
		expect(wrapText('aa bb cc dd', 5, '', '  ')).toEqual(['aa bb', '  cc', '  dd']);
	});

	it('escapes what the node chose, in messages, subjects and paths', () => {
		const text = renderNodeText(hostileNode(), {color: false, maxWidth: 300});
		expect(text).not.toMatch(UNSAFE);
		expect(text).toContain('evil\\x1b]0;owned\\x07\\x1b[2J\\u202egnp.exe');
		expect(text).toContain('/tmp/\\x1b[31mred.yaml');
	});

	it('an unreachable node says there is no diagnosis', () => {
		expect(diagnosisLines(null, 80)[0]!.text).toContain('no diagnosis');
	});
});

describe('NodePane and ComparePane', () => {
	it('NodePane shows the verdict and the findings within its box, and says how many lines are below', () => {
		const {lastFrame, unmount} = render(createElement(NodePane, {node: node(), width: 70, height: 12, theme: MONO_THEME}));
		const frame = lastFrame()!;
		unmount();
		const lines = frame.split('\n');
		expect(lines.length).toBeLessThanOrEqual(12);
		for (const line of lines) expect(line.length).toBeLessThanOrEqual(70);
		expect(lines[0]).toContain('lab — dockershim (from the kubelet)');
		expect(frame).toContain('kubelet   pid 4242');
		expect(lines.at(-1)).toMatch(/… \d+ more lines \(scroll\)/);
	});

	it('NodePane scrolls to the findings, and escapes node text', () => {
		const all = nodePaneLines(hostileNode(), 80);
		const at = all.findIndex((line) => line.some((s) => s.text.includes('docker-sock-mounted')));
		expect(at).toBeGreaterThan(0);
		const {lastFrame, unmount} = render(createElement(NodePane, {node: hostileNode(), width: 80, height: 40, theme: MONO_THEME, scroll: at}));
		const frame = lastFrame()!;
		unmount();
		expect(frame).toContain('docker-sock-mounted');
		expect(frame).not.toMatch(UNSAFE);
		expect(frame).toContain('evil\\x1b');
	});

	it('windowOf never returns more than the height, and clamps the scroll', () => {
		const lines = nodePaneLines(node(), 50);
		expect(windowOf(lines, 50, 5, 0)).toHaveLength(5);
		expect(windowOf(lines, 50, 5, 10_000)).toEqual(lines.slice(-5));
		expect(windowOf(lines, 50, 0, 0)).toEqual([]);
	});

	it('ComparePane: two nodes side by side in one screen; waiting until both have a snapshot', () => {
		const migrated = buildNodeSnapshot({...labFacts(), name: 'node02', kubelet: {...dockershimKubelet, argv: ['/usr/bin/kubelet', '--container-runtime-endpoint=unix:///run/containerd/containerd.sock'], version: null}});
		const {lastFrame, unmount} = render(createElement(ComparePane, {a: {...node(), name: 'node01'}, b: migrated, width: 100, height: 30, theme: MONO_THEME}));
		const frame = lastFrame()!;
		unmount();
		expect(frame).toContain('node01 on dockershim vs node02 on containerd');
		expect(frame).toMatch(/runtime\s+dockershim · kubelet's\s+containerd · kubelet's/);
		for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
		const waiting = render(createElement(ComparePane, {a: node(), b: null, width: 60, height: 5, theme: MONO_THEME}));
		expect(waiting.lastFrame()).toContain('waiting for both nodes');
		waiting.unmount();
	});
});
