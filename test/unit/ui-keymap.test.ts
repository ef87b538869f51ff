import {describe, expect, it} from 'vitest';
import {footerHints, helpLines, keyName, KEYMAP, resolveKey, type Command, type Mode} from '../../source/ui/keymap.js';
import {PANES} from '../../source/ui/panes.js';

const MODES: Mode[] = ['list', 'filter', 'details', 'compare', 'help'];

describe('keyName', () => {
	it('names keys the way the table spells them', () => {
		expect(keyName('', {tab: true})).toBe('tab');
		expect(keyName('', {tab: true, shift: true})).toBe('shift-tab');
		expect(keyName('', {upArrow: true})).toBe('up');
		expect(keyName('', {pageDown: true})).toBe('pagedown');
		expect(keyName('\r', {return: true})).toBe('enter');
		expect(keyName('\n', {})).toBe('enter');
		expect(keyName('', {escape: true, meta: true})).toBe('escape');
		expect(keyName('c', {ctrl: true})).toBe('ctrl-c');
		expect(keyName(' ', {})).toBe('space');
		expect(keyName('G', {shift: true})).toBe('G');
		expect(keyName('ab', {})).toBeNull();
	});
});

describe('the key table', () => {
	it('leaves the keys tmux and terminals take alone', () => {
		for (const binding of KEYMAP) {
			for (const key of Object.keys(binding.keys)) {
				if (key.startsWith('ctrl-')) expect(key).toBe('ctrl-c');
			}
		}
		for (const mode of MODES) for (const pane of PANES) for (const key of ['ctrl-a', 'ctrl-b', 'ctrl-d', 'ctrl-s', 'ctrl-z', 'ctrl-q']) expect(resolveKey(key, mode, pane)).toBeNull();
	});

	it('never binds one key twice where both would apply', () => {
		for (const mode of MODES) {
			for (const pane of PANES) {
				const seen = new Map<string, string>();
				for (const binding of KEYMAP) {
					if (!binding.modes.includes(mode) || (binding.panes && !binding.panes.includes(pane))) continue;
					for (const key of Object.keys(binding.keys)) {
						expect(seen.get(key), `${key} in ${mode}/${pane}`).toBeUndefined();
						seen.set(key, binding.label);
					}
				}
			}
		}
	});

	it('has the keys the issue asks for', () => {
		const expectations: [string, Mode, Command][] = [
			['tab', 'list', 'pane-next'], ['shift-tab', 'list', 'pane-prev'], [']', 'list', 'node-next'], ['[', 'list', 'node-prev'],
			['1', 'list', 'node-jump'], ['9', 'list', 'node-jump'], ['up', 'list', 'up'], ['down', 'list', 'down'], ['k', 'list', 'up'],
			['j', 'list', 'down'], ['pageup', 'list', 'page-up'], ['pagedown', 'list', 'page-down'], ['g', 'list', 'top'], ['G', 'list', 'bottom'],
			['enter', 'list', 'details'], ['space', 'list', 'fold-toggle'], ['left', 'list', 'fold'], ['right', 'list', 'unfold'],
			['/', 'list', 'filter'], ['escape', 'filter', 'back'], ['r', 'list', 'poll-now'], ['p', 'list', 'pause'],
			['?', 'list', 'help'], ['q', 'list', 'quit'], ['ctrl-c', 'list', 'quit'], ['ctrl-c', 'filter', 'quit'],
		];
		for (const [key, mode, command] of expectations) expect(resolveKey(key, mode, 'processes')?.command, key).toBe(command);
		expect(resolveKey('s', 'list', 'containers')?.command).toBe('sort');
		expect(resolveKey('s', 'list', 'processes')).toBeNull();
		expect(resolveKey('q', 'filter', 'processes')).toBeNull();
	});

	it('binds = to the compare view in every pane, and scrolls the text panes with the movement keys', () => {
		for (const pane of PANES) expect(resolveKey('=', 'list', pane)?.command).toBe('compare');
		expect(resolveKey('=', 'compare', 'processes')?.command).toBe('compare');
		expect(resolveKey('escape', 'compare', 'processes')?.command).toBe('back');
		expect(resolveKey('=', 'filter', 'processes')).toBeNull();
		for (const key of ['up', 'down', 'j', 'k', 'pageup', 'pagedown', 'g', 'G']) {
			expect(resolveKey(key, 'list', 'node'), key).not.toBeNull();
			expect(resolveKey(key, 'compare', 'processes'), key).not.toBeNull();
		}
		// The Node pane is text: no rows to open or filter.
		expect(resolveKey('enter', 'list', 'node')).toBeNull();
		expect(resolveKey('/', 'list', 'node')).toBeNull();
		expect(footerHints('compare', 'processes').map((h) => h.keys)).toEqual(expect.arrayContaining(['Esc', '=']));
		expect(helpLines().find((h) => h.keys === '=')?.where).toBe('lists, compare');
		expect(helpLines().find((h) => h.keys === '/')?.where).toBe('lists');
	});

	it('feeds the footer and the help screen from the same table', () => {
		const hints = footerHints('list', 'containers');
		expect(hints.slice(0, 2).map((h) => h.keys)).toEqual(['?', 'q']);
		expect(hints.map((h) => h.keys)).toContain('s');
		expect(footerHints('list', 'processes').map((h) => h.keys)).not.toContain('s');
		expect(footerHints('list', 'processes').map((h) => h.keys)).not.toContain('Esc');
		expect(footerHints('details', 'processes').map((h) => h.keys)).toContain('Esc');
		const labels = helpLines().map((h) => h.keys);
		for (const binding of KEYMAP.filter((b) => !b.hidden)) expect(labels).toContain(binding.label);
		for (const hint of [...footerHints('list', 'processes'), ...footerHints('list', 'containers')]) {
			expect(KEYMAP.some((b) => b.footer?.keys === hint.keys)).toBe(true);
		}
	});
});
