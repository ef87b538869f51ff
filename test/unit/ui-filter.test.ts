import {describe, expect, it} from 'vitest';
import {haystackOf, makeMatcher} from '../../source/ui/filter.js';

describe('filter', () => {
	it('is off when empty or blank', () => {
		expect(makeMatcher('')).toBeNull();
		expect(makeMatcher('   ')).toBeNull();
	});

	it('matches case-insensitively, every word anywhere', () => {
		const hay = haystackOf('Web', 'K8s.IO', 'nginx -g daemon off;', 320, null, undefined, '');
		expect(hay).toBe('web\nk8s.io\nnginx -g daemon off;\n320');
		expect(makeMatcher('WEB')!(hay)).toBe(true);
		expect(makeMatcher('web k8s')!(hay)).toBe(true);
		expect(makeMatcher('web moby')!(hay)).toBe(false);
		expect(makeMatcher('daemon off')!(hay)).toBe(true);
		expect(makeMatcher('32')!(hay)).toBe(true);
	});
});
