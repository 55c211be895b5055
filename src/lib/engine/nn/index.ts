/**
 * torch.nn: Module and Parameter, the layers and losses, and the `functional`, `init` and
 * `utils` namespaces.
 */
export {
	Module,
	type AnyModule,
	type ForwardHook,
	type ForwardPreHook,
	type RemovableHandle
} from './module';
export type { BackwardHook } from './backward-hooks';
export { Parameter } from './parameter';
export { Sequential, ModuleList, ModuleDict } from './containers';
export { Linear, Identity, Flatten } from './linear';
export { ReLU, Sigmoid, Tanh, GELU, LeakyReLU, Softmax, LogSoftmax } from './activation';
export { Dropout } from './dropout';
export {
	BatchNorm1d,
	LayerNorm,
	type BatchNormOptions,
	type LayerNormOptions
} from './normalization';
export {
	MSELoss,
	L1Loss,
	NLLLoss,
	CrossEntropyLoss,
	BCELoss,
	BCEWithLogitsLoss,
	type Reduction
} from './loss';
export * as functional from '../functional';
export * as init from '../init';
export * as utils from './utils';

import { BatchNorm1d, LayerNorm } from './normalization';
import { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss } from './loss';
import { ModuleDict, ModuleList, Sequential } from './containers';
import { Dropout } from './dropout';
import { Flatten, Identity, Linear } from './linear';
import { GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from './activation';
import { Module, nameModules } from './module';

// Every module class exported above, so the built app prints PyTorch's names.
nameModules({
	Module,
	Sequential,
	ModuleList,
	ModuleDict,
	Linear,
	Identity,
	Flatten,
	ReLU,
	Sigmoid,
	Tanh,
	GELU,
	LeakyReLU,
	Softmax,
	LogSoftmax,
	Dropout,
	BatchNorm1d,
	LayerNorm,
	MSELoss,
	L1Loss,
	NLLLoss,
	CrossEntropyLoss,
	BCELoss,
	BCEWithLogitsLoss
});
