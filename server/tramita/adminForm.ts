import { z } from 'zod';
import { ID_PATTERN } from '../documents/ids';
import { parseForm, type FieldErrors } from '../validation';
import type { TramitaAdminInput } from './admin';
import { hipotesesLegais } from './especies';

const ESPECIE_CODE = /^[0-9]{1,4}$/;
/** A hipótese legal is posted as its index in the national list (the names are long and change with the law's wording). */
const HIPOTESE_INDEX = /^[0-9]{1,3}$/;
const ID_OR_EMPTY = z.union([z.string().regex(ID_PATTERN), z.literal('')]);
const ESPECIE_OR_EMPTY = z.union([z.string().regex(ESPECIE_CODE, 'Escolha uma espécie da lista.'), z.literal('')]);

const fixedFields = z.object({
  receiving: z.union([z.string(), z.array(z.string())]).optional(),
  defaultSendEspecie: ESPECIE_OR_EMPTY.optional(),
  defaultReceiveDocumentTypeId: z.union([z.string().regex(ID_PATTERN, 'Escolha um tipo da lista.'), z.literal('')]).optional(),
  defaultSendHipotese: z.union([z.string().regex(HIPOTESE_INDEX), z.literal('')]).optional(),
  defaultReceiveLegalBasisId: ID_OR_EMPTY.optional(),
  novaEspecie: ESPECIE_OR_EMPTY.optional(),
  novoTipo: ID_OR_EMPTY.optional(),
});

/** The per-row fields of the page: `especie-<type>`, `recebe-<espécie>`, `hipotese-<legal basis>`, `base-<hipótese's index>`. */
const ROW_KEY = /^(especie|recebe|hipotese|base)-([0-9]{1,18})$/;

/** '' → null (the row's map removed); an id → itself; anything else → undefined (refused). */
const idOrNull = (value: unknown): string | null | undefined => (value === '' ? null : typeof value === 'string' && ID_PATTERN.test(value) ? value : undefined);

/**
 * The Tramita administration form (views/tramita/admin.hbs) read into what `saveTramitaAdmin`
 * takes: the fixed fields by schema, the per-row selects by their names, each refusal under the
 * name of its field.
 */
export function parseTramitaAdminForm(body: Record<string, unknown>): { ok: true; input: TramitaAdminInput } | { ok: false; errors: FieldErrors } {
  const parsed = parseForm(fixedFields, body);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const national = hipotesesLegais();
  const hipoteseAt = (value: unknown): string | null | undefined => (value === '' ? null : typeof value === 'string' && HIPOTESE_INDEX.test(value) ? national[Number(value)] : undefined);
  const input: TramitaAdminInput = {
    receivingUnitIds: ([] as string[]).concat(parsed.data.receiving ?? []),
    sendMap: {},
    defaultSendEspecie: parsed.data.defaultSendEspecie ? Number(parsed.data.defaultSendEspecie) : null,
    defaultReceiveDocumentTypeId: parsed.data.defaultReceiveDocumentTypeId || null,
    receiveMap: {},
    basisSendMap: {},
    defaultSendHipotese: null,
    hipoteseReceiveMap: {},
    defaultReceiveLegalBasisId: parsed.data.defaultReceiveLegalBasisId || null,
  };
  const errors: FieldErrors = {};
  for (const [key, value] of Object.entries(body)) {
    const m = ROW_KEY.exec(key);
    if (!m) continue;
    const [, kind, id] = m;
    if (kind === 'especie') input.sendMap[id] = typeof value === 'string' && ESPECIE_CODE.test(value) ? Number(value) : null;
    else if (kind === 'recebe') {
      const typeId = idOrNull(value);
      if (typeId === undefined) errors[key] = 'Escolha um tipo de documento da lista.';
      else input.receiveMap[id] = typeId;
    } else if (kind === 'hipotese') {
      const hipotese = hipoteseAt(value);
      if (hipotese === undefined) errors[key] = 'Escolha uma hipótese legal da lista nacional.';
      else input.basisSendMap[id] = hipotese;
    } else {
      const basisId = idOrNull(value);
      if (national[Number(id)] === undefined || basisId === undefined) errors[key] = 'Escolha uma hipótese legal deste órgão.';
      else input.hipoteseReceiveMap[national[Number(id)]] = basisId;
    }
  }
  const { novaEspecie, novoTipo } = parsed.data;
  if (novaEspecie && !novoTipo) errors.novoTipo = 'Escolha o tipo de documento em que a espécie será registrada.';
  if (novoTipo && !novaEspecie) errors.novaEspecie = 'Escolha a espécie documental.';
  if (novaEspecie && novoTipo) input.receiveMap[novaEspecie] = novoTipo;
  const defaultSendHipotese = hipoteseAt(parsed.data.defaultSendHipotese ?? '');
  if (defaultSendHipotese === undefined) errors.defaultSendHipotese = 'Escolha uma hipótese legal da lista nacional.';
  else input.defaultSendHipotese = defaultSendHipotese;
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, input };
}
