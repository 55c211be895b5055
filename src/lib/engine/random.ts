/**
 * torch 1.13's CPU random number generator, reproduced bit for bit on typed arrays: the
 * Mersenne Twister `Generator`, and the float32 and integer samplers built on it.
 */

export {
	DEFAULT_RNG_SEED,
	Generator,
	LEGACY_RNG_STATE_BYTES,
	RNG_STATE_BYTES,
	defaultGenerator
} from './random/generator';
export {
	VECTORISED_NORMAL_MIN,
	bernoulliFromProbs,
	bernoulliFromProbsFloat64,
	bernoulliScalar,
	dropoutFloat32,
	kaimingUniformLinearBound,
	nextStandardNormalFloat64,
	nextUniformFloat32,
	nextUniformFloat64,
	normalFloat32,
	normalFloat32Serial,
	uniformFloat32
} from './random/distributions';
export {
	dataLoaderEpochOrder,
	randintFloat32,
	randintValues,
	randomInt63,
	randomSplitIndices,
	randpermValues
} from './random/integers';
export { cephesLogFloat32, cephesSinCosFloat32, fma32 } from './random/float32-math';
