const LABELS: Record<string, string> = { basic: 'Básico', admin: 'Administrador', protocol: 'Protocolo' };

/** `{{roleLabel role}}` → the profile name users read. */
export default function roleLabel(role: unknown): string {
  return LABELS[String(role)] ?? String(role);
}
