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
		if (isContiguous(view.shape, view.strides)) {
			return source.slice(view.offset, view.offset + size) as TypedArray;
		}
		const target = typedArrayFor(view.dtype, size);
		const out = {
			storage: { data: target },
			shape: view.shape,
			strides: contiguousStrides(view.shape),
			offset: 0,
			dtype: view.dtype
		};
		copy(view, out);
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
