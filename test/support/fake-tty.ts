/**
 * A terminal's two ends for tests, typed as what they stand for: tty's ReadStream and
 * WriteStream are net.Sockets with a few terminal members, and so are these (sockets that
 * never connect), so they pass where the app wants process.stdin and process.stdout without
 * a cast. The input end takes key presses from the test, the way Ink's own tests inject
 * input, and records every raw-mode switch so a test can tell whether the app touched the
 * terminal at all; the output end keeps what was written.
 */
import net from 'node:net';
import type tty from 'node:tty';

export class FakeStdin extends net.Socket implements tty.ReadStream {
	readonly rawModes: boolean[] = [];
	isRaw = false;
	private readonly keys: string[] = [];

	constructor(public isTTY = true) {
		super();
	}

	setRawMode(mode: boolean): this {
		this.rawModes.push(mode);
		this.isRaw = mode;
		return this;
	}
	// Nothing flows from a socket that never connects: the test's keys are all there is.
	override setEncoding(): this {
		return this;
	}
	override resume(): this {
		return this;
	}
	override pause(): this {
		return this;
	}
	override ref(): this {
		return this;
	}
	override unref(): this {
		return this;
	}
	/** The next key press; read(0) (the stream machinery's poll) takes none. */
	override read(size?: number): string | null {
		if (size === 0) return null;
		return this.keys.shift() ?? null;
	}
	/** Sends text or a key sequence as if typed. */
	type(text: string) {
		this.keys.push(text);
		this.emit('readable');
	}
}

export class FakeStdout extends net.Socket implements tty.WriteStream {
	columns = 80;
	rows = 24;
	readonly chunks: string[] = [];

	constructor(public isTTY = true) {
		super();
	}

	override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
		this.chunks.push(String(chunk));
		callback();
	}
	get output(): string {
		return this.chunks.join('');
	}
	clearLine(_dir: tty.Direction, callback?: () => void): boolean {
		callback?.();
		return true;
	}
	clearScreenDown(callback?: () => void): boolean {
		callback?.();
		return true;
	}
	cursorTo(_x: number, yOrCallback?: number | (() => void), callback?: () => void): boolean {
		(typeof yOrCallback === 'function' ? yOrCallback : callback)?.();
		return true;
	}
	moveCursor(_dx: number, _dy: number, callback?: () => void): boolean {
		callback?.();
		return true;
	}
	getColorDepth(): number {
		return 8;
	}
	hasColors(): boolean {
		return true;
	}
	getWindowSize(): [number, number] {
		return [this.columns, this.rows];
	}
}
