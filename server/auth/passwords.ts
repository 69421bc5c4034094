import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults (19 MiB, 2 passes): slow enough for passwords. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(hashed: string | null | undefined, password: string): Promise<boolean> {
  if (!hashed) {
    // Same work whether or not the account exists, so timing tells nothing.
    await hash(password);
    return false;
  }
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}
