import { describe, expect, test } from 'vitest';
import { BufferPool, sizeClass } from '../../../../../src/lib/engine/backends/webgpu/buffer-pool';

/** Enough of a GPUDevice for the pool: buffers that record their size and destruction. */
function fakeDevice() {
	const created: { size: number; destroyed: boolean }[] = [];
	const device = {
		createBuffer({ size }: { size: number }) {
			const buffer = { size, destroyed: false, destroy: () => void (buffer.destroyed = true) };
			created.push(buffer);
			return buffer;
		}
	};
	return { device: device as unknown as GPUDevice, created };
}

describe('sizeClass', () => {
	test('sizeClass rounds up to four classes per power of two', () => {
		expect(sizeClass(1)).toBe(256);
		expect(sizeClass(256)).toBe(256);
		expect(sizeClass(257)).toBe(320);
		expect(sizeClass(4000)).toBe(4096);
		expect(sizeClass(4097)).toBe(5120);
		expect(sizeClass(134217732)).toBe(167772160);
	});

	test('sizeClass wastes at most a quarter', () => {
		for (let bytes = 257; bytes < 1 << 20; bytes = Math.ceil(bytes * 1.37)) {
			const size = sizeClass(bytes);
			expect(size).toBeGreaterThanOrEqual(bytes);
			expect(size / bytes).toBeLessThanOrEqual(1.25);
		}
	});
});

describe('BufferPool', () => {
	test('acquire reuses a released buffer of the same class', () => {
		const { device, created } = fakeDevice();
		const pool = new BufferPool(device, 0, 1 << 30);
		const first = pool.acquire(4000);
		expect(first.fresh).toBe(true);
		pool.release(first);
		const second = pool.acquire(3900);
		expect(second.buffer).toBe(first.buffer);
		expect(second.fresh).toBe(false);
		expect(created).toHaveLength(1);
	});

	test('release parks buffers until recorded work is submitted', () => {
		const { device } = fakeDevice();
		const pool = new BufferPool(device, 0, 1 << 30);
		const entry = pool.acquire(1000);
		pool.markWorkPending();
		pool.release(entry);
		expect(pool.acquire(1000).buffer).not.toBe(entry.buffer);
		pool.markSubmitted();
		expect(pool.acquire(1000).buffer).toBe(entry.buffer);
	});

	test('liveBytes, peakBytes and pooledBytes follow acquire and release', () => {
		const { device } = fakeDevice();
		const pool = new BufferPool(device, 0, 1 << 30);
		const a = pool.acquire(1024);
		const b = pool.acquire(2048);
		expect(pool.liveBytes).toBe(3072);
		pool.release(a);
		expect(pool.liveBytes).toBe(2048);
		expect(pool.pooledBytes).toBe(1024);
		expect(pool.peakBytes).toBe(3072);
		pool.resetPeak();
		expect(pool.peakBytes).toBe(2048);
		pool.release(b);
		expect(pool.liveBytes).toBe(0);
	});

	test('stats count bytes and buffers live, parked and pooled', () => {
		const { device } = fakeDevice();
		const pool = new BufferPool(device, 0, 1 << 30);
		const a = pool.acquire(1024);
		const b = pool.acquire(2048);
		pool.markWorkPending();
		pool.release(a);

		expect(pool.stats()).toEqual({
			liveBytes: 2048,
			peakBytes: 3072,
			parkedBytes: 1024,
			pooledBytes: 0,
			liveBuffers: 1,
			parkedBuffers: 1,
			pooledBuffers: 0,
			createdBuffers: 2
		});

		pool.markSubmitted();
		pool.release(b);
		pool.acquire(1000);
		expect(pool.stats()).toMatchObject({
			liveBytes: 1024,
			parkedBytes: 0,
			pooledBytes: 2048,
			liveBuffers: 1,
			parkedBuffers: 0,
			pooledBuffers: 1,
			createdBuffers: 2
		});

		pool.trim();
		expect(pool.stats()).toMatchObject({ pooledBytes: 0, pooledBuffers: 0 });
	});

	test('release twice is an internal error', () => {
		const { device } = fakeDevice();
		const pool = new BufferPool(device, 0, 1 << 30);
		const entry = pool.acquire(64);
		pool.release(entry);
		expect(() => pool.release(entry)).toThrow(/internal: GPU buffer released twice/);
	});

	test('acquire beyond the limit names the size, the limit and the CPU backend', () => {
		const { device } = fakeDevice();
		const pool = new BufferPool(device, 0, 268435456);
		expect(() => pool.acquire(400_000_000, () => 'tensor of 100,000,000 float32 elements')).toThrow(
			"webgpu: a tensor of 100,000,000 float32 elements of 400,000,000 bytes exceeds this device's largest buffer (maxBufferSize and maxStorageBufferBindingSize allow 268,435,456 bytes). Use torch.set_backend('cpu') for tensors this large, or split the tensor."
		);
	});

	test('free buffers beyond the pooled limit are destroyed, largest first', () => {
		const { device, created } = fakeDevice();
		const pool = new BufferPool(device, 0, 1 << 30, 8192);
		const entries = [pool.acquire(4096), pool.acquire(4096), pool.acquire(1024)];
		for (const entry of entries) pool.release(entry);
		expect(pool.pooledBytes).toBeLessThanOrEqual(8192);
		expect(created.filter((b) => b.destroyed).map((b) => b.size)).toEqual([4096]);
	});
});
