import { describe, expect, test } from 'vitest';
import { TabPresence, type ChannelLike } from '../../../src/lib/share/tab-presence';

/** Channels that deliver to each other asynchronously, as BroadcastChannel does across tabs. */
class Hub {
	channels = new Set<ChannelLike>();

	open(): ChannelLike {
		const channel: ChannelLike = {
			onmessage: null,
			postMessage: (message) => {
				for (const other of this.channels) {
					if (other === channel) continue;
					queueMicrotask(() => other.onmessage?.({ data: message } as MessageEvent));
				}
			},
			close: () => void this.channels.delete(channel)
		};
		this.channels.add(channel);
		return channel;
	}
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function tab(hub: Hub, key: string) {
	const counts: number[] = [];
	const presence = new TabPresence(key, {
		channel: hub.open(),
		onChange: (count) => counts.push(count)
	});
	return { presence, counts };
}

describe('TabPresence', () => {
	test('two tabs with one notebook each see the other', async () => {
		const hub = new Hub();
		const first = tab(hub, 'autosave:a');
		const second = tab(hub, 'autosave:a');
		await settle();

		expect(first.presence.otherTabs).toBe(1);
		expect(second.presence.otherTabs).toBe(1);
		expect(first.counts).toEqual([1]);
	});

	test('tabs with other notebooks are not counted', async () => {
		const hub = new Hub();
		const first = tab(hub, 'autosave:a');
		tab(hub, 'autosave:b');
		await settle();

		expect(first.presence.otherTabs).toBe(0);
		expect(first.counts).toEqual([]);
	});

	test('close() tells the other tab', async () => {
		const hub = new Hub();
		const first = tab(hub, 'autosave:a');
		const second = tab(hub, 'autosave:a');
		await settle();

		second.presence.close();
		await settle();

		expect(first.presence.otherTabs).toBe(0);
		expect(first.counts).toEqual([1, 0]);
	});

	test('malformed messages are ignored', async () => {
		const hub = new Hub();
		const first = tab(hub, 'autosave:a');
		const intruder = hub.open();
		intruder.postMessage({ kind: 'open', key: 'autosave:a', tab: 7 });
		intruder.postMessage('open');
		intruder.postMessage(null);
		await settle();

		expect(first.presence.otherTabs).toBe(0);
	});

	test('a missing channel reports no tab and does not throw', () => {
		const presence = new TabPresence('autosave:a', { channel: null, onChange: () => {} });
		expect(presence.otherTabs).toBe(0);
		expect(() => presence.close()).not.toThrow();
	});
});
