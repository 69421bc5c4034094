import type { TenantKind } from '../models';

/** The definite article of an ente's name: "a Prefeitura", "o Governo do Estado", "a Câmara". */
export type Article = 'a' | 'o';

/** Feminine heads of the names of public bodies that do not end in -a. */
const FEMININE_HEAD = /(ção|são|dade|agem|ência|ância)$/;

/**
 * The article an ente's name takes, from its kind (a municipality is "a Prefeitura", a state "o
 * Governo") or, for other bodies, from the first word of the name (Câmara, Assembleia, Fundação →
 * "a"; Consórcio, Tribunal, Instituto → "o"). Operators can set another one on the tenant.
 */
export function derivedArticle(kind: TenantKind, name: string): Article {
  const head = name.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (/^prefeitura/.test(head)) return 'a';
  if (/^governo/.test(head)) return 'o';
  if (head) return head.endsWith('a') || FEMININE_HEAD.test(head) ? 'a' : 'o';
  return kind === 'municipio' ? 'a' : 'o';
}

const CONTRACTIONS: Record<string, Record<Article, string>> = {
  '': { a: 'a', o: 'o' },
  de: { a: 'da', o: 'do' },
  em: { a: 'na', o: 'no' },
  a: { a: 'à', o: 'ao' },
  por: { a: 'pela', o: 'pelo' },
};

export interface NamedEnte {
  name: string;
  /** The tenant's article; when absent, the one derived from the kind and the name. */
  article?: Article | null;
  kind?: TenantKind;
}

function articleOf(ente: NamedEnte): Article {
  return ente.article ?? derivedArticle(ente.kind ?? 'orgao', ente.name);
}

/** "da Prefeitura Municipal de Paraty", "do Governo do Estado do Maranhão", "à Câmara…". */
export function withArticle(preposition: string, ente: NamedEnte): string {
  const forms = CONTRACTIONS[preposition] ?? CONTRACTIONS[''];
  return `${forms[articleOf(ente)]} ${ente.name}`;
}

/** The form of an adjective or participle that agrees with the ente ("representada", "representado"). */
export function agreeing(ente: NamedEnte, masculine: string): string {
  return articleOf(ente) === 'a' ? masculine.replace(/o$/, 'a') : masculine;
}
