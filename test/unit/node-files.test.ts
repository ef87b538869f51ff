/**
 * The kubelet's files are read again only when their stamp changes, and a stamp is not
 * trusted before it can be: real files through the real local transport, with the stamp cut
 * down to what SFTP v3 gives (size, mtime in whole seconds, no inode) and the mtimes set by
 * hand, so a same-second, same-size rewrite happens exactly when the test says.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ChangedFiles} from '../../source/collect/node-files.js';
import {LocalTransport} from '../../source/transport/local-transport.js';
import type {FileStamp} from '../../source/transport/transport.js';

let dir: string;
beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-node-files-'));
});
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

/** The local transport, stat'ing as SFTP v3 does. */
function sftpLike(): LocalTransport {
	const transport = new LocalTransport();
	const stat = transport.statFile.bind(transport);
	transport.statFile = async (file: string): Promise<FileStamp> => {
		const stamp = await stat(file);
		return {size: stamp.size, mtimeMs: Math.floor(stamp.mtimeMs / 1000) * 1000, inode: null};
	};
	return transport;
}

function write(file: string, text: string, mtimeSeconds: number): void {
	fs.writeFileSync(file, text);
	fs.utimesSync(file, mtimeSeconds, mtimeSeconds);
}

describe('ChangedFiles', () => {
	it('reads a file again only once its stamp changed, after trusting it no sooner than a second after it was first seen', async () => {
		const file = path.join(dir, 'config.yaml');
		let now = 0;
		const files = new ChangedFiles(sftpLike(), () => now);
		const read = async () => (await files.read(file, 1024, 1000)).text;

		write(file, 'aaaa', 1_000_000);
		expect(await read()).toBe('aaaa');
		expect(files.stats).toEqual({stats: 1, reads: 1});
		// Rewritten within the same second, to the same size: the stamp is the same, and still not trusted.
		now = 100;
		write(file, 'bbbb', 1_000_000);
		expect(await read()).toBe('bbbb');
		expect(files.stats.reads).toBe(2);
		// A stat over a second after the first answer still gives the stamp: read once more, then trusted.
		now = 1300;
		expect(await read()).toBe('bbbb');
		expect(files.stats.reads).toBe(3);
		for (now = 3000; now < 20_000; now += 2000) expect(await read()).toBe('bbbb');
		expect(files.stats.reads).toBe(3);
		// A later write has a later second: seen at once.
		write(file, 'cccc', 1_000_002);
		expect(await read()).toBe('cccc');
		expect(files.stats.reads).toBe(4);
	});

	it('reads a trusted file again within a minute, for what no SFTP stamp shows (an older file of the same size and mtime renamed over it)', async () => {
		const file = path.join(dir, 'flags.env');
		let now = 0;
		const files = new ChangedFiles(sftpLike(), () => now);
		write(file, 'one', 2_000_000);
		await files.read(file, 1024, 1000);
		now = 2000;
		await files.read(file, 1024, 1000);
		const other = path.join(dir, 'flags.env.new');
		write(other, 'two', 2_000_000);
		fs.renameSync(other, file);
		now = 4000;
		expect((await files.read(file, 1024, 1000)).text).toBe('one');
		now = 63_000;
		expect((await files.read(file, 1024, 1000)).text).toBe('two');
	});

	it('sees that rename at once where the stamp has an inode (this machine)', async () => {
		const file = path.join(dir, 'instance-config.yaml');
		let now = 0;
		const files = new ChangedFiles(new LocalTransport(), () => now);
		write(file, 'one', 3_000_000);
		await files.read(file, 1024, 1000);
		now = 2000;
		await files.read(file, 1024, 1000);
		const other = path.join(dir, 'instance-config.yaml.new');
		write(other, 'two', 3_000_000);
		fs.renameSync(other, file);
		now = 4000;
		expect((await files.read(file, 1024, 1000)).text).toBe('two');
	});

	it('says a missing file is missing from its stat alone, and reads every time through a transport that cannot stat', async () => {
		const files = new ChangedFiles(sftpLike());
		expect(await files.read(path.join(dir, 'absent'), 1024, 1000)).toEqual({path: path.join(dir, 'absent'), text: null, missing: true, error: null});
		expect(files.stats).toEqual({stats: 1, reads: 0});
		const plain = new LocalTransport();
		Object.assign(plain, {statFile: undefined});
		const file = path.join(dir, 'plain');
		write(file, 'x', 4_000_000);
		const reading = new ChangedFiles(plain);
		for (let i = 0; i < 3; i++) await reading.read(file, 1024, 1000);
		expect(reading.stats).toEqual({stats: 0, reads: 3});
	});

	it('reports a file too large to read as an error each poll, as before', async () => {
		const file = path.join(dir, 'big');
		write(file, 'x'.repeat(2048), 5_000_000);
		const files = new ChangedFiles(sftpLike());
		const fact = await files.read(file, 1024, 1000);
		expect(fact.text).toBeNull();
		expect(fact.error).toMatch(/larger than 1024 bytes/);
	});
});
