import { withArticle, type NamedEnte } from '../tenancy/grammar';

/**
 * `{{ente "de" site.tenant}}` → "da Prefeitura Municipal de Paraty" / "do Governo do Estado do
 * Maranhão": the ente's name with its article, contracted with the preposition ("", de, em, a, por).
 */
export default function ente(preposition: unknown, tenant: unknown): string {
  const t = tenant as Partial<NamedEnte> | undefined;
  if (!t?.name) return '';
  return withArticle(typeof preposition === 'string' ? preposition : '', { name: t.name, article: t.article, kind: t.kind });
}
