/**
 * A stdin that says it is a terminal and takes key presses from the test, the way Ink's
 * own tests inject input: it records every raw-mode switch so a test can tell whether the
 * app touched the terminal at all.
 */
import {EventEmitter} from 'node:events';

export class FakeStdin extends EventEmitter {
	readonly rawModes: boolean[] = [];
	private readonly pending: string[] = [];

	constructor(public isTTY = true) {
		super();
	}

	setRawMode(mode: boolean) {
		this.rawModes.push(mode);
		return this;
	}
	setEncoding() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
	read() {
		return this.pending.shift() ?? null;
	}
	/** Sends text or a key sequence as if typed. */
	type(text: string) {
		this.pending.push(text);
		this.emit('readable');
	}
}
