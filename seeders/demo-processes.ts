import { LegalBasis, ProcessType, Unit, User } from '../server/models';
import { createProcess } from '../server/processes/create';
import { todayInSaoPaulo } from '../server/processes/dates';
import { sendProcess } from '../server/processes/send';
import type { NumberingScheme } from '../server/models';
import { inTenant, runWithTenant, type TenantRef } from '../server/tenancy/context';

/** A few processes per demo tenant, so the Controle de processos of the demo users is not empty. */
export interface DemoProcess {
  by: string;
  unit: string;
  type: string;
  specification: string;
  party: string;
  restricted?: boolean;
  sendTo?: string[];
  keepOpen?: boolean;
  returnInDays?: number;
}

export async function seedDemoProcesses(tenant: TenantRef, scheme: NumberingScheme, processes: DemoProcess[]): Promise<void> {
  await runWithTenant(tenant, async () => {
    // One after the other: they share the transaction's connection, and pg deprecates overlapping queries on one client.
    const [units, users, types, basis] = await inTenant(async () => [
      await Unit.findAll(),
      await User.findAll(),
      await ProcessType.findAll(),
      await LegalBasis.findOne({ where: { name: 'Informação pessoal' } }),
    ] as const);
    const unitId = (acronym: string): string => String(units.find((u) => u.acronym === acronym)!.id);
    for (const p of processes) {
      const actor = { userId: String(users.find((u) => u.email.startsWith(p.by))!.id), unitId: unitId(p.unit) };
      const created = await createProcess(
        {
          processTypeId: String(types.find((t) => t.name === p.type)!.id),
          specification: p.specification,
          parties: [{ name: p.party }],
          accessLevel: p.restricted ? 'restricted' : 'public',
          legalBasisId: p.restricted ? String(basis!.id) : null,
        },
        actor,
        scheme,
      );
      if (p.sendTo) {
        const today = new Date();
        await sendProcess(
          created.id,
          actor,
          {
            unitIds: p.sendTo.map(unitId),
            keepOpen: Boolean(p.keepOpen),
            expectedReturn: p.returnInDays ? todayInSaoPaulo(new Date(today.getTime() + p.returnInDays * 86_400_000)) : null,
            notify: false,
          },
          { processUrl: (id) => `/processos/${id}`, today: todayInSaoPaulo(today) },
        );
      }
    }
  });
}
