/** `torch.device`: a named backend that `.to(device)` and `{ device }` options accept. */
import { ValueError } from './errors';

export type DeviceType = 'cpu' | 'cuda' | 'webgpu';

/** A device as `torch.device('cpu' | 'cuda' | 'webgpu')`; 'cuda' names the WebGPU backend. */
export class Device {
	readonly type: DeviceType;

	constructor(type: string) {
		const name = type.split(':')[0];
		if (name !== 'cpu' && name !== 'cuda' && name !== 'webgpu') {
			throw new ValueError(
				`device: expected 'cpu', 'cuda' or 'webgpu', got '${type}'. 'cuda' runs on the WebGPU backend.`
			);
		}
		this.type = name;
	}

	/** The backend that tensors on this device use. */
	get backend(): 'cpu' | 'webgpu' {
		return this.type === 'cpu' ? 'cpu' : 'webgpu';
	}

	toString(): string {
		return this.type;
	}
}

/** Creates a device, as `torch.device('cuda')`; a Device passes through. */
export function device(type: string | Device): Device {
	return type instanceof Device ? type : new Device(type);
}
