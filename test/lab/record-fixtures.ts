/**
 * Records the lab's real answers as parser fixtures: every containerd and CRI response
 * (protobuf bytes), Docker's JSON, and `ps` output. Run as root with the lab up:
 *   npx tsx test/lab/record-fixtures.ts [dir]      (default test/fixtures/lab)
 * The unit tests parse these files; re-record when the lab changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import {collectContainerd} from '../../source/collect/collect-containerd.js';
import {collectCri} from '../../source/collect/collect-cri.js';
import {collectDocker} from '../../source/collect/collect-docker.js';
import {DEFAULT_COLLECT_OPTIONS, type CollectOptions} from '../../source/collect/collect-options.js';
import {parsePs, PS_ARGV} from '../../source/collect/parse-processes.js';
import {findShims} from '../../source/collect/shims.js';
import {buildProcessTree} from '../../source/model/process-tree.js';
import {LocalTransport} from '../../source/transport/local-transport.js';
import {REPO_ROOT} from './lab-available.js';

const dir = path.resolve(process.argv[2] ?? path.join(REPO_ROOT, 'test', 'fixtures', 'lab'));
fs.mkdirSync(dir, {recursive: true});

/** "/containerd.services.tasks.v1.Tasks/List k8s.io" → "containerd-tasks-list.k8s.io.pb" */
function fileName(source: string, call: string): string {
	const [method, scope] = call.split(' ');
	if (source === 'docker') return `docker${method!.replace(/\?.*$/, '').replaceAll('/', '-')}.json`;
	if (source === 'cri') return `cri-${method}-${scope}.pb`.replace(/^cri-(v1\w*)-(\w+)\.pb$/, (_m, api: string, rpc: string) => `cri-${api}-${rpc}.pb`);
	const parts = method!.split('/').filter(Boolean);
	const service = parts[0]!.split('.').at(-3)!;
	return `containerd-${service}-${parts[1]!.toLowerCase()}${scope ? `.${scope}` : ''}.pb`;
}

const options: CollectOptions = {
	...DEFAULT_COLLECT_OPTIONS,
	// Tasks.Metrics too (containerd-tasks-metrics.<namespace>.pb), as an SSH node is read.
	containerdMetrics: true,
	onRaw(source, call, bytes) {
		const name = fileName(source, call);
		fs.writeFileSync(path.join(dir, name), bytes);
		console.log(`recorded ${name} (${bytes.length} bytes)`);
	},
};

const transport = new LocalTransport();
await collectContainerd(transport, options);
await collectCri(transport, options);
await collectDocker(transport, options);
const ps = await transport.exec(PS_ARGV, {timeoutMs: 5000, maxBytes: 16 * 1024 * 1024});
// Keep the runtime's processes (and pid 1): the rest of this machine's table is noise, and
// its other command lines carry environment that has no business in the repository.
const lines = ps.stdout.toString('utf8').split('\n');
const processes = parsePs(ps.stdout.toString('utf8'));
const keep = new Set(buildProcessTree({processes, shims: findShims(processes), containers: []}, {runtimeOnly: true}).map((row) => row.process.pid));
keep.add(1);
// Only this node: a second lab node (the SSH one) may run on this machine in a pid
// namespace of its own, and its processes belong to its own recording. Containers have
// their own pid namespaces too, but their init's parent is a shim; a namespace entered any
// other way (unshare) starts another node.
const ownPidNamespace = fs.readlinkSync('/proc/self/ns/pid');
const pidNamespace = (pid: number) => {
	try {
		return fs.readlinkSync(`/proc/${pid}/ns/pid`);
	} catch {
		return null;
	}
};
const byPid = new Map(processes.map((p) => [p.pid, p]));
const shimPids = new Set(findShims(processes).map((s) => s.pid));
const startsAnotherNode = (pid: number) => pidNamespace(pid) !== ownPidNamespace && !shimPids.has(byPid.get(pid)?.ppid ?? -1) && pidNamespace(byPid.get(pid)?.ppid ?? -1) === ownPidNamespace;
for (const pid of [...keep]) {
	for (let cursor: number | undefined = pid; cursor !== undefined && cursor > 1; cursor = byPid.get(cursor)?.ppid) {
		if (startsAnotherNode(cursor)) {
			keep.delete(pid);
			break;
		}
	}
}
const kept = lines.filter((line) => keep.has(Number(line.trim().split(/\s+/)[0])));
fs.writeFileSync(path.join(dir, 'ps.txt'), kept.join('\n') + '\n');
console.log(`recorded ps.txt (${kept.length} of ${lines.length} lines)`);
fs.copyFileSync(path.join(process.env.CRIMON_LAB_DIR ?? '/tmp/crimon-lab', 'lab.json'), path.join(dir, 'lab.json'));
console.log('recorded lab.json');
