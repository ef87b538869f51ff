/** The terminal's size, following resizes. Only the app's root reads it; views get sizes as props. */
import {useEffect, useState} from 'react';

export interface TerminalSize {
	readonly columns: number;
	readonly rows: number;
}

function readSize(stream: {columns?: number; rows?: number}): TerminalSize {
	return {columns: stream.columns || 80, rows: stream.rows || 24};
}

export function useTerminalSize(stream: NodeJS.WriteStream): TerminalSize {
	const [size, setSize] = useState(() => readSize(stream));
	useEffect(() => {
		const update = () => {
			const next = readSize(stream);
			setSize((old) => (old.columns === next.columns && old.rows === next.rows ? old : next));
		};
		stream.on('resize', update);
		update();
		return () => {
			stream.off('resize', update);
		};
	}, [stream]);
	return size;
}
