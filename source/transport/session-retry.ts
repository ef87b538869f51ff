/**
 * sshd counts a session against its MaxSessions until its main loop collects the closed
 * channel, and it can read the next open on the same connection before that: a burst of
 * short commands meets "no more sessions" (the client sees "open failed") with fewer of
 * crimon's channels open than the limit. A command that ran out of time holds its session
 * too, until the command ends on the node. Both refusals pass in moments, so the open is
 * asked again after a short wait, for as long as the caller's deadline allows.
 */

/** Waits between asks; the total (about 1.6 s) outlasts a busy sshd's collection lag. */
const RETRY_DELAYS_MS = [10, 25, 50, 100, 200, 400, 800] as const;

/** What sshd answers when a session channel cannot be opened now. */
export function isSessionRefusal(error: Error): boolean {
	// SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, with OpenSSH's own wording when it gives none.
	return (error as {reason?: unknown}).reason === 1 || /\bopen failed\b/i.test(error.message);
}

/** What to tell the user when the refusals outlast the waits. */
export function sessionRefusalAdvice(host: string, maxChannels: number): string {
	return `sshd on ${host} refused a new session (check MaxSessions in its sshd_config: crimon keeps at most ${maxChannels} channels open, and a command that timed out holds its session until it ends)`;
}

/**
 * Opens a session channel with `open`, asking again after a refusal while `timeLeftMs`
 * allows; `stop` says the caller no longer waits (its deadline passed).
 */
export function openSession<T>(
	open: (callback: (error: Error | undefined, channel: T) => void) => void,
	timeLeftMs: () => number,
	stop: () => boolean,
	onResult: (error: Error | undefined, channel: T) => void,
): void {
	let attempt = 0;
	const ask = (): void => {
		open((error, channel) => {
			const delay = RETRY_DELAYS_MS[attempt];
			if (error && isSessionRefusal(error) && delay !== undefined && timeLeftMs() > delay && !stop()) {
				attempt++;
				setTimeout(() => {
					if (stop()) onResult(error, channel);
					else ask();
				}, delay);
				return;
			}
			onResult(error, channel);
		});
	};
	ask();
}
