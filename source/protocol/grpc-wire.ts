/**
 * Small facts of gRPC over HTTP/2 that the client checks on every call: the request's
 * `grpc-timeout` header, the answer's `content-type`, and what an HTTP/2 RST_STREAM
 * code means. Pure, so each is tested on its own.
 */

/** gRPC's TimeoutValue is at most 8 ASCII digits; the unit is picked so the value fits. */
const TIMEOUT_UNITS: readonly (readonly [unit: string, ms: number])[] = [
	['m', 1], ['S', 1000], ['M', 60_000], ['H', 3_600_000],
];
const MAX_TIMEOUT_DIGITS = 99_999_999;

/** `grpc-timeout` for a bound in milliseconds: rounded up (never earlier than asked), at least 1 ms. */
export function grpcTimeoutHeader(timeoutMs: number): string {
	const ms = Number.isFinite(timeoutMs) ? Math.max(1, Math.ceil(timeoutMs)) : Number.MAX_SAFE_INTEGER;
	for (const [unit, size] of TIMEOUT_UNITS) {
		const value = Math.ceil(ms / size);
		if (value <= MAX_TIMEOUT_DIGITS) return `${value}${unit}`;
	}
	// Past 99,999,999 hours (11,000 years): the largest value the header can carry.
	return `${MAX_TIMEOUT_DIGITS}H`;
}

/**
 * A gRPC answer's content-type: `application/grpc`, optionally `+proto` (what crimon
 * speaks), optionally with parameters. `+json` and other codecs are not protobuf bytes.
 */
export function isGrpcContentType(value: string | undefined): boolean {
	if (value === undefined) return false;
	const type = value.split(';')[0]!.trim().toLowerCase();
	return type === 'application/grpc' || type === 'application/grpc+proto';
}

/** HTTP/2's error codes (RFC 9113 §7), by number, as RST_STREAM and GOAWAY carry them. */
const HTTP2_ERROR_NAMES: readonly string[] = [
	'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED',
	'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM',
	'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
];

export interface StreamReset {
	/** The HTTP/2 code's name, or `code N` for one RFC 9113 does not define. */
	readonly name: string;
	/** The gRPC status the gRPC spec maps the reset to (PROTOCOL.md, "Errors"). */
	readonly grpcCode: number;
	readonly message: string;
}

const RESET_TO_GRPC: Readonly<Record<string, number>> = {
	REFUSED_STREAM: 14, // unavailable: the server did not start the call, so it may be retried
	CANCEL: 1, // cancelled
	ENHANCE_YOUR_CALM: 8, // resource exhausted: the server thinks we are too chatty
	INADEQUATE_SECURITY: 7, // permission denied
};

/** What a server's RST_STREAM with this code tells the caller. */
export function describeStreamReset(code: number): StreamReset {
	const name = HTTP2_ERROR_NAMES[code] ?? `code ${code}`;
	const grpcCode = RESET_TO_GRPC[name] ?? 13; // every other reset is an internal error
	const why = name === 'REFUSED_STREAM' ? ' (it refused the call before starting it; too many calls at once?)' : '';
	return {name, grpcCode, message: `the server reset the stream with ${name}${why}`};
}

/**
 * RPCs crimon must never call, whatever asks. The CRI's GetContainerEvents is one stream per
 * runtime in containerd 1.7: a second reader takes events away from the kubelet's evented
 * PLEG, so a monitor that subscribed would make the kubelet miss container changes.
 */
const NEVER_CALLED_METHODS: readonly string[] = ['GetContainerEvents'];

export function refusedMethod(path: string): string | null {
	const method = path.slice(path.lastIndexOf('/') + 1);
	return NEVER_CALLED_METHODS.includes(method) ? `crimon never calls ${path}: it would take events from the kubelet` : null;
}
