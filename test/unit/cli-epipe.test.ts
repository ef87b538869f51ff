/** `crimon … | head`: a reader that goes away early ends crimon quietly, with status 0. */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';

const CLI = path.resolve(import.meta.dirname, '../../dist/cli.js');

describe.skipIf(!fs.existsSync(CLI))('a closed stdout', () => {
	it('ends crimon with status 0 and nothing on stderr, not an unhandled EPIPE', async () => {
		// The pipe's read end is closed before crimon has started, so its first write fails.
		const child = spawn(process.execPath, [CLI, '--help'], {stdio: ['ignore', 'pipe', 'pipe']});
		child.stdout.destroy();
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
		expect(stderr).toBe('');
		expect(status).toBe(0);
	});
});
