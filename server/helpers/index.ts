import concat from './concat';
import eq from './eq';
import formatDate from './formatDate';
import formatDateTime from './formatDateTime';
import formatNumber from './formatNumber';
import gt from './gt';
import roleLabel from './roleLabel';

export const helpers = { concat, eq, formatDate, formatDateTime, formatNumber, gt, roleLabel };
