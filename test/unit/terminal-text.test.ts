import {describe, expect, it} from 'vitest';
import {cell, escapeText, fitText, isTerminalSafe, textWidth, truncateText} from '../../source/render/terminal-text.js';

describe('escapeText', () => {
	it('shows an OSC title change as visible escapes', () => {
		expect(escapeText('a\u001b]0;OWNED\u0007b')).toBe('a\\x1b]0;OWNED\\x07b');
	});
	it('escapes C1 controls, DEL and bidi overrides', () => {
		expect(escapeText('\u009b2J\u007f\u202eevil\u2066')).toBe('\\x9b2J\\x7f\\u202eevil\\u2066');
	});
	it('names tabs and newlines', () => {
		expect(escapeText('a\tb\nc')).toBe('a\\tb\\nc');
	});
	it('leaves ordinary and wide text alone', () => {
		expect(escapeText('nginx -g daemon off; 日本')).toBe('nginx -g daemon off; 日本');
		expect(isTerminalSafe('日本')).toBe(true);
	});
});

describe('widths', () => {
	it('counts wide characters as two columns and zero-width as none', () => {
		expect(textWidth('日本')).toBe(4);
		expect(textWidth('e\u0301')).toBe(1);
	});
	it('never splits a wide character when truncating', () => {
		expect(truncateText('日本語テキスト', 6)).toBe('日本…');
		expect(textWidth(truncateText('日本語テキスト', 6))).toBeLessThanOrEqual(6);
	});
	it('pads to exact columns', () => {
		expect(fitText('ab', 4)).toBe('ab  ');
		expect(fitText('ab', 4, 'right')).toBe('  ab');
		expect(textWidth(cell('日本語テキスト', 7))).toBe(7);
	});
});
