/**
 * Notices other tabs of this browser that have the same notebook open, through a
 * BroadcastChannel, so the page can warn that both tabs autosave to one entry and the tab that
 * saves last wins. Each tab announces itself on open, answers announcements for its notebook,
 * and says goodbye when it closes or the page is hidden for the back-forward cache.
 *
 * Where BroadcastChannel is missing or throws (some sandboxed frames), no tab is ever reported,
 * and nothing throws.
 */

const CHANNEL_NAME = 'gradient-playground:tabs';

type PresenceMessage = { kind: 'open' | 'here' | 'close'; key: string; tab: string };

/** The part of BroadcastChannel used here, so tests can pass a stand-in. */
export interface ChannelLike {
	postMessage(message: unknown): void;
	close(): void;
	onmessage: ((event: MessageEvent) => void) | null;
}

export interface TabPresenceOptions {
	/** Called with the number of other tabs whenever it changes. */
	onChange: (otherTabs: number) => void;
	/** Defaults to a BroadcastChannel; null turns detection off. */
	channel?: ChannelLike | null;
}

export class TabPresence {
	readonly key: string;
	readonly tab = Math.random().toString(36).slice(2);
	#channel: ChannelLike | null;
	#others = new Set<string>();
	#onChange: (otherTabs: number) => void;
	#listening = false;

	/** Starts announcing this tab for the notebook stored under `key` (its autosave key). */
	constructor(key: string, options: TabPresenceOptions) {
		this.key = key;
		this.#onChange = options.onChange;
		this.#channel = options.channel === undefined ? openChannel() : options.channel;
		if (!this.#channel) return;

		this.#channel.onmessage = (event) => this.#receive(event.data);
		if (typeof addEventListener === 'function') {
			addEventListener('pagehide', this.#hide);
			addEventListener('pageshow', this.#show);
			this.#listening = true;
		}
		this.#post('open');
	}

	/** Number of other tabs that have announced this notebook and not closed it. */
	get otherTabs(): number {
		return this.#others.size;
	}

	close(): void {
		if (!this.#channel) return;
		this.#post('close');
		this.#channel.close();
		this.#channel = null;
		if (this.#listening) {
			removeEventListener('pagehide', this.#hide);
			removeEventListener('pageshow', this.#show);
		}
	}

	#hide = (): void => this.#post('close');

	#show = (event: Event): void => {
		// A page restored from the back-forward cache was announced as closed when it was hidden.
		if ((event as PageTransitionEvent).persisted) this.#post('open');
	};

	#receive(data: unknown): void {
		if (!isPresenceMessage(data) || data.key !== this.key || data.tab === this.tab) return;

		const before = this.#others.size;
		if (data.kind === 'close') this.#others.delete(data.tab);
		else this.#others.add(data.tab);
		// Answer a newcomer, so that it learns about this tab too.
		if (data.kind === 'open') this.#post('here');
		if (this.#others.size !== before) this.#onChange(this.#others.size);
	}

	#post(kind: PresenceMessage['kind']): void {
		try {
			this.#channel?.postMessage({ kind, key: this.key, tab: this.tab });
		} catch {
			// A closed or unusable channel only means other tabs are not told.
		}
	}
}

function openChannel(): ChannelLike | null {
	try {
		return typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : null;
	} catch {
		return null;
	}
}

function isPresenceMessage(value: unknown): value is PresenceMessage {
	if (typeof value !== 'object' || value === null) return false;
	const { kind, key, tab } = value as Record<string, unknown>;
	return (
		(kind === 'open' || kind === 'here' || kind === 'close') &&
		typeof key === 'string' &&
		typeof tab === 'string'
	);
}
