/**
 * Records containerd's event stream from a real socket as raw gRPC messages (one file of
 * length-prefixed envelopes), for the decoder's fixture tests:
 *   tsx test/support/record-events.ts SOCKET OUT.bin SECONDS
 * Run it while making the events (see test/lab/faults-up.sh, or docker run --rm).
 */
import fs from 'node:fs';
import {encode} from '../../source/protocol/protobuf.js';
import {EVENTS_SUBSCRIBE, SubscribeRequest} from '../../source/protocol/containerd-events-api.js';
import {openGrpcStream} from '../../source/protocol/grpc-stream.js';
import {LocalTransport} from '../../source/transport/local-transport.js';

const [socket = '/run/containerd/containerd.sock', out = 'events.bin', seconds = '10'] = process.argv.slice(2);
const transport = new LocalTransport();
const duplex = await transport.connectUnix(socket, 2000);
const chunks: Buffer[] = [];
const stream = openGrpcStream(duplex, EVENTS_SUBSCRIBE, encode(SubscribeRequest, {filters: []}), {maxMessageBytes: 1 << 20, openAfterMs: 500}, {
	onOpen: () => process.stderr.write('subscribed\n'),
	onMessage: (bytes) => {
		const prefix = Buffer.alloc(4);
		prefix.writeUInt32BE(bytes.length);
		chunks.push(prefix, Buffer.from(bytes));
		process.stderr.write(`message of ${bytes.length} bytes\n`);
	},
	onEnd: (error) => process.stderr.write(`ended: ${error?.message ?? 'ok'}\n`),
});
setTimeout(() => {
	stream.close();
	fs.writeFileSync(out, Buffer.concat(chunks));
	process.exit(0);
}, Number(seconds) * 1000);
