/**
 * Tones → Ink text props. With colour off (NO_COLOR) only attributes that are not
 * colour remain (bold, inverse), and the screen still reads: marks like ✓ ~ ✗ and the
 * cursor's › carry the meaning, never colour alone.
 */
import type {Tone} from './row.js';

export interface ToneStyle {
	readonly color?: string;
	readonly bold?: boolean;
	readonly dimColor?: boolean;
	readonly inverse?: boolean;
}

export interface Theme {
	readonly color: boolean;
	readonly tones: Readonly<Record<Tone, ToneStyle>>;
	readonly cursor: ToneStyle;
}

const COLOR_THEME: Theme = {
	color: true,
	tones: {
		plain: {},
		dim: {dimColor: true},
		heading: {bold: true},
		runtime: {color: 'cyan', bold: true},
		shim: {color: 'magenta'},
		container: {color: 'green'},
		sandbox: {color: 'gray'},
		pod: {color: 'blue'},
		namespace: {color: 'yellow', bold: true},
		ok: {color: 'green'},
		warn: {color: 'yellow'},
		bad: {color: 'red'},
		key: {color: 'cyan', bold: true},
		active: {bold: true, inverse: true},
	},
	cursor: {inverse: true},
};

export const MONO_THEME: Theme = {
	color: false,
	tones: {
		plain: {},
		dim: {},
		heading: {bold: true},
		runtime: {bold: true},
		shim: {},
		container: {},
		sandbox: {},
		pod: {},
		namespace: {bold: true},
		ok: {},
		warn: {},
		bad: {bold: true},
		key: {bold: true},
		active: {bold: true, inverse: true},
	},
	cursor: {inverse: true},
};

/** https://no-color.org: any non-empty NO_COLOR turns colour off. */
export function themeFor(env: NodeJS.ProcessEnv, forceMono = false): Theme {
	if (forceMono) return MONO_THEME;
	const noColor = env['NO_COLOR'];
	return noColor !== undefined && noColor !== '' ? MONO_THEME : COLOR_THEME;
}
