import { formatCpfCnpj as format } from '../formatting';

/** `{{formatCpfCnpj value}}`: a CPF or a CNPJ, whichever it is (server/formatting.ts). */
export default function formatCpfCnpj(value: unknown): string {
  return format(value);
}
