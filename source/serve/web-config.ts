/**
 * `crimon serve --web-config FILE`: the Prometheus exporter-toolkit web config, so the
 * file an operator already writes for node_exporter works for crimon too:
 *
 *   tls_server_config:
 *     cert_file: server.crt          # relative paths are from the config file's directory
 *     key_file: server.key
 *     client_auth_type: RequireAndVerifyClientCert   # mTLS; default NoClientCert
 *     client_ca_file: clients-ca.crt
 *     min_version: TLS12
 *   basic_auth_users:
 *     prometheus: $2y$10$…           # htpasswd -nbBC 10 USER PASSWORD
 *
 * Unknown keys are refused, as exporter-toolkit refuses them: a misspelt `basic_auth_users`
 * silently ignored would leave the metrics open. Every error names the file and the key.
 */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import {loadYaml} from '../util/lazy-modules.js';
import {isRecord} from '../collect/json-shape.js';
import {UsageError} from '../util/usage-error.js';

export class WebConfigError extends UsageError {}

export type ClientAuthType = 'NoClientCert' | 'RequestClientCert' | 'RequireAnyClientCert' | 'VerifyClientCertIfGiven' | 'RequireAndVerifyClientCert';
const CLIENT_AUTH_TYPES: readonly ClientAuthType[] = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];

type TlsVersion = 'TLSv1.2' | 'TLSv1.3';
const TLS_VERSIONS: Readonly<Record<string, TlsVersion>> = {TLS12: 'TLSv1.2', TLS13: 'TLSv1.3'};

export interface TlsSettings {
	readonly certFile: string;
	readonly keyFile: string;
	readonly clientCaFile: string | null;
	readonly clientAuthType: ClientAuthType;
	readonly minVersion: TlsVersion;
	readonly maxVersion: TlsVersion | null;
}

export interface WebConfig {
	readonly file: string;
	readonly tls: TlsSettings | null;
	/** user → bcrypt hash ($2a$, $2b$ or $2y$, as htpasswd -B writes them). */
	readonly users: ReadonlyMap<string, string>;
}

const TOP_KEYS = new Set(['tls_server_config', 'basic_auth_users', 'http_server_config']);
const TLS_KEYS = new Set(['cert_file', 'key_file', 'client_auth_type', 'client_ca_file', 'min_version', 'max_version']);
const HTTP_KEYS = new Set(['http2']);
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

function unknownKeys(value: Record<string, unknown>, known: ReadonlySet<string>, where: string): void {
	for (const key of Object.keys(value)) {
		if (!known.has(key)) throw new WebConfigError(`${where}: unknown key "${key}" (crimon reads: ${[...known].join(', ')})`);
	}
}

function fileKey(value: unknown, where: string, directory: string): string {
	if (typeof value !== 'string' || value.trim() === '') throw new WebConfigError(`${where} wants a file path`);
	return path.resolve(directory, value.trim());
}

function parseTls(value: unknown, where: string, directory: string): TlsSettings {
	if (!isRecord(value)) throw new WebConfigError(`${where} wants a mapping (cert_file, key_file, …)`);
	unknownKeys(value, TLS_KEYS, where);
	if (value.cert_file === undefined) throw new WebConfigError(`${where}.cert_file is missing: TLS needs a certificate`);
	if (value.key_file === undefined) throw new WebConfigError(`${where}.key_file is missing: TLS needs the certificate's key`);
	const clientAuthType = value.client_auth_type ?? 'NoClientCert';
	if (typeof clientAuthType !== 'string' || !CLIENT_AUTH_TYPES.includes(clientAuthType as ClientAuthType)) {
		throw new WebConfigError(`${where}.client_auth_type wants one of ${CLIENT_AUTH_TYPES.join(', ')}, not ${JSON.stringify(clientAuthType)}`);
	}
	const clientCaFile = value.client_ca_file === undefined ? null : fileKey(value.client_ca_file, `${where}.client_ca_file`, directory);
	// As exporter-toolkit: a CA with nothing to check against it, or a check with no CA, is a mistake.
	if (clientCaFile !== null && clientAuthType === 'NoClientCert') throw new WebConfigError(`${where}.client_ca_file is set but client_auth_type is NoClientCert: say RequireAndVerifyClientCert (or VerifyClientCertIfGiven)`);
	if (clientCaFile === null && (clientAuthType === 'RequireAndVerifyClientCert' || clientAuthType === 'VerifyClientCertIfGiven')) {
		throw new WebConfigError(`${where}.client_auth_type ${clientAuthType} needs client_ca_file (the CA that signs the clients' certificates)`);
	}
	const version = (key: 'min_version' | 'max_version'): TlsVersion | null => {
		const raw = value[key];
		if (raw === undefined) return null;
		const mapped = typeof raw === 'string' ? TLS_VERSIONS[raw] : undefined;
		if (!mapped) throw new WebConfigError(`${where}.${key} wants TLS12 or TLS13, not ${JSON.stringify(raw)}`);
		return mapped;
	};
	return {
		certFile: fileKey(value.cert_file, `${where}.cert_file`, directory),
		keyFile: fileKey(value.key_file, `${where}.key_file`, directory),
		clientCaFile,
		clientAuthType: clientAuthType as ClientAuthType,
		minVersion: version('min_version') ?? 'TLSv1.2',
		maxVersion: version('max_version'),
	};
}

function parseUsers(value: unknown, where: string): Map<string, string> {
	if (!isRecord(value)) throw new WebConfigError(`${where} wants a mapping of user: bcrypt hash`);
	const users = new Map<string, string>();
	for (const [user, hash] of Object.entries(value)) {
		if (user === '' || user.includes(':')) throw new WebConfigError(`${where}: "${user}" cannot be a user name (empty, or has a colon)`);
		if (typeof hash !== 'string' || !BCRYPT.test(hash.trim())) {
			throw new WebConfigError(`${where}.${user} wants a bcrypt hash ($2y$10$…, as htpasswd -nbBC 10 ${user} PASSWORD prints after the colon)`);
		}
		users.set(user, hash.trim());
	}
	if (users.size === 0) throw new WebConfigError(`${where} lists no users`);
	return users;
}

/** Pure: the text of a web config → its settings. Relative paths resolve against `file`'s directory. */
export function parseWebConfig(source: string, file: string): WebConfig {
	const document = loadYaml().parseDocument(source, {prettyErrors: false, uniqueKeys: true});
	if (document.errors.length > 0) throw new WebConfigError(`${file}: not valid YAML (${document.errors[0]!.message.split('\n')[0]})`);
	const root: unknown = document.toJS() ?? {};
	if (!isRecord(root)) throw new WebConfigError(`${file}: the top level must be a mapping (tls_server_config, basic_auth_users)`);
	unknownKeys(root, TOP_KEYS, file);
	if (root.http_server_config !== undefined) {
		if (!isRecord(root.http_server_config)) throw new WebConfigError(`${file}: http_server_config wants a mapping`);
		unknownKeys(root.http_server_config, HTTP_KEYS, `${file}: http_server_config`);
	}
	const directory = path.dirname(path.resolve(file));
	const tls = root.tls_server_config === undefined || root.tls_server_config === null ? null : parseTls(root.tls_server_config, `${file}: tls_server_config`, directory);
	const users = root.basic_auth_users === undefined || root.basic_auth_users === null ? new Map<string, string>() : parseUsers(root.basic_auth_users, `${file}: basic_auth_users`);
	if (tls === null && users.size === 0) throw new WebConfigError(`${file}: neither tls_server_config nor basic_auth_users is set, so it protects nothing`);
	return {file, tls, users};
}

export interface TlsMaterial {
	readonly cert: Buffer;
	readonly key: Buffer;
	readonly ca: Buffer | null;
}

function readKeyFile(file: string, where: string): Buffer {
	try {
		return fs.readFileSync(file);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new WebConfigError(`${where}: cannot read ${file} (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? String(error)})`);
	}
}

/** The certificate, key and client CA named in the config, read now (at start-up). */
export function readTlsMaterial(config: WebConfig): TlsMaterial | null {
	if (config.tls === null) return null;
	const where = `${config.file}: tls_server_config`;
	const material = {
		cert: readKeyFile(config.tls.certFile, `${where}.cert_file`),
		key: readKeyFile(config.tls.keyFile, `${where}.key_file`),
		ca: config.tls.clientCaFile === null ? null : readKeyFile(config.tls.clientCaFile, `${where}.client_ca_file`),
	};
	// Each part alone first, so the message names the key whose file is wrong.
	const check = (key: string, options: tls.SecureContextOptions) => {
		try {
			tls.createSecureContext(options);
		} catch (error) {
			throw new WebConfigError(`${where}.${key}: ${(error as Error).message.split('\n')[0]}`);
		}
	};
	check('cert_file', {cert: material.cert});
	check('key_file', {key: material.key});
	check('cert_file and key_file', {cert: material.cert, key: material.key});
	if (material.ca) check('client_ca_file', {ca: material.ca});
	return material;
}

export function loadWebConfig(file: string): WebConfig {
	let source: string;
	try {
		source = fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new WebConfigError(`--web-config ${file}: cannot read it (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? String(error)})`);
	}
	return parseWebConfig(source, file);
}
