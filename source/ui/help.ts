/** Pure: the `?` screen, straight from the key table. */
import {helpLines, KEYMAP, type Binding} from './keymap.js';
import {fitSegments, wrapText, type Line} from './lines.js';
import {seg} from './row.js';

export function helpScreenLines(width: number, keymap: readonly Binding[] = KEYMAP): Line[] {
	const entries = helpLines(keymap);
	const keyWidth = Math.min(18, Math.max(...entries.map((e) => e.keys.length)) + 2);
	const textWidth = Math.max(10, width - keyWidth);
	const lines: Line[] = [fitSegments([seg('Keys', 'heading'), seg('  (Esc or ? closes this; ↑↓ scroll)', 'dim')], width)];
	for (const entry of entries) {
		const text = entry.where ? `${entry.description} [${entry.where}]` : entry.description;
		wrapText(text, textWidth).forEach((part, i) => {
			lines.push(fitSegments([seg((i === 0 ? entry.keys : '').padEnd(keyWidth), 'key'), seg(part)], width));
		});
	}
	lines.push(fitSegments([seg('Ctrl-A, Ctrl-D and other keys tmux and terminals use are left alone.', 'dim')], width));
	return lines;
}
