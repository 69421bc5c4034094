import { z } from 'zod';

export const loginSchema = z.object({
  email: z.string().trim().min(1, 'Informe o seu e-mail.').email('Informe um e-mail válido, como nome@exemplo.gov.br.'),
  password: z.string().min(1, 'Informe a sua senha.'),
});

export type LoginInput = z.infer<typeof loginSchema>;
