/**
 * ssh2 and yaml, loaded on first use. Most runs of crimon watch only this machine and have
 * no config file; importing ssh2 (with its crypto) and yaml up front cost the headless
 * snapshot about 80 ms of start-up here, more than the poll itself.
 */
import {createRequire} from 'node:module';

const require = createRequire(import.meta.url);

export function loadSsh2(): typeof import('ssh2') {
	return require('ssh2') as typeof import('ssh2');
}

export function loadYaml(): typeof import('yaml') {
	return require('yaml') as typeof import('yaml');
}
