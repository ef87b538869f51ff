/**
 * Pure: is a node's runtime past its upstream end of life on the day of the poll? The day is
 * an input (NodeFacts.polledAt), never the clock, so a saved poll is judged as of its own day.
 *
 * Sources, as published when this table was written (update both together):
 * - containerd: RELEASES.md, "Current State of containerd Releases"
 *   (https://github.com/containerd/containerd/blob/main/RELEASES.md). 1.7's LTS end is given
 *   as "September 2026" without a day: crimon takes the month's last day.
 * - Docker Engine: moby's project/BRANCHES-AND-TAGS.md
 *   (https://github.com/moby/moby/blob/master/project/BRANCHES-AND-TAGS.md). Docker publishes
 *   no end dates: a branch is Maintained, Maintained (security) or Unmaintained. Unmaintained
 *   branches (older than 23.0, 24.0, 26.0, 26.1, 27.x) are past their end of life with no
 *   date; 23.0's security maintenance ended on 2025-05-19; 25.0, 28.x and 29.x are maintained.
 * - podman publishes no end-of-life dates, so crimon makes no podman finding.
 */
import type {Finding, FindingSubject, Runtimes} from '../schema/types.js';

// Severity info, listed after the health findings: an end of life is upgrade planning (as the
// v1 shim is), not a fault of the node today, and it is on most nodes of a fleet at once.

export interface EndOfLife {
	/** "1.6", "2.1", "27" */
	readonly line: string;
	/** ISO day the line's support ended (or ends); null: unmaintained, no day published. */
	readonly ends: string | null;
	/** The next supported line to move to. */
	readonly upgradeTo: string;
}

/** containerd's lines by major.minor. */
const CONTAINERD_END_OF_LIFE: Readonly<Record<string, EndOfLife>> = {
	'1.0': {line: '1.0', ends: '2018-12-05', upgradeTo: '2.3'},
	'1.1': {line: '1.1', ends: '2019-10-23', upgradeTo: '2.3'},
	'1.2': {line: '1.2', ends: '2020-10-15', upgradeTo: '2.3'},
	'1.3': {line: '1.3', ends: '2021-03-04', upgradeTo: '2.3'},
	'1.4': {line: '1.4', ends: '2022-03-03', upgradeTo: '2.3'},
	'1.5': {line: '1.5', ends: '2023-02-28', upgradeTo: '2.3'},
	'1.6': {line: '1.6', ends: '2025-08-23', upgradeTo: '2.3'},
	'1.7': {line: '1.7', ends: '2026-09-30', upgradeTo: '2.3'},
	'2.0': {line: '2.0', ends: '2025-11-07', upgradeTo: '2.3'},
	'2.1': {line: '2.1', ends: '2026-05-05', upgradeTo: '2.3'},
	'2.2': {line: '2.2', ends: '2026-11-06', upgradeTo: '2.3'},
	'2.3': {line: '2.3', ends: '2028-04-27', upgradeTo: 'the next LTS'},
};

/** Docker Engine's release branches by major (26 split into 26.0 and 26.1, both unmaintained). */
const DOCKER_END_OF_LIFE: Readonly<Record<string, EndOfLife | 'maintained'>> = {
	'23': {line: '23.0', ends: '2025-05-19', upgradeTo: '29'},
	'24': {line: '24.0', ends: null, upgradeTo: '29'},
	'25': 'maintained',
	'26': {line: '26', ends: null, upgradeTo: '29'},
	'27': {line: '27', ends: null, upgradeTo: '29'},
	'28': 'maintained',
	'29': 'maintained',
};

function majorMinor(version: string): [number, number] | null {
	const match = /^v?(\d+)\.(\d+)/.exec(version.trim());
	return match ? [Number(match[1]), Number(match[2])] : null;
}

/** containerd's line for a version ("v2.1.9", "1.6.20~ds1"); null when the table has no word on it. */
export function containerdEndOfLife(version: string): EndOfLife | null {
	const mm = majorMinor(version);
	return mm ? CONTAINERD_END_OF_LIFE[`${mm[0]}.${mm[1]}`] ?? null : null;
}

/** Docker's branch for a version ("20.10.24+dfsg1", "28.5.2"): older than 23 is unmaintained. */
export function dockerEndOfLife(version: string): EndOfLife | null {
	const mm = majorMinor(version);
	if (!mm) return null;
	// Versions before 17.03 ("1.13") and every year.month release up to 20.10 are long gone.
	if (mm[0] < 23) return {line: `${mm[0]}.${String(mm[1]).padStart(2, '0')}`, ends: null, upgradeTo: '29'};
	const entry = DOCKER_END_OF_LIFE[String(mm[0])];
	return entry === undefined || entry === 'maintained' ? null : entry;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function past(entry: EndOfLife, today: string): boolean {
	return entry.ends === null || entry.ends < today;
}

function subject(name: string, address: string, detail: string): FindingSubject {
	return {kind: 'socket', id: address, name, namespace: null, pod: null, detail};
}

/** The end-of-life findings for one node's runtimes, as of the day `polledAt` falls on (UTC). */
export function endOfLifeFindings(runtimes: Runtimes, polledAt: number | undefined): Finding[] {
	if (polledAt === undefined || !Number.isFinite(polledAt)) return [];
	const today = day(polledAt);
	const out: Finding[] = [];
	const containerd = runtimes.containerd;
	if (containerd) {
		const entry = containerdEndOfLife(containerd.version);
		if (entry && past(entry, today)) {
			const removed = entry.line.startsWith('1.')
				? ' Before moving to 2.x: containerd 2.0 removed the v1 shim (io.containerd.runtime.v1.linux), io.containerd.runc.v1 and CRI v1alpha2, and its config is version 3.'
				: '';
			out.push({
				code: 'runtime-end-of-life', severity: 'info',
				message: `containerd ${containerd.version} (line ${entry.line}) reached its upstream end of life on ${entry.ends} (containerd's RELEASES.md): it gets no more fixes, security ones included; upgrade to ${entry.upgradeTo}.${removed}`,
				subjects: [subject('containerd', containerd.address, `containerd ${containerd.version}, end of life ${entry.ends}`)],
			});
		}
	}
	const docker = runtimes.docker;
	if (docker) {
		const entry = dockerEndOfLife(docker.version);
		if (entry && past(entry, today)) {
			const when = entry.ends ? `its maintenance ended on ${entry.ends}` : 'moby lists its branch as unmaintained (Docker publishes no end dates)';
			out.push({
				code: 'runtime-end-of-life', severity: 'info',
				message: `Docker ${docker.version} (branch ${entry.line}) is past its upstream end of life: ${when} (moby's BRANCHES-AND-TAGS.md); it gets no more fixes, security ones included; upgrade to Docker ${entry.upgradeTo}.`,
				subjects: [subject('docker', docker.address, `Docker ${docker.version}, ${entry.ends ? `end of life ${entry.ends}` : 'unmaintained'}`)],
			});
		}
	}
	return out;
}
