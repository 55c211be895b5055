// The playground needs a worker, WebGPU and Monaco, none of which exist on a server.
export const ssr = false;
export const prerender = false;
