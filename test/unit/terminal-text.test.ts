import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {cell, escapeJson, escapeText, fitText, hasControlCharacter, isTerminalSafe, textWidth, truncateText} from '../../source/render/terminal-text.js';

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

/** Text weighted towards what a terminal acts on: controls, C1, the direction characters, and plain text between. */
const risky = fc.string({
	unit: fc.oneof(
		fc.integer({min: 0, max: 0xa0}).map((c) => String.fromCharCode(c)),
		fc.constantFrom('\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'),
		fc.constantFrom('\u200d', '\u2028', '\u0600', 'é', '語', 'x'),
	),
});
const DIRECTION = new Set([0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);
const actsOn = (char: string) => {
	const code = char.charCodeAt(0);
	return code < 0x20 || (code >= 0x7f && code <= 0x9f) || DIRECTION.has(code);
};

describe('the one escape, as properties', () => {
	it('escapeText leaves nothing a terminal acts on, and changes only what it must', () => {
		fc.assert(fc.property(risky, (text) => {
			const out = escapeText(text);
			expect(isTerminalSafe(out)).toBe(true);
			expect([...out].some(actsOn)).toBe(false);
			expect(isTerminalSafe(text)).toBe(![...text].some(actsOn));
			if (isTerminalSafe(text)) expect(out).toBe(text);
		}));
	});

	it('escapeJson keeps JSON lossless and terminal-safe', () => {
		fc.assert(fc.property(risky, fc.constantFrom(0, 2), (text, indent) => {
			const document = {name: text, labels: {[text]: text}, list: [text]};
			const json = escapeJson(JSON.stringify(document, null, indent));
			// Only the layout's own newlines are left raw: nothing from the data.
			expect([...json.replaceAll('\n', '')].some(actsOn)).toBe(false);
			expect(JSON.parse(json)).toEqual(document);
			if (indent === 0) expect(json).not.toContain('\n');
		}));
	});

	it('a control character is a key, not filter text; the direction characters are not controls', () => {
		fc.assert(fc.property(risky, (text) => {
			expect(hasControlCharacter(text)).toBe([...text].some((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f)));
		}));
		expect(hasControlCharacter('\u202e')).toBe(false);
	});
});
