import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
		// The lab suites drive real daemons and sshd; they get room, the unit suites do not need it.
		testTimeout: 20_000,
		hookTimeout: 120_000,
		pool: 'forks',
		env: {FORCE_COLOR: '0', NO_COLOR: '1'},
	},
});
