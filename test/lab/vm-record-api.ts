/**
 * Records the VM node's API answers over SSH, as crimon reads a remote node: every containerd
 * 2.x and CRI response (protobuf bytes, Tasks.Metrics included), Docker 28's JSON, and raw
 * event envelopes: containerd's Events/Subscribe messages and Docker's /events lines while a
 * containerd task and a Docker container each exit 7 and the OOM loop is killed.
 * Run by vm-record.sh (as root, the VM up):
 *   npx tsx test/lab/vm-record-api.ts DIR
 */
import fs from 'node:fs';
import path from 'node:path';
import {collectContainerd} from '../../source/collect/collect-containerd.js';
import {collectCri} from '../../source/collect/collect-cri.js';
import {collectDocker} from '../../source/collect/collect-docker.js';
import {DEFAULT_COLLECT_OPTIONS, type CollectOptions} from '../../source/collect/collect-options.js';
import {dockerEventsPath} from '../../source/events/decode-docker-event.js';
import {EVENTS_SUBSCRIBE, SubscribeRequest} from '../../source/protocol/containerd-events-api.js';
import {dockerGetStream} from '../../source/protocol/docker-stream.js';
import {openGrpcStream} from '../../source/protocol/grpc-stream.js';
import {encode} from '../../source/protocol/protobuf.js';
import {SshTransport} from '../../source/transport/ssh-transport.js';
import {inVm, readVm, readVmLab} from './vm-lab.js';

const dir = path.resolve(process.argv[2] ?? 'recordings');
const api = path.join(dir, 'api');
const events = path.join(dir, 'events');
fs.mkdirSync(api, {recursive: true});
fs.mkdirSync(events, {recursive: true});

/** "/containerd.services.tasks.v1.Tasks/List moby" → "containerd-tasks-list.moby.pb" (as record-fixtures.ts names them) */
function fileName(source: string, call: string): string {
	const [method, scope] = call.split(' ');
	if (source === 'docker') return `docker${method!.replace(/\?.*$/, '').replaceAll('/', '-')}.json`;
	if (source === 'cri') return `cri-${method}-${scope}.pb`;
	const parts = method!.split('/').filter(Boolean);
	const service = parts[0]!.split('.').at(-3)!;
	return `containerd-${service}-${parts[1]!.toLowerCase()}${scope ? `.${scope}` : ''}.pb`;
}

const vm = readVm();
const lab = readVmLab();
const transport = new SshTransport({
	host: vm.alias, user: null, port: null, target: `ssh://${vm.alias}`,
	sources: {home: vm.home}, connectTimeoutMs: 60_000,
});
await transport.connect(60_000);
const options: CollectOptions = {
	...DEFAULT_COLLECT_OPTIONS,
	timeoutMs: 60_000,
	containerdMetrics: true,
	onRaw(source, call, bytes) {
		const name = fileName(source, call);
		fs.writeFileSync(path.join(api, name), bytes);
		console.log(`recorded api/${name} (${bytes.length} bytes)`);
	},
};
await collectContainerd(transport, options);
await collectCri(transport, options);
await collectDocker(transport, options);

// ---- events --------------------------------------------------------------------------------
let containerdCount = 0;
const dockerLines: string[] = [];
const containerdLive = new Promise<void>((resolve, reject) => {
	void transport.connectUnix('/run/containerd/containerd.sock', 60_000).then((duplex) => {
		openGrpcStream(duplex, EVENTS_SUBSCRIBE, encode(SubscribeRequest, {filters: []}), {maxMessageBytes: 1 << 20, openAfterMs: 60_000}, {
			onOpen: resolve,
			onMessage: (bytes) => {
				const n = String(++containerdCount).padStart(3, '0');
				fs.writeFileSync(path.join(events, `containerd-${n}.pb`), bytes);
			},
			onEnd: (error) => error && reject(error),
		});
	}, reject);
});
const dockerLive = new Promise<void>((resolve, reject) => {
	void transport.connectUnix('/var/run/docker.sock', 60_000).then((duplex) => {
		dockerGetStream(duplex, `/v${lab.shape.dockerApi}${dockerEventsPath()}`, {maxLineBytes: 1 << 20, openTimeoutMs: 60_000}, {
			onOpen: resolve,
			onLine: (line) => dockerLines.push(line),
			onEnd: (error) => error && reject(error),
		});
	}, reject);
});
// containerd sends its response headers with the first event: make one (an image label) so
// the subscription is known to be registered before the containers below run.
await dockerLive;
const exitId = 'vm-record-exit7';
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
await settle(3_000);
try {
	inVm(vm, ['sh', '-c', [
		`ctr -n ${lab.containerd.box.namespace} run --rm --null-io ${lab.image.containerd} ${exitId} sh -c 'exit 7' || true`,
		`docker run --name ${exitId} ${lab.image.docker} sh -c 'exit 7' || true`,
		`docker rm ${exitId} >/dev/null`,
		'sleep 8',
	].join('; ')], 300_000);
} finally {
	await Promise.race([containerdLive, settle(1)]);
	await settle(2_000);
	fs.writeFileSync(path.join(events, 'docker-events.jsonl'), dockerLines.map((l) => `${l}\n`).join(''));
	console.log(`recorded ${containerdCount} containerd envelopes and ${dockerLines.length} Docker event lines`);
	await transport.close();
}
