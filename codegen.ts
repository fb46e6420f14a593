// The README's "Typed client" config, for the operations written with graphql(`...`) in test/.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  // The printed schema: it keeps @oneOf (CompanyRef takes an id or a name, not both).
  schema: 'schema.graphql',
  documents: ['test/**/*.ts', '!test/generated/**'],
  ignoreNoDocuments: false,
  // Generated imports end in .js, as moduleResolution NodeNext requires.
  emitLegacyCommonJSImports: false,
  generates: {
    'test/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Date: 'string', JSON: 'unknown', ID: 'string', File: 'File', _Any: 'unknown' },
      },
    },
  },
};

export default config;
