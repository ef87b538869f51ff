import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ioFromV1, ioFromV2, NO_PSI_V1, podCgroupOf, pressureFacts, V2_IO_FILES, V2_SLOW_IO_FILES} from '../../source/collect/cgroup-io.js';
import {parseBlkio, parseDevName, parseIoStat, parseNetDev, parseNetnsLink, parsePressure, parseProcIo} from '../../source/collect/io-parse.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');
const read = (...parts: string[]) => fs.readFileSync(path.join(FIXTURES, ...parts), 'utf8');

describe('net/dev (recorded: test/fixtures/io-v1/README.md)', () => {
	it('reads both ends of an 11 MiB transfer over a veth pair, lo included as its own line', () => {
		const server = parseNetDev(read('io-v1', 'net-dev-httpd-server'));
		expect(server.map((i) => i.name)).toEqual(['lo', 'iorecs']);
		expect(server[1]).toEqual({name: 'iorecs', rxBytes: 11154, rxPackets: 168, rxErrors: 0, rxDropped: 0, txBytes: 11551674, txPackets: 260, txErrors: 0, txDropped: 0});
		const client = parseNetDev(read('io-v1', 'net-dev-wget-client'));
		expect(client[1]!.rxBytes).toBe(server[1]!.txBytes);
	});

	it('reads the VM\'s Docker bridge interface, and splits a long name that runs into its first number', () => {
		expect(parseNetDev(read('cgroup-v2', 'docker-box', 'proc-net-dev.txt')).find((i) => i.name === 'eth0')!.rxBytes).toBe(1644);
		const long = parseNetDev('h\nh\nveth0123456789:1 2 3 4 0 0 0 0 5 6 7 8 0 0 0 0\n');
		expect(long[0]).toMatchObject({name: 'veth0123456789', rxBytes: 1, rxDropped: 4, txBytes: 5, txDropped: 8});
	});

	it('ignores garbage lines', () => {
		expect(parseNetDev('eth0: a b c\n\u001b[31m: 1\nnot a line')).toEqual([]);
	});
});

describe('block IO', () => {
	it('v1: 64 MiB written with fsync under a throttle rule, and Total 0 without one', () => {
		const devices = parseBlkio(read('io-v1', 'dd-64m-throttled', 'blkio.throttle.io_service_bytes_recursive'), read('io-v1', 'dd-64m-throttled', 'blkio.throttle.io_serviced_recursive'));
		expect(devices).toEqual([{device: '254:0', readBytes: 0, writeBytes: 67133440, readOps: 0, writeOps: 23}]);
		expect(devices[0]!.writeBytes).toBeGreaterThanOrEqual(64 * 1024 * 1024);
		expect(parseBlkio(read('io-v1', 'dd-64m-unthrottled', 'blkio.throttle.io_service_bytes_recursive'), null)).toEqual([]);
		expect(ioFromV1({'blkio.throttle.io_service_bytes_recursive': null}).blockIo).toBeNull();
	});

	it('v2 io.stat: the VM\'s podman container read 1.9 MB; an empty io.stat is zero devices', () => {
		expect(parseIoStat(read('cgroup-v2', 'podman-box', 'cgroup', 'io.stat'))).toEqual([{device: '254:0', readBytes: 1986560, writeBytes: 0, readOps: 5, writeOps: 0}]);
		expect(parseIoStat(read('cgroup-v2', 'docker-box', 'cgroup', 'io.stat'))).toEqual([]);
		expect(parseIoStat('8:0 rbytes=x wbytes=2\nnot 1:2')).toEqual([{device: '8:0', readBytes: 0, writeBytes: 2, readOps: 0, writeOps: 0}]);
	});

	it('names a device from its uevent', () => {
		expect(parseDevName(read('io-v1', 'sys-dev-block-254-0-uevent'))).toBe('vda');
		expect(parseDevName('MAJOR=1\n')).toBeNull();
	});
});

describe('pressure (PSI)', () => {
	it('reads some and full, totals in seconds, from the VM\'s memory-starved container', () => {
		const memory = parsePressure(read('cgroup-v2', 'docker-oom', 'cgroup', 'memory.pressure'))!;
		expect(memory.some).toEqual({avg10: 0, avg60: 0.15, avg300: 0.11, totalSeconds: 0.659524});
		expect(memory.full!.totalSeconds).toBeGreaterThan(0);
		expect(parsePressure(read('cgroup-v2', 'docker-cpu', 'cgroup', 'cpu.pressure'))!.some.avg10).toBe(51.73);
	});

	it('reads the node\'s /proc/pressure, and a cpu file with no full line', () => {
		const cpu = parsePressure(read('cgroup-v2', 'proc-pressure', 'cpu'))!;
		expect(cpu.some.avg10).toBe(82.29);
		expect(parsePressure('some avg10=1.00 avg60=2.00 avg300=3.00 total=4000000\n')).toEqual({some: {avg10: 1, avg60: 2, avg300: 3, totalSeconds: 4}, full: null});
		expect(parsePressure('garbage')).toBeNull();
		expect(parsePressure(null)).toBeNull();
	});

	it('v1 has no pressure, with the reason; v2 without PSI says why', () => {
		expect(ioFromV1({})).toMatchObject({pressure: null, pressureReason: NO_PSI_V1});
		const none = ioFromV2({'io.stat': ''});
		expect(none.pressure).toBeNull();
		expect(none.pressureReason).toMatch(/without PSI/);
		const files = Object.fromEntries([...V2_IO_FILES, ...V2_SLOW_IO_FILES].map((f) => [f, read('cgroup-v2', 'docker-oom', 'cgroup', f)]));
		expect(ioFromV2(files).pressure!.memory!.some.totalSeconds).toBeCloseTo(0.659524, 6);
		expect(pressureFacts(null, null, null)).toBeNull();
	});

	it('finds the pod cgroup around a container (cgroupfs and systemd), and none elsewhere', () => {
		expect(podCgroupOf('/sys/fs/cgroup/kubepods/besteffort/pod0b7f2c4e-1111-4a6b-9c1d-d0c5e11a0001/abc')).toBe('/sys/fs/cgroup/kubepods/besteffort/pod0b7f2c4e-1111-4a6b-9c1d-d0c5e11a0001');
		expect(podCgroupOf('/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b7f2c4e_1111_4a6b_9c1d_d0c5e11a0001.slice/cri-containerd-abc.scope'))
			.toBe('/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b7f2c4e_1111_4a6b_9c1d_d0c5e11a0001.slice');
		expect(podCgroupOf(read('cgroup-v2', 'docker-box', 'cgroup-dir.txt').trim())).toBeNull();
	});
});

describe('per process and namespaces', () => {
	it('/proc/PID/io: storage bytes as iotop shows them; null when unreadable or garbage', () => {
		expect(parseProcIo(read('io-v1', 'proc-pid-io-dd'))).toEqual({readBytes: 0, writeBytes: 67121152});
		expect(parseProcIo(read('cgroup-v2', 'podman-box', 'proc-io.txt'))).toEqual({readBytes: 1986560, writeBytes: 0});
		expect(parseProcIo(null)).toBeNull();
		expect(parseProcIo('rchar: 1')).toBeNull();
	});

	it('reads a netns link, and nothing else', () => {
		expect(parseNetnsLink('net:[4026531833]')).toBe('4026531833');
		expect(parseNetnsLink('mnt:[4026531833]')).toBeNull();
		expect(parseNetnsLink(null)).toBeNull();
	});
});

describe('the network namespaces in the SSH process-table command (recorded here: test/fixtures/io-v1/README.md)', () => {
	it('splits ps from the namespaces, maps each pid to its namespace and reads each namespace once', async () => {
		const {splitPsNetns, NETNS_MARK} = await import('../../source/collect/netns-script.js');
		const {parsePs} = await import('../../source/collect/parse-processes.js');
		const text = read('io-v1', 'ps-netns.txt');
		const {ps, netns} = splitPsNetns(text, 5);
		expect(ps).not.toContain(NETNS_MARK);
		expect(parsePs(ps).map((p) => p.pid)).toEqual([1, 4300, 4372]);
		const inodes = netns!.networks.map((n) => n.netns);
		expect(new Set(inodes).size).toBe(inodes.length);
		expect(netns!.networks.every((n) => n.at === 5 && n.interfaces.some((i) => i.name === 'lo'))).toBe(true);
		// kthreadd (pid 2) is in the initial namespace; pid 1's link was not readable here.
		expect(netns!.byPid.has(1)).toBe(false);
		expect(inodes).toContain(netns!.byPid.get(2));
		expect([...netns!.byPid.values()].every((inode) => inodes.includes(inode))).toBe(true);
	});

	it('is only ps when the mark is missing (an older recording, a shell that stopped)', async () => {
		const {splitPsNetns} = await import('../../source/collect/netns-script.js');
		expect(splitPsNetns('  1 0 root S 00:00:01 4 init\n', 0)).toEqual({ps: '  1 0 root S 00:00:01 4 init\n', netns: null});
	});
});
