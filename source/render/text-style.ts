/** Minimal ANSI styling for headless text; a no-op when colour is off. */
export type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'green' | 'cyan' | 'magenta';

const CODES: Record<Style, [number, number]> = {
	bold: [1, 22], dim: [2, 22], red: [31, 39], yellow: [33, 39], green: [32, 39], cyan: [36, 39], magenta: [35, 39],
};

export type Paint = (style: Style, text: string) => string;

export function painter(color: boolean): Paint {
	if (!color) return (_style, text) => text;
	return (style, text) => `\u001b[${CODES[style][0]}m${text}\u001b[${CODES[style][1]}m`;
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function wantsColor(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
	if (noColorFlag) return false;
	if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
	return stream.isTTY === true;
}
