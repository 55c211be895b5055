import { describe, expect, test } from 'vitest';
import { torch, type Tensor } from '../../../../../src/lib/engine';

/** Distance in float32 units in the last place, via the ordered integer view of the bits. */
function ulpDistance(a: number, b: number): number {
	const bits = new Int32Array(new Float32Array([a, b]).buffer);
	const ordered = (i: number) => (bits[i] < 0 ? -2147483648 - bits[i] : bits[i]);
	return Math.abs(ordered(0) - ordered(1));
}

async function expectUlps(t: Tensor, expected: number[], maxUlps: number): Promise<void> {
	const actual = Array.from(await t.array());
	actual.forEach((v, i) => {
		const distance = ulpDistance(v, Math.fround(expected[i]));
		expect(distance, `element ${i}: engine ${v}, PyTorch ${expected[i]}`).toBeLessThanOrEqual(
			maxUlps
		);
	});
}

// Expected values are PyTorch 1.13 float32 CPU results.
describe('CPU transcendentals within 2 ulp of PyTorch', () => {
	test('tan and its gradient', async () => {
		const x = torch.tensor([2, -2], { requires_grad: true });
		const y = x.tan();
		await expectUlps(y, [-2.1850398, 2.1850398], 2);
		y.sum().backward();
		await expectUlps(x.grad as Tensor, [5.7743988, 5.7743988], 2);
	});

	test('sin gradient at 2 and sin with large arguments', async () => {
		const x = torch.tensor([2], { requires_grad: true });
		x.sin().backward();
		await expectUlps(x.grad as Tensor, [-0.41614684], 2);
		await expectUlps(torch.tensor([100, 1000]).sin(), [-0.50636566, 0.82687956], 2);
	});

	test('exp across the float32 range', async () => {
		const x = torch.tensor([-20, -1, 0.5, 10, 88]);
		await expectUlps(x.exp(), [2.0611537e-9, 0.36787945, 1.6487212, 22026.465, 1.6516363e38], 2);
	});

	test('exp(89) is exactly Infinity and exp(-104) exactly 0', async () => {
		const out = Array.from(await torch.tensor([89, -104]).exp().array());
		expect(out[0]).toBe(Infinity);
		expect(Object.is(out[1], 0)).toBe(true);
	});

	test('log across the float32 range', async () => {
		const x = torch.tensor([1e-30, 0.5, 1.0001, 2, 1e30]);
		await expectUlps(x.log(), [-69.077553, -0.69314718, 1.000116e-4, 0.69314718, 69.077553], 2);
	});

	test('sigmoid', async () => {
		const x = torch.tensor([-10, -1, 0, 1, 10]);
		await expectUlps(x.sigmoid(), [4.5397872e-5, 0.26894143, 0.5, 0.7310586, 0.99995458], 2);
	});

	test('tanh', async () => {
		const x = torch.tensor([-10, -1, 0, 1, 10]);
		await expectUlps(x.tanh(), [-1, -0.76159418, 0, 0.76159418, 1], 2);
	});
});

describe('elementwise edge semantics', () => {
	test('relu keeps -0 and NaN, clamp keeps NaN', async () => {
		const out = Array.from(await torch.tensor([-0, NaN, -1]).relu().array());
		expect(Object.is(out[0], -0)).toBe(true);
		expect(out[1]).toBeNaN();
		expect(out[2]).toBe(0);
		expect(Array.from(await torch.tensor([NaN, 5]).clamp(0, 1).array())).toEqual([NaN, 1]);
	});

	test('pow(-0, 0.5) is -0 as sqrt gives, with gradient -Infinity', async () => {
		const x = torch.tensor([-0], { requires_grad: true });
		const y = x.pow(0.5);
		expect(Object.is((await y.array())[0], -0)).toBe(true);
		y.backward(torch.ones(1));
		expect((await (x.grad as Tensor).array())[0]).toBe(-Infinity);
	});

	test('integer division gives float32', async () => {
		const x = torch.tensor([3, 4], { dtype: torch.int64 });
		const y = x.div(2);
		expect(y.dtype).toBe(torch.float32);
		expect(Array.from(await y.array())).toEqual([1.5, 2]);
	});

	test('a float32 op with a scalar rounds the scalar to float32', async () => {
		const y = torch.tensor([1]).mul(0.1);
		expect((await y.array())[0]).toBe(Math.fround(Math.fround(0.1)));
	});

	test('round ties to even as torch.round', async () => {
		expect(Array.from(await torch.tensor([0.5, 1.5, 2.5, -0.5]).round().array())).toEqual([
			0, 2, 2, -0
		]);
	});
});
