/** What is wrong with a saved file, in one line (the CLI names the file before it). */
export class SnapshotProblem extends Error {
	override readonly name = 'SnapshotProblem';
}
