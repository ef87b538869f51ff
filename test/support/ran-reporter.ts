/**
 * A line after vitest's own summary that counts what ran: vitest's "Tests N" counts skipped
 * tests too, so a run where three lab tests skipped read as if all of them had run. This
 * says how many ran, and names each test that did not, with its file, so a skip is seen.
 */
import type {Reporter, TestModule} from 'vitest/node';

export default class RanReporter implements Reporter {
	onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
		let ran = 0;
		const notRun: string[] = [];
		for (const module of modules) {
			for (const test of module.children.allTests()) {
				const state = test.result().state;
				if (state === 'passed' || state === 'failed') ran++;
				else notRun.push(`${module.relativeModuleId}: ${test.fullName}`);
			}
		}
		const lines = [`ran ${ran} test${ran === 1 ? '' : 's'}${notRun.length > 0 ? `; ${notRun.length} did not run (skipped):` : ', every one collected'}`];
		for (const name of notRun.slice(0, 20)) lines.push(`  - ${name}`);
		if (notRun.length > 20) lines.push(`  … and ${notRun.length - 20} more`);
		process.stdout.write(lines.join('\n') + '\n');
	}
}
