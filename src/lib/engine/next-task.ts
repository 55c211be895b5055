/** A task boundary that engine and notebook code await to let the event loop run. */

type Resolve = () => void;
let channel: { port: MessagePort; waiting: Resolve[] } | null = null;

/**
 * Resolves in a new macrotask. Node gets `setImmediate`, because a MessagePort that posts to
 * itself keeps Node in its poll phase and starves timers. Browsers get a MessageChannel
 * message, because they clamp nested `setTimeout(0)` calls to 4 ms.
 */
export function nextMacrotask(): Promise<void> {
	if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
	if (typeof MessageChannel !== 'function') return new Promise((r) => setTimeout(r, 0));
	channel ??= openChannel();
	const { port, waiting } = channel;
	return new Promise<void>((resolve) => {
		waiting.push(resolve);
		port.postMessage(null);
	});
}

function openChannel(): { port: MessagePort; waiting: Resolve[] } {
	const { port1, port2 } = new MessageChannel();
	const waiting: Resolve[] = [];
	port1.onmessage = () => waiting.shift()?.();
	return { port: port2, waiting };
}
