/** The cooperation agreement (termo de adesão) an applicant accepts; its version is recorded with the acceptance. */
export const AGREEMENT_VERSION = '2026-1';

export const AGREEMENT_CLAUSES: { title: string; text: string }[] = [
  {
    title: 'Cláusula primeira — Do objeto',
    text: 'Este termo tem por objeto a adesão do ente ao PEN Nuvem, serviço de processo administrativo eletrônico oferecido pelo Ministério da Gestão e da Inovação em Serviços Públicos (MGI), no âmbito do Processo Eletrônico Nacional, sem transferência de recursos financeiros entre as partes.',
  },
  {
    title: 'Cláusula segunda — Das obrigações do MGI',
    text: 'Cabe ao MGI disponibilizar o ambiente do ente em endereço próprio, mantê-lo em funcionamento, guardar os dados com segurança e isolamento em relação aos demais entes, e prestar suporte aos administradores indicados.',
  },
  {
    title: 'Cláusula terceira — Das obrigações do ente',
    text: 'Cabe ao ente indicar o gestor responsável, cadastrar as suas unidades e os seus usuários, zelar pelo uso adequado das credenciais de acesso e pela classificação da informação (Lei nº 12.527/2011), e tratar os dados pessoais conforme a Lei nº 13.709/2018 (LGPD).',
  },
  {
    title: 'Cláusula quarta — Da titularidade dos dados',
    text: 'Os processos e documentos produzidos pertencem ao ente, que pode exportá-los a qualquer tempo. Na denúncia deste termo, os dados são entregues ao ente e eliminados do serviço após o prazo de guarda acordado.',
  },
  {
    title: 'Cláusula quinta — Da vigência e da denúncia',
    text: 'Este termo vigora por prazo indeterminado a partir da aprovação do pedido pelo MGI e pode ser denunciado por qualquer das partes, com aviso de 90 dias.',
  },
];
