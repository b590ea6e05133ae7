// One pthread of tfjs-wasm's threaded build under Node (see wasm-threads-node.ts): a worker thread
// that runs tfjs's own pthread script, as shipped in the package, in a CommonJS-like scope.
'use strict';
const vm = require('node:vm');
const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');

// The main thread sends the module's source as a Blob, and the script turns it into an object URL to
// read as a file, which Node cannot do: point it at the package's copy of that source instead.
const moduleSource = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
URL.createObjectURL = () => moduleSource;
URL.revokeObjectURL = () => {};

// The package's string holds `"\n"` as real newlines inside string literals; tfjs escapes them the same way.
const script = wasmWorkerContents.replace(/\n/g, '\\n');
vm.runInThisContext(`(function (require, __filename) {${script}\n})`, { filename: 'tfjs-backend-wasm-threaded-simd.worker.js' })(require, __filename);
