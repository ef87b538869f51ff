/**
 * `crimon serve --web-config` against real clients: certificates made here with openssl,
 * a hash made by htpasswd (apache2-utils) as an operator would, and every request made by
 * curl. The node polled is this machine (`local`), so /metrics holds real content.
 */
import {execFile, execFileSync, spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CLI, REPO_ROOT} from './lab-available.js';

const run = promisify(execFile);
const TOOLS = ['curl', 'openssl', 'htpasswd'];

function missingTools(): string[] {
	return TOOLS.filter((tool) => {
		try {
			execFileSync('sh', ['-c', `command -v ${tool}`], {stdio: 'ignore'});
			return false;
		} catch {
			return true;
		}
	});
}

function skipWithoutTools(): boolean {
	const missing = missingTools();
	if (!fs.existsSync(CLI)) missing.push(`${CLI} (npm run build)`);
	if (missing.length === 0) return false;
	if (process.env.CRIMON_LAB_REQUIRED === '1') throw new Error(`serve --web-config: needs ${missing.join(', ')} (apt-get install curl openssl apache2-utils)`);
	console.warn(`skipped serve --web-config: missing ${missing.join(', ')}`);
	return true;
}

interface Curl {
	readonly code: number;
	readonly status: number;
	readonly headers: string;
	readonly body: string;
}

/** curl, never throwing: its exit code, the HTTP status (0 when none), headers and body. */
async function curl(args: readonly string[]): Promise<Curl> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-fleet-curl-'));
	const headerFile = path.join(dir, 'h');
	try {
		const {code, stdout} = await run('curl', ['-s', '-o', '-', '-D', headerFile, '--max-time', '20', ...args], {maxBuffer: 64 << 20}).then(
			({stdout}) => ({code: 0, stdout}),
			(error: {code: number; stdout?: string}) => ({code: error.code, stdout: error.stdout ?? ''}),
		);
		const headers = fs.existsSync(headerFile) ? fs.readFileSync(headerFile, 'utf8') : '';
		const status = Number(/^HTTP\/[\d.]+ (\d{3})/m.exec(headers)?.[1] ?? 0);
		return {code, status, headers, body: stdout};
	} finally {
		fs.rmSync(dir, {recursive: true, force: true});
	}
}

interface Serving {
	readonly child: ChildProcess;
	readonly port: number;
	stderr(): string;
}

async function startServe(args: readonly string[]): Promise<Serving> {
	const child = spawn(process.execPath, [CLI, 'serve', '--interval', '1s', '--node', 'local', ...args], {stdio: ['ignore', 'pipe', 'pipe']});
	let stderr = '';
	child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		const port = Number(/serving \/metrics on https?:\/\/[^:]+:(\d+)/.exec(stderr)?.[1]);
		if (port) return {child, port, stderr: () => stderr};
		if (child.exitCode !== null) break;
		await new Promise((r) => setTimeout(r, 50));
	}
	child.kill('SIGKILL');
	throw new Error(`crimon serve did not start: ${stderr}`);
}

function exitOf(args: readonly string[]): Promise<{code: number | null; stderr: string}> {
	const child = spawn(process.execPath, [CLI, 'serve', '--node', 'ssh://127.0.0.1:1', ...args], {stdio: ['ignore', 'ignore', 'pipe']});
	let stderr = '';
	child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
	return new Promise((resolve) => child.once('exit', (code) => resolve({code, stderr})));
}

describe.skipIf(skipWithoutTools())('crimon serve --web-config, against curl', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crimon-fleet-tls-'));
	const file = (name: string) => path.join(dir, name);
	const password = 'fleet-pw-\u00e9 with space';
	const running: Serving[] = [];
	let tlsAuth: Serving;
	let mtls: Serving;

	const openssl = (...args: string[]) => execFileSync('openssl', args, {cwd: dir, stdio: ['ignore', 'ignore', 'pipe']});
	function makeCa(name: string): void {
		openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
	}
	function makeSigned(name: string, ca: string, extensions: string): void {
		fs.writeFileSync(file(`${name}.ext`), extensions);
		openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
		openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
	}

	beforeAll(async () => {
		makeCa('ca');
		makeCa('other-ca');
		makeSigned('server', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
		makeSigned('client', 'ca', 'extendedKeyUsage=clientAuth\n');
		makeSigned('stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
		// htpasswd -nbBC 10 prints "user:$2y$10$…"; the web config takes the hash after the colon.
		const line = execFileSync('htpasswd', ['-nbBC', '10', 'prometheus', password], {encoding: 'utf8'}).trim();
		const hash = line.slice(line.indexOf(':') + 1);
		fs.writeFileSync(file('web.yml'), `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: ${hash}\n`);
		fs.writeFileSync(file('mtls.yml'), `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\nbasic_auth_users:\n  prometheus: ${hash}\n`);
		[tlsAuth, mtls] = await Promise.all([startServe(['--listen', '127.0.0.1:0', '--web-config', file('web.yml')]), startServe(['--listen', '127.0.0.1:0', '--web-config', file('mtls.yml')])]);
		running.push(tlsAuth, mtls);
	});

	afterAll(() => {
		for (const serving of running) serving.child.kill('SIGTERM');
		fs.rmSync(dir, {recursive: true, force: true});
	});

	const url = (serving: Serving, scheme = 'https') => `${scheme}://127.0.0.1:${serving.port}/metrics`;

	it('1: the right user and password over TLS get 200 and the metrics', async () => {
		expect(tlsAuth.stderr()).toContain(`serving /metrics on https://127.0.0.1:${tlsAuth.port}`);
		let response: Curl | undefined;
		// The first poll of the local node fills the store; until then the body is empty.
		for (let i = 0; i < 100 && !response?.body.includes('crimon_node_up'); i++) {
			response = await curl(['--cacert', file('ca.crt'), '-u', `prometheus:${password}`, url(tlsAuth)]);
			if (!response.body.includes('crimon_node_up')) await new Promise((r) => setTimeout(r, 200));
		}
		expect(response!.status).toBe(200);
		expect(response!.body).toMatch(/^crimon_node_up\{node="[^"]+"\} 1$/m);
	});

	it('2: no credentials get 401 with a WWW-Authenticate challenge, and no metrics', async () => {
		const response = await curl(['--cacert', file('ca.crt'), url(tlsAuth)]);
		expect(response.status).toBe(401);
		expect(response.headers).toMatch(/^www-authenticate: Basic realm="crimon"/im);
		expect(response.body).not.toContain('crimon_');
	});

	it('3: a wrong password, or a user not listed, get 401', async () => {
		for (const credentials of [`prometheus:${password}x`, 'prometheus:', `nobody:${password}`]) {
			const response = await curl(['--cacert', file('ca.crt'), '-u', credentials, url(tlsAuth)]);
			expect(response.status, credentials).toBe(401);
			expect(response.body).not.toContain('crimon_');
		}
	});

	it('4: plain HTTP to the TLS port gets no metrics', async () => {
		const response = await curl(['-u', `prometheus:${password}`, url(tlsAuth, 'http')]);
		expect(response.code).not.toBe(0);
		expect(response.status).not.toBe(200);
		expect(response.body).not.toContain('crimon_');
	});

	it('5: a non-loopback address without a web config is refused (exit 2, one line), unless --insecure-listen', async () => {
		const refused = await exitOf(['--listen', '0.0.0.0:0']);
		expect(refused.code).toBe(2);
		expect(refused.stderr).toBe('crimon: refusing to serve plain, unauthenticated HTTP on 0.0.0.0:0 (not loopback): add --web-config FILE (TLS and basic auth), or --insecure-listen to accept the risk\n');
		const insecure = await startServe(['--listen', '0.0.0.0:0', '--insecure-listen']);
		running.push(insecure);
		expect((await curl([`http://127.0.0.1:${insecure.port}/healthz`])).status).toBe(200);
		const secured = await startServe(['--listen', '0.0.0.0:0', '--web-config', file('web.yml')]);
		running.push(secured);
		expect((await curl(['--cacert', file('ca.crt'), url(secured)])).status).toBe(401);
	});

	it('6: with client_auth_type RequireAndVerifyClientCert, only a client certificate its CA signed gets through', async () => {
		const signed = await curl(['--cacert', file('ca.crt'), '--cert', file('client.crt'), '--key', file('client.key'), '-u', `prometheus:${password}`, url(mtls)]);
		expect(signed.status).toBe(200);
		const none = await curl(['--cacert', file('ca.crt'), '-u', `prometheus:${password}`, url(mtls)]);
		expect(none.status).toBe(0);
		expect(none.body).not.toContain('crimon_');
		const stranger = await curl(['--cacert', file('ca.crt'), '--cert', file('stranger.crt'), '--key', file('stranger.key'), '-u', `prometheus:${password}`, url(mtls)]);
		expect(stranger.status).toBe(0);
		expect(stranger.body).not.toContain('crimon_');
		// The certificate alone is not enough while users are listed.
		const noPassword = await curl(['--cacert', file('ca.crt'), '--cert', file('client.crt'), '--key', file('client.key'), url(mtls)]);
		expect(noPassword.status).toBe(401);
	});

	it('a real Prometheus scrapes it with the scrape config docs/fleet.md shows (TLS and basic auth)', async () => {
		if (spawnSync('sh', ['-c', 'command -v prometheus']).status !== 0) {
			if (process.env.CRIMON_LAB_REQUIRED === '1') throw new Error('prometheus is not installed');
			console.warn('skipped the Prometheus scrape: prometheus is not installed');
			return;
		}
		const docs = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'fleet.md'), 'utf8');
		const block = /<!-- scrape-config[^>]*-->\n```yaml\n([\s\S]*?)```\n<!-- \/scrape-config -->/.exec(docs)?.[1];
		expect(block).toBeDefined();
		fs.writeFileSync(file('password'), password);
		const config = block!
			.replace('/etc/prometheus/crimon-ca.crt', file('ca.crt'))
			.replace('/etc/prometheus/crimon-password', file('password'))
			.replace(/targets: \[.*\]/, `targets: ['127.0.0.1:${tlsAuth.port}']`);
		fs.writeFileSync(file('prometheus.yml'), `global:\n  scrape_interval: 1s\n${config}`);
		const check = spawnSync('promtool', ['check', 'config', file('prometheus.yml')], {encoding: 'utf8'});
		expect(check.status, check.stdout + check.stderr).toBe(0);
		const port = await new Promise<number>((resolve) => {
			const probe = net.createServer().listen(0, '127.0.0.1', () => {
				const {port: free} = probe.address() as net.AddressInfo;
				probe.close(() => resolve(free));
			});
		});
		const prometheus = spawn('prometheus', [`--config.file=${file('prometheus.yml')}`, `--storage.tsdb.path=${file('tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], {stdio: ['ignore', 'ignore', 'pipe']});
		let log = '';
		prometheus.stderr.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
		try {
			let up: string | undefined;
			let nodeUp: string | undefined;
			for (const end = Date.now() + 60_000; Date.now() < end && (up !== '1' || nodeUp !== '1'); await new Promise((r) => setTimeout(r, 500))) {
				const query = async (q: string) => {
					// Until it is ready Prometheus answers 503 in plain text ("Service Unavailable"), or nothing.
					const answer = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`)
						.then((r) => (r.ok ? (r.json() as Promise<{data?: {result?: {value: [number, string]}[]}}>) : undefined))
						.catch(() => undefined);
					return answer?.data?.result?.[0]?.value[1];
				};
				up = await query('up{job="crimon"}');
				nodeUp = await query('crimon_node_up{job="crimon"}');
			}
			expect(up, log).toBe('1');
			expect(nodeUp, log).toBe('1');
		} finally {
			prometheus.kill('SIGTERM');
			await new Promise((r) => prometheus.once('exit', r));
		}
	}, 90_000);

	it('a bad web config is a usage error naming the file and the key', async () => {
		fs.writeFileSync(file('typo.yml'), 'basic_auth_user:\n  prometheus: x\n');
		const typo = await exitOf(['--web-config', file('typo.yml')]);
		expect(typo.code).toBe(2);
		expect(typo.stderr).toBe(`crimon: ${file('typo.yml')}: unknown key "basic_auth_user" (crimon reads: tls_server_config, basic_auth_users, http_server_config)\n`);
		fs.writeFileSync(file('nokey.yml'), 'tls_server_config:\n  cert_file: server.crt\n  key_file: missing.key\n');
		const missing = await exitOf(['--web-config', file('nokey.yml')]);
		expect(missing.code).toBe(2);
		expect(missing.stderr).toBe(`crimon: ${file('nokey.yml')}: tls_server_config.key_file: cannot read ${file('missing.key')} (no such file)\n`);
		fs.writeFileSync(file('swapped.yml'), 'tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n');
		const swapped = await exitOf(['--web-config', file('swapped.yml')]);
		expect(swapped.code).toBe(2);
		expect(swapped.stderr).toMatch(new RegExp(`^crimon: ${file('swapped.yml').replace(/[.]/g, '\\.')}: tls_server_config\\.cert_file: .+\\n$`));
	});
});
