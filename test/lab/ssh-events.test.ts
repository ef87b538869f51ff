/**
 * `crimon events` on the SSH lab node (its own pid and mount namespaces, its own
 * containerd on the standard socket path), subscribed through sshd's stream-local
 * forwarding with the same codec as locally: a task made inside the node with ctr shows
 * with its exit status, under the node's name.
 */
import {spawn} from 'node:child_process';
import {afterAll, describe, expect, it} from 'vitest';
import {CLI} from './lab-available.js';
import {inNode, makeHome, nodeKnownHostsLine, readSshNode, skipWithoutSshNode} from './ssh-lab.js';

interface EventJson {
	node: string; at: string; namespace: string | null; topic: string; id: string | null; pid: number | null; exitStatus: number | null; source: string;
}

describe.skipIf(skipWithoutSshNode('lab: events over SSH'))('lab: crimon events over SSH', () => {
	const children: ReturnType<typeof spawn>[] = [];
	afterAll(() => {
		for (const child of children) child.kill('SIGINT');
	});

	it("subscribes through the forwarded socket and prints the node's task exit with its status", async () => {
		const node = readSshNode();
		const home = makeHome(node, [{alias: node.alias, port: node.port}], [nodeKnownHostsLine(node)]);
		const env: NodeJS.ProcessEnv = {...process.env, HOME: home, NO_COLOR: '1'};
		delete env.SSH_AUTH_SOCK;
		const child = spawn(process.execPath, [CLI, 'events', '--json', '--node', `ssh://${node.alias}`], {env, stdio: ['ignore', 'pipe', 'pipe']});
		children.push(child);
		let stdout = '';
		let stderr = '';
		child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		const until = async (what: string, test: () => boolean, ms: number) => {
			const end = Date.now() + ms;
			while (!test()) {
				if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
		};
		await until('the subscription over SSH', () => /watching events on 1 of 1 node/.test(stderr), 20_000);
		const id = `crimon-ssh-events-${process.pid}`;
		// ctr inside the node: a task in its containerd that exits 4 at once and is removed.
		const ran = (() => {
			try {
				return inNode(node, ['ctr', '-n', 'k8s.io', 'run', '--rm', 'docker.io/crimon-lab/busybox:1', id, 'sh', '-c', 'exit 4']);
			} catch (error) {
				return (error as {status?: number}).status ?? -1;
			}
		})();
		expect(ran).toBe(4);
		const exitOf = () => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EventJson).find((e) => e.topic === '/tasks/exit' && e.id === id);
		await until('the exit event', () => exitOf() !== undefined, 5_000);
		expect(exitOf()).toMatchObject({node: node.alias, namespace: 'k8s.io', exitStatus: 4, source: 'containerd'});
	}, 60_000);
});
