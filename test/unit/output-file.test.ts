/** --output: a file that cannot be written is one line naming the flag, the file and why, never the temporary file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {checkWritable, OutputError, writeFileAtomic} from '../../source/util/atomic-write.js';

describe('--output', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-output-'));
	it.each([
		[path.join(dir, 'missing', 'x.prom'), /^--output .*x\.prom: cannot write it: the directory .*missing does not exist$/],
		[dir, /^--output .*: cannot write it: it is a directory$/],
		[path.join(dir, 'file', 'x.prom'), /is not a directory$/],
	])('refuses %s with one clear line', async (file, message) => {
		fs.writeFileSync(path.join(dir, 'file'), '');
		for (const run of [() => checkWritable(file), () => writeFileAtomic(file, 'x')]) {
			const error = await run().then(() => null, (e: unknown) => e);
			expect(error).toBeInstanceOf(OutputError);
			expect((error as Error).message).toMatch(message);
			expect((error as Error).message).not.toMatch(/\.tmp|\n/);
		}
	});
	it('writes a file that can be written, and leaves no temporary file', async () => {
		const file = path.join(dir, 'ok.prom');
		await checkWritable(file);
		await writeFileAtomic(file, 'a 1\n');
		expect(fs.readFileSync(file, 'utf8')).toBe('a 1\n');
		expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
	});
});
