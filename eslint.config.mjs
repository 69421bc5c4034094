import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const RAW_QUERY = 'Raw SQL goes through server/db/sql.ts (select/execute for tenant tables, platformSelect/platformExecute for platform.*).';
/** `sequelize.query(…)`, `this.sequelize.query(…)`, `Model.sequelize!.query(…)`: only server/db/sql.ts may call them. */
const rawQuery = [
  "CallExpression[callee.property.name='query'][callee.object.name='sequelize']",
  "CallExpression[callee.property.name='query'][callee.object.property.name='sequelize']",
  "CallExpression[callee.property.name='query'][callee.object.expression.property.name='sequelize']",
].map((selector) => ({ selector, message: RAW_QUERY }));

export default tseslint.config(
  { ignores: ['node_modules/', 'var/', 'public/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
    },
  },
  {
    files: ['server/**/*.ts'],
    ignores: ['server/db/sql.ts'],
    rules: { 'no-restricted-syntax': ['error', ...rawQuery] },
  },
  {
    // Thin routes: a route file parses input, calls one service, renders or redirects.
    files: ['server/**/routes.ts', 'server/**/*Routes.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '../tenancy/context', importNames: ['inTenant', 'readInTenant'], message: 'Routes call a service; the service opens the tenant transaction.' },
          ],
          patterns: [
            {
              group: ['**/models', '**/models/*'],
              allowTypeImports: true,
              // Constants of the domain's vocabulary (no model, no query) may be read by a form.
              allowImportNames: ['ACCESS_LEVELS', 'ROLES', 'SECRECY_GRADES', 'FIELD_KINDS'],
              message: 'Routes do not touch models: call a service (types may be imported).',
            },
            { group: ['**/db/*'], message: 'Routes do not run SQL: call a service.' },
          ],
        },
      ],
    },
  },
  {
    files: ['public/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: ['bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
