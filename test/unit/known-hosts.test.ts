import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {
	appendKnownHost, checkHostKey, entryMatches, fingerprint, formatKnownHostsLine, keyTypeOf, knownHostsName, knownKeyTypes, parseKnownHosts, readKnownHostsFiles,
} from '../../source/targets/known-hosts.js';

// Real keys from ssh-keygen, with the fingerprints `ssh-keygen -lf` printed for them.
const ED25519 = 'AAAAC3NzaC1lZDI1NTE5AAAAIFFeIP6/MxGDJpmbSt5sxK7ceHxKS1S1MwYxos7FK/tt';
const ED25519_FP = 'SHA256:EE+sf0R+VelAfwc8tK4ikejEb+PZlu2K99W9+Sn77yU';
const ECDSA = 'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFRSxxfaxpGyxaXjZiMyzYrDp9bo+kvagYhavqkpZ0qCEmuADuObAOOHaHeAiwCpgour/C5Wlfw3TORHdGCv7sI=';
const ECDSA_FP = 'SHA256:u6gQAiQQrL8uwkmK64v0hZEjSMdbzjffjHverkBGKYU';
const ed = Buffer.from(ED25519, 'base64');
const ecdsa = Buffer.from(ECDSA, 'base64');
// Another real ed25519 key: what a changed host key looks like to known_hosts.
const OTHER_ED25519 = 'AAAAC3NzaC1lZDI1NTE5AAAAIHVg8uPhoL+sWpF1gjNUfNvYGYNCiTH3+fF9qfa5Fz4T';
const otherEd = Buffer.from(OTHER_ED25519, 'base64');

// `ssh-keygen -H` of "[10.0.0.5]:2222 …" and "node01.example.net,10.0.0.1 …": one hashed line per name.
const HASHED = `|1|sioVU2bV5eaT3nSVLMHmQZqeAwM=|/WFps4SqhPa6EQyaiiolm8c5LZQ= ssh-ed25519 ${ED25519}
|1|oBMCJCaUDnD2SVWuZyOVKzSxPxk=|47MHRS9E9YeRDHCgM3W0o2EdnMI= ssh-ed25519 ${ED25519}
|1|lR+v6ucrDxR0ZKUW2+9WpC0UlQ8=|dSh10IZVOzgsMcGEkhqGthOiXCc= ssh-ed25519 ${ED25519}
`;

describe('fingerprints and key types', () => {
	it('prints SHA256 fingerprints exactly as ssh-keygen -l does', () => {
		expect(fingerprint(ed)).toBe(ED25519_FP);
		expect(fingerprint(ecdsa)).toBe(ECDSA_FP);
	});

	it('reads the key type from the blob itself', () => {
		expect(keyTypeOf(ed)).toBe('ssh-ed25519');
		expect(keyTypeOf(ecdsa)).toBe('ecdsa-sha2-nistp256');
		expect(keyTypeOf(Buffer.from([0, 0]))).toBe('unknown');
	});

	it('names a host as known_hosts does: bare on port 22, [host]:port elsewhere', () => {
		expect(knownHostsName('node01', 22)).toBe('node01');
		expect(knownHostsName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
	});
});

describe('parseKnownHosts and checkHostKey', () => {
	it('matches hashed entries written by ssh-keygen -H, including [host]:port', () => {
		const entries = parseKnownHosts(HASHED, 'known_hosts');
		expect(entries).toHaveLength(3);
		expect(checkHostKey(entries, '[10.0.0.5]:2222', ed).status).toBe('trusted');
		expect(checkHostKey(entries, 'node01.example.net', ed).status).toBe('trusted');
		expect(checkHostKey(entries, '10.0.0.1', ed).status).toBe('trusted');
		expect(checkHostKey(entries, '10.0.0.5', ed).status).toBe('unknown');
		expect(checkHostKey(entries, '[10.0.0.5]:22', ed).status).toBe('unknown');
	});

	it('matches plain patterns with wildcards and honours negation', () => {
		const entries = parseKnownHosts(`*.example.net,!bad.example.net ssh-ed25519 ${ED25519}\n[10.0.0.?]:2222 ssh-ed25519 ${ED25519}\n`, 'kh');
		expect(checkHostKey(entries, 'node01.example.net', ed).status).toBe('trusted');
		expect(checkHostKey(entries, 'NODE01.Example.NET', ed).status).toBe('trusted');
		expect(checkHostKey(entries, 'bad.example.net', ed).status).toBe('unknown');
		expect(checkHostKey(entries, '[10.0.0.7]:2222', ed).status).toBe('trusted');
		expect(checkHostKey(entries, '[10.0.0.17]:2222', ed).status).toBe('unknown');
	});

	it('reports a changed key of the same type, with the entries that knew the old one', () => {
		const entries = parseKnownHosts(`# comment\n\nnode01 ssh-ed25519 ${OTHER_ED25519}\n`, '/home/op/.ssh/known_hosts');
		const verdict = checkHostKey(entries, 'node01', ed);
		expect(verdict.status).toBe('changed');
		if (verdict.status !== 'changed') return;
		expect(verdict.known[0]).toMatchObject({file: '/home/op/.ssh/known_hosts', line: 3});
		expect(fingerprint(verdict.known[0]!.key)).toBe(fingerprint(otherEd));
	});

	it('trusts a host known with several keys when one of them is offered', () => {
		const entries = parseKnownHosts(`node01 ssh-ed25519 ${OTHER_ED25519}\nnode01 ssh-ed25519 ${ED25519}\n`, 'kh');
		expect(checkHostKey(entries, 'node01', ed).status).toBe('trusted');
	});

	it('refuses a host known only with keys of another type', () => {
		const entries = parseKnownHosts(`node01 ecdsa-sha2-nistp256 ${ECDSA}\n`, 'kh');
		expect(checkHostKey(entries, 'node01', ed).status).toBe('other-types');
		expect(knownKeyTypes(entries, 'node01')).toEqual(['ecdsa-sha2-nistp256']);
	});

	it('refuses a @revoked key even where another line trusts it', () => {
		const entries = parseKnownHosts(`node01 ssh-ed25519 ${ED25519}\n@revoked * ssh-ed25519 ${ED25519}\n`, 'kh');
		expect(checkHostKey(entries, 'node01', ed).status).toBe('revoked');
	});

	it('ignores @cert-authority lines, broken lines, and keys that are not what they claim', () => {
		const text = [
			`@cert-authority *.example.net ssh-ed25519 ${ED25519}`,
			'node01 ssh-ed25519',
			`node01 ecdsa-sha2-nistp256 ${ED25519}`,
			`@unknown node01 ssh-ed25519 ${ED25519}`,
		].join('\n');
		const entries = parseKnownHosts(text, 'kh');
		expect(entries.filter((e) => e.marker === null)).toHaveLength(0);
		expect(checkHostKey(entries, 'node01.example.net', ed).status).toBe('unknown');
	});
});

describe('writing known_hosts (accept-new)', () => {
	it('formats plain and hashed lines that read back as trusted', () => {
		const plain = formatKnownHostsLine('[127.0.0.1]:42022', ed, false);
		expect(plain).toBe(`[127.0.0.1]:42022 ssh-ed25519 ${ED25519}`);
		const hashed = formatKnownHostsLine('[127.0.0.1]:42022', ed, true);
		expect(hashed).toMatch(/^\|1\|[A-Za-z0-9+/=]{28}\|[A-Za-z0-9+/=]{28} ssh-ed25519 /);
		const entries = parseKnownHosts(hashed, 'kh');
		expect(entryMatches(entries[0]!, '[127.0.0.1]:42022')).toBe(true);
		expect(entryMatches(entries[0]!, '127.0.0.1')).toBe(false);
	});

	it('hashes as OpenSSH does: the same salt gives the same line ssh-keygen -H wrote', () => {
		const salt = Buffer.from('sioVU2bV5eaT3nSVLMHmQZqeAwM=', 'base64');
		expect(formatKnownHostsLine('[10.0.0.5]:2222', ed, true, salt)).toBe(HASHED.split('\n')[0]);
	});

	it('appends on a line of its own, creating ~/.ssh private to the user', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-kh-'));
		try {
			const file = path.join(dir, '.ssh', 'known_hosts');
			appendKnownHost(file, 'a ssh-ed25519 AAAA');
			expect((fs.statSync(path.dirname(file)).mode & 0o777).toString(8)).toBe('700');
			expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
			fs.appendFileSync(file, 'b ssh-ed25519 BBBB');
			appendKnownHost(file, 'c ssh-ed25519 CCCC');
			expect(fs.readFileSync(file, 'utf8')).toBe('a ssh-ed25519 AAAA\nb ssh-ed25519 BBBB\nc ssh-ed25519 CCCC\n');
		} finally {
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});

	it('a missing known_hosts is no keys; one that is there but cannot be read says so, naming the file', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-kh-'));
		try {
			const good = path.join(dir, 'known_hosts');
			fs.writeFileSync(good, `node01 ssh-ed25519 ${ED25519}\n`);
			expect(readKnownHostsFiles([path.join(dir, 'absent'), path.join(dir, 'absent', 'deeper'), good])).toHaveLength(1);
			// A directory where the file should be: root reads through any mode bits, not this.
			const unreadable = path.join(dir, 'not-a-file');
			fs.mkdirSync(unreadable);
			expect(() => readKnownHostsFiles([good, unreadable])).toThrow(`cannot read known_hosts file ${unreadable}: EISDIR`);
			expect(() => appendKnownHost(unreadable, 'a ssh-ed25519 AAAA')).toThrow(`cannot read known_hosts file ${unreadable}`);
		} finally {
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});
});
