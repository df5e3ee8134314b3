/** WeCom's side of the callback protocol lives with the demo, which ships it; tests use the same one. */
export * from '../../src/demo/wecom-platform';
