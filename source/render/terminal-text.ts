/**
 * Text that other people's processes chose (command lines, names, labels) is shown
 * only through these functions: control bytes and bidi overrides become visible escapes,
 * so nothing a node sends can move the cursor, retitle the terminal or reorder a line,
 * and widths are measured in terminal columns so wide characters keep tables aligned.
 */
import {eastAsianWidth} from 'get-east-asian-width';

// The one list of what a terminal acts on. Controls: C0, DEL and C1 (an ESC or a CSI starts
// a sequence, CR and BS overwrite). Direction: the bidi embeddings, overrides and isolates,
// and the invisible direction marks, which reorder a line just as well.
const C0 = '\\u0000-\\u001f';
const DEL_C1 = '\\u007f-\\u009f';
const DIRECTION = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE = new RegExp(`[${C0}${DEL_C1}${DIRECTION}]`, 'g');
const HAS_CONTROL = new RegExp(`[${C0}${DEL_C1}]`);
// JSON.stringify writes C0 inside strings as escapes itself; the newlines between its tokens are layout.
const RAW_IN_JSON = new RegExp(`[${DEL_C1}${DIRECTION}]`, 'g');

const NAMED: Record<string, string> = {'\t': '\\t', '\n': '\\n', '\r': '\\r'};

function escapeChar(char: string): string {
	const named = NAMED[char];
	if (named) return named;
	const code = char.charCodeAt(0);
	return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Makes untrusted text safe to print: every control and bidi character becomes a visible escape. */
export function escapeText(text: string): string {
	UNSAFE.lastIndex = 0;
	if (!UNSAFE.test(text)) return text;
	UNSAFE.lastIndex = 0;
	return text.replace(UNSAFE, escapeChar);
}

/** True when the text holds nothing a terminal would act on. */
export function isTerminalSafe(text: string): boolean {
	UNSAFE.lastIndex = 0;
	return !UNSAFE.test(text);
}

/** True when the text holds a control character (C0, DEL, C1): a key, not text to type. */
export function hasControlCharacter(text: string): boolean {
	return HAS_CONTROL.test(text);
}

const unicodeEscape = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON.stringify's output made terminal-safe and still lossless: JSON.stringify already writes C0 controls
 * as `\u001b`, but leaves DEL, C1 and the direction characters raw; these become `\uXXXX`,
 * which every JSON reader turns back into the same text.
 */
export function escapeJson(json: string): string {
	RAW_IN_JSON.lastIndex = 0;
	if (!RAW_IN_JSON.test(json)) return json;
	RAW_IN_JSON.lastIndex = 0;
	return json.replace(RAW_IN_JSON, unicodeEscape);
}

// Plain ASCII is by far the common case, and measuring it needs no tables.
// eslint-disable-next-line no-control-regex
const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;

// Combining marks, format characters (zero-width joiner and friends) and variation
// selectors take no column of their own.
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\u{fe00}-\u{fe0f}]$/u;

function charWidth(char: string): number {
	const code = char.codePointAt(0)!;
	if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0;
	if (ZERO_WIDTH.test(char)) return 0;
	return eastAsianWidth(code);
}

/** Columns the text takes in a terminal. (Not string-width: its emoji tables cost startup time the headless path cannot spare.) */
export function textWidth(text: string): number {
	if (PRINTABLE_ASCII.test(text)) return text.length;
	let width = 0;
	for (const char of text) width += charWidth(char);
	return width;
}

export const ELLIPSIS = '…';

/**
 * Cuts already-escaped text to at most `width` columns, marking the cut with an ellipsis.
 * Works by code points so a wide character is never split.
 */
export function truncateText(text: string, width: number): string {
	if (width <= 0) return '';
	if (textWidth(text) <= width) return text;
	if (PRINTABLE_ASCII.test(text)) return text.slice(0, width - 1) + ELLIPSIS;
	let out = '';
	let used = 0;
	for (const char of text) {
		const w = charWidth(char);
		if (used + w > width - 1) break;
		out += char;
		used += w;
	}
	return out + ELLIPSIS;
}

/** Pads (or cuts) to exactly `width` columns. */
export function fitText(text: string, width: number, align: 'left' | 'right' = 'left'): string {
	const cut = truncateText(text, width);
	const pad = ' '.repeat(Math.max(0, width - textWidth(cut)));
	return align === 'left' ? cut + pad : pad + cut;
}

/** The one call for showing untrusted text in a cell: escape, then fit. */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
	return fitText(escapeText(text), width, align);
}
