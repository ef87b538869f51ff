import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
		// The lab suites drive real daemons and sshd; they get room, the unit suites do not need it.
		testTimeout: 20_000,
		hookTimeout: 120_000,
		pool: 'forks',
		// vitest's summary counts skipped tests among its total; the second reporter says how many ran.
		reporters: ['default', './test/support/ran-reporter.ts'],
		env: {FORCE_COLOR: '0', NO_COLOR: '1'},
	},
});
