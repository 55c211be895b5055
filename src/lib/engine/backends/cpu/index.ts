/** The CPU backend: typed-array storage and plain-loop kernels, the reference for all others. */
import { bool, int64, typedArrayFor, type DType, type TypedArray } from '../../dtype';
import { contiguousStrides, isContiguous, numelOf } from '../../shape';
import type { Backend, StorageData, View } from '../backend';
import { allocateZeroed, reclaimTurn, recycleNow, recycleWhenCollected } from './allocator';
import { binary, copy, dataOf, fill, unary, where } from './elementwise';
import { gather, indexAdd, indexSelect, scatterAdd } from './indexing';
import { matmul } from './matmul';
import { argReduce, cumsum, reduce } from './reduce';

export const cpuBackend: Backend & { readSync(view: View): TypedArray } = {
	name: 'cpu',

	allocate(size: number, dtype: DType): StorageData {
		return allocateZeroed(dtype, size);
	},

	own(owner: object, data: StorageData): void {
		recycleWhenCollected(owner, data as TypedArray);
	},

	release(data: StorageData): void {
		recycleNow(data as TypedArray);
	},

	upload(values: ArrayLike<number>, dtype: DType): StorageData {
		const data = allocateZeroed(dtype, values.length);
		if (dtype === int64) for (let i = 0; i < values.length; i++) data[i] = Math.trunc(values[i]);
		else if (dtype === bool) for (let i = 0; i < values.length; i++) data[i] = values[i] ? 1 : 0;
		else data.set(values);
		return data;
	},

	async read(view: View): Promise<TypedArray> {
		const values = this.readSync(view);
		await reclaimTurn();
		return values;
	},

	readSync(view: View): TypedArray {
		const source = dataOf(view) as TypedArray;
		const size = numelOf(view.shape);
		let target: TypedArray;
		if (isContiguous(view.shape, view.strides)) {
			target = source.slice(view.offset, view.offset + size) as TypedArray;
		} else {
			target = typedArrayFor(view.dtype, size);
			const out = {
				storage: { data: target },
				shape: view.shape,
				strides: contiguousStrides(view.shape),
				offset: 0,
				dtype: view.dtype
			};
			copy(view, out);
		}
		// int64 values live in float64, where 0 * -1 or trunc(-0.5) gives -0. An integer has
		// no negative zero, so reads turn it into 0 (x + 0 is +0 for either zero).
		if (view.dtype === int64) for (let i = 0; i < target.length; i++) target[i] += 0;
		return target;
	},

	copy,
	fill,
	unary,
	binary,
	where,
	reduce,
	argReduce,
	matmul,
	gather,
	scatterAdd,
	indexSelect,
	indexAdd,
	cumsum
};
