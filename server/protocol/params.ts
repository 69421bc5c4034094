import { z } from 'zod';
import { ID_PATTERN } from '../documents/ids';
import { NotFoundError } from '../errors';

const idSchema = z.object({ id: z.string().regex(ID_PATTERN) });

/** The `:id` of a protocol URL, parsed; anything but a well-formed id is a 404 with `message`. */
export function idFrom(params: unknown, message: string): string {
  const parsed = idSchema.safeParse(params);
  if (!parsed.success) throw new NotFoundError(message);
  return parsed.data.id;
}
