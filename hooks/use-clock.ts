/** The time, refreshed every `everyMs`, for the ages in the tab bar and the footer. */
import {useEffect, useState} from 'react';

export function useClock(everyMs: number, now: () => number = Date.now): number {
	const [time, setTime] = useState(now);
	useEffect(() => {
		if (everyMs <= 0) return;
		// Tick on whole seconds so every age on screen changes in the same frame.
		let timer: NodeJS.Timeout;
		const schedule = () => {
			timer = setTimeout(() => {
				setTime(now());
				schedule();
			}, everyMs - (now() % everyMs) + 5);
		};
		schedule();
		return () => clearTimeout(timer);
	}, [everyMs, now]);
	return time;
}
