import {ArgsError} from './usage-error.js';

/**
 * The longest --interval or --timeout taken. Past it a value is a typo, not a choice; it
 * also keeps every timer within what setTimeout holds (24.8 days) and gRPC's
 * `grpc-timeout` within its 8 digits of milliseconds (27.7 hours).
 */
const MAX_DURATION_MS = 3_600_000;

const UNIT_MS: Readonly<Record<string, number>> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000};

/** "2" (seconds), "2s", "250ms", "1m30s", "1h" (as Go and Prometheus write them) → milliseconds. */
export function parseDuration(text: string, flag: string): number {
	const trimmed = text.trim();
	const bare = /^\d+(?:\.\d+)?$/.test(trimmed);
	if (!bare && !/^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(trimmed)) throw new ArgsError(`${flag} wants a duration like 2s, 250ms, 1m30s or 1h, not "${text}"`);
	const ms = bare ? Number(trimmed) * 1000 : [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)].reduce((sum, [, value, unit]) => sum + Number(value) * UNIT_MS[unit!]!, 0);
	if (ms < 100) throw new ArgsError(`${flag} must be at least 100ms`);
	if (ms > MAX_DURATION_MS) throw new ArgsError(`${flag} must be at most 1h (60m), not "${text}"`);
	return Math.round(ms);
}
