/**
 * Records the faults lab (test/lab/faults-up.sh) as fixtures for the health model's unit
 * tests: `ps`, the leak containerd's task and container lists for the faults' namespace,
 * and Docker's inspect answers for the restart loop and the OOM container.
 *   tsx test/support/record-faults.ts test/fixtures/faults
 */
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as api from '../../source/protocol/containerd-api.js';
import {encode} from '../../source/protocol/protobuf.js';
import {GrpcChannel} from '../../source/protocol/grpc-client.js';
import {PS_ARGV} from '../../source/collect/parse-processes.js';
import {connectLocalUnix} from '../../source/transport/local-transport.js';

const out = process.argv[2] ?? 'test/fixtures/faults';
const faults = JSON.parse(fs.readFileSync('/run/crimon-faults/faults.json', 'utf8')) as {
	namespace: string; leak: {socket: string}; docker: {restart: {id: string}; oom: {id: string}};
};
fs.mkdirSync(out, {recursive: true});
const [ps, ...psArgs] = PS_ARGV;
// Only what a runtime runs: the machine's own tools carry their environment in argv.
const psText = execFileSync(ps, psArgs).toString('utf8').split('\n').filter((line) => !/line_io_tools|NODE_EXTRA_CA_CERTS/.test(line)).join('\n');
fs.writeFileSync(path.join(out, 'ps.txt'), psText);
const channel = new GrpcChannel(await connectLocalUnix(faults.leak.socket, 2000));
const call = (method: string, request: Uint8Array) =>
	channel.raw(method, request, {timeoutMs: 2000, maxBytes: 1 << 24, metadata: {[api.NAMESPACE_HEADER]: faults.namespace}});
fs.writeFileSync(path.join(out, 'leak-tasks-list.pb'), await call(api.CONTAINERD_METHODS.listTasks, encode(api.ListTasksRequest, {})));
fs.writeFileSync(path.join(out, 'leak-containers-list.pb'), await call(api.CONTAINERD_METHODS.listContainers, encode(api.ListContainersRequest, {})));
channel.close();
for (const [name, id] of [['restart', faults.docker.restart.id], ['oom', faults.docker.oom.id]] as const) {
	const inspect = execFileSync('docker', ['inspect', id]).toString('utf8');
	fs.writeFileSync(path.join(out, `docker-inspect-${name}.json`), JSON.stringify((JSON.parse(inspect) as unknown[])[0], null, 1));
}
fs.copyFileSync('/run/crimon-faults/faults.json', path.join(out, 'faults.json'));
process.stderr.write(`recorded into ${out}\n`);
