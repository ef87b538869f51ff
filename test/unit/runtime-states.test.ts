import {describe, expect, it} from 'vitest';
import {buildNodeSnapshot} from '../../source/model/build-snapshot.js';
import {runtimeStatesOf} from '../../source/collect/collect-node.js';
import {noRuntimeAnswers, runtimeFindings, savedRuntimeStates, snapshotExitCode} from '../../source/model/runtime-states.js';
import type {ContainerdFacts, NodeFacts, RuntimeStates} from '../../source/schema/types.js';

const reached = (runtimeStates: RuntimeStates): NodeFacts => ({
	name: 'n1', target: 'ssh://n1', reachable: true,
	errors: [{source: 'containerd', message: 'the server reset the stream with CANCEL'}],
	processes: [{pid: 1, ppid: 0, user: 'root', state: 'S', command: '/sbin/init'}],
	containerd: null, cri: null, docker: null, runtimeStates,
});

describe('runtime states', () => {
	it('tells answering from failing from absent', () => {
		const containerd: ContainerdFacts = {address: '/run/containerd/containerd.sock', version: '1.6.20', namespaces: [], containers: [], tasks: []};
		expect(runtimeStatesOf({containerd, cri: null, docker: null, podman: null}, new Set(['docker', 'podman']))).toEqual({containerd: 'answering', cri: 'failing', docker: 'absent', podman: 'absent'});
	});

	it('none answering is when one is there and none answers; a node with none installed is not an outage', () => {
		expect(noRuntimeAnswers({containerd: 'failing', cri: 'absent', docker: 'absent'})).toBe(true);
		expect(noRuntimeAnswers({containerd: 'failing', cri: 'failing', docker: 'answering'})).toBe(false);
		expect(noRuntimeAnswers({containerd: 'absent', cri: 'absent', docker: 'absent'})).toBe(false);
	});

	it('says so plainly: a finding, the JSON field, and exit status 1', () => {
		const facts = reached({containerd: 'failing', cri: 'failing', docker: 'absent'});
		const [finding] = runtimeFindings(facts);
		expect(finding).toMatchObject({code: 'no-runtime-answering', severity: 'error'});
		expect(finding!.message).toContain('containerd and cri failing');
		expect(finding!.message).toContain('Check that containerd and the CRI run and that crimon may open their sockets.');
		const node = buildNodeSnapshot(facts);
		expect(node.runtimeStates).toEqual({containerd: 'failing', cri: 'failing', docker: 'absent'});
		expect(node.diagnosis!.findings[0]!.code).toBe('no-runtime-answering');
		expect(snapshotExitCode([node])).toBe(1);
		expect(runtimeFindings(reached({containerd: 'answering', cri: 'failing', docker: 'absent'}))).toEqual([]);
	});

	it('reads a file saved before the field: a runtime with an error on its source failed', () => {
		const saved = {ok: true, runtimes: {cri: null, containerd: null, docker: null}, errors: [{source: 'docker' as const, message: 'x'}]};
		expect(savedRuntimeStates(saved)).toEqual({containerd: 'absent', cri: 'absent', docker: 'failing', podman: 'absent'});
		expect(snapshotExitCode([saved])).toBe(1);
		expect(snapshotExitCode([{...saved, errors: []}])).toBe(0);
		expect(snapshotExitCode([{...saved, ok: false, errors: []}])).toBe(1);
	});
});
