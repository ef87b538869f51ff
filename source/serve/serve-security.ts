/**
 * What `crimon serve` puts in front of /metrics: the web config's TLS and users, and the
 * refusal to serve every node's process and container names in the clear, to anyone, on
 * an address others can reach, unless the operator says so by name (--insecure-listen).
 */
import {ArgsError} from '../util/usage-error.js';
import {createBasicAuth} from './basic-auth.js';
import {formatAddress, isLoopback, type ListenAddress} from './listen-address.js';
import type {ServerSecurity} from './metrics-server.js';
import {loadWebConfig, readTlsMaterial} from './web-config.js';

export function serverSecurity(address: ListenAddress, webConfigFile: string | null, insecureListen: boolean): ServerSecurity {
	if (webConfigFile === null) {
		if (!isLoopback(address.host) && !insecureListen) {
			throw new ArgsError(`refusing to serve plain, unauthenticated HTTP on ${formatAddress(address)} (not loopback): add --web-config FILE (TLS and basic auth), or --insecure-listen to accept the risk`);
		}
		return {tls: null, auth: null};
	}
	const config = loadWebConfig(webConfigFile);
	const material = readTlsMaterial(config);
	return {
		tls: config.tls && material ? {settings: config.tls, material} : null,
		auth: config.users.size > 0 ? createBasicAuth(config.users) : null,
	};
}
