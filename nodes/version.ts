import packageJson from '../package.json' with { type: 'json' };

/** The node pack's version, as run records state it. */
export const NODE_PACK_VERSION: string = packageJson.version;
