// Parser: swc, because dependency-cruiser 17 loads only TypeScript < 7 (ours is 7, with no JS API); the patch below turns on swc's tsx mode.
const swc = require("@swc/core");

// dependency-cruiser 17 parses every file as TypeScript without tsx mode, so the first JSX element stops the run
// (fixed in 18, which needs Node 22). swc reads `import type` like any import, so type-only dependencies count too.
const parseFileSync = swc.parseFileSync;
swc.parseFileSync = (file, options) => parseFileSync(file, { ...options, tsx: options?.tsx ?? /\.[jt]sx$/.test(file) });

const APP = "^(app/|i18n/|proxy\\.ts$|instrumentation\\.ts$)";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No import cycles anywhere, type-only ones included.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "components-not-to-app",
      comment: "Layers point one way: app → components → lib → db. A component gets what it needs from app as props.",
      severity: "error",
      from: { path: "^components/" },
      to: { path: APP },
    },
    {
      name: "lib-not-to-app",
      comment: "Layers point one way: app → components → lib → db.",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: APP },
    },
    {
      name: "lib-not-to-components",
      comment: "Layers point one way: app → components → lib → db.",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: "^components/" },
    },
    {
      name: "db-not-to-lib",
      comment: "Layers point one way: app → components → lib → db. The caller passes in what db code needs from lib.",
      severity: "error",
      from: { path: "^db/" },
      to: { path: "^lib/" },
    },
    {
      name: "db-not-to-app-or-components",
      comment: "Layers point one way: app → components → lib → db.",
      severity: "error",
      from: { path: "^db/" },
      to: { path: `${APP}|^components/` },
    },
    {
      name: "not-to-test-code",
      comment: "Shipped code does not import browser tests, benchmarks or test helpers (tests beside the code may).",
      severity: "error",
      from: { path: `${APP}|^(components|lib|db)/`, pathNot: "\\.test\\.tsx?$" },
      to: { path: "^(e2e|bench|tests)/" },
    },
    {
      name: "not-to-unresolvable",
      comment: "An import the cruiser cannot resolve is an edge no rule above can see.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    parser: "swc",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
