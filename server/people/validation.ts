import { z } from 'zod';

export const newPasswordSchema = z
  .object({
    token: z.string().min(1),
    password: z
      .string()
      .min(10, 'A senha precisa ter pelo menos 10 caracteres.')
      .max(200, 'A senha pode ter no máximo 200 caracteres.')
      .regex(/[A-Za-zÀ-ÿ]/, 'A senha precisa ter pelo menos uma letra.')
      .regex(/\d/, 'A senha precisa ter pelo menos um número.'),
    confirmation: z.string(),
  })
  .refine((v) => v.password === v.confirmation, { path: ['confirmation'], message: 'As duas senhas não são iguais.' });
