/**
 * The two mistakes that are the user's, not a node's: a command line crimon cannot read
 * (ArgsError: exit 2 with the usage), and a setting it can read but not use (UsageError:
 * a config file, a path, a listen address). Every floor may raise them; the CLI alone
 * decides how they end the run.
 */
export class ArgsError extends Error {
	override readonly name = 'ArgsError';
}

export class UsageError extends Error {
	override readonly name = 'UsageError';
}
