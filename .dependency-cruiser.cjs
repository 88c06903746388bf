// The house rules on imports, checked in `npm test` (npm run lint:deps).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Domains depend one way: a cycle means two domains should share an interface, not each other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment: 'Nor between folders: orders -> fulfilment -> orders through different files is still a cycle.',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'platform-imports-no-domain',
      severity: 'error',
      comment: 'platform/ is the ground floor (config, db, server, mail, storage): it knows no domain.',
      from: { path: '^src/platform/' },
      to: { path: '^src/', pathNot: '^src/platform/' },
    },
    {
      name: 'repo-only-from-its-folder',
      severity: 'error',
      comment: "Another domain calls a domain's service, never its tables.",
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/.*\\.repo\\.ts$', pathNot: '^src/$1/' },
    },
    {
      name: 'sql-only-in-repos',
      severity: 'error',
      comment: 'Kysely and sql only in *.repo.ts, migrations and the database module itself.',
      from: { pathNot: ['\\.repo\\.ts$', '^src/platform/db/', '^test/support/database\\.ts$'] },
      to: { path: 'node_modules/kysely/' },
    },
    {
      name: 'dev-only-from-development-entry',
      severity: 'error',
      comment: 'The bundled identity provider, gateway and SMTP sink never reach the production store.',
      from: { path: '^src/' },
      to: { path: '^dev/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^(node_modules|dist|\\.tools)/', '\\.test\\.tsx?$', '^test/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
