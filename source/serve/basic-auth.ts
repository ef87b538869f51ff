/**
 * HTTP basic auth against bcrypt hashes (the web config's basic_auth_users). The answer
 * takes the same work whoever asks: an unknown user is checked against a dummy hash of
 * the same cost, and the final comparison is crypto.timingSafeEqual, so neither timing
 * nor the 401 tells which user names exist.
 *
 * bcrypt at cost 10 is ~90 ms of pure JS here, on every scrape of every Prometheus: a
 * credential once verified is remembered (as a SHA-256 of user, hash and password, never
 * the password) for the life of this verifier, as exporter-toolkit caches its checks.
 */
import crypto from 'node:crypto';
import bcrypt from 'bcryptjs';

export interface BasicAuth {
	/** True when the Authorization header holds a listed user and that user's password. */
	check(authorization: string | undefined): Promise<boolean>;
}

const MAX_REMEMBERED = 64;

function digest(...parts: readonly string[]): Buffer {
	const hash = crypto.createHash('sha256');
	for (const part of parts) hash.update(String(part.length)).update(':').update(part);
	return hash.digest();
}

/** Authorization: Basic base64(user:password) → its two halves, or null. */
export function parseBasicAuthorization(header: string | undefined): {user: string; password: string} | null {
	if (header === undefined) return null;
	const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
	if (!match) return null;
	const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return null;
	return {user: decoded.slice(0, colon), password: decoded.slice(colon + 1)};
}

export function createBasicAuth(users: ReadonlyMap<string, string>): BasicAuth {
	const cost = Math.max(10, ...[...users.values()].map((hash) => bcrypt.getRounds(hash)));
	const dummy = bcrypt.hashSync(crypto.randomBytes(16).toString('hex'), bcrypt.genSaltSync(cost));
	const remembered: Buffer[] = [];
	return {
		async check(authorization) {
			const given = parseBasicAuthorization(authorization);
			if (given === null) return false;
			const listed = users.get(given.user);
			const stored = listed ?? dummy;
			const key = digest(given.user, stored, given.password);
			// Every remembered entry is compared, whether or not an earlier one matched.
			let known = false;
			for (const entry of remembered) known = crypto.timingSafeEqual(entry, key) || known;
			if (known) return listed !== undefined;
			// bcrypt of the given password with the stored salt, compared in constant time.
			const computed = Buffer.from(await bcrypt.hash(given.password, stored.slice(0, 29)));
			const expected = Buffer.from(stored);
			const same = computed.length === expected.length && crypto.timingSafeEqual(computed, expected);
			if (!same || listed === undefined) return false;
			remembered.push(key);
			if (remembered.length > MAX_REMEMBERED) remembered.shift();
			return true;
		},
	};
}
