/** The WeCom API stand-in lives with the demo, which ships it; tests use the same one. */
export * from '../../src/demo/wecom-api-emulator';
