/** The faults lab as recorded (test/fixtures/faults; see test/support/record-faults.ts and record-events.ts). */
import fs from 'node:fs';
import path from 'node:path';

export const FAULTS_FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'faults');

export const faultsFixture = (name: string): Buffer => fs.readFileSync(path.join(FAULTS_FIXTURES, name));

/** Recorded envelopes: each a 4-byte big-endian length, then the message. */
export function recordedEnvelopes(name: string): Uint8Array[] {
	const bytes = faultsFixture(name);
	const out: Uint8Array[] = [];
	for (let offset = 0; offset < bytes.length;) {
		const length = bytes.readUInt32BE(offset);
		out.push(bytes.subarray(offset + 4, offset + 4 + length));
		offset += 4 + length;
	}
	return out;
}
