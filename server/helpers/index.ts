import concat from './concat';
import eq from './eq';
import formatDateTime from './formatDateTime';
import formatNumber from './formatNumber';
import roleLabel from './roleLabel';

export const helpers = { concat, eq, formatDateTime, formatNumber, roleLabel };
