/**
 * Vite plugin that keeps tfjs-wasm's threads working in a minified build.
 *
 * tfjs starts each wasm thread (a Web Worker) with the source of the threaded module factory,
 * taken by `factory.toString()`. Emscripten declares `_scriptDir` in an IIFE around that factory;
 * a minifier renames it (to `e`, say) and drops the factory's `typeof _scriptDir` guard, so in the
 * worker the factory throws "e is not defined" and the backend never starts. Declaring `_scriptDir`
 * inside the factory makes it self-contained, whatever the minifier does. (The dev server does not
 * minify and needs nothing.)
 */
import type { Plugin } from 'vite';

const THREADED_FACTORY = /[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;
const OUTER_DECLARATION = /^\s*var _scriptDir = [^\n]*\n\s*if \(typeof __filename !== 'undefined'\) _scriptDir = [^\n]*\n/m;
const FACTORY_HEAD = /return \(\s*function\(WasmBackendModuleThreadedSimd\) \{\n/;

export function selfContainedWasmThreads(): Plugin {
  return {
    name: 'lggan:self-contained-wasm-threads',
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      if (!THREADED_FACTORY.test(id.split('?')[0])) return null;
      const declaration = OUTER_DECLARATION.exec(code)?.[0];
      if (!declaration || !FACTORY_HEAD.test(code)) {
        // A tfjs upgrade changed the file: fail the build rather than ship wasm without threads.
        this.error('tfjs-backend-wasm-threaded-simd.js no longer has the shape selfContainedWasmThreads() rewrites: check the plugin against the new tfjs version');
      }
      return { code: code.replace(declaration, '').replace(FACTORY_HEAD, (head) => head + declaration), map: null };
    },
  };
}
