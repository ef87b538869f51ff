import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {escapeText, textWidth} from '../../source/render/terminal-text.js';
import {fitSegments, wrapText} from '../../source/ui/lines.js';
import {seg} from '../../source/ui/row.js';

const text = fc.oneof(fc.string(), fc.string({unit: 'grapheme'}), fc.constantFrom('日本語テキスト', 'e\u0301', '🙂🙂', 'abc'));

describe('fitSegments', () => {
	it('always yields exactly the width asked for', () => {
		fc.assert(
			fc.property(fc.array(text, {maxLength: 6}), fc.integer({min: 1, max: 120}), (texts, width) => {
				const line = fitSegments(texts.map((t) => seg(escapeText(t))), width);
				const w = textWidth(line.map((s) => s.text).join(''));
				// A wide character that would straddle the edge leaves one column short, never over.
				expect(w).toBeLessThanOrEqual(width);
				expect(w).toBeGreaterThanOrEqual(width - 1);
			}),
		);
	});

	it('marks a cut with an ellipsis in the last column', () => {
		expect(fitSegments([seg('abc'), seg('def')], 4).map((s) => s.text).join('')).toBe('abc…');
		expect(fitSegments([seg('abcdef')], 4).map((s) => s.text).join('')).toBe('abc…');
		expect(fitSegments([seg('ab'), seg('cd')], 4).map((s) => s.text).join('')).toBe('abcd');
		expect(fitSegments([seg('ab')], 4).map((s) => s.text).join('')).toBe('ab  ');
	});
});

describe('wrapText', () => {
	it('keeps every line within the width and loses no character but spaces at breaks', () => {
		fc.assert(
			fc.property(text, fc.integer({min: 2, max: 80}), (raw, width) => {
				const escaped = escapeText(raw);
				const lines = wrapText(escaped, width);
				for (const line of lines) expect(textWidth(line)).toBeLessThanOrEqual(width);
				expect(lines.join('').replace(/ /g, '')).toBe(escaped.replace(/ /g, ''));
			}),
		);
	});

	it('breaks at a space when one is near the end', () => {
		expect(wrapText('aaaa bbbb cccc', 10)).toEqual(['aaaa bbbb', 'cccc']);
		expect(wrapText('abcdefghijkl', 5)).toEqual(['abcde', 'fghij', 'kl']);
	});
});
