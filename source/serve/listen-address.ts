/**
 * Pure: `--listen ADDR` → host and port. crimon serve binds loopback unless told
 * otherwise: a bare PORT or :PORT means 127.0.0.1. The default port, 10274, lies outside
 * 9100–9999 (Prometheus's exporter range, all of it taken) and outside the ports
 * Kubernetes' own components listen on (10248–10259).
 */
import net from 'node:net';
import {ArgsError} from '../util/usage-error.js';

const DEFAULT_PORT = 10274;
export const DEFAULT_LISTEN = `127.0.0.1:${DEFAULT_PORT}`;

export interface ListenAddress {
	readonly host: string;
	readonly port: number;
}

function port(text: string, whole: string): number {
	if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new ArgsError(`--listen wants PORT, HOST:PORT or [IPv6]:PORT, not "${whole}"`);
	return Number(text);
}

export function parseListenAddress(text: string): ListenAddress {
	const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
	if (bracketed) {
		if (net.isIPv6(bracketed[1]!) === false) throw new ArgsError(`--listen: "${bracketed[1]}" is not an IPv6 address`);
		return {host: bracketed[1]!, port: port(bracketed[2]!, text)};
	}
	if (/^:?\d+$/.test(text)) return {host: '127.0.0.1', port: port(text.replace(/^:/, ''), text)};
	const colon = text.lastIndexOf(':');
	if (colon <= 0 || text.indexOf(':') !== colon) throw new ArgsError(`--listen wants PORT, HOST:PORT or [IPv6]:PORT, not "${text}"`);
	const host = text.slice(0, colon);
	if (!/^[A-Za-z0-9.-]+$/.test(host)) throw new ArgsError(`--listen: "${host}" is not a host name or address`);
	return {host, port: port(text.slice(colon + 1), text)};
}

export function formatAddress(address: ListenAddress): string {
	return net.isIPv6(address.host) ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/**
 * Whether only this machine can reach the address: 127.0.0.0/8, ::1 or localhost. Any other
 * name may resolve to an interface others reach, so it counts as exposed.
 */
export function isLoopback(host: string): boolean {
	if (host === 'localhost' || host === '::1') return true;
	return net.isIPv4(host) && host.startsWith('127.');
}
