import {describe, expect, it} from 'vitest';
import {describeStreamReset, grpcTimeoutHeader, isGrpcContentType} from '../../source/protocol/grpc-wire.js';

describe('grpc-timeout', () => {
	it('keeps milliseconds while they fit in 8 digits, rounding up', () => {
		expect(grpcTimeoutHeader(5000)).toBe('5000m');
		expect(grpcTimeoutHeader(0.2)).toBe('1m');
		expect(grpcTimeoutHeader(0)).toBe('1m');
		expect(grpcTimeoutHeader(99_999_999)).toBe('99999999m');
	});
	it('moves to a coarser unit past 8 digits, never shortening the bound', () => {
		expect(grpcTimeoutHeader(100_000_000)).toBe('100000S');
		expect(grpcTimeoutHeader(100_000_001)).toBe('100001S');
		expect(grpcTimeoutHeader(1000 * 99_999_999 + 1)).toBe('1666667M');
		expect(grpcTimeoutHeader(Number.POSITIVE_INFINITY)).toMatch(/^\d{1,8}H$/);
		for (const ms of [1, 59_999, 1e9, 1e12, 1e15, 1e18, Number.MAX_VALUE]) {
			const header = grpcTimeoutHeader(ms);
			expect(header, String(ms)).toMatch(/^[1-9]\d{0,7}[mSMH]$/);
		}
	});
});

describe('content-type', () => {
	it('takes application/grpc with or without +proto and parameters', () => {
		for (const ok of ['application/grpc', 'application/grpc+proto', 'Application/GRPC', 'application/grpc; charset=utf-8']) expect(isGrpcContentType(ok), ok).toBe(true);
	});
	it('refuses anything else', () => {
		for (const bad of [undefined, '', 'text/html', 'application/grpc+json', 'application/grpc-web', 'application/json']) expect(isGrpcContentType(bad), String(bad)).toBe(false);
	});
});

describe('RST_STREAM', () => {
	it('names every HTTP/2 code and maps it to gRPC status as the gRPC spec does', () => {
		expect(describeStreamReset(7)).toMatchObject({name: 'REFUSED_STREAM', grpcCode: 14});
		expect(describeStreamReset(8)).toMatchObject({name: 'CANCEL', grpcCode: 1, message: 'the server reset the stream with CANCEL'});
		expect(describeStreamReset(11)).toMatchObject({name: 'ENHANCE_YOUR_CALM', grpcCode: 8});
		expect(describeStreamReset(12)).toMatchObject({name: 'INADEQUATE_SECURITY', grpcCode: 7});
		expect(describeStreamReset(2)).toMatchObject({name: 'INTERNAL_ERROR', grpcCode: 13});
		expect(describeStreamReset(1)).toMatchObject({name: 'PROTOCOL_ERROR', grpcCode: 13});
		expect(describeStreamReset(99)).toMatchObject({name: 'code 99', grpcCode: 13});
	});
});
