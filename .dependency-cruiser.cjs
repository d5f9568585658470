/** The layer rules (README, Layout): the domain imports only the domain; application never imports adapters. */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment: 'src/domain is pure: no application, infrastructure, presentation, npm packages or node built-ins.',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'application-not-to-adapters',
      severity: 'error',
      comment: 'Use cases talk to ports they own; adapters live in infrastructure/presentation.',
      from: { path: '^src/application/' },
      to: { path: '^src/(infrastructure|presentation)/' },
    },
    {
      name: 'application-no-sdks',
      severity: 'error',
      comment: 'No SDK imports in use cases (kafkajs, mysql2, undici, ...).',
      from: { path: '^src/application/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'infrastructure-not-to-presentation',
      severity: 'error',
      from: { path: '^src/infrastructure/' },
      to: { path: '^src/presentation/' },
    },
    {
      name: 'composition-is-the-top',
      severity: 'error',
      comment: 'src/composition wires adapters into use cases; only presentation (the driving side) asks it for them.',
      from: { path: '^src/(domain|application|infrastructure)/' },
      to: { path: '^src/composition/' },
    },
    {
      name: 'presentation-not-to-adapters',
      severity: 'error',
      comment:
        'Presentation parses flags, calls src/composition and prints; composition builds every adapter and SDK client. So presentation ' +
        'imports no SDK (kafkajs, mysql2, undici, the schema registry client, avsc) and no MySQL, Kafka or Toss adapter, except for ' +
        'their types. Still allowed: infrastructure/config (presentation reads the configuration), logging (it logs), health and ' +
        "metrics (the consumer's /metrics endpoint and the Pushgateway push are presentation concerns), calendar, and " +
        "kafka/settlement-schema-file.ts (a file path for `schema check --schema`'s default, no client).",
      from: { path: '^src/presentation/' },
      to: {
        path: ['^src/infrastructure/(mysql|kafka|toss)/', '^node_modules/(kafkajs|mysql2|undici|avsc|@kafkajs/confluent-schema-registry)/'],
        pathNot: '^src/infrastructure/kafka/settlement-schema-file\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'src-not-to-bench-or-test',
      severity: 'error',
      comment: 'What ships (src) never imports the benchmarks (bench/) or test code (test/): neither is in the image or the package.',
      from: { path: '^src/' },
      to: { path: '^(bench|test)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
  },
};
