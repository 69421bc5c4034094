const dateFormatter = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Sao_Paulo', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's calendar date in America/Sao_Paulo, as YYYY-MM-DD. */
export function todayInSaoPaulo(at: Date = new Date()): string {
  return dateFormatter.format(at);
}
