import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {createBasicAuth, parseBasicAuthorization} from '../../source/serve/basic-auth.js';
import {isLoopback} from '../../source/serve/listen-address.js';
import {parseWebConfig, WebConfigError} from '../../source/serve/web-config.js';

// Recorded: `htpasswd -nbBC 10 prometheus fleet-pw` (apache2-utils 2.4, Debian), this machine.
const line = fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'serve', 'htpasswd-B-C10.txt'), 'utf8').trim();
const HASH = line.slice(line.indexOf(':') + 1);
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the web config (exporter-toolkit format)', () => {
	it('reads TLS, mTLS and users, paths relative to the file', () => {
		const config = parseWebConfig(`tls_server_config:\n  cert_file: s.crt\n  key_file: /etc/k/s.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  min_version: TLS13\nbasic_auth_users:\n  prometheus: ${HASH}\n`, '/etc/crimon/web.yml');
		expect(config.tls).toEqual({certFile: '/etc/crimon/s.crt', keyFile: '/etc/k/s.key', clientCaFile: '/etc/crimon/ca.crt', clientAuthType: 'RequireAndVerifyClientCert', minVersion: 'TLSv1.3', maxVersion: null});
		expect([...config.users]).toEqual([['prometheus', HASH]]);
		expect(parseWebConfig(`basic_auth_users:\n  p: ${HASH}\n`, 'w.yml').tls).toBeNull();
	});

	it('names the file and the key of every mistake', () => {
		const cases: [string, RegExp][] = [
			['tls_server_config:\n  cert_file: a\n', /^w\.yml: tls_server_config\.key_file is missing/],
			['tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Maybe\n', /^w\.yml: tls_server_config\.client_auth_type wants one of/],
			['tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n', /client_ca_file is set but client_auth_type is NoClientCert/],
			['tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n', /needs client_ca_file/],
			['tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS10\n', /tls_server_config\.min_version wants TLS12 or TLS13/],
			['tls_server_config:\n  cert_file: a\n  key_file: b\n  certfile: c\n', /^w\.yml: tls_server_config: unknown key "certfile"/],
			['basic_auth_users:\n  prometheus: s3cret\n', /^w\.yml: basic_auth_users\.prometheus wants a bcrypt hash/],
			['basic_auth_users: {}\n', /basic_auth_users lists no users/],
			['basic_auth_user:\n  p: x\n', /^w\.yml: unknown key "basic_auth_user"/],
			['{}\n', /protects nothing/],
			['a: [\n', /^w\.yml: not valid YAML/],
		];
		for (const [source, message] of cases) {
			expect(() => parseWebConfig(source, 'w.yml'), source).toThrow(WebConfigError);
			expect(() => parseWebConfig(source, 'w.yml'), source).toThrow(message);
		}
	});
});

describe('basic auth against bcrypt', () => {
	it('takes the listed user with the password htpasswd hashed, and nothing else', async () => {
		const auth = createBasicAuth(new Map([['prometheus', HASH]]));
		expect(await auth.check(basic('prometheus', 'fleet-pw'))).toBe(true);
		// Remembered after the first check, and still exact.
		expect(await auth.check(basic('prometheus', 'fleet-pw'))).toBe(true);
		expect(await auth.check(basic('prometheus', 'fleet-pW'))).toBe(false);
		expect(await auth.check(basic('someone', 'fleet-pw'))).toBe(false);
		expect(await auth.check(undefined)).toBe(false);
		expect(await auth.check('Bearer x')).toBe(false);
	});

	it('splits the header at the first colon (a password may hold colons)', () => {
		expect(parseBasicAuthorization(basic('u', 'a:b'))).toEqual({user: 'u', password: 'a:b'});
		expect(parseBasicAuthorization(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeNull();
	});
});

describe('loopback', () => {
	it('is 127/8, ::1 and localhost; every other address or name is exposed', () => {
		for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host), host).toBe(true);
		for (const host of ['0.0.0.0', '::', '10.0.0.1', 'metrics.local', '128.0.0.1']) expect(isLoopback(host), host).toBe(false);
	});
});
