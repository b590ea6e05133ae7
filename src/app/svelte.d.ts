// `tsc` checks the TypeScript modules; .svelte files are compiled (and their TS stripped) by vite.
declare module '*.svelte' {
  import type { Component } from 'svelte';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const component: Component<any>;
  export default component;
}
