/**
 * `--output FILE`: the new text goes to a temporary file in FILE's directory, is flushed,
 * and is renamed over FILE, so a reader (node_exporter's textfile collector, a log
 * shipper) sees the old file or the new one, never half of one. The temporary name does
 * not end in .prom, so the textfile collector never picks it up.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {randomBytes} from 'node:crypto';

export async function writeFileAtomic(file: string, text: string, mode = 0o644): Promise<void> {
	const dir = path.dirname(file);
	const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
	const handle = await fs.open(temp, 'wx', mode);
	try {
		try {
			await handle.writeFile(text, 'utf8');
			await handle.sync();
		} finally {
			await handle.close();
		}
		await fs.rename(temp, file);
	} catch (error) {
		await fs.rm(temp, {force: true});
		throw error;
	}
}
