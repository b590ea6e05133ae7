/**
 * A refusal to start WebGPU: the message is complete (cause and advice) and meant for the user.
 * Apart from webgpu-node.ts so that the CLI's entry can recognise it without loading tfjs.
 */
export class WebGpuUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuUnavailable';
  }
}
