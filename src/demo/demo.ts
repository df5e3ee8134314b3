/**
 * `npm run demo`: the whole bot on its embedded store with a WeCom emulator page.
 * The emulator, demo roster and dashboard are not built yet; until then this says so and exits.
 */
process.stdout.write(
  [
    '月报 demo: not yet available.',
    'The demo (a WeCom emulator page, a demo roster and the staff dashboard) is still being built.',
    'Meanwhile: `npm test` runs the whole suite, and `npm start` runs the server (see README.md).',
    '',
  ].join('\n'),
);
