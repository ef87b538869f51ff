/**
 * `--output FILE`: the new text goes to a temporary file in FILE's directory, is flushed,
 * and is renamed over FILE, so a reader (node_exporter's textfile collector, a log
 * shipper) sees the old file or the new one, never half of one. The temporary name does
 * not end in .prom, so the textfile collector never picks it up.
 *
 * A failure is one line about FILE and what to check: the temporary file is crimon's
 * business, not the user's, so its name never reaches a message.
 */
import fs from 'node:fs/promises';
import {constants, existsSync} from 'node:fs';
import path from 'node:path';
import {randomBytes} from 'node:crypto';
import {UsageError} from './usage-error.js';

/** --output cannot be written: a usage error (exit 2) naming the flag, the file and why. */
export class OutputError extends UsageError {}

function reasonOf(error: unknown, file: string): string {
	const dir = path.dirname(file);
	switch ((error as NodeJS.ErrnoException).code) {
		case 'ENOENT': return existsSync(dir) ? `no file can be made in ${dir}` : `the directory ${dir} does not exist`;
		case 'ENOTDIR': return `${dir} is not a directory`;
		case 'EACCES': case 'EPERM': return `permission denied: this user cannot write in ${dir}`;
		case 'EISDIR': return 'it is a directory';
		case 'EROFS': return `${dir} is on a read-only file system`;
		case 'ENOSPC': return `no space left on the device holding ${dir}`;
		case 'EDQUOT': return `disk quota exceeded in ${dir}`;
		default: return (error as NodeJS.ErrnoException).code ?? 'it cannot be written';
	}
}

const outputError = (file: string, error: unknown) => new OutputError(`--output ${file}: cannot write it: ${reasonOf(error, file)}`);

/** Before polling: FILE's directory exists and is writable, and FILE is not a directory. */
export async function checkWritable(file: string): Promise<void> {
	try {
		const stat = await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
			if (error.code === 'ENOENT') return null;
			throw error;
		});
		if (stat?.isDirectory()) throw Object.assign(new Error('directory'), {code: 'EISDIR'});
		const dir = await fs.stat(path.dirname(file));
		if (!dir.isDirectory()) throw Object.assign(new Error('not a directory'), {code: 'ENOTDIR'});
		await fs.access(path.dirname(file), constants.W_OK);
	} catch (error) {
		throw outputError(file, error);
	}
}

export async function writeFileAtomic(file: string, text: string, mode = 0o644): Promise<void> {
	const dir = path.dirname(file);
	const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
	let handle;
	try {
		handle = await fs.open(temp, 'wx', mode);
	} catch (error) {
		throw outputError(file, error);
	}
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
		throw outputError(file, error);
	}
}
