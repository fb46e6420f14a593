import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for the tests (and a model for client users): the operations written with
// graphql(`...`) in test/ are checked against schema.graphql and typed end to end.
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/**/*.ts', '!test/generated/**'],
  ignoreNoDocuments: false,
  emitLegacyCommonJSImports: false,
  generates: {
    'test/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Date: 'string', JSON: 'unknown', ID: 'string', File: 'File' },
      },
    },
  },
};

export default config;
