/**
 * Pure parsers for what a container moves and waits on: a network namespace's
 * /proc/PID/net/dev, cgroup v2 `io.stat`, cgroup v1 `blkio.throttle.*_recursive`, the
 * kernel's pressure (PSI) files, /proc/PID/io, and a block device's name from
 * /sys/dev/block/MAJ:MIN/uevent. Formats are the kernel's (net/core/net-procfs.c,
 * block/blk-cgroup.c, kernel/sched/psi.c, fs/proc/base.c), checked against recordings in
 * test/fixtures/io-v1 and test/fixtures/vm.
 */
import type {BlockDeviceFact, InterfaceCounters, PressureFact, PressureLine, ProcessIoFact} from '../schema/io-types.js';

/**
 * /proc/PID/net/dev: two header lines, then `name: rx_bytes rx_packets rx_errs rx_drop fifo
 * frame compressed multicast tx_bytes tx_packets tx_errs tx_drop …`. A long interface name
 * runs into its first number (`veth1234567890:123`), so the split is at the last colon
 * before the numbers.
 */
export function parseNetDev(text: string): InterfaceCounters[] {
	const out: InterfaceCounters[] = [];
	for (const line of text.split('\n')) {
		const colon = line.indexOf(':');
		if (colon < 0 || line.includes('|')) continue;
		const name = line.slice(0, colon).trim();
		const fields = line.slice(colon + 1).trim().split(/\s+/).map(Number);
		if (name === '' || fields.length < 12 || fields.slice(0, 12).some((n) => !Number.isFinite(n))) continue;
		out.push({
			name,
			rxBytes: fields[0]!, rxPackets: fields[1]!, rxErrors: fields[2]!, rxDropped: fields[3]!,
			txBytes: fields[8]!, txPackets: fields[9]!, txErrors: fields[10]!, txDropped: fields[11]!,
		});
	}
	return out;
}

/** cgroup v2 io.stat: `MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N` per device. */
export function parseIoStat(text: string): BlockDeviceFact[] {
	const out: BlockDeviceFact[] = [];
	for (const line of text.split('\n')) {
		const words = line.trim().split(/\s+/);
		const device = words[0] ?? '';
		if (!/^\d+:\d+$/.test(device)) continue;
		const values = new Map<string, number>();
		for (const word of words.slice(1)) {
			const eq = word.indexOf('=');
			const value = Number(word.slice(eq + 1));
			if (eq > 0 && Number.isFinite(value)) values.set(word.slice(0, eq), value);
		}
		out.push({device, readBytes: values.get('rbytes') ?? 0, writeBytes: values.get('wbytes') ?? 0, readOps: values.get('rios') ?? 0, writeOps: values.get('wios') ?? 0});
	}
	return out;
}

/** One blkio.throttle file: `MAJ:MIN Read|Write|Sync|Async|Discard|Total N` lines, then `Total N`. */
function parseBlkioLines(text: string): Map<string, {read: number; write: number}> {
	const out = new Map<string, {read: number; write: number}>();
	for (const line of text.split('\n')) {
		const [device, op, count] = line.trim().split(/\s+/);
		if (device === undefined || !/^\d+:\d+$/.test(device) || count === undefined) continue;
		const value = Number(count);
		if (!Number.isFinite(value)) continue;
		let entry = out.get(device);
		if (!entry) out.set(device, (entry = {read: 0, write: 0}));
		if (op === 'Read') entry.read = value;
		else if (op === 'Write') entry.write = value;
	}
	return out;
}

/** cgroup v1: bytes from `blkio.throttle.io_service_bytes_recursive`, operations from `…io_serviced_recursive`. */
export function parseBlkio(serviceBytes: string, serviced: string | null): BlockDeviceFact[] {
	const bytes = parseBlkioLines(serviceBytes);
	const ops = serviced === null ? new Map<string, {read: number; write: number}>() : parseBlkioLines(serviced);
	const devices = [...new Set([...bytes.keys(), ...ops.keys()])];
	return devices.map((device) => ({
		device,
		readBytes: bytes.get(device)?.read ?? 0,
		writeBytes: bytes.get(device)?.write ?? 0,
		readOps: ops.get(device)?.read ?? 0,
		writeOps: ops.get(device)?.write ?? 0,
	}));
}

function parsePressureLine(line: string): PressureLine | null {
	const values = new Map<string, number>();
	for (const word of line.trim().split(/\s+/).slice(1)) {
		const eq = word.indexOf('=');
		const value = Number(word.slice(eq + 1));
		if (eq > 0 && Number.isFinite(value)) values.set(word.slice(0, eq), value);
	}
	const avg10 = values.get('avg10');
	const avg60 = values.get('avg60');
	const avg300 = values.get('avg300');
	const total = values.get('total');
	if (avg10 === undefined || avg60 === undefined || avg300 === undefined || total === undefined) return null;
	// total is in microseconds.
	return {avg10, avg60, avg300, totalSeconds: total / 1e6};
}

/** A PSI file (`some avg10=… avg60=… avg300=… total=…`, and a `full` line); null for text that is neither. */
export function parsePressure(text: string | null): PressureFact | null {
	if (text === null) return null;
	let some: PressureLine | null = null;
	let full: PressureLine | null = null;
	for (const line of text.split('\n')) {
		if (line.startsWith('some ')) some = parsePressureLine(line);
		else if (line.startsWith('full ')) full = parsePressureLine(line);
	}
	return some === null ? null : {some, full};
}

/** /proc/PID/io: `read_bytes` and `write_bytes` are what reached the storage layer, as iotop shows. */
export function parseProcIo(text: string | null): ProcessIoFact | null {
	if (text === null) return null;
	let readBytes: number | null = null;
	let writeBytes: number | null = null;
	for (const line of text.split('\n')) {
		const match = /^(read_bytes|write_bytes):\s*(\d+)/.exec(line);
		if (!match) continue;
		if (match[1] === 'read_bytes') readBytes = Number(match[2]);
		else writeBytes = Number(match[2]);
	}
	return readBytes === null || writeBytes === null ? null : {readBytes, writeBytes};
}

/** /sys/dev/block/MAJ:MIN/uevent: the `DEVNAME=` line (`vda`, `nvme0n1`, `dm-0`). */
export function parseDevName(text: string | null): string | null {
	if (text === null) return null;
	const match = /^DEVNAME=(.+)$/m.exec(text);
	return match ? match[1]!.trim() : null;
}

/** `net:[4026531992]`, as readlink /proc/PID/ns/net answers: the namespace's inode, or null. */
export function parseNetnsLink(link: string | null): string | null {
	if (link === null) return null;
	const match = /^net:\[(\d+)\]$/.exec(link.trim());
	return match ? match[1]! : null;
}
