/** Who is logged in, as kept in the session (no database round trip per request). */
export interface Principal {
  type: 'user' | 'operator';
  id: string;
  /** Set for tenant users: the tenant that issued the login. */
  tenantId?: string;
  name: string;
  email: string;
}
