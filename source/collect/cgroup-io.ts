/**
 * Pure: a container cgroup's IO and pressure files (as read) → the facts the model reads.
 * cgroup v1 counts block IO in blkio.throttle.*_recursive and has no pressure files;
 * cgroup v2 has io.stat and, with PSI in the kernel, cpu/memory/io.pressure.
 */
import type {ContainerIoFact, PressureFacts} from '../schema/io-types.js';
import {parseBlkio, parseIoStat, parsePressure} from './io-parse.js';

export const V1_IO_CONTROLLER = 'blkio';
/**
 * Read every poll: the bytes, which rates are made of. The rest (operation counts, PSI,
 * whose figures are already averages over 10 s and more) with the limits, every 10 s:
 * one more file a container a poll instead of two (v1) or four (v2), measured in bench/io.ts.
 */
export const V1_IO_FILES = ['blkio.throttle.io_service_bytes_recursive'] as const;
export const V1_SLOW_IO_FILES = ['blkio.throttle.io_serviced_recursive'] as const;
export const V2_IO_FILES = ['io.stat'] as const;
export const V2_SLOW_IO_FILES = ['cpu.pressure', 'memory.pressure', 'io.pressure'] as const;
export const PRESSURE_FILES = ['cpu.pressure', 'memory.pressure', 'io.pressure'] as const;

export type IoFiles = Readonly<Record<string, string | null>>;

export const NO_PSI_V1 = 'cgroup v1 has no pressure (PSI) files';
const NO_PSI_V2 = 'the cgroup has no cpu.pressure: the kernel runs without PSI (CONFIG_PSI off or psi=0)';
export const NO_PSI_NODE = 'no /proc/pressure: the kernel runs without PSI (CONFIG_PSI off or psi=0)';

/** The three PSI files of one directory (or /proc/pressure); null when none of them reads. */
export function pressureFacts(cpu: string | null, memory: string | null, io: string | null): PressureFacts | null {
	const facts = {cpu: parsePressure(cpu), memory: parsePressure(memory), io: parsePressure(io)};
	return facts.cpu === null && facts.memory === null && facts.io === null ? null : facts;
}

export function ioFromV1(files: IoFiles): ContainerIoFact {
	const bytes = files['blkio.throttle.io_service_bytes_recursive'] ?? null;
	return {
		blockIo: bytes === null ? null : parseBlkio(bytes, files['blkio.throttle.io_serviced_recursive'] ?? null),
		pressure: null,
		pressureReason: NO_PSI_V1,
	};
}

export function ioFromV2(files: IoFiles): ContainerIoFact {
	const stat = files['io.stat'] ?? null;
	const pressure = pressureFacts(files['cpu.pressure'] ?? null, files['memory.pressure'] ?? null, files['io.pressure'] ?? null);
	return {
		// An empty io.stat is a cgroup that has done no IO yet: zero devices, not unknown.
		blockIo: stat === null ? null : parseIoStat(stat),
		pressure,
		pressureReason: pressure === null ? NO_PSI_V2 : null,
	};
}

/**
 * Kubernetes puts each pod's containers in one pod cgroup: `…/pod<uid>` (cgroupfs) or
 * `…-pod<uid_with_underscores>.slice` (systemd). The pod's own pressure is read there.
 */
export function podCgroupOf(dir: string): string | null {
	const slash = dir.lastIndexOf('/');
	if (slash <= 0) return null;
	const parent = dir.slice(0, slash);
	const name = parent.slice(parent.lastIndexOf('/') + 1);
	return /(^|-)pod[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}(\.slice)?$/.test(name) ? parent : null;
}
