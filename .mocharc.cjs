// Shared mocha settings. The files to run are named on the command line (scripts/test.mjs names the suites),
// so `npx mocha test/unit/http.test.ts` runs just that file.
module.exports = {
  'node-option': ['import=tsx'],
  extension: ['ts'],
  timeout: 20000,
  exit: true,
};
