/**
 * The floors of crimon, lowest first: a file may import its own floor and the ones below,
 * never one above. ARCHITECTURE.md says what each floor is for. `npm run check:imports`
 * holds this (npm test runs it).
 */
const FLOORS = [
	'source/util', 'source/schema', 'source/protocol', 'source/targets', 'source/transport', 'source/collect', 'source/events',
	'source/model', 'source/render', 'source/ui', 'source/config', 'source/snapshot-file', 'source/session', 'source/store',
	'source/serve', 'hooks', 'views', 'source/cli', 'cli.tsx',
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const floorPath = (floor) => `^${escape(floor)}(/|$)`;
const anyOf = (floors) => `(${floors.map(floorPath).join('|')})`;

const upward = FLOORS.slice(0, -1).map((floor, index) => ({
	name: `floor:${floor}`,
	comment: `${floor} sits below ${FLOORS.slice(index + 1).join(', ')}: it may not import them`,
	severity: 'error',
	from: {path: floorPath(floor)},
	to: {path: anyOf(FLOORS.slice(index + 1))},
}));

module.exports = {
	forbidden: [
		{name: 'no-cycle', comment: 'files import in one direction only', severity: 'error', from: {}, to: {circular: true}},
		...upward,
		{
			name: 'react-only-from-hooks-up',
			comment: 'below hooks everything is plain TypeScript: rows, panes and keys are pure, so headless runs and tests load no React',
			severity: 'error',
			from: {path: anyOf(FLOORS.slice(0, FLOORS.indexOf('hooks')))},
			to: {path: '(^|/)node_modules/(react|react-dom|ink|ink-testing-library)/'},
		},
		{name: 'no-test-code', comment: 'shipped code never imports tests, benches or scripts', severity: 'error', from: {path: anyOf(FLOORS)}, to: {path: '^(test|bench|scripts)/'}},
		{name: 'not-in-a-floor', comment: 'every source file sits on a floor', severity: 'error', from: {path: '^source/', pathNot: anyOf(FLOORS)}, to: {}},
	],
	options: {
		doNotFollow: {path: 'node_modules'},
		tsPreCompilationDeps: true,
		tsConfig: {fileName: 'tsconfig.json'},
		enhancedResolveOptions: {extensions: ['.ts', '.tsx', '.js']},
	},
};
